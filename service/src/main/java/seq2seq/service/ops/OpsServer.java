package seq2seq.service.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The operations endpoints, on their own port: {@code /metrics} (Prometheus), {@code /health/live},
 * {@code /health/ready} and the stricter {@code /health/running} (503 with the reason when not, see
 * {@link Readiness}), {@code /status.json}, the live chart's points at {@code /status/series} and the status page
 * at {@code /}.
 * Started before the model loads, so an orchestrator sees the process live while it is not yet ready.
 */
public final class OpsServer implements AutoCloseable {
    /** the body of /models; "[]" until the pipeline attaches its models */
    private volatile Supplier<String> models = () -> "[]";

    private static final Logger log = LoggerFactory.getLogger(OpsServer.class);
    private static final String PAGE = "status.html";

    /** the HTTP server (JDK's own) */
    private final HttpServer server;
    /** serves the requests: two threads, so a slow scrape does not hold up a probe */
    private final ExecutorService executor;
    /** the status page, read once */
    private final byte[] page;

    private OpsServer(HttpServer server, ExecutorService executor, byte[] page) {
        this.server = server;
        this.executor = executor;
        this.page = page;
    }

    /**
     * Starts serving.
     *
     * @param bindAddress  interface to listen on (0.0.0.0 for all)
     * @param port         port, 0 for any free one (see {@link #port()})
     * @param streams      the Kafka Streams client, null until it is built
     * @param series       the live chart's points, taken every {@code chartInterval}
     */
    static OpsServer start(String bindAddress, int port, Metrics metrics, Readiness readiness, Supplier<KafkaStreams> streams,
                           LiveSeries series, java.time.Duration chartInterval) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(bindAddress, port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for the operations endpoints on " + bindAddress + ":" + port
                    + " (set ops.port / S2S_OPS_PORT to a free port): " + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "ops-http");
            t.setDaemon(true);
            return t;
        });
        OpsServer ops = new OpsServer(server, executor, readPage());
        StatusReport status = new StatusReport(metrics, readiness, streams, () -> ops.models.get(), series, chartInterval);
        ops.route("/metrics", ex -> new Response(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
        ops.route("/health/live", ex -> Response.text(200, "live"));
        ops.route("/health/ready", ex -> Response.of(readiness.check()));
        ops.route("/health/running", ex -> Response.of(readiness.checkRunning()));
        ops.route("/status.json", ex -> new Response(200, "application/json", status.json()));
        ops.route("/status/series", ex -> new Response(200, "application/json", status.seriesJson()));
        ops.route("/models", ex -> new Response(200, "application/json", ops.models.get()));
        ops.route("/", ex -> ex.getRequestURI().getPath().equals("/")
                ? new Response(200, "text/html; charset=utf-8", ops.page)
                : Response.text(404, "not found: " + ex.getRequestURI().getPath()
                        + " (try /, /metrics, /health/live, /health/ready, /health/running, /status.json, /status/series)"));
        server.setExecutor(executor);
        server.start();
        log.info("operations endpoints on http://{}:{}/ (metrics, health/live, health/ready, health/running, status.json)",
                bindAddress, server.getAddress().getPort());
        return ops;
    }

    /** Serves {@code json} at /models: the models' versions, canary or shadow, and deployment errors. */
    void models(Supplier<String> json) {
        this.models = json;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * One response.
     *
     * @param status       HTTP status
     * @param contentType  Content-Type header
     * @param body         the bytes sent
     */
    private record Response(int status, String contentType, byte[] body) {
        Response(int status, String contentType, String body) {
            this(status, contentType, body.getBytes(StandardCharsets.UTF_8));
        }

        static Response text(int status, String line) {
            return new Response(status, "text/plain; charset=utf-8", line + "\n");
        }

        static Response of(Readiness.Verdict v) {
            return text(v.ready() ? 200 : 503, v.reason());
        }
    }

    /** Serves {@code path} (and below) with {@code handler}; a failure becomes a 500 with its message, not a dropped connection. */
    private void route(String path, Function<HttpExchange, Response> handler) {
        server.createContext(path, ex -> {
            Response r;
            if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                r = Response.text(405, "only GET and HEAD");
            } else {
                try {
                    r = handler.apply(ex);
                } catch (RuntimeException e) {
                    log.warn("operations endpoint {} failed", ex.getRequestURI(), e);
                    r = Response.text(500, "internal error: " + e);
                }
            }
            send(ex, r);
        });
    }

    private static void send(HttpExchange ex, Response r) throws IOException {
        try (ex) {
            ex.getResponseHeaders().set("Content-Type", r.contentType());
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            boolean head = ex.getRequestMethod().equals("HEAD");
            ex.sendResponseHeaders(r.status(), head ? -1 : r.body().length);
            if (!head) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(r.body());
                }
            }
        }
    }

    private static byte[] readPage() {
        try (InputStream in = OpsServer.class.getResourceAsStream(PAGE)) {
            if (in == null) {
                throw new IllegalStateException("the status page resource seq2seq/service/ops/" + PAGE + " is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
