package seq2seq.streams;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import seq2seq.avro.FailureReason;
import seq2seq.avro.TranslationRequest;
import seq2seq.avro.TranslationResult;
import seq2seq.generation.Translation;
import seq2seq.model.UnknownSpan;
import seq2seq.streams.state.Envelope;
import seq2seq.streams.state.MemoryEntry;
import seq2seq.streams.text.Segmenter;
import seq2seq.streams.text.SplitText;

import java.time.Duration;
import java.util.List;
import java.util.TreeMap;

/**
 * One partition's translate step: checks a request, answers what the translation memory knows, buffers the rest,
 * hands their segments to the shared {@link Batcher}, and forwards each request's outcome in arrival order.
 * <p>
 * State: the batch buffer (sequence number → request, changelogged) and the translation memory (segment key →
 * translation, changelogged). Everything in memory here ({@code pending}, tickets) is rebuilt from the buffer in
 * {@link #init}, so a restart or a move to another instance re-runs exactly the requests not yet forwarded.
 * See {@link Batcher} for why handing work to another thread keeps exactly-once intact.
 * <p>
 * Back-pressure: a task holding {@code maxPending} buffered requests waits in {@code process()} for results (at
 * most {@code maxBlock} at a time) before it takes more. Kafka Streams then stops fetching for it once its
 * {@code buffered.records.per.partition} are queued. That wait happens inside an open transaction, hence the cap.
 * <p>
 * Longer than most classes: the restore, the look-ups, the hand-over to the batcher, the back-pressure wait and the
 * ordered forward all work on the buffer and {@code pending}, and read in the order a record meets them.
 */
final class TranslationProcessor implements Processor<byte[], Envelope, byte[], Outcome> {
    private static final Logger log = LoggerFactory.getLogger(TranslationProcessor.class);

    /** settings shared by all tasks */
    private final PipelineSettings settings;
    /** the instance's shared batcher */
    private final Batcher batcher;
    /** which model version translates a request (each result names its model and version) */
    private final ModelFleet fleet;
    /** what a request must be to be translated here */
    private final RequestCheck requestCheck;
    /** cuts texts into sentences */
    private final Segmenter segmenter;
    /** metrics */
    private final PipelineEvents events;
    /** spans; {@link RequestTracer#OFF} when tracing is off */
    private final RequestTracer tracer;

    private ProcessorContext<byte[], Outcome> context;
    /** sequence number → request not yet forwarded, in arrival order */
    private KeyValueStore<Long, Envelope> buffer;
    /** segment key → translation; null when the memory is off */
    private PartitionMemory memory;
    /** this task's results from the batcher */
    private Batcher.Inbox inbox;
    /** the buffer's requests with their progress, same keys */
    private final TreeMap<Long, PendingRequest> pending = new TreeMap<>();
    /** segments waiting for the engine */
    private final SegmentsInFlight inFlight = new SegmentsInFlight();
    private long nextSeq;

    TranslationProcessor(PipelineSettings settings, ModelFleet fleet, PipelineEvents events, RequestTracer tracer) {
        this.settings = settings;
        this.batcher = fleet.batcher();
        this.fleet = fleet;
        this.requestCheck = new RequestCheck(settings, fleet);
        this.segmenter = new Segmenter(settings.maxSegmentChars());
        this.events = events;
        this.tracer = tracer;
    }

