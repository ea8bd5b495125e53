package seq2seq.tools;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import seq2seq.avro.TranslationRequest;
import seq2seq.generation.Engine;
import seq2seq.service.EngineLoader;
import seq2seq.service.PipelineService;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.service.tracing.Tracing;
import seq2seq.streams.PipelineEvents;
import seq2seq.tools.embedded.EmbeddedKafka;
import seq2seq.tools.embedded.EmbeddedRegistry;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tracing on the real topics: requests produced with a {@code traceparent} and an {@code x-correlation-id} each get a
 * span tree under the incoming span, exported through the SDK (an in-memory exporter here): a computed translation
 * with every phase, a translation from the memory without the engine's, a dead letter with its reason; and each output
 * carries the traceparent of the span that produced it, in the same trace.
 */
@Timeout(180)
class RequestSpansTest {
    /** trace id, then the span id of the producer of each request */
    private static final String TRACE_COMPUTED = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String TRACE_REMEMBERED = "0af7651916cd43dd8448eb211c80319c";
    private static final String TRACE_DEAD = "5b8aa5a2d2c872e8321cf37308d69df2";
    private static final String PARENT = "00f067aa0ba902b7";

    @TempDir
    Path dir;

    @Test
    void eachRequestGetsASpanTreeUnderItsTraceparent() throws Exception {
        InMemorySpanExporter exported = InMemorySpanExporter.create();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(1);
             EmbeddedRegistry registry = EmbeddedRegistry.start(kafka.bootstrapServers())) {
            AppConfig config = HeadersTest.onePartition(kafka, registry, "spans-test", dir, Map.of(
                    Settings.TRACING_ENABLED.name(), "true", Settings.TRACING_SERVICE_NAME.name(), "spans-test"));
            String topic = config.pipeline().requestsTopic();
            Serializer<TranslationRequest> ser = HeadersTest.requests(config);
            try (Engine engine = EngineLoader.load(FailoverTest.TINY_MODEL, config);
                 Tracing tracing = Tracing.to(config, SimpleSpanProcessor.create(exported));
                 PipelineService service = new PipelineService(config, List.of(engine), PipelineEvents.NONE, tracing.tracer());
                 KafkaProducer<byte[], byte[]> producer = FailoverTest.producer(config)) {
                service.start();
                String text = "The house is small.";
                HeadersTest.send(producer, topic, "computed", ser.serialize(topic, HeadersTest.request("computed", text)),
                        traceparent(TRACE_COMPUTED));
                producer.flush();
                assertEquals(1, HeadersTest.read(config, 1).size(), "the first translation, which the memory keeps");
                HeadersTest.send(producer, topic, "remembered", ser.serialize(topic, HeadersTest.request("remembered", text)),
                        traceparent(TRACE_REMEMBERED));
                HeadersTest.send(producer, topic, "too-long", ser.serialize(topic, HeadersTest.request("too-long", "x".repeat(101))),
                        traceparent(TRACE_DEAD));
                producer.flush();
                Map<String, Map<String, String>> headers = HeadersTest.read(config, 3);
                assertEquals(3, headers.size(), "one output per request: " + headers.keySet());
                List<SpanData> spans = exported.getFinishedSpanItems();

                SpanData computed = rootOf(spans, TRACE_COMPUTED, "computed", headers);
                assertEquals(Set.of("receive", "memory look-up", "queue wait", "encode", "decode", "produce"),
                        childNames(spans, computed));
                assertEquals(false, computed.getAttributes().get(AttributeKey.booleanKey("seq2seq.cached")));
                assertEquals("spans-test", computed.getResource().getAttribute(AttributeKey.stringKey("service.name")));
                SpanData wait = child(spans, computed, "queue wait");
                SpanData encode = child(spans, computed, "encode");
                SpanData decode = child(spans, computed, "decode");
                assertTrue(wait.getEndEpochNanos() <= encode.getStartEpochNanos()
                        && encode.getEndEpochNanos() <= decode.getStartEpochNanos()
                        && decode.getEndEpochNanos() <= child(spans, computed, "produce").getStartEpochNanos(),
                        "queue wait, encode, decode and produce follow each other");

                SpanData remembered = rootOf(spans, TRACE_REMEMBERED, "remembered", headers);
                assertEquals(Set.of("receive", "memory look-up", "produce"), childNames(spans, remembered),
                        "a translation from the memory does not reach the engine");
                assertEquals(true, remembered.getAttributes().get(AttributeKey.booleanKey("seq2seq.cached")));
                assertEquals(1L, child(spans, remembered, "memory look-up").getAttributes()
                        .get(AttributeKey.longKey("seq2seq.memory.hits")));

                SpanData dead = rootOf(spans, TRACE_DEAD, "too-long", headers);
                assertEquals(Set.of("receive", "produce"), childNames(spans, dead));
                assertEquals(StatusCode.ERROR, dead.getStatus().getStatusCode());
                assertEquals("TOO_LONG", dead.getAttributes().get(AttributeKey.stringKey("seq2seq.failure.reason")));
                assertEquals(config.pipeline().failuresTopic(), child(spans, dead, "produce").getAttributes()
                        .get(AttributeKey.stringKey("messaging.destination.name")));
            }
        }
    }

    private static String traceparent(String traceId) {
        return "00-" + traceId + "-" + PARENT + "-01";
    }

    /**
     * The request's span: the one child of the producer's span in its trace, whose every other span is its child; its
     * output carries the traceparent of its produce span and the correlation id.
     */
    private static SpanData rootOf(List<SpanData> spans, String traceId, String key, Map<String, Map<String, String>> headers) {
        List<SpanData> trace = spans.stream().filter(s -> s.getTraceId().equals(traceId)).toList();
        List<SpanData> roots = trace.stream().filter(s -> s.getParentSpanId().equals(PARENT)).toList();
        assertEquals(1, roots.size(), key + ": one span under the request's traceparent: " + trace);
        SpanData root = roots.get(0);
        assertEquals("translate", root.getName());
        assertEquals(SpanKind.CONSUMER, root.getKind());
        assertEquals(key, root.getAttributes().get(AttributeKey.stringKey("seq2seq.request.id")));
        for (SpanData s : trace) {
            assertTrue(s == root || s.getParentSpanId().equals(root.getSpanId()), key + ": " + s.getName() + " is a child of the request's span");
            assertTrue(s.getStartEpochNanos() >= root.getStartEpochNanos() && s.getEndEpochNanos() <= root.getEndEpochNanos(),
                    key + ": " + s.getName() + " lies within the request's span");
        }
        SpanData produce = child(spans, root, "produce");
        assertEquals(SpanKind.PRODUCER, produce.getKind());
        assertEquals("00-" + traceId + "-" + produce.getSpanId() + "-01", headers.get(key).get("traceparent"),
                key + ": the output continues the trace under its produce span");
        assertEquals("corr-" + key, headers.get(key).get("x-correlation-id"));
        return root;
    }

    private static Set<String> childNames(List<SpanData> spans, SpanData root) {
        return spans.stream().filter(s -> s.getParentSpanId().equals(root.getSpanId())).map(SpanData::getName)
                .collect(Collectors.toSet());
    }

    private static SpanData child(List<SpanData> spans, SpanData root, String name) {
        List<SpanData> found = spans.stream().filter(s -> s.getParentSpanId().equals(root.getSpanId()) && s.getName().equals(name)).toList();
        assertEquals(1, found.size(), "one " + name + " span under " + root.getName() + ": " + found);
        return found.get(0);
    }
}
