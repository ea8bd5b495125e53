package seq2seq.tools;

import seq2seq.service.ClientProps;
import seq2seq.service.EngineLoader;
import seq2seq.service.PipelineService;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.tools.embedded.EmbeddedStack;
import seq2seq.avro.TranslationRequest;
import seq2seq.avro.TranslationResult;
import seq2seq.generation.Engine;
import seq2seq.generation.TranslationTask;
import seq2seq.streams.PipelineEvents;
import seq2seq.streams.SerdeFactory;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code bench --kafka}: end-to-end throughput through a real (in-process) broker and registry against the engine
 * alone on the same sentences, with the same batch size and the same number of engine workers; then the same with
 * 30 % repeated sentences (translation memory on); then the latency of requests answered from the memory.
 * <p>
 * An unmeasured warm-up run through the pipeline comes first (the JIT's work on the Kafka side is not the pipeline's
 * steady state). Pipeline runs start from a backlog: all requests are on the input topic before the instance starts,
 * and the clock runs from the first request read to the last translation read back with read_committed. A repeated
 * sentence reuses its first request's key, so it lands on the partition that remembers it.
 */
final class KafkaBench {
    private static final int PARTITIONS = 3;
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(30);

    /** the engine and the pipeline run with these */
    private final Path model;
    private final int batchSize;
    private final int workers;
    /** requests per run */
    private final int requests;
    private final PrintWriter err;

    KafkaBench(Path model, int batchSize, int workers, int requests, PrintWriter err) {
        this.model = model;
        this.batchSize = batchSize;
        this.workers = workers;
        this.requests = requests;
        this.err = err;
    }

    /** One request of a run. */
    private record Req(String key, String text) {
    }

