package seq2seq.streams;

import org.apache.kafka.common.header.Headers;

/**
 * Where each request's {@link RequestTimeline} goes when its outcome is forwarded: the service turns it into trace
 * spans (docs/operations.md#tracing), so neither this module nor the engine depends on a tracing library. Called on
 * stream threads: thread-safe, and quick, since the forward waits for it.
 */
public interface RequestTracer {
    /** Tracing off: no timelines are recorded and outcomes are forwarded as they are. */
    RequestTracer OFF = new RequestTracer() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public void produce(RequestTimeline timeline, Outcome outcome, String topic, Headers headers, Runnable send) {
            send.run();
        }
    };

    /** whether the pipeline records timelines; when false {@link #produce} is never called */
    boolean enabled();

    /**
     * Forwards one request's outcome: {@code send} forwards it to {@code topic} with {@code headers} (the allowed
     * headers of the request), which the tracer may change before it runs {@code send} (the {@code traceparent} of
     * the span that produces it). {@code send} must run exactly once.
     */
    void produce(RequestTimeline timeline, Outcome outcome, String topic, Headers headers, Runnable send);
}
