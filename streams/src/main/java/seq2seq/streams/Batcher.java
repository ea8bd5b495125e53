package seq2seq.streams;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import seq2seq.generation.Translation;
import seq2seq.generation.Translator;
import seq2seq.generation.TranslationTask;
import seq2seq.streams.RoundRobinLanes.Lane;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The one caller of the {@link Translator}s in an instance (one per model served), shared by all stream threads and
 * tasks, so that one engine batch can hold segments from several partitions (cross-partition batching).
 *
 * <h2>How work goes in and results come back without breaking exactly-once</h2>
 * A task never waits for the engine inside Kafka code it does not own, and the batcher never touches Kafka:
 * <ol>
 *   <li>A task first writes each request to its changelogged batch buffer (inside the task's transaction), then
 *       hands the segments to {@link #submit} and returns at once. The segments' owner is the task's {@link Inbox}.</li>
 *   <li>Whenever the engines have a free worker (after a submit, and after each batch), the batcher takes what is
 *       queued for one model (FIFO, from any task), up to the batch size and the token budget, hands it to that
 *       model's {@link Translator#submit} and, when it is done, puts each result into its task's inbox (a concurrent
 *       queue). That is all it does; it has no threads of its own: batches run on the engines' one worker pool.</li>
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
 * Up to {@link Translator#parallelism()} batches are in flight at once (the workers of the pool the engines share;
 * the largest parallelism of the translators). A translator that runs inline (the topology tests) finishes each batch
 * inside {@code submit}, so its results are in the inboxes when {@code submit} returns.
 *
 * <h2>Several models and versions: one queue each, round robin</h2>
 * Each model version ({@link ModelVersion}) has its own FIFO queue and a batch never mixes versions, so a switch of
 * version happens at a batch boundary. Versions come and go while running ({@link #add}, {@link #remove}). Which
 * version's queue the next batch comes from is {@link RoundRobinLanes}' job, so that a model with a backlog cannot
 * starve a quiet one.
 * <p>
 * With a latency target ({@link LatencyTarget}) the largest batch cut from a lane is the target's choice for it (at
 * most the batch size), which it makes from the times this class measures and the rows it is handed.
 * <p>
 * A version may shadow another ({@link #shadow}): each batch the primary finishes is run again on the shadow, whose
 * outputs are only compared with the primary's ({@link ShadowComparison}) and never delivered.
 * <p>
 * Because the engine runs off the stream threads, a transaction is not held open while a batch runs; the batch caps
 * (segments, estimated tokens) bound how long one engine call takes, which bounds the latency of everything behind it
 * and the time a task under back-pressure waits (see {@code TranslationProcessor}).
 * <p>
 * Longer than most classes: the batches in flight, the shadow mirroring and the drain of a retired version all change
 * under one lock with the queues, and keeping them together keeps that lock's rules in one place (the queues and the
 * round robin are {@link RoundRobinLanes}, guarded by the same lock).
 */
public final class Batcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Batcher.class);

    /**
     * one segment for {@code version} to translate; {@code ticket} is the task's own handle for it;
     * {@code queuedAtNanos} ({@link System#nanoTime()}) is when it was handed over, for the queue-wait metric
     */
    public record Job(long ticket, ModelVersion version, TranslationTask task, Inbox inbox, long queuedAtNanos) {
        public Job(long ticket, ModelVersion version, TranslationTask task, Inbox inbox) {
            this(ticket, version, task, inbox, System.nanoTime());
        }
    }

    /**
     * the result of one {@link Job}; {@code batchStartNanos} ({@link System#nanoTime()}) is when its batch was handed
     * to the engine, the end of its wait in the queue
     */
    public record Done(long ticket, Translation translation, long batchStartNanos) {
    }

    /** Where one task's results arrive; closed when the task goes away, after which its queued jobs are skipped. */
    public static final class Inbox {
        /** finished jobs, in completion order */
        private final LinkedBlockingQueue<Done> done = new LinkedBlockingQueue<>();
        /** where results go instead of the queue (a shadow batch's comparison); null for a task's inbox */
        private final Consumer<Done> sink;
        /** set by the task's close(); read when batches are cut and delivered */
        private volatile boolean closed;

        Inbox(Consumer<Done> sink) {
            this.sink = sink;
        }

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
            if (sink != null) {
                sink.accept(d);
            } else if (!closed) {
                done.add(d);
            }
        }
    }

    /** the queues, one per version served, and the round robin over them; guarded by lock */
    private final RoundRobinLanes lanes = new RoundRobinLanes();
    /** batches in flight at most: the shared workers; guarded by lock */
    private int parallelism = 1;
    /** guards the queues and the counts */
    private final Object lock = new Object();
    /** most segments in one engine call */
    private final int maxBatchSize;
    /** most estimated source tokens in one engine call (a single longer segment still runs, alone) */
    private final int maxBatchTokens;
    /** told about each batch */
    private final PipelineEvents events;
    /** chooses the batch size when a latency target is set; null: {@link #maxBatchSize} always */
    private final LatencyTarget latencyTarget;
    /** batches handed to a translator and not finished; guarded by lock */
    private int inFlight;
    /** set by close(); guarded by lock */
    private boolean stopping;
    /** finished when the last batch in flight is done after close() */
    private final CompletableFuture<Void> drained = new CompletableFuture<>();

    /** One model. */
    public Batcher(Translator translator, int maxBatchSize, int maxBatchTokens, PipelineEvents events) {
        this(List.of(translator), maxBatchSize, maxBatchTokens, events);
    }

    /**
     * @param translators one per model (distinct {@link seq2seq.generation.ModelInfo#name()}s), expected to share one
     *                    worker pool; the order is the round robin's. Each becomes the first version of its model.
     */
    public Batcher(List<? extends Translator> translators, int maxBatchSize, int maxBatchTokens, PipelineEvents events) {
        this(translators, maxBatchSize, maxBatchTokens, events, null);
    }

    /**
     * @param latencyTarget chooses how large a batch to cut for each version; null: always up to {@code maxBatchSize}
     *                      and {@code maxBatchTokens}
     */
    public Batcher(List<? extends Translator> translators, int maxBatchSize, int maxBatchTokens, PipelineEvents events,
                   LatencyTarget latencyTarget) {
        if (maxBatchSize < 1 || maxBatchTokens < 1) {
            throw new IllegalArgumentException("batch size and token budget must be positive, got " + maxBatchSize
                    + " and " + maxBatchTokens);
        }
        if (translators.isEmpty()) {
            throw new IllegalArgumentException("no translators");
        }
        this.maxBatchSize = maxBatchSize;
        this.maxBatchTokens = maxBatchTokens;
        this.events = events;
        this.latencyTarget = latencyTarget;
        Set<String> names = new HashSet<>();
        for (Translator t : translators) {
            if (!names.add(t.modelInfo().name())) {
                throw new IllegalArgumentException("two translators for model '" + t.modelInfo().name() + "'");
            }
            add(new ModelVersion(t));
        }
    }

    /** the latency target's controller, or null when batches follow the fixed settings */
    public LatencyTarget latencyTarget() {
        return latencyTarget;
    }

    public Inbox newInbox() {
        return new Inbox(null);
    }

    /** Starts serving a version (a lane of its own, last in the round robin). */
    public void add(ModelVersion version) {
        synchronized (lock) {
            if (lanes.add(version)) {
                parallelism = Math.max(parallelism, version.translator().parallelism());
            }
        }
    }

    /**
     * Stops serving a version: its queued jobs are dropped (only closed tasks' and shadow jobs can be left: see
     * {@link ModelVersion}), and {@code whenDrained} runs once its last running batch is done (at once if none).
     */
    public void remove(ModelVersion version, Runnable whenDrained) {
        boolean now;
        synchronized (lock) {
            Lane lane = lanes.get(version);
            if (lane == null) {
                now = true;
            } else {
                lane.queue.clear();
                lane.whenDrained = whenDrained;
                now = lane.running == 0;
                if (now) {
                    drop(lane);
                }
            }
            for (Lane l : lanes.all()) {
                if (l.shadow == version) {
                    l.shadow = null;
                }
            }
        }
        if (now) {
            whenDrained.run();
        }
    }

    /** Runs every batch {@code primary} finishes again on {@code shadow} (null: stop) and compares the outputs. */
    public void shadow(ModelVersion primary, ModelVersion shadow) {
        synchronized (lock) {
            Lane lane = lanes.get(primary);
            if (lane == null || (shadow != null && lanes.get(shadow) == null)) {
                throw new IllegalArgumentException("shadowing needs both versions served: " + primary + ", " + shadow);
            }
            lane.shadow = shadow;
        }
    }

    /** The versions served, in round-robin order. */
    public List<ModelVersion> versions() {
        synchronized (lock) {
            return lanes.all().stream().map(l -> l.version).toList();
        }
    }

    /** The first version served under this model name, or null. */
    public ModelVersion version(String model) {
        synchronized (lock) {
            return lanes.all().stream().map(l -> l.version).filter(v -> v.name().equals(model)).findFirst().orElse(null);
        }
    }

    /** The models served (their first versions' infos), in round-robin order. */
    public List<seq2seq.generation.ModelInfo> models() {
        synchronized (lock) {
            Map<String, seq2seq.generation.ModelInfo> out = new LinkedHashMap<>();
            lanes.all().forEach(l -> out.putIfAbsent(l.version.name(), l.version.info()));
            return List.copyOf(out.values());
        }
    }

    /** Whether a version of this model is served. */
    public boolean serves(String model) {
        return version(model) != null;
    }

    public void submit(Collection<Job> jobs) {
        synchronized (lock) {
            if (stopping) {
                throw new IllegalStateException("the batcher is closed");
            }
            for (Job j : jobs) {
                Lane lane = lanes.get(j.version());
                if (lane == null || lane.whenDrained != null) {
                    throw new IllegalArgumentException("version " + j.version() + " is not served");
                }
            }
            for (Job j : jobs) {
                lanes.get(j.version()).queue.add(j);
                if (latencyTarget != null) {
                    latencyTarget.arrived(j.version(), 1);
                }
            }
        }
        dispatch();
    }

    /** jobs waiting for the engines (not counting the batches running now) */
    public int queued() {
        synchronized (lock) {
            return lanes.queued(v -> true);
        }
    }

    /** jobs waiting for one model, all its versions (0 for a model not served here) */
    public int queued(String model) {
        synchronized (lock) {
            return lanes.queued(v -> v.name().equals(model));
        }
    }

    /** A rough source-token count (about four characters per token) used for the token budget. */
    public static int estimateTokens(String text) {
        return text.length() / 4 + 2;
    }

    /** Hands batches to the translators while there are free workers and jobs are queued. */
    private void dispatch() {
        while (true) {
            RoundRobinLanes.Taken taken;
            synchronized (lock) {
                if (stopping || inFlight >= parallelism) {
                    return;
                }
                taken = lanes.next(this::takeBatch);
                if (taken == null) {
                    return;
                }
                inFlight++;
                taken.lane().running++;
            }
            run(taken.lane(), taken.batch());
        }
    }

    /** The next batch from the head of one version's queue; the caller holds the lock. */
    private List<Job> takeBatch(Lane lane) {
        ArrayDeque<Job> queue = lane.queue;
        if (queue.isEmpty()) {
            return List.of();
        }
        int maxRows = latencyTarget == null ? maxBatchSize
                : Math.min(maxBatchSize, latencyTarget.choose(lane.version, queue.size(), parallelism).maxRows());
        List<Job> batch = new ArrayList<>();
        int tokens = 0;
        for (Job job = queue.poll(); job != null; job = queue.poll()) {
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
            if (batch.size() >= maxRows) {
                break;
            }
        }
        return batch;
    }

    private void run(Lane lane, List<Job> batch) {
        batch.sort(Comparator.comparingInt(j -> j.task().text().length())); // similar lengths pad less
        List<TranslationTask> tasks = new ArrayList<>(batch.size());
        int tokens = 0;
        for (Job j : batch) {
            tasks.add(j.task());
            tokens += estimateTokens(j.task().text());
        }
        int estimatedTokens = tokens;
        long start = System.nanoTime();
        if (batch.get(0).inbox().sink == null) { // a shadow batch's wait is no request's
            for (Job j : batch) {
                events.queueWait(lane.version.name(), start - j.queuedAtNanos());
            }
        }
        CompletableFuture<List<Translation>> running;
        try {
            running = lane.version.translator().submit(tasks);
        } catch (RuntimeException e) {
            running = CompletableFuture.failedFuture(e);
        }
        // a batch that finishes inside submit (an inline translator) leaves the next one to the dispatch loop that
        // called run(); one that finishes later, on an engine worker, dispatches the next itself
        AtomicBoolean submitting = new AtomicBoolean(true);
        running.whenComplete((out, failure) -> {
            List<Translation> delivered = finish(lane, batch, tasks, out, failure, estimatedTokens, start);
            boolean more;
            Runnable drainedLane = null;
            synchronized (lock) {
                inFlight--;
                lane.running--;
                if (lane.running == 0 && lane.whenDrained != null && lanes.holds(lane)) {
                    drop(lane);
                    drainedLane = lane.whenDrained;
                } else if (failure == null && lane.shadow != null && !stopping && batch.get(0).inbox().sink == null) {
                    mirror(lane.shadow, tasks, delivered);
                }
                more = !stopping;
                if (stopping && inFlight == 0) {
                    drained.complete(null);
                }
            }
            if (drainedLane != null) {
                drainedLane.run();
            }
            if (more && !submitting.get()) {
                dispatch();
            }
        });
        submitting.set(false);
    }

    /** Queues a finished primary batch on its shadow; the caller holds the lock and dispatches after. */
    private void mirror(ModelVersion shadow, List<TranslationTask> tasks, List<Translation> primary) {
        Lane lane = lanes.get(shadow);
        if (lane == null || lane.whenDrained != null) {
            return;
        }
        ShadowComparison comparison = new ShadowComparison(shadow, primary, events);
        Inbox inbox = new Inbox(comparison::accept);
        for (int i = 0; i < tasks.size(); i++) {
            lane.queue.add(new Job(i, shadow, tasks.get(i), inbox));
        }
    }

    /** the caller holds the lock */
    private void drop(Lane lane) {
        lanes.drop(lane);
        if (latencyTarget != null) {
            latencyTarget.forget(lane.version);
        }
    }

    private List<Translation> finish(Lane lane, List<Job> batch, List<TranslationTask> tasks, List<Translation> out,
                                     Throwable failure, int tokens, long start) {
        long nanos = System.nanoTime() - start;
        if (failure == null && out.size() != tasks.size()) {
            failure = new IllegalStateException("the translator returned " + out.size() + " results for " + tasks.size() + " tasks");
        }
        if (failure != null) {
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            log.error("engine of model {} failed on a batch of {} segments; each is reported as failed", lane.version,
                    tasks.size(), cause);
            String why = "engine failed: " + cause;
            out = new ArrayList<>(tasks.size());
            for (int i = 0; i < tasks.size(); i++) {
                out.add(new Translation("", 0, 0, false, null, 0, why));
            }
        }
        double predictedMillis = latencyTarget == null || failure != null ? Double.NaN
                : latencyTarget.measured(lane.version, tasks.size(), tokens, nanos); // a shadow's batches use workers too
        if (batch.get(0).inbox().sink == null) { // a shadow batch serves no one
            events.batchDone(lane.version.name(), tasks.size(), tokens, nanos);
            if (!Double.isNaN(predictedMillis)) {
                events.batchPredicted(lane.version.name(), (long) (predictedMillis * 1e6));
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            Job j = batch.get(i);
            j.inbox().deliver(new Done(j.ticket(), out.get(i), start));
        }
        return out;
    }

    /** Stops taking work; waits up to 30 s for the batches in flight (their results go to inboxes that may no longer be read). */
    @Override
    public void close() {
        synchronized (lock) {
            stopping = true;
            lanes.all().forEach(l -> l.queue.clear());
            if (inFlight == 0) {
                drained.complete(null);
            }
        }
        try {
            drained.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("a batch was still running 30 s after the batcher closed");
        }
    }
}
