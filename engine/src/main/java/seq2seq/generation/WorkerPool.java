package seq2seq.generation;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The engine's one pool of threads (CTranslate2's replica pool): engine batches run on it, and the search forks its
 * own arithmetic (log-softmax sums, beam candidates) onto it. Nothing else in the project starts threads that call
 * into the engine.
 * <p>
 * Its threads carry a large stack: native code under the engine (ONNX Runtime's start-up, the tokenizer) overflows
 * the JVM's default 1 MB one. A fork never waits for a free worker: whoever joins a fork that no worker has started
 * runs it itself, so workers that are all busy joining their own forks cannot deadlock (the idea of work stealing).
 */
public final class WorkerPool implements AutoCloseable {
    /** stack of every worker */
    public static final long STACK_BYTES = 64L << 20;
    /** the pool a worker thread belongs to; null on other threads */
    private static final ThreadLocal<WorkerPool> CURRENT = new ThreadLocal<>();

    private final ExecutorService executor;
    private final int workers;

    /** @param workers threads; each engine batch runs on one of them */
    public WorkerPool(int workers, String name) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, found " + workers);
        }
        this.workers = workers;
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(null, () -> {
                CURRENT.set(this);
                r.run();
            }, name + "-" + n.incrementAndGet(), STACK_BYTES);
            t.setDaemon(true);
            return t;
        });
    }

    public int workers() {
        return workers;
    }

    /** Whether the calling thread is one of this pool's workers. */
    public boolean onWorker() {
        return CURRENT.get() == this;
    }

    /** Runs {@code work} on a worker. */
    public <T> CompletableFuture<T> submit(Callable<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                result.complete(work.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** Runs {@code work} on a worker (here, if the caller is one) and waits for it. */
    public <T> T call(Callable<T> work) {
        if (onWorker()) {
            return Fork.run(work);
        }
        return join(submit(work));
    }

    /** Waits for a future of this pool; its failure is rethrown as it was thrown (unchecked). */
    public static <T> T join(CompletableFuture<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the engine", e);
        } catch (ExecutionException e) {
            throw unchecked(e.getCause());
        }
    }

    /** Work handed to the current thread's pool, or run at {@link #join} when there is none or no worker took it. */
    public static final class Fork<T> {
        private final Callable<T> work;
        private final AtomicBoolean claimed = new AtomicBoolean();
        private final CompletableFuture<T> result = new CompletableFuture<>();

        private Fork(Callable<T> work) {
            this.work = work;
        }

        private void runIfUnclaimed() {
            if (claimed.compareAndSet(false, true)) {
                try {
                    result.complete(work.call());
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            }
        }

        /** The result; runs the work on this thread if no worker has started it. */
        public T join() {
            runIfUnclaimed();
            try {
                return result.join();
            } catch (CompletionException e) {
                throw unchecked(e.getCause());
            }
        }

        private static <T> T run(Callable<T> work) {
            Fork<T> f = new Fork<>(work);
            return f.join();
        }
    }

    /** Hands {@code work} to a free worker of the calling thread's pool, if any; {@link Fork#join} gets the result. */
    public static <T> Fork<T> fork(Callable<T> work) {
        Fork<T> f = new Fork<>(work);
        WorkerPool pool = CURRENT.get();
        if (pool != null && pool.workers > 1) {
            pool.executor.execute(f::runIfUnclaimed);
        }
        return f;
    }

    /** Runs body(0..n-1): the upper half forked, the lower half here. */
    public static void parallelFor(int n, IntConsumer body) {
        if (n < 2) {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
            return;
        }
        int mid = n / 2;
        Fork<Void> upper = fork(() -> {
            for (int i = mid; i < n; i++) {
                body.accept(i);
            }
            return null;
        });
        for (int i = 0; i < mid; i++) {
            body.accept(i);
        }
        upper.join();
    }

    private static RuntimeException unchecked(Throwable cause) {
        if (cause instanceof RuntimeException re) {
            return re;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(cause);
    }

    /** Stops the workers; a batch running now finishes first (an interrupt could land inside native code). */
    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
