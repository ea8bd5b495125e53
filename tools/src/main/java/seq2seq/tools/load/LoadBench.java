package seq2seq.tools.load;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import seq2seq.avro.TranslationRequest;
import seq2seq.generation.Engine;
import seq2seq.service.ClientProps;
import seq2seq.service.EngineLoader;
import seq2seq.service.PipelineService;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.service.tracing.Tracing;
import seq2seq.streams.SerdeFactory;
import seq2seq.tools.OutputReader;
import seq2seq.tools.embedded.EmbeddedStack;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bench --load}: an open-loop load generator against the real pipeline. First, unless switched off, a throwaway
 * warm-up sweep (a pipeline of the first variant, its warm-up and maximum, not reported). Then per variant (a set of configuration
 * overrides), on an in-process broker and registry with one pipeline instance of its own, or against a cluster where
 * an instance already runs: an unmeasured warm-up backlog, then a backlog run for the maximum sustainable throughput
 * (a burst's answers over the time from its first send to its last answer), then one open-loop run per rate, a fraction of
 * the first variant's maximum, with Poisson arrivals, each a warm-up and a measured window, drained before the next.
 */
public final class LoadBench {
    /** the run's settings */
    public record Options(Path model, List<Variant> variants, double[] fractions, double seconds, double warmupSeconds,
                          int backlog, double repeatShare, long seed, double drainSeconds, int partitions, int workers,
                          AppConfig remote, boolean warmupSweep) {
        /** against a cluster where an instance runs already, with {@code remote}'s brokers, registry and topics */
        boolean isRemote() {
            return remote != null;
        }
    }

    private final Options o;
    private final PrintWriter err;

    public LoadBench(Options options, PrintWriter err) {
        this.o = options;
        this.err = err;
        if (o.variants().isEmpty()) {
            throw new IllegalArgumentException("no variant");
        }
        if (o.isRemote() && (o.variants().size() > 1 || !o.variants().get(0).overrides().isEmpty())) {
            throw new IllegalArgumentException("against a running instance (--bootstrap) there is one variant, without overrides: "
                    + "its configuration is the instance's");
        }
        if (o.fractions().length == 0 || o.seconds() <= 0 || o.warmupSeconds() < 0 || o.backlog() < 10) {
            throw new IllegalArgumentException("need rates, --load-seconds > 0, --load-warmup-seconds >= 0, --load-backlog >= 10");
        }
    }

    public LoadReport run(List<String> sentences) throws Exception {
        String loadAtStart = seq2seq.tools.bench.Rss.load();
        List<VariantResult> results = new ArrayList<>();
        Map<String, String> pipelineFacts = new java.util.LinkedHashMap<>();
        if (o.isRemote()) {
            AppConfig config = o.remote();
            // the memory of a real instance outlives this run: new keys and texts each time
            String tag = Long.toString(System.currentTimeMillis() % 100_000_000L, 36) + "-";
            results.add(sweep(config, o.variants().get(0), new Mix(sentences, o.repeatShare(), tag), Double.NaN, null, true));
            pipelineFacts.put("pipeline", "a running instance at " + config.get(Settings.BOOTSTRAP_SERVERS) + ", topics " + config.pipeline().requestsTopic()
                    + " → " + config.pipeline().translationsTopic() + " | " + config.pipeline().failuresTopic() + " (its own configuration)");
        } else {
            try (EmbeddedStack stack = EmbeddedStack.start()) {
                if (o.warmupSweep()) {
                    // the first sweep of a run has been the slowest, and the rates of every variant are fractions of the
                    // first measured maximum: a throwaway one keeps the coldest start out of it (bench/report-load-quiet.md)
                    Variant first = o.variants().get(0);
                    err.println("bench --load: warm-up sweep of " + first.spec() + " (not reported): loading the model, starting the pipeline");
                    double warmMax = withPipeline(configOf(stack, "load-warmup-" + first.name(), first), (config, tally) ->
                            sweep(config, first, new Mix(sentences, o.repeatShare(), "warm-"), Double.NaN, tally, false)).maxThroughput();
                    pipelineFacts.put("warm-up sweep", String.format(Locale.ROOT, "a throwaway pipeline of the first variant ran its warm-up "
                            + "and backlog first, not reported (its maximum: %.1f requests/s)", warmMax));
                }
                for (int v = 0; v < o.variants().size(); v++) {
                    Variant variant = o.variants().get(v);
                    String app = "load-" + v + "-" + variant.name();
                    AppConfig config = configOf(stack, app, variant);
                    if (v == 0) {
                        pipelineFacts.put("pipeline", String.format(Locale.ROOT, "one instance on an in-process broker (KRaft, one node) and "
                                        + "schema registry, %d input partitions, %s, commit interval %s ms, %s stream thread(s)",
                                o.partitions(), config.get(Settings.PROCESSING_GUARANTEE), config.get(Settings.COMMIT_INTERVAL),
                                config.get(Settings.STREAM_THREADS)));
                        pipelineFacts.put("pipeline settings (before a variant's overrides)", String.format(Locale.ROOT,
                                "batch.size %s, batch.tokens %s, batch.linger.ms %s, batch.workers %s, engine.intra.op.threads %s, memory.enabled %s",
                                config.get(Settings.BATCH_SIZE), config.get(Settings.BATCH_TOKENS), config.get(Settings.BATCH_LINGER),
                                config.get(Settings.BATCH_WORKERS), config.get(Settings.ENGINE_THREADS), config.get(Settings.MEMORY_ENABLED)));
                    }
                    err.println("bench --load: variant " + variant.spec() + (variant.sweep() > 1 ? ", sweep " + variant.sweep() : "")
                            + ": loading the model, starting the pipeline");
                    double base = results.isEmpty() ? Double.NaN : results.get(0).maxThroughput();
                    results.add(withPipeline(config, (cfg, tally) ->
                            sweep(cfg, variant, new Mix(sentences, o.repeatShare(), ""), base, tally, true)));
                }
            }
        }
        LoadReport report = new LoadReport(results, results.get(0).maxThroughput());
        report.facts.put("date", java.time.ZonedDateTime.now().withNano(0).toString());
        report.facts.put("machine", cpuName() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs, "
                + memTotal() + "; load at start: " + loadAtStart + "; at end: " + seq2seq.tools.bench.Rss.load());
        report.facts.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
                + ", max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
        if (!o.isRemote()) {
            report.facts.put("model", "`" + o.model() + "`");
        }
        report.facts.putAll(pipelineFacts);
        report.facts.put("requests", String.format(Locale.ROOT, "sentences of the input file, %.0f %% repeats of an earlier request "
                + "of the same rate (same key and text: translation-memory hits), the rest made unique", 100 * o.repeatShare()));
        report.facts.put("schedule", String.format(Locale.ROOT, "per rate %.0f s warm-up + %.0f s measured, then drained (at most %.0f s); "
                        + "rates %s of the maximum; seed %d; maximum: a backlog of %d requests sent at once after an unmeasured one of %d, answers over the time from the first send to the last answer",
                o.warmupSeconds(), o.seconds(), o.drainSeconds(), fractions(), o.seed(), o.backlog(), warmUpCount()));
        report.facts.put("producer", "asynchronous sends, acks=all, idempotent, linger.ms 1, one sending thread");
        return report;
    }

    private int warmUpCount() {
        return Math.max(20, o.backlog() / 4);
    }

    /** What runs against one in-process pipeline instance. */
    private interface PipelineRun<T> {
        T run(AppConfig config, BatchTally tally) throws Exception;
    }

    /** The variant's configuration on the embedded stack, under application id {@code app}, its topics created. */
    private AppConfig configOf(EmbeddedStack stack, String app, Variant variant) throws Exception {
        Map<String, String> c = new HashMap<>();
        c.put(Settings.MODEL_DIR.name(), o.model().toString());
        if (o.workers() > 0) {
            c.put(Settings.BATCH_WORKERS.name(), String.valueOf(o.workers()));
        }
        c.put(Settings.REQUESTS_TOPIC.name(), app + "-requests");
        c.put(Settings.TRANSLATIONS_TOPIC.name(), app + "-translations");
        c.put(Settings.FAILURES_TOPIC.name(), app + "-failures");
        c.putAll(variant.overrides());
        AppConfig config = stack.config(app, c);
        stack.createTopics(config.pipeline(), o.partitions());
        return config;
    }

    /** Starts a pipeline instance with {@code config}, runs {@code body} against it, and stops it. */
    private <T> T withPipeline(AppConfig config, PipelineRun<T> body) throws Exception {
        BatchTally tally = new BatchTally();
        try (Engine engine = EngineLoader.load(config);
             Tracing tracing = Tracing.start(config); // a variant may set tracing.*: its cost is measured
             PipelineService service = new PipelineService(config, List.of(engine), tally, tracing.tracer())) {
            service.start();
            return body.run(config, tally);
        }
    }

    private String fractions() {
        StringBuilder b = new StringBuilder();
        for (double f : o.fractions()) {
            b.append(b.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f %%", 100 * f));
        }
        return b.toString();
    }

    /**
     * One variant: warm-up, maximum, then (with {@code rates}) the rates (fractions of {@code base}, or of its own
     * maximum when NaN); {@code tally} counts the in-process instance's batches (null for a running instance's).
     */
    private VariantResult sweep(AppConfig config, Variant variant, Mix mix, double base, BatchTally tally,
                                boolean rates) throws Exception {
        String topic = config.pipeline().requestsTopic();
        Serializer<TranslationRequest> ser = SerdeFactory.create(config.get(Settings.SERDE_CLASS), TranslationRequest.class,
                config.serdes()).serializer();
        var pp = ClientProps.producer(config);
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        long epochNanos0 = System.currentTimeMillis() * 1_000_000L;
        long nanos0 = System.nanoTime();
        Answers answers = new Answers();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer());
             OutputReader reader = OutputReader.fromEnd(config, answers)) {
            producer.partitionsFor(topic); // metadata before the clock runs
            Runner runner = new Runner(producer, ser, topic, reader, answers, epochNanos0, nanos0);
            String name = variant.label();
            err.printf(Locale.ROOT, "bench --load: %s: warm-up backlog of %d requests (not measured)%n", name, warmUpCount());
            Duration firstWait = Duration.ofSeconds((long) Math.max(120, o.drainSeconds()));
            Answers.Step warm = runner.step("w", Arrivals.burst(warmUpCount()), mix.step(warmUpCount(), o.seed() - 1), 0, firstWait);
            if (warm.answered() == 0) {
                throw new IllegalStateException("no answer from the pipeline in " + firstWait.toSeconds() + " s (is an instance running on "
                        + config.pipeline().requestsTopic() + "?)");
            }
            err.printf(Locale.ROOT, "bench --load: %s: backlog of %d requests for the maximum sustainable throughput%n", name, o.backlog());
            Answers.Step burst = runner.step("m", Arrivals.burst(o.backlog()), mix.step(o.backlog(), o.seed() - 2), 0, Duration.ofMinutes(30));
            double max = throughput(runner.lastStart, burst.answerNanos());
            if (!(max > 0) || Double.isInfinite(max) || burst.answered() < o.backlog()) {
                throw new IllegalStateException(String.format(Locale.ROOT, "the backlog run measured no maximum: %d of %d answered",
                        burst.answered(), o.backlog()));
            }
            err.printf(Locale.ROOT, "bench --load: %s: maximum sustainable throughput %.1f requests/s%n", name, max);
            double of = Double.isNaN(base) ? max : base;
            List<StepResult> steps = new ArrayList<>();
            for (int i = 0; rates && i < o.fractions().length; i++) {
                double rate = o.fractions()[i] * of;
                // the same schedule and texts for every variant at the same rate
                long seed = o.seed() * 1_000_003L + i;
                long[] offsets = Arrivals.poisson(rate, o.warmupSeconds() + o.seconds(), seed);
                long warmNanos = (long) (o.warmupSeconds() * 1e9);
                Duration drain = Duration.ofMillis((long) (o.drainSeconds() * 1000));
                BatchTally.Totals before = tally == null ? null : tally.totals();
                Answers.Step s = runner.step("r" + i, offsets, mix.step(offsets.length, seed ^ 0x5DEECE66DL), warmNanos, drain);
                int measured = 0;
                for (long t : offsets) {
                    if (t >= warmNanos) {
                        measured++;
                    }
                }
                BatchTally.Totals batches = tally == null ? new BatchTally.Totals(0, 0, 0) : tally.totals().since(before);
                StepResult r = new StepResult(rate, rate / of, measured / o.seconds(), s.inWindow() / o.seconds(), measured,
                        s.measuredAnswered(), s.measuredFailed(), s.latencyMicros, runner.lastLateness, s.sendErrors(),
                        batches.meanBatchMs(), batches.meanBatchSegments());
                steps.add(r);
                err.printf(Locale.ROOT, "bench --load: %s: rate %.1f/s (%.0f %%): offered %.1f, achieved %.1f, p50 %s ms, p99 %s ms, "
                                + "p99.9 %s ms, answered %d/%d, sender late max %s ms, batches mean %s ms / %s segments%n", name, rate,
                        100 * rate / of, r.offered(), r.achieved(),
                        LoadReport.ms(r.latencyMs(50)), LoadReport.ms(r.latencyMs(99)), LoadReport.ms(r.latencyMs(99.9)),
                        r.answered(), r.measured(), LoadReport.ms(r.maxLatenessMs()), LoadReport.ms(r.meanBatchMs()),
                        LoadReport.ms(r.meanBatchSegments()));
            }
            return new VariantResult(variant, max, steps);
        }
    }

    /**
     * Answers per second of a backlog sent at once: answers over the time from the first send to the last answer.
     * Not from the first answer on: with exactly-once, answers become readable a transaction (a commit interval) at a
     * time, so a short backlog can come back in one poll. The first answer's latency makes it a slight underestimate.
     */
    static double throughput(long sendStartNanos, long[] answerNanos) {
        if (answerNanos.length == 0) {
            return Double.NaN;
        }
        long last = java.util.Arrays.stream(answerNanos).max().orElseThrow();
        return last <= sendStartNanos ? Double.NaN : answerNanos.length / ((last - sendStartNanos) / 1e9);
    }

    /** Sends steps and waits for their answers. */
    private final class Runner {
        private final KafkaProducer<byte[], byte[]> producer;
        private final Serializer<TranslationRequest> ser;
        private final String topic;
        private final OutputReader reader;
        private final Answers answers;
        private final long epochNanos0;
        private final long nanos0;
        org.HdrHistogram.Histogram lastLateness;
        /** when the last step's first request was due */
        long lastStart;

        Runner(KafkaProducer<byte[], byte[]> producer, Serializer<TranslationRequest> ser, String topic, OutputReader reader,
               Answers answers, long epochNanos0, long nanos0) {
            this.producer = producer;
            this.ser = ser;
            this.topic = topic;
            this.reader = reader;
            this.answers = answers;
            this.epochNanos0 = epochNanos0;
            this.nanos0 = nanos0;
        }

        /** Sends {@code offsets} open loop from a little after now, then waits until all are answered or {@code drain} passed. */
        Answers.Step step(String prefix, long[] offsets, List<Mix.Text> texts, long warmNanos, Duration drain) throws InterruptedException {
            long start = System.nanoTime() + 50_000_000L;
            lastStart = start;
            long duration = offsets.length == 0 ? 0 : offsets[offsets.length - 1];
            Answers.Step step = new Answers.Step(start + warmNanos, start + warmNanos + (long) (o.seconds() * 1e9));
            OpenLoopSender.Sent sent = OpenLoopSender.run(offsets, start, (i, scheduled) -> {
                Mix.Text t = texts.get(i);
                String id = prefix + "-" + i + "-" + t.key();
                Instant at = Instant.ofEpochSecond(0, epochNanos0 + (scheduled - nanos0));
                TranslationRequest req = TranslationRequest.newBuilder().setId(id).setText(t.text()).setAttributes(Map.of())
                        .setCreatedAt(at).build();
                answers.expect(id, step, scheduled, offsets[i] >= warmNanos);
                producer.send(new ProducerRecord<>(topic, null, at.toEpochMilli(), t.key().getBytes(StandardCharsets.UTF_8),
                        ser.serialize(topic, req)), (md, e) -> {
                    if (e != null) {
                        answers.failed(id);
                    }
                });
            });
            producer.flush();
            lastLateness = sent.latenessMicros();
            long deadline = Math.max(System.nanoTime(), start + duration) + drain.toNanos();
            while (step.settled() < offsets.length && System.nanoTime() < deadline) {
                reader.check();
                Thread.sleep(20);
            }
            answers.forget(step);
            return step;
        }
    }

    private static String cpuName() {
        try {
            return java.nio.file.Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        } catch (java.io.IOException e) {
            return "unknown CPU";
        }
    }

    private static String memTotal() {
        try {
            return java.nio.file.Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .findFirst().map(l -> Long.parseLong(l.replaceAll("\\D", "")) / (1024 * 1024) + " GiB").orElse("? GiB");
        } catch (java.io.IOException | NumberFormatException e) {
            return "? GiB";
        }
    }
}
