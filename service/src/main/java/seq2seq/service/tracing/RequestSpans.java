package seq2seq.service.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.sdk.common.Clock;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import seq2seq.generation.ComputeTimes;
import seq2seq.streams.Outcome;
import seq2seq.streams.RequestTimeline;
import seq2seq.streams.RequestTracer;
import seq2seq.streams.state.Envelope;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Each request's {@link RequestTimeline} as OpenTelemetry spans, made when its outcome is forwarded:
 * <pre>
 * translate            CONSUMER, child of the request's traceparent (a new trace without one)
 *   receive            check, routing, cutting into sentences
 *   memory look-up     the translation memory, all segments (none with the memory off)
 *   queue wait         per segment the engine translated: from the request's arrival to its batch going to the engine
 *   encode             per such segment: its batch's encoder pass
 *   decode             per such segment: its batch's search and the detokenization of its text
 *   produce            PRODUCER: the forward to the output or dead-letter topic
 * </pre>
 * The spans before {@code produce} are made after the fact from the timeline's times; {@code produce} is timed as it
 * runs, and its context is the {@code traceparent} that the result or dead letter carries, so that whoever reads the
 * result continues the trace under it (docs/operations.md#tracing says why rather than the request's own).
 */
public final class RequestSpans implements RequestTracer {
    static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> PARTITION = AttributeKey.stringKey("messaging.destination.partition.id");
    static final AttributeKey<Long> OFFSET = AttributeKey.longKey("messaging.kafka.offset");
    static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("seq2seq.request.id");
    static final AttributeKey<String> MODEL = AttributeKey.stringKey("seq2seq.model");
    static final AttributeKey<String> MODEL_VERSION = AttributeKey.stringKey("seq2seq.model.version");
    static final AttributeKey<Long> SEGMENTS = AttributeKey.longKey("seq2seq.segments");
    static final AttributeKey<Long> SEGMENT = AttributeKey.longKey("seq2seq.segment");
    static final AttributeKey<Boolean> RESTORED = AttributeKey.booleanKey("seq2seq.restored");
    static final AttributeKey<Boolean> CACHED = AttributeKey.booleanKey("seq2seq.cached");
    static final AttributeKey<String> FAILURE = AttributeKey.stringKey("seq2seq.failure.reason");
    static final AttributeKey<Long> LOOKUPS = AttributeKey.longKey("seq2seq.memory.lookups");
    static final AttributeKey<Long> HITS = AttributeKey.longKey("seq2seq.memory.hits");

    /** the request's allowed headers, read as the W3C propagator asks (the last value of a repeated header wins) */
    private static final TextMapGetter<List<Header>> FROM_REQUEST = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(List<Header> headers) {
            return headers.stream().map(Header::key).toList();
        }

        @Override
        public String get(List<Header> headers, String key) {
            String value = null;
            if (headers != null) {
                for (Header h : headers) {
                    if (h.key().equals(key) && h.value() != null) {
                        value = new String(h.value(), StandardCharsets.UTF_8);
                    }
                }
            }
            return value;
        }
    };

    /** replaces a header of the output record */
    private static final TextMapSetter<Headers> TO_OUTPUT = (headers, key, value) -> {
        headers.remove(key);
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    };

    private final Tracer tracer;
    /** wall-clock time in epoch nanoseconds, to place the timeline's {@link System#nanoTime()} values */
    private final Clock clock;

    public RequestSpans(Tracer tracer) {
        this(tracer, Clock.getDefault());
    }

    RequestSpans(Tracer tracer, Clock clock) {
        this.tracer = tracer;
        this.clock = clock;
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public void produce(RequestTimeline t, Outcome outcome, String topic, Headers headers, Runnable send) {
        Times times = new Times(System.nanoTime(), clock.now(), t.receivedNanos());
        Envelope env = t.envelope();
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), env.headers(), FROM_REQUEST);
        var rootBuilder = tracer.spanBuilder("translate").setParent(parent).setSpanKind(SpanKind.CONSUMER)
                .setStartTimestamp(times.epoch(t.receivedNanos()), TimeUnit.NANOSECONDS)
                .setAttribute(MESSAGING_SYSTEM, "kafka").setAttribute(OPERATION, "process")
                .setAttribute(DESTINATION, env.topic()).setAttribute(PARTITION, String.valueOf(env.partition()))
                .setAttribute(OFFSET, env.offset()).setAttribute(SEGMENTS, (long) t.segments());
        if (env.request() != null && env.request().getId() != null) {
            rootBuilder.setAttribute(REQUEST_ID, env.request().getId());
        }
        if (t.model() != null) {
            rootBuilder.setAttribute(MODEL, t.model()).setAttribute(MODEL_VERSION, t.version());
        }
        if (t.restored()) {
            rootBuilder.setAttribute(RESTORED, true);
        }
        Span root = rootBuilder.startSpan();
        Context inRoot = parent.with(root);
        phases(t, inRoot, times);
        Span produce = tracer.spanBuilder("produce").setParent(inRoot).setSpanKind(SpanKind.PRODUCER)
                .setStartTimestamp(times.epoch(times.nanoNow()), TimeUnit.NANOSECONDS)
                .setAttribute(MESSAGING_SYSTEM, "kafka").setAttribute(OPERATION, "send")
                .setAttribute(DESTINATION, topic).startSpan();
        W3CTraceContextPropagator.getInstance().inject(inRoot.with(produce), headers, TO_OUTPUT);
        try {
            send.run();
        } catch (RuntimeException e) {
            produce.recordException(e);
            produce.setStatus(StatusCode.ERROR);
            throw e;
        } finally {
            long end = times.epoch(System.nanoTime());
            produce.end(end, TimeUnit.NANOSECONDS);
            if (outcome.ok()) {
                root.setAttribute(CACHED, outcome.result().getCached());
            } else {
                root.setAttribute(FAILURE, outcome.failure().getError().name());
                root.setStatus(StatusCode.ERROR, outcome.failure().getMessage());
            }
            root.end(end, TimeUnit.NANOSECONDS);
        }
    }

    /** The spans between arrival and produce, children of the request's span. */
    private void phases(RequestTimeline t, Context inRoot, Times times) {
        span(inRoot, "receive", t.receivedNanos(), t.checkedNanos() != 0 ? t.checkedNanos() : times.nanoNow(),
                Attributes.empty(), times);
        if (t.lookups() > 0) {
            span(inRoot, "memory look-up", t.lookupStartNanos(), t.lookupEndNanos(),
                    Attributes.of(LOOKUPS, (long) t.lookups(), HITS, (long) t.hits()), times);
        }
        for (int i = 0; i < t.segments(); i++) {
            Attributes segment = Attributes.of(SEGMENT, (long) i);
            if (t.waitStartNanos(i) != 0 && t.batchStartNanos(i) != 0) {
                span(inRoot, "queue wait", t.waitStartNanos(i), t.batchStartNanos(i), segment, times);
            }
            ComputeTimes c = t.compute(i);
            if (c != null) {
                span(inRoot, "encode", c.encodeStartNanos(), c.decodeStartNanos(), segment, times);
                span(inRoot, "decode", c.decodeStartNanos(), c.endNanos(), segment, times);
            }
        }
    }

    /**
     * One finished child span. A segment that joined a translation already under way (the same sentence from an
     * earlier request) has phases that began before this request arrived: they are cut to start at its arrival, and a
     * phase over before it arrived gets no span.
     */
    private void span(Context inRoot, String name, long start, long end, Attributes attributes, Times times) {
        if (end < times.floor()) {
            return;
        }
        long from = times.epoch(start);
        tracer.spanBuilder(name).setParent(inRoot).setAllAttributes(attributes)
                .setStartTimestamp(from, TimeUnit.NANOSECONDS).startSpan()
                .end(Math.max(from, times.epoch(end)), TimeUnit.NANOSECONDS);
    }

    /**
     * Maps {@link System#nanoTime()} values to epoch nanoseconds from one reading of both clocks.
     *
     * @param nanoNow  {@link System#nanoTime()} now
     * @param epochNow the wall clock now, in epoch nanoseconds
     * @param floor    no span starts before this {@link System#nanoTime()} value (the request's arrival)
     */
    private record Times(long nanoNow, long epochNow, long floor) {
        long epoch(long nanoTime) {
            return epochNow - (nanoNow - Math.max(nanoTime, floor));
        }
    }
}