    @Override
    public void init(ProcessorContext<byte[], Outcome> context) {
        this.context = context;
        this.buffer = context.getStateStore(StoreNames.BUFFER);
        this.memory = settings.memoryEnabled()
                ? new PartitionMemory(context.getStateStore(StoreNames.MEMORY), settings, events) : null;
        this.inbox = batcher.newInbox();
        long now = context.currentSystemTimeMs();
        try (KeyValueIterator<Long, Envelope> it = buffer.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                RequestTimeline timeline = timeline(kv.value, true);
                PendingRequest p;
                try {
                    // routed again: the models or their versions may have changed since it was buffered
                    RequestCheck.Verdict v = requestCheck.check(kv.value.request(), kv.value.key());
                    if (v.rejection() != null) { // keep its place in line; it leaves as a dead letter
                        p = new PendingRequest(kv.value, null, new SplitText(List.of(), List.of("")));
                        p.failure = v.rejection().message();
                        p.failureReason = v.rejection().reason();
                    } else {
                        p = prepare(kv.value, v.version(), timeline);
                    }
                } catch (RuntimeException e) { // keep its place in line; it leaves as a dead letter
                    log.error("task {}: cannot prepare buffered request {}", context.taskId(), kv.key, e);
                    p = new PendingRequest(kv.value, null, new SplitText(List.of(), List.of("")));
                    p.failure = "cannot prepare the buffered request: " + e;
                }
                p.timeline = timeline;
                enqueue(kv.key, p, now);
                nextSeq = kv.key + 1;
            }
        }
        if (!pending.isEmpty()) {
            log.info("task {}: {} buffered requests restored, translating them again", context.taskId(), pending.size());
            submit();
        }
        context.schedule(settings.tick(), PunctuationType.WALL_CLOCK_TIME, this::tick);
        if (memory != null) {
            context.schedule(settings.memoryCleanupInterval(), PunctuationType.WALL_CLOCK_TIME,
                    at -> memory.trim(at, context.taskId()));
        }
    }

    @Override
    public void process(Record<byte[], Envelope> record) {
        long start = System.nanoTime();
        events.received();
        Envelope env = record.value();
        RequestTimeline timeline = timeline(env, false);
        PendingRequest p;
        try { // up to here nothing is stored: a failure is this record's alone and goes to the dead letters
            RequestCheck.Verdict verdict = requestCheck.check(env.request(), env.key());
            if (verdict.rejection() != null) {
                forwardFailure(env, timeline, verdict.rejection().reason(), verdict.rejection().message());
                return;
            }
            p = prepare(env, verdict.version(), timeline);
        } catch (RuntimeException e) {
            log.error("task {}: cannot prepare {}-{}@{}", context.taskId(), env.topic(), env.partition(), env.offset(), e);
            forwardFailure(env, timeline, FailureReason.INTERNAL, "cannot prepare the request: " + e);
            return;
        }
        p.timeline = timeline;
        if (p.missing == 0 && pending.isEmpty()) { // nothing ahead of it, nothing to translate: no buffer round trip
            forwardAndRelease(p);
            if (p.pieces.length > 0) {
                events.servedFromMemory(System.nanoTime() - start);
            }
            return;
        }
        long seq = nextSeq++;
        buffer.put(seq, env);
        enqueue(seq, p, context.currentSystemTimeMs());
        if (inFlight.fillABatch(settings, batcher.latencyTarget())) {
            submit();
        }
        collect();
        waitIfFull();
    }

    /**
     * Splits the text (unless the model takes it whole) and fills in the segments the memory knows (for this model
     * and version); counts the others in {@code missing}. The version stays in use until the request is forwarded.
     */
    private PendingRequest prepare(Envelope env, ModelVersion version, RequestTimeline timeline) {
        try {
            return prepareWith(env, version, timeline);
        } catch (RuntimeException e) {
            version.release();
            throw e;
        }
    }

    private PendingRequest prepareWith(Envelope env, ModelVersion version, RequestTimeline timeline) {
        TranslationRequest r = env.request();
        var model = version.info();
        // a model that needs the whole text (summarization: its seq2seq.json) gets it as one segment
        PendingRequest p = new PendingRequest(env, version, model.segmentSentences()
                ? segmenter.split(r.getText(), r.getSourceLang()) : Segmenter.whole(r.getText()));
        List<String> segments = p.split.segments();
        long lookupStart = timeline == null ? 0 : System.nanoTime();
        if (timeline != null) {
            timeline.checked(lookupStart, version, segments.size());
        }
        for (int i = 0; i < segments.size(); i++) {
            // also the key that joins repeated segments in flight, with the memory off
            p.keys[i] = PartitionMemory.key(model, r, segments.get(i));
            MemoryEntry hit = memory == null ? null : memory.lookup(p.keys[i]);
            if (hit != null) {
                p.pieces[i] = new Piece(hit.text(), hit.inputTokens(), hit.outputTokens(), hit.truncated(), hit.score(), true,
                        null, hit.unknownPieces(), hit.unknownSpans());
            } else {
                p.missing++;
            }
        }
        if (timeline != null && memory != null && !segments.isEmpty()) {
            timeline.lookedUp(lookupStart, System.nanoTime(), segments.size(), segments.size() - p.missing);
        }
        return p;
    }

    /** A new timeline for a request when tracing is on, else null. */
    private RequestTimeline timeline(Envelope env, boolean restored) {
        return tracer.enabled() ? new RequestTimeline(env, System.nanoTime(), restored) : null;
    }

    /** Adds a buffered request to {@code pending}; each missing segment gets (or shares) a ticket. */
    private void enqueue(long seq, PendingRequest p, long now) {
        pending.put(seq, p);
        long at = p.timeline == null ? 0 : System.nanoTime();
        for (int i = 0; i < p.pieces.length; i++) {
            if (p.pieces[i] == null) {
                inFlight.want(p, i, now);
                if (p.timeline != null) {
                    p.timeline.waiting(i, at);
                }
            }
        }
    }

    private void submit() {
        List<Batcher.Job> jobs = inFlight.takeJobs(inbox);
        if (!jobs.isEmpty()) {
            batcher.submit(jobs);
        }
    }

    /** Wall-clock punctuation: take results, forward what is complete, send segments that lingered long enough. */
    private void tick(long now) {
        collect();
        if (inFlight.lingered(settings, batcher.latencyTarget(), now)) {
            submit();
        }
    }

    /** Takes every result waiting in the inbox, then forwards the complete requests at the head of the buffer. */
    private void collect() {
        for (Batcher.Done d = inbox.poll(); d != null; d = inbox.poll()) {
            complete(d);
        }
        forwardReady();
    }

    private void waitIfFull() {
        if (pending.size() < settings.maxPending()) {
            return;
        }
        submit();
        long start = System.nanoTime();
        try {
            awaitRoom(start + settings.maxBlock().toNanos());
        } finally {
            events.backPressureWait(System.nanoTime() - start);
        }
    }

    /** Takes results until the buffer has room or {@code deadline} ({@link System#nanoTime()}) passes. */
    private void awaitRoom(long deadline) {
        while (pending.size() >= settings.maxPending()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            Batcher.Done d;
            try {
                d = inbox.poll(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (d == null) {
                return;
            }
            complete(d);
            collect();
        }
    }

    private void complete(Batcher.Done d) {
        SegmentsInFlight.Ticket t = inFlight.finish(d.ticket());
        if (t == null) {
            return;
        }
        Translation tr = d.translation();
        if (memory != null) {
            memory.remember(t.key, tr, context.currentSystemTimeMs());
        }
        Piece piece = new Piece(tr.text(), tr.inputTokens(), tr.outputTokens(), tr.truncated(), tr.score(), false, tr.error(),
                tr.unknownPieces(), tr.unknownSpans().stream().map(UnknownSpan::text).toList());
        for (SegmentsInFlight.Waiter w : t.waiters) {
            if (w.request().pieces[w.index()] == null) {
                w.request().pieces[w.index()] = piece;
                w.request().missing--;
                if (w.request().timeline != null) {
                    w.request().timeline.translated(w.index(), d.batchStartNanos(), tr.times());
                }
            }
        }
    }

    private void forwardReady() {
        while (!pending.isEmpty() && pending.firstEntry().getValue().missing == 0) {
            var head = pending.pollFirstEntry();
            forwardAndRelease(head.getValue());
            buffer.delete(head.getKey());
        }
    }

    /** {@link #forward}, then the request's model version is no longer in use by it. */
    private void forwardAndRelease(PendingRequest p) {
        try {
            forward(p);
        } finally {
            if (p.version != null) {
                p.version.release();
            }
        }
    }

    /** Forwards a complete request: its translation, or a dead letter if a segment failed in the engine. */
    private void forward(PendingRequest p) {
        if (p.failure != null) {
            forwardFailure(p.env, p.timeline, p.failureReason, p.failure);
            return;
        }
        for (Piece piece : p.pieces) {
            if (piece.error() != null) {
                forwardFailure(p.env, p.timeline, FailureReason.INFERENCE, piece.error());
                return;
            }
        }
        TranslationResult result = ResultAssembler.assemble(p, context.currentSystemTimeMs());
        send(p.env, p.timeline, Outcome.of(result), settings.translationsTopic());
        events.translated(result);
    }

    private void forwardFailure(Envelope env, RequestTimeline timeline, FailureReason reason, String message) {
        log.warn("dead-lettering {}-{}@{} (id {}) as {}: {}", env.topic(), env.partition(), env.offset(),
                env.request() == null ? null : env.request().getId(), reason, message);
        send(env, timeline, Outcome.of(Failures.of(reason, message, env, context.currentSystemTimeMs())),
                settings.failuresTopic());
        events.deadLettered(reason);
    }

    /** Forwards an outcome with the request's allowed headers, through the tracer when it has a timeline. */
    private void send(Envelope env, RequestTimeline timeline, Outcome outcome, String topic) {
        RecordHeaders headers = env.outputHeaders();
        Runnable forward = () -> context.forward(new Record<>(env.key(), outcome, env.timestamp(), headers));
        if (timeline == null) {
            forward.run();
        } else {
            tracer.produce(timeline, outcome, topic, headers, forward);
        }
    }

    @Override
    public void close() {
        if (inbox != null) {
            inbox.close(); // results still in flight for this task are dropped; its next owner re-runs the buffer
        }
        for (PendingRequest p : pending.values()) { // their next owner routes them again
            if (p.version != null) {
                p.version.release();
            }
        }
        pending.clear();
    }
}
