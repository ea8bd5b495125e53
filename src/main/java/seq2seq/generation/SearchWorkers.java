package seq2seq.generation;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * Helper threads for the search's own arithmetic (log-softmax, top-k, scores): with one intra-op thread, ONNX Runtime
 * keeps one core busy and the search work can use the others, alongside or in halves.
 */
final class SearchWorkers {
    /** daemon threads, one fewer than the cores (at least one) */
    private static final ExecutorService POOL = Executors.newFixedThreadPool(
            Math.max(1, Runtime.getRuntime().availableProcessors() - 1), r -> {
                Thread t = new Thread(r, "search-worker");
                t.setDaemon(true);
                return t;
            });

    private SearchWorkers() {
    }

    static <T> Future<T> submit(java.util.concurrent.Callable<T> task) {
        return POOL.submit(task);
    }

    /** Runs body(0..n-1): the upper half on a helper thread, the lower half here. */
    static void parallelFor(int n, IntConsumer body) {
        if (n < 2) {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
            return;
        }
        int mid = n / 2;
        Future<?> upper = POOL.submit(() -> {
            for (int i = mid; i < n; i++) {
                body.accept(i);
            }
        });
        for (int i = 0; i < mid; i++) {
            body.accept(i);
        }
        join(upper);
    }

    static <T> T join(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
