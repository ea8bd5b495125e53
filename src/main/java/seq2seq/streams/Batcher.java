package seq2seq.streams;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import seq2seq.generation.Translation;
import seq2seq.generation.Translator;
import seq2seq.generation.TranslationTask;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The one caller of the {@link Translator} in an instance, shared by all stream threads and tasks, so that one engine
 * batch can hold segments from several partitions (cross-partition batching).
 *
 * <h2>How work goes in and results come back without breaking exactly-once</h2>
 * A task never waits for the engine inside Kafka code it does not own, and the batcher never touches Kafka:
 * <ol>
 *   <li>A task first writes each request to its changelogged batch buffer (inside the task's transaction), then
 *       hands the segments to {@link #submit} and returns at once. The segments' owner is the task's {@link Inbox}.</li>
 *   <li>The batcher's own thread takes what is queued (FIFO, from any task), up to the batch size and the token
 *       budget, runs the engine and puts each result into its task's inbox (a concurrent queue). That is all it does.</li>
 *   <li>The task's stream thread empties its inbox in its wall-clock punctuator and in {@code process()}; only there,
 *       on its own thread and inside its own transaction, it writes the memory, forwards the outputs in arrival
 *       order and deletes them from the buffer.</li>
 * </ol>
 * So every Kafka-visible effect (buffer, memory, output, offsets) is made by the task's stream thread and commits
 * together; the engine's work is a pure function whose results may be thrown away. If a task is closed, migrated
 * or its instance dies while its work is in flight, its inbox is closed and late results are dropped; the new owner
 * restores the buffer from the changelog and runs those records again. Nothing is lost (the buffer commits with the
 * input offsets) and nothing is emitted twice (outputs and buffer deletes commit together).
 * <p>
 * Several workers may run engine calls at once (the engine is thread-safe); one ONNX Runtime thread per operator and
 * one worker per core was faster here than one call using all cores.
 * <p>
 * Because the engine runs off the stream threads, a transaction is not held open while a batch runs; the batch caps
 * (segments, estimated tokens) bound how long one engine call takes, which bounds the latency of everything behind it
 * and the time a task under back-pressure waits (see {@code TranslationProcessor}).
 */
public final class Batcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Batcher.class);
    /** stack size for threads that call into the engine */
    public static final long ENGINE_STACK_BYTES = 64L << 20;

    /** one segment to translate; {@code ticket} is the task's own handle for it */
    public record Job(long ticket, TranslationTask task, Inbox inbox) {
    }

    /** the result of one {@link Job} */
    public record Done(long ticket, Translation translation) {
    }

    /** Where one task's results arrive; closed when the task goes away, after which its queued jobs are skipped. */
    public static final class Inbox {
        /** finished jobs, in completion order */
        private final LinkedBlockingQueue<Done> done = new LinkedBlockingQueue<>();
        /** set by the task's close(); read by the batcher thread */
        private volatile boolean closed;

        /** a result if one is there, else null; never blocks */
        public Done poll() {
            return done.poll();
        }

        /** waits up to {@code timeout} for a result; null when none came */
        public Done poll(Duration timeout) throws InterruptedException {
            return done.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }

        public void close() {
            closed = true;
            done.clear();
        }

        boolean closed() {
            return closed;
        }

        void deliver(Done d) {
            if (!closed) {
                done.add(d);
            }
        }
    }

    /** the shared engine */
    private final Translator translator;
    /** most segments in one engine call */
    private final int maxBatchSize;
    /** most estimated source tokens in one engine call (a single longer segment still runs, alone) */
    private final int maxBatchTokens;
    /** what the tasks submitted and the worker has not taken yet */
    private final LinkedBlockingDeque<Job> queue = new LinkedBlockingDeque<>();
    /** told about each batch */
    private final PipelineEvents events;
    /** run the engine, each on its own batch */
    private final List<Thread> workers = new ArrayList<>();
    /** one worker at a time assembles a batch from the queue */
    private final Object taking = new Object();
    /** set by close() */
    private volatile boolean stopping;

    /**
     * @param workers  engine calls that may run at once (each on its own thread); with one ONNX Runtime thread per
     *                 operator, one worker per core keeps the cores busy
     */
    public Batcher(Translator translator, int maxBatchSize, int maxBatchTokens, int workers, PipelineEvents events) {
        if (maxBatchSize < 1 || maxBatchTokens < 1 || workers < 1) {
            throw new IllegalArgumentException("batch size, token budget and workers must be positive, got " + maxBatchSize
                    + ", " + maxBatchTokens + " and " + workers);
        }
        this.translator = translator;
        this.maxBatchSize = maxBatchSize;
        this.maxBatchTokens = maxBatchTokens;
        this.events = events;
        for (int i = 0; i < workers; i++) {
            // native code under the engine (tokenizer, ONNX Runtime) overflows the default 1 MB thread stack here
            Thread t = new Thread(null, this::work, "seq2seq-batcher-" + i, ENGINE_STACK_BYTES);
            t.setDaemon(true);
            t.start();
            this.workers.add(t);
        }
    }

    public Inbox newInbox() {
        return new Inbox();
    }

    public void submit(Collection<Job> jobs) {
        if (stopping) {
            throw new IllegalStateException("the batcher is closed");
        }
        queue.addAll(jobs);
    }

    /** jobs waiting for the engine (not counting the batch running now) */
    public int queued() {
        return queue.size();
    }

    /** A rough source-token count (about four characters per token) used for the token budget. */
    public static int estimateTokens(String text) {
        return text.length() / 4 + 2;
    }

    private void work() {
        while (!stopping) {
            List<Job> batch;
            try {
                batch = nextBatch();
            } catch (InterruptedException e) {
                return;
            }
            if (!batch.isEmpty()) {
                run(batch);
            }
        }
    }

    private List<Job> nextBatch() throws InterruptedException {
        synchronized (taking) {
            return takeBatch();
        }
    }

    private List<Job> takeBatch() throws InterruptedException {
        List<Job> batch = new ArrayList<>();
        int tokens = 0;
        Job first = queue.poll(100, TimeUnit.MILLISECONDS); // wakes up now and then to see whether it should stop
        for (Job job = first; job != null; job = queue.poll()) {
            if (job.inbox().closed()) {
                continue;
            }
            int t = estimateTokens(job.task().text());
            if (!batch.isEmpty() && tokens + t > maxBatchTokens) {
                queue.addFirst(job);
                break;
            }
            batch.add(job);
            tokens += t;
            if (batch.size() >= maxBatchSize) {
                break;
            }
        }
        return batch;
    }

    private void run(List<Job> batch) {
        batch.sort(Comparator.comparingInt(j -> j.task().text().length())); // similar lengths pad less
        List<TranslationTask> tasks = new ArrayList<>(batch.size());
        int tokens = 0;
        for (Job j : batch) {
            tasks.add(j.task());
            tokens += estimateTokens(j.task().text());
        }
        long start = System.nanoTime();
        List<Translation> out;
        try {
            out = translator.translate(tasks);
            if (out.size() != tasks.size()) {
                throw new IllegalStateException("the translator returned " + out.size() + " results for " + tasks.size() + " tasks");
            }
        } catch (RuntimeException e) {
            log.error("engine failed on a batch of {} segments; each is reported as failed", tasks.size(), e);
            String why = "engine failed: " + e;
            out = new ArrayList<>(tasks.size());
            for (int i = 0; i < tasks.size(); i++) {
                out.add(new Translation("", 0, 0, false, null, 0, why));
            }
        }
        events.batchDone(tasks.size(), tokens, System.nanoTime() - start);
        for (int i = 0; i < batch.size(); i++) {
            Job j = batch.get(i);
            j.inbox().deliver(new Done(j.ticket(), out.get(i)));
        }
    }

    /** Stops taking work; the batch running now finishes (its results go to inboxes that may no longer be read). */
    @Override
    public void close() {
        stopping = true; // not an interrupt: that could land inside the engine
        try {
            for (Thread t : workers) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
