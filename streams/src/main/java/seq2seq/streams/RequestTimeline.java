package seq2seq.streams;

import seq2seq.generation.ComputeTimes;
import seq2seq.streams.state.Envelope;

/**
 * One request's way through an instance, as a {@link RequestTracer} turns it into spans: when it was received and
 * checked, its translation-memory look-ups, and for each segment the engine translated, when it began to wait, when its
 * batch went to the engine and when that batch encoded and decoded. Times are {@link System#nanoTime()} values; zero
 * means "did not happen". Recorded only while a tracer is enabled, written and read on the task's stream thread.
 */
public final class RequestTimeline {
    /** the request as received */
    private final Envelope envelope;
    /** when the translate step got it (for a request restored from the buffer: when it was restored) */
    private final long receivedNanos;
    /** whether it was restored from the batch buffer (its earlier owner received it) */
    private final boolean restored;
    /** when it was checked, routed and cut into segments */
    private long checkedNanos;
    private long lookupStartNanos;
    private long lookupEndNanos;
    /** segments looked up in the memory, and how many of them it knew */
    private int lookups;
    private int hits;
    /** the model and version it was routed to; null when it was not */
    private String model;
    private String version;
    /** per segment: when it began to wait for the engine (0: the memory knew it) */
    private long[] waitStartNanos = new long[0];
    /** per segment: when its batch went to the engine */
    private long[] batchStartNanos = new long[0];
    /** per segment: its batch's phases (null: the model did not run for it) */
    private ComputeTimes[] compute = new ComputeTimes[0];

    /** A timeline that begins when {@code envelope} is received (the translate step adds the rest as it goes). */
    public RequestTimeline(Envelope envelope, long receivedNanos, boolean restored) {
        this.envelope = envelope;
        this.receivedNanos = receivedNanos;
        this.restored = restored;
    }

    void checked(long at, ModelVersion routedTo, int segments) {
        checkedNanos = at;
        model = routedTo.name();
        version = routedTo.version();
        waitStartNanos = new long[segments];
        batchStartNanos = new long[segments];
        compute = new ComputeTimes[segments];
    }

    void lookedUp(long start, long end, int segments, int known) {
        lookupStartNanos = start;
        lookupEndNanos = end;
        lookups = segments;
        hits = known;
    }

    void waiting(int segment, long at) {
        waitStartNanos[segment] = at;
    }

    void translated(int segment, long batchStart, ComputeTimes times) {
        batchStartNanos[segment] = batchStart;
        compute[segment] = times;
    }

    public Envelope envelope() {
        return envelope;
    }

    public long receivedNanos() {
        return receivedNanos;
    }

    public boolean restored() {
        return restored;
    }

    /** when it was checked and cut into segments; 0 when it was rejected before */
    public long checkedNanos() {
        return checkedNanos;
    }

    /** when the memory look-ups began; 0 when there were none (memory off, no segments, rejected) */
    public long lookupStartNanos() {
        return lookupStartNanos;
    }

    public long lookupEndNanos() {
        return lookupEndNanos;
    }

    public int lookups() {
        return lookups;
    }

    public int hits() {
        return hits;
    }

    /** the model it was routed to, or null */
    public String model() {
        return model;
    }

    /** that model's version, or null */
    public String version() {
        return version;
    }

    public int segments() {
        return waitStartNanos.length;
    }

    /** when segment {@code i} began to wait for the engine; 0 when it did not (the memory knew it) */
    public long waitStartNanos(int i) {
        return waitStartNanos[i];
    }

    /** when segment {@code i}'s batch went to the engine; 0 when it never did (the request failed first) */
    public long batchStartNanos(int i) {
        return batchStartNanos[i];
    }

    /** segment {@code i}'s batch's phases; null when the model did not run for it */
    public ComputeTimes compute(int i) {
        return compute[i];
    }
}
