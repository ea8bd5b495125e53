package seq2seq.service.tracing;

import com.sun.net.httpserver.HttpServer;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import seq2seq.avro.FailureReason;
import seq2seq.avro.TranslationFailure;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.ConfigException;
import seq2seq.service.config.Settings;
import seq2seq.streams.Failures;
import seq2seq.streams.Outcome;
import seq2seq.streams.RequestTimeline;
import seq2seq.streams.RequestTracer;
import seq2seq.streams.state.Envelope;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tracing as configured: off by default, and when on, spans sent as OTLP/HTTP protobuf to the configured endpoint. */
@Timeout(60)
class TracingTest {

    @Test
    void offByDefault() {
        try (Tracing tracing = Tracing.start(AppConfig.of(Map.of()))) {
            assertFalse(tracing.enabled());
            assertSame(RequestTracer.OFF, tracing.tracer(), "no timelines are recorded");
        }
    }

    @Test
    void anEndpointMustBeAnHttpUrl() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> AppConfig.of(Map.of(Settings.TRACING_ENDPOINT.name(), "localhost:4318")));
        assertTrue(e.getMessage().contains(Settings.TRACING_ENDPOINT.name()), e.getMessage());
        assertThrows(ConfigException.class, () -> AppConfig.of(Map.of(Settings.TRACING_SAMPLE_RATIO.name(), "1.5")));
    }

    @Test
    void spansGoToTheOtlpEndpoint() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " "
                    + exchange.getRequestHeaders().getFirst("Content-Type") + " "
                    + new String(body, StandardCharsets.ISO_8859_1)); // protobuf: its strings are readable as bytes
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        try {
            AppConfig config = AppConfig.of(Map.of(Settings.TRACING_ENABLED.name(), "true",
                    Settings.TRACING_ENDPOINT.name(), "http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/traces",
                    Settings.TRACING_SERVICE_NAME.name(), "otlp-test-service"));
            RecordHeaders headers = new RecordHeaders();
            AtomicInteger sent = new AtomicInteger();
            try (Tracing tracing = Tracing.start(config)) {
                assertTrue(tracing.enabled());
                Envelope request = new Envelope(new byte[] {1}, new byte[0], null, "requests", 0, 42, 0L);
                TranslationFailure failure = Failures.of(FailureReason.SCHEMA, "no request", request, 0L);
                tracing.tracer().produce(new RequestTimeline(request, System.nanoTime(), false), Outcome.of(failure),
                        "failures", headers, sent::incrementAndGet);
            } // closing sends the batch
            assertEquals(1, sent.get(), "the outcome is forwarded once");
            assertTrue(headers.lastHeader("traceparent") != null, "the dead letter carries the produce span's context");
            assertEquals(1, received.size(), "one export: " + received.size());
            String export = received.get(0);
            assertTrue(export.startsWith("POST /v1/traces application/x-protobuf "), export.substring(0, 60));
            for (String s : List.of("otlp-test-service", "translate", "receive", "produce", "SCHEMA")) {
                assertTrue(export.contains(s), "the export has " + s);
            }
        } finally {
            collector.stop(0);
        }
    }
}