    /** Runs everything; returns the Markdown report (also written to {@code out}/kafka-report.md). */
    String run(List<String> sentences, Path out) throws Exception {
        List<Req> unique = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            unique.add(new Req("u" + i, variant(sentences, i)));
        }
        List<Req> repeated = withRepeats(sentences, 0.30, new Random(1));
        Map<String, String> rows = new java.util.LinkedHashMap<>();
        AppConfig base = AppConfig.of(Map.of(Settings.MODEL_DIR.name(), model.toString(),
                Settings.BATCH_SIZE.name(), String.valueOf(batchSize), Settings.BATCH_WORKERS.name(), String.valueOf(workers)));
        try (Engine engine = EngineLoader.load(base)) {
            err.println("bench --kafka: engine alone, " + requests + " sentences, batch " + batchSize + ", " + workers + " worker(s)");
            double aloneBefore = engineAlone(engine, unique);
            Run plain;
            Run memo;
            double aloneAfter;
            try (EmbeddedStack stack = EmbeddedStack.start()) {
                // an unmeasured run first: the JIT compiles the Kafka, RocksDB and Avro paths there (the engine's work
                // is native code), so the measured runs see the steady state of a long-running instance
                List<Req> warmUp = new ArrayList<>();
                for (int i = 0; i < Math.max(200, requests / 10); i++) {
                    warmUp.add(new Req("w" + i, "warm-up " + variant(sentences, i)));
                }
                err.println("bench --kafka: pipeline warm-up, " + warmUp.size() + " sentences (not measured)");
                pipeline(engine, stack, "bench-warm-up", warmUp, false, List.of());
                err.println("bench --kafka: pipeline, unique sentences, memory off");
                plain = pipeline(engine, stack, "bench-unique", unique, false, List.of());
                err.println("bench --kafka: engine alone again (the machine's speed drifts)");
                aloneAfter = engineAlone(engine, unique);
                err.println("bench --kafka: pipeline, 30 % repeated sentences, memory on");
                List<Req> hits = new ArrayList<>(repeated.subList(0, Math.min(500, requests))); // all translated before: all hits
                memo = pipeline(engine, stack, "bench-repeats", repeated, true, hits);
            }
            double alone = (aloneBefore + aloneAfter) / 2;
            rows.put("engine alone (same sentences, batches, workers; before / after the first pipeline run)",
                    rate(alone) + String.format(Locale.ROOT, " (%.1f / %.1f)", aloneBefore, aloneAfter));
            rows.put("pipeline, unique sentences (memory off)", rate(plain.perSecond) + String.format(Locale.ROOT,
                    " = %.0f %% of the engine alone; %s", 100 * plain.perSecond / alone, plain.engineNote));
            rows.put("pipeline, 30 % repeated sentences (memory on)", rate(memo.perSecond) + String.format(Locale.ROOT,
                    " = %.0f %% of the engine alone on unique sentences; %s", 100 * memo.perSecond / alone, memo.engineNote));
            rows.put("memory hit, read to forwarded (in the pipeline)", String.format(Locale.ROOT,
                    "p50 %.3f ms, p99 %.3f ms (%d hits)", memo.hitP50 / 1e6, memo.hitP99 / 1e6, memo.hitCount));
            rows.put("memory hit, created_at to produced_at (before the commit makes it visible)", String.format(Locale.ROOT,
                    "p50 %d ms, p99 %d ms", memo.e2eP50, memo.e2eP99));
        }
        StringBuilder md = new StringBuilder("## Through Kafka (`bench --kafka`)\n\n");
        md.append(String.format(Locale.ROOT, "Model `%s`, %d requests per run, %d input partitions, batch %d, %d engine worker(s), "
                + "exactly_once_v2, in-process broker and registry, %d CPUs; one unmeasured warm-up run through the pipeline first.%n%n", model, requests, PARTITIONS, batchSize, workers,
                Runtime.getRuntime().availableProcessors()));
        md.append("| measure | result |\n| --- | --- |\n");
        rows.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        Files.createDirectories(out);
        Files.writeString(out.resolve("kafka-report.md"), md.toString());
        return md.toString();
    }

    private static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%.1f sentences/s", perSecond);
    }

    /** The i-th sentence, made unique past the end of the list so that the memory cannot help. */
    private static String variant(List<String> sentences, int i) {
        String s = sentences.get(i % sentences.size());
        return i < sentences.size() ? s : s + " (" + (i / sentences.size()) + ")";
    }

    /** {@code requests} requests, each a repeat of an earlier one (same key, same text) with probability {@code p}. */
    private List<Req> withRepeats(List<String> sentences, double p, Random random) {
        List<Req> out = new ArrayList<>();
        int fresh = 0;
        for (int i = 0; i < requests; i++) {
            if (!out.isEmpty() && random.nextDouble() < p) {
                out.add(out.get(random.nextInt(out.size())));
            } else {
                out.add(new Req("s" + fresh, variant(sentences, fresh)));
                fresh++;
            }
        }
        return out;
    }

    private double engineAlone(Engine engine, List<Req> reqs) throws InterruptedException {
        List<List<TranslationTask>> chunks = new ArrayList<>();
        for (int i = 0; i < reqs.size(); i += batchSize) {
            chunks.add(reqs.subList(i, Math.min(reqs.size(), i + batchSize)).stream().map(r -> TranslationTask.of(r.text)).toList());
        }
        long t0 = System.nanoTime();
        // each chunk one batch on a worker of the engine's pool, as the pipeline's batcher hands them over
        List<java.util.concurrent.CompletableFuture<List<seq2seq.generation.Translation>>> running = new ArrayList<>();
        for (List<TranslationTask> chunk : chunks) {
            running.add(engine.submit(chunk));
        }
        running.forEach(seq2seq.generation.WorkerPool::join);
        return reqs.size() / ((System.nanoTime() - t0) / 1e9);
    }

    /** What one pipeline run measured. */
    private record Run(double perSecond, String engineNote, double hitP50, double hitP99, int hitCount, long e2eP50, long e2eP99) {
    }

    private Run pipeline(Engine engine, EmbeddedStack stack, String appId, List<Req> reqs,
                         boolean memory, List<Req> hitsAfter) throws Exception {
        Map<String, String> c = new HashMap<>();
        c.put(Settings.MODEL_DIR.name(), model.toString());
        c.put(Settings.BATCH_SIZE.name(), String.valueOf(batchSize));
        c.put(Settings.BATCH_WORKERS.name(), String.valueOf(workers));
        c.put(Settings.MEMORY_ENABLED.name(), String.valueOf(memory));
        c.put(Settings.REQUESTS_TOPIC.name(), appId + "-requests");
        c.put(Settings.TRANSLATIONS_TOPIC.name(), appId + "-translations");
        c.put(Settings.FAILURES_TOPIC.name(), appId + "-failures");
        AppConfig config = stack.config(appId, c);
        stack.createTopics(config.pipeline(), PARTITIONS);
        String topic = config.pipeline().requestsTopic();
        Serializer<TranslationRequest> ser = SerdeFactory.create(config.get(Settings.SERDE_CLASS), TranslationRequest.class, config.serdes()).serializer();
        ConcurrentLinkedQueue<Long> hitNanos = new ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicLong firstRead = new java.util.concurrent.atomic.AtomicLong();
        AtomicInteger batches = new AtomicInteger();
        AtomicInteger batchSegments = new AtomicInteger();
        java.util.concurrent.atomic.AtomicLong engineNanos = new java.util.concurrent.atomic.AtomicLong();
        PipelineEvents events = new PipelineEvents() {
            @Override
            public void received() {
                firstRead.compareAndSet(0, System.nanoTime());
            }

            @Override
            public void servedFromMemory(long nanos) {
                hitNanos.add(nanos);
            }

            @Override
            public void batchDone(String model, int segments, int estimatedTokens, long nanos) {
                batches.incrementAndGet();
                batchSegments.addAndGet(segments);
                engineNanos.addAndGet(nanos);
            }
        };
        var pp = ClientProps.producer(config);
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
            send(producer, ser, topic, reqs, 0);
            try (OutputReader outputs = new OutputReader(config, PARTITIONS);
                 PipelineService service = new PipelineService(config, engine, events)) {
                service.start();
                if (!outputs.await(() -> outputs.records() >= reqs.size(), RUN_TIMEOUT)) {
                    throw new IllegalStateException(appId + ": only " + outputs.records() + " of " + reqs.size() + " answered");
                }
                long wall = System.nanoTime() - firstRead.get();
                double perSecond = reqs.size() / (wall / 1e9);
                String engineNote = String.format(Locale.ROOT, "%d engine batches of %.1f segments on average, engine busy %.0f %% of the run",
                        batches.get(), batchSegments.get() / (double) Math.max(1, batches.get()), 100.0 * engineNanos.get() / wall / workers);
                err.printf(Locale.ROOT, "bench --kafka: %s: %.1f sentences/s; %s%n", appId, perSecond, engineNote);
                if (hitsAfter.isEmpty()) {
                    return new Run(perSecond, engineNote, 0, 0, 0, 0, 0);
                }
                hitNanos.clear();
                int before = outputs.records();
                send(producer, ser, topic, hitsAfter, 2); // spaced, so nothing waits behind a miss
                if (!outputs.await(() -> outputs.records() >= before + hitsAfter.size(), Duration.ofMinutes(2))) {
                    throw new IllegalStateException(appId + ": memory hits not all answered");
                }
                List<TranslationResult> last = outputs.translations.subList(before, outputs.translations.size());
                long[] e2e = last.stream().mapToLong(TranslationResult::getLatencyMs).sorted().toArray();
                double[] hits = hitNanos.stream().mapToDouble(Long::doubleValue).sorted().toArray();
                return new Run(perSecond, engineNote, quantile(hits, 0.5), quantile(hits, 0.99), hits.length,
                        e2e[(int) (0.5 * (e2e.length - 1))], e2e[(int) (0.99 * (e2e.length - 1))]);
            }
        }
    }

    private static double quantile(double[] sorted, double q) {
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.round(q * (sorted.length - 1))];
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, Serializer<TranslationRequest> ser, String topic,
                             List<Req> reqs, long pauseMs) throws InterruptedException {
        int n = 0;
        for (Req r : reqs) {
            String id = r.key + "#" + n++;
            TranslationRequest req = TranslationRequest.newBuilder().setId(id).setText(r.text).setAttributes(Map.of())
                    .setCreatedAt(Instant.now()).build();
            producer.send(new ProducerRecord<>(topic, r.key.getBytes(StandardCharsets.UTF_8), ser.serialize(topic, req)));
            if (pauseMs > 0) {
                producer.flush();
                TimeUnit.MILLISECONDS.sleep(pauseMs);
            }
        }
        producer.flush();
    }
}
