package seq2seq.streams;

import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import seq2seq.avro.FailureReason;
import seq2seq.avro.TranslationOptions;
import seq2seq.avro.TranslationRequest;
import seq2seq.avro.TranslationResult;
import seq2seq.generation.ModelInfo;
import seq2seq.generation.Translation;
import seq2seq.generation.TranslationTask;
import seq2seq.streams.state.Envelope;
import seq2seq.streams.state.MemoryEntry;
import seq2seq.streams.state.MemoryKey;
import seq2seq.streams.text.Segmenter;
import seq2seq.streams.text.SplitText;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 */
final class TranslationProcessor implements Processor<byte[], Envelope, byte[], Outcome> {
    private static final Logger log = LoggerFactory.getLogger(TranslationProcessor.class);

    /** settings shared by all tasks */
    private final PipelineSettings settings;
    /** the instance's shared batcher */
    private final Batcher batcher;
    /** the model behind the batcher: its version keys the memory */
    private final ModelInfo model;
    /** cuts texts into sentences */
    private final Segmenter segmenter;
    /** metrics */
    private final PipelineEvents events;

    private ProcessorContext<byte[], Outcome> context;
    /** sequence number → request not yet forwarded, in arrival order */
    private KeyValueStore<Long, Envelope> buffer;
    /** segment key → translation; null when the memory is off */
    private KeyValueStore<byte[], MemoryEntry> memory;
    /** this task's results from the batcher */
    private Batcher.Inbox inbox;
    /** the buffer's requests with their progress, same keys */
    private final TreeMap<Long, Pending> pending = new TreeMap<>();
    /** segments being translated, by ticket */
    private final Map<Long, Ticket> tickets = new HashMap<>();
    /** the same, by memory key: a repeated segment waits for the first one instead of being translated twice */
    private final Map<ByteBuffer, Ticket> ticketsByKey = new HashMap<>();
    /** tickets not yet handed to the batcher */
    private final List<Ticket> unsubmitted = new ArrayList<>();
    /** their estimated tokens */
    private int unsubmittedTokens;
    /** wall-clock ms when the oldest of them arrived */
    private long oldestUnsubmittedAt;
    private long nextSeq;
    private long nextTicket;

    TranslationProcessor(PipelineSettings settings, Batcher batcher, ModelInfo model, PipelineEvents events) {
        this.settings = settings;
        this.batcher = batcher;
        this.model = model;
        this.segmenter = new Segmenter(settings.maxSegmentChars());
        this.events = events;
    }

    @Override
    public void init(ProcessorContext<byte[], Outcome> context) {
        this.context = context;
        this.buffer = context.getStateStore(TranslationTopology.BUFFER_STORE);
        this.memory = settings.memoryEnabled() ? context.getStateStore(TranslationTopology.MEMORY_STORE) : null;
        this.inbox = batcher.newInbox();
        long now = context.currentSystemTimeMs();
        try (KeyValueIterator<Long, Envelope> it = buffer.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                Pending p;
                try {
                    p = prepare(kv.value);
                } catch (RuntimeException e) { // keep its place in line; it leaves as a dead letter
                    log.error("task {}: cannot prepare buffered request {}", context.taskId(), kv.key, e);
                    p = new Pending(kv.value, new SplitText(List.of(), List.of("")));
                    p.failure = "cannot prepare the buffered request: " + e;
                }
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
            context.schedule(settings.memoryCleanupInterval(), PunctuationType.WALL_CLOCK_TIME, this::trimMemory);
        }
    }

