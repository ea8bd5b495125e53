package seq2seq.service.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import seq2seq.service.Cli;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.streams.RequestTracer;

/**
 * One instance's tracing, from its configuration: off ({@code tracing.enabled=false}, the default: no timelines are
 * recorded) or the OpenTelemetry SDK sending batches of spans to {@code tracing.otlp.endpoint}. Closing it sends the
 * spans not yet sent. See docs/operations.md#tracing.
 */
public final class Tracing implements AutoCloseable {
    /** the instrumentation scope of the spans */
    static final String SCOPE = "seq2seq-streams";
    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
    private static final AttributeKey<String> SERVICE_VERSION = AttributeKey.stringKey("service.version");

    /** null when tracing is off */
    private final SdkTracerProvider provider;

    private Tracing(SdkTracerProvider provider) {
        this.provider = provider;
    }

    /** Off, or spans batched to the configured OTLP/HTTP endpoint. */
    public static Tracing start(AppConfig config) {
        if (!config.getBoolean(Settings.TRACING_ENABLED)) {
            return new Tracing(null);
        }
        var exporter = OtlpHttpSpanExporter.builder().setEndpoint(config.get(Settings.TRACING_ENDPOINT).strip()).build();
        return new Tracing(provider(config, BatchSpanProcessor.builder(exporter).build()));
    }

    /** Spans handed to {@code processor} (a test's in-memory exporter, say), with the configured name and sampler. */
    public static Tracing to(AppConfig config, SpanProcessor processor) {
        return new Tracing(provider(config, processor));
    }

    private static SdkTracerProvider provider(AppConfig config, SpanProcessor processor) {
        Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
                SERVICE_NAME, config.get(Settings.TRACING_SERVICE_NAME).strip(), SERVICE_VERSION, Cli.version())));
        return SdkTracerProvider.builder().setResource(resource)
                // a request's own traceparent decides; the ratio only for those without one
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.getDouble(Settings.TRACING_SAMPLE_RATIO))))
                .addSpanProcessor(processor).build();
    }

    /** What the pipeline hands each request's timeline to: {@link RequestTracer#OFF} when tracing is off. */
    public RequestTracer tracer() {
        return provider == null ? RequestTracer.OFF : new RequestSpans(provider.get(SCOPE, Cli.version()));
    }

    public boolean enabled() {
        return provider != null;
    }

    /** Sends what is still batched (waiting up to the SDK's 10 s) and stops. */
    @Override
    public void close() {
        if (provider != null) {
            provider.close();
        }
    }
}
