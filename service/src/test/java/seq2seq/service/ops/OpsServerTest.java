package seq2seq.service.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import seq2seq.generation.ModelInfo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The endpoints' status codes, content types and bodies, before Kafka Streams exists (liveness without readiness). */
class OpsServerTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static HttpResponse<String> get(int port, String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).GET().build());
    }

    static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void liveBeforeReadyAndEveryEndpointAnswers() throws Exception {
        Readiness readiness = new Readiness();
        try (Metrics metrics = new Metrics(5);
             OpsServer ops = OpsServer.start("127.0.0.1", 0, metrics, readiness, () -> null, new LiveSeries(), Duration.ofSeconds(5))) {
            int port = ops.port();
            assertEquals(200, get(port, "/health/live").statusCode());

            HttpResponse<String> ready = get(port, "/health/ready");
            assertEquals(503, ready.statusCode());
            assertEquals("model not loaded yet", ready.body().strip());

            readiness.modelLoaded("tiny");
            metrics.modelLoaded(new ModelInfo("tiny", "abc123", 128));
            ready = get(port, "/health/ready");
            assertEquals(503, ready.statusCode());
            assertEquals("Kafka Streams not started yet", ready.body().strip());

            HttpResponse<String> scrape = get(port, "/metrics");
            assertEquals(200, scrape.statusCode());
            assertTrue(scrape.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            assertTrue(scrape.body().contains("s2s_model_info{model=\"tiny\",version=\"abc123\"} 1"), scrape.body());

            HttpResponse<String> status = get(port, "/status.json");
            assertEquals(200, status.statusCode());
            JsonNode json = new ObjectMapper().readTree(status.body());
            assertEquals("NOT_STARTED", json.get("state").asText());
            assertEquals("tiny", json.get("model").asText());
            assertEquals(false, json.get("ready").asBoolean());
            assertTrue(json.get("partitions").isArray());

            JsonNode series = new ObjectMapper().readTree(get(port, "/status/series").body());
            assertEquals(5000, series.get("intervalMs").asLong());
            assertEquals(0, series.get("points").size(), "no reading taken yet");

            HttpResponse<String> page = get(port, "/");
            assertEquals(200, page.statusCode());
            assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
            assertTrue(page.body().contains("status.json"), "the page polls status.json");

            assertEquals(404, get(port, "/nothing-here").statusCode());
            HttpResponse<String> post = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString("x")).build());
            assertEquals(405, post.statusCode());

            HttpResponse<String> running = get(port, "/health/running");
            assertEquals(503, running.statusCode(), "the stricter check fails first on what the lighter one fails");
            assertEquals("Kafka Streams not started yet", running.body().strip());

            readiness.stopping();
            assertEquals("shutting down", get(port, "/health/ready").body().strip());
            assertEquals("shutting down", get(port, "/health/running").body().strip());
        }
    }

    @Test
    void aKafkaStreamsClientNotYetStartedIsNeitherReadyNorRunning() throws Exception {
        var topology = new org.apache.kafka.streams.StreamsBuilder();
        topology.stream("in").to("out");
        java.util.Properties props = new java.util.Properties();
        props.put(org.apache.kafka.streams.StreamsConfig.APPLICATION_ID_CONFIG, "readiness-test");
        props.put(org.apache.kafka.streams.StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        props.put(org.apache.kafka.streams.StreamsConfig.STATE_DIR_CONFIG,
                java.nio.file.Files.createTempDirectory("readiness-test").toString());
        Readiness readiness = new Readiness();
        readiness.modelLoaded("tiny");
        try (org.apache.kafka.streams.KafkaStreams streams = new org.apache.kafka.streams.KafkaStreams(topology.build(), props)) {
            readiness.streams(streams); // CREATED: built, not started
            assertEquals(new Readiness.Verdict(false, "Kafka Streams is CREATED"), readiness.check());
            assertEquals(new Readiness.Verdict(false, "Kafka Streams is CREATED"), readiness.checkRunning());
        }
    }

    @Test
    void aTakenPortIsReportedWithTheSettingToChange() throws Exception {
        try (Metrics metrics = new Metrics(5);
             OpsServer first = OpsServer.start("127.0.0.1", 0, metrics, new Readiness(), () -> null, new LiveSeries(),
                     Duration.ofSeconds(5))) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(java.io.UncheckedIOException.class,
                    () -> OpsServer.start("127.0.0.1", first.port(), metrics, new Readiness(), () -> null, new LiveSeries(),
                            Duration.ofSeconds(5)));
            assertTrue(e.getMessage().contains("ops.port"), e.getMessage());
        }
    }
}