    @Override
    public void process(Record<byte[], Envelope> record) {
        long start = System.nanoTime();
        events.received();
        Envelope env = record.value();
        Pending p;
        try { // up to here nothing is stored: a failure is this record's alone and goes to the dead letters
            Rejection rejection = check(env.request());
            if (rejection != null) {
                forwardFailure(env, rejection.reason, rejection.message);
                return;
            }
            p = prepare(env);
        } catch (RuntimeException e) {
            log.error("task {}: cannot prepare {}-{}@{}", context.taskId(), env.topic(), env.partition(), env.offset(), e);
            forwardFailure(env, FailureReason.INTERNAL, "cannot prepare the request: " + e);
            return;
        }
        if (p.missing == 0 && pending.isEmpty()) { // nothing ahead of it, nothing to translate: no buffer round trip
            forward(p);
            if (p.pieces.length > 0) {
                events.servedFromMemory(System.nanoTime() - start);
            }
            return;
        }
        long seq = nextSeq++;
        buffer.put(seq, env);
        enqueue(seq, p, context.currentSystemTimeMs());
        if (unsubmitted.size() >= settings.batchMaxSize() || unsubmittedTokens >= settings.batchMaxTokens()) {
            submit();
        }
        collect();
        waitIfFull();
    }

    /** Why a request is dead-lettered before any translation. */
    private record Rejection(FailureReason reason, String message) {
    }

    /** null if the request can be translated */
    private Rejection check(TranslationRequest r) {
        if (r == null) {
            return new Rejection(FailureReason.SCHEMA,
                    "the record has no value (a tombstone or an empty message); expected a TranslationRequest");
        }
        if (r.getText().length() > settings.maxTextChars()) {
            return new Rejection(FailureReason.TOO_LONG,
                    "text has " + r.getText().length() + " characters; the limit is " + settings.maxTextChars());
        }
        String lang = unsupported(r.getSourceLang(), settings.sourceLanguages(), "source_lang");
        if (lang == null) {
            lang = unsupported(r.getTargetLang(), settings.targetLanguages(), "target_lang");
        }
        if (lang != null) {
            return new Rejection(FailureReason.UNSUPPORTED_LANGUAGE, lang);
        }
        if (r.getModel() != null && !r.getModel().equals(model.name())) {
            return new Rejection(FailureReason.UNKNOWN_MODEL,
                    "model '" + r.getModel() + "' is not served here; this instance serves '" + model.name() + "'");
        }
        TranslationOptions o = r.getOptions();
        if (o != null && o.getNumBeams() != null && (o.getNumBeams() < 1 || o.getNumBeams() > settings.maxBeams())) {
            return new Rejection(FailureReason.SCHEMA, "options.num_beams is " + o.getNumBeams() + "; allowed: 1.." + settings.maxBeams());
        }
        if (o != null && o.getMaxNewTokens() != null && (o.getMaxNewTokens() < 1 || o.getMaxNewTokens() > settings.maxNewTokens())) {
            return new Rejection(FailureReason.SCHEMA,
                    "options.max_new_tokens is " + o.getMaxNewTokens() + "; allowed: 1.." + settings.maxNewTokens());
        }
        return null;
    }

    /** null if {@code code} is absent or accepted, else why not */
    private static String unsupported(String code, Set<String> accepted, String field) {
        if (code == null) {
            return null;
        }
        if (!PipelineSettings.LANGUAGE_CODE.matcher(code).matches()) {
            return field + " '" + shorten(code) + "' is not a language code (letters, digits, '-' and '_', at most 16)";
        }
        if (!accepted.isEmpty() && !accepted.contains(code)) {
            return field + " '" + code + "' is not supported here; accepted: " + String.join(", ", new java.util.TreeSet<>(accepted));
        }
        return null;
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    /** Splits the text and fills in the segments the memory knows; counts the others in {@code missing}. */
    private Pending prepare(Envelope env) {
        TranslationRequest r = env.request();
        Pending p = new Pending(env, segmenter.split(r.getText(), r.getSourceLang()));
        List<String> segments = p.split.segments();
        for (int i = 0; i < segments.size(); i++) {
            p.keys[i] = memoryKey(r, segments.get(i));
            MemoryEntry hit = memory == null ? null : memory.get(p.keys[i]);
            if (memory != null) {
                events.memoryLookup(hit != null);
            }
            if (hit != null) {
                p.pieces[i] = new Piece(hit.text(), hit.inputTokens(), hit.outputTokens(), hit.truncated(), hit.score(), true, null);
            } else {
                p.missing++;
            }
        }
        return p;
    }

    /** Adds a buffered request to {@code pending}; each missing segment gets (or shares) a ticket. */
    private void enqueue(long seq, Pending p, long now) {
        pending.put(seq, p);
        if (p.missing > 0 && unsubmitted.isEmpty()) {
            oldestUnsubmittedAt = now;
        }
        for (int i = 0; i < p.pieces.length; i++) {
            if (p.pieces[i] == null) {
                ticketFor(p, i).waiters.add(new Waiter(p, i));
            }
        }
    }

    private Ticket ticketFor(Pending p, int i) {
        ByteBuffer key = ByteBuffer.wrap(p.keys[i]);
        Ticket t = ticketsByKey.get(key);
        if (t == null) {
            TranslationRequest r = p.env.request();
            TranslationOptions o = r.getOptions();
            String text = p.split.segments().get(i);
            t = new Ticket(nextTicket++, p.keys[i], new TranslationTask(text, r.getSourceLang(), r.getTargetLang(),
                    o == null ? null : o.getNumBeams(), o == null ? null : o.getMaxNewTokens()));
            tickets.put(t.id, t);
            ticketsByKey.put(key, t);
            unsubmitted.add(t);
            unsubmittedTokens += Batcher.estimateTokens(text);
        }
        return t;
    }

    private byte[] memoryKey(TranslationRequest r, String segment) {
        TranslationOptions o = r.getOptions();
        return MemoryKey.of(model.version(), r.getSourceLang(), r.getTargetLang(),
                o == null ? null : o.getNumBeams(), o == null ? null : o.getMaxNewTokens(), segment);
    }

    private void submit() {
        if (unsubmitted.isEmpty()) {
            return;
        }
        List<Batcher.Job> jobs = new ArrayList<>(unsubmitted.size());
        for (Ticket t : unsubmitted) {
            jobs.add(new Batcher.Job(t.id, t.task, inbox));
        }
        batcher.submit(jobs);
        unsubmitted.clear();
        unsubmittedTokens = 0;
    }

    /** Wall-clock punctuation: take results, forward what is complete, send segments that lingered long enough. */
    private void tick(long now) {
        collect();
        if (!unsubmitted.isEmpty() && now - oldestUnsubmittedAt >= settings.batchLinger().toMillis()) {
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
        long deadline = System.nanoTime() + settings.maxBlock().toNanos();
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
        Ticket t = tickets.remove(d.ticket());
        if (t == null) {
            return;
        }
        ticketsByKey.remove(ByteBuffer.wrap(t.key));
        Translation tr = d.translation();
        if (!tr.failed() && memory != null) {
            memory.put(t.key, new MemoryEntry(tr.text(), tr.inputTokens(), tr.outputTokens(), tr.truncated(), tr.score(),
                    context.currentSystemTimeMs()));
        }
        Piece piece = new Piece(tr.text(), tr.inputTokens(), tr.outputTokens(), tr.truncated(), tr.score(), false, tr.error());
        for (Waiter w : t.waiters) {
            if (w.request.pieces[w.index] == null) {
                w.request.pieces[w.index] = piece;
                w.request.missing--;
            }
        }
    }

    private void forwardReady() {
        while (!pending.isEmpty() && pending.firstEntry().getValue().missing == 0) {
            var head = pending.pollFirstEntry();
            forward(head.getValue());
            buffer.delete(head.getKey());
        }
    }

    /** Forwards a complete request: its translation, or a dead letter if a segment failed in the engine. */
    private void forward(Pending p) {
        if (p.failure != null) {
            forwardFailure(p.env, FailureReason.INTERNAL, p.failure);
            return;
        }
        for (Piece piece : p.pieces) {
            if (piece.error != null) {
                forwardFailure(p.env, FailureReason.INFERENCE, piece.error);
                return;
            }
        }
        TranslationRequest r = p.env.request();
        List<String> texts = new ArrayList<>(p.pieces.length);
        int in = 0;
        int out = 0;
        boolean truncated = false;
        boolean cached = p.pieces.length > 0;
        double scoreSum = 0;
        boolean allScored = p.pieces.length > 0;
        for (Piece piece : p.pieces) {
            texts.add(piece.text);
            in += piece.inputTokens;
            out += piece.outputTokens;
            truncated |= piece.truncated;
            cached &= piece.fromMemory;
            allScored &= piece.score != null;
            scoreSum += piece.score == null ? 0 : piece.score;
        }
        long now = context.currentSystemTimeMs();
        Instant created = r.getCreatedAt() != null ? r.getCreatedAt() : Instant.ofEpochMilli(p.env.timestamp());
        TranslationResult result = TranslationResult.newBuilder()
                .setId(r.getId())
                .setText(p.split.reassemble(texts))
                .setSourceText(r.getText())
                .setSourceLang(r.getSourceLang())
                .setTargetLang(r.getTargetLang())
                .setModel(model.name())
                .setModelVersion(model.version())
                .setCached(cached)
                .setTruncated(truncated)
                .setSegments(p.pieces.length)
                .setInputTokens(in)
                .setOutputTokens(out)
                .setScore(allScored ? (float) (scoreSum / p.pieces.length) : null)
                .setAttributes(r.getAttributes())
                .setCreatedAt(created)
                .setProducedAt(Instant.ofEpochMilli(now))
                .setLatencyMs(Math.max(0, now - created.toEpochMilli()))
                .build();
        context.forward(new Record<>(p.env.key(), Outcome.of(result), p.env.timestamp()));
        events.translated(result);
    }

    private void forwardFailure(Envelope env, FailureReason reason, String message) {
        context.forward(new Record<>(env.key(), Outcome.of(Failures.of(reason, message, env, context.currentSystemTimeMs())),
                env.timestamp()));
        events.deadLettered(reason);
    }

    /** Drops memory entries past their age, then the oldest ones beyond the entry cap. */
    private void trimMemory(long now) {
        long cutoff = now - settings.memoryMaxAge().toMillis();
        List<Map.Entry<Long, byte[]>> kept = new ArrayList<>();
        List<byte[]> expired = new ArrayList<>();
        try (KeyValueIterator<byte[], MemoryEntry> it = memory.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                if (kv.value.storedAt() < cutoff) {
                    expired.add(kv.key);
                } else {
                    kept.add(Map.entry(kv.value.storedAt(), kv.key));
                }
            }
        }
        expired.forEach(memory::delete);
        long excess = kept.size() - settings.memoryMaxEntries();
        if (excess > 0) {
            kept.sort(Map.Entry.comparingByKey());
            for (int i = 0; i < excess; i++) {
                memory.delete(kept.get(i).getValue());
            }
        }
        if (!expired.isEmpty() || excess > 0) {
            log.debug("task {}: memory trimmed by {} expired and {} over the cap", context.taskId(), expired.size(), Math.max(0, excess));
        }
    }

    @Override
    public void close() {
        if (inbox != null) {
            inbox.close(); // results still in flight for this task are dropped; its next owner re-runs the buffer
        }
    }

    /** One segment's translation. */
    private record Piece(String text, int inputTokens, int outputTokens, boolean truncated, Float score,
                         boolean fromMemory, String error) {
    }

    /** A buffered request and its segments' progress. */
    private static final class Pending {
        /** the request as received */
        final Envelope env;
        /** its segments and the whitespace between them */
        final SplitText split;
        /** per segment: the translation once known */
        final Piece[] pieces;
        /** per segment: memory key */
        final byte[][] keys;
        /** segments still without a translation */
        int missing;
        /** set when the request cannot be translated at all (it is dead-lettered in its turn) */
        String failure;

        Pending(Envelope env, SplitText split) {
            this.env = env;
            this.split = split;
            this.pieces = new Piece[split.segments().size()];
            this.keys = new byte[pieces.length][];
        }
    }

    /** A segment handed (or about to be handed) to the batcher, and the requests waiting for it. */
    private static final class Ticket {
        final long id;
        /** memory key of the segment */
        final byte[] key;
        /** what the engine is asked */
        final TranslationTask task;
        /** requests (and segment positions) that want this translation */
        final List<Waiter> waiters = new ArrayList<>(1);

        Ticket(long id, byte[] key, TranslationTask task) {
            this.id = id;
            this.key = Arrays.copyOf(key, key.length);
            this.task = task;
        }
    }

    /** Segment {@code index} of {@code request}. */
    private record Waiter(Pending request, int index) {
    }
}
