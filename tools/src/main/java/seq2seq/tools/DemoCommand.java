package seq2seq.tools;

import seq2seq.service.ClientProps;
import seq2seq.service.Topics;
import seq2seq.service.Logs;
import seq2seq.service.EngineLoader;
import seq2seq.service.PipelineService;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.tools.embedded.EmbeddedKafka;
import seq2seq.tools.embedded.EmbeddedRegistry;
import seq2seq.avro.TranslationFailure;
import seq2seq.avro.TranslationRequest;
import seq2seq.avro.TranslationResult;
import seq2seq.generation.Engine;
import seq2seq.streams.PipelineEvents;
import seq2seq.streams.PipelineSettings;
import seq2seq.streams.SerdeFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * `demo`: everything in one process, nothing to install or start first: a Kafka broker (KRaft), a schema registry,
 * the model and the pipeline; sample sentences go through the real topics, then whatever you type.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the whole pipeline in this process on the default model: broker, registry, samples, then your lines.",
                "Starts an in-process Kafka broker, schema registry and the pipeline with the default model,",
                "sends sample sentences through the real topics and prints each translation as it arrives,",
                "then translates the lines you type (or --input FILE) until end of input or Ctrl-C."})
final class DemoCommand implements Callable<Integer> {
    /** where a model is looked for when --model is not given, in order */
    static final List<Path> MODEL_CANDIDATES = List.of(Path.of("models/s2s-en-de-small"), Path.of("models"));
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(120);
    /** samples sent a second time to show the translation memory */
    private static final int AGAIN = 5;

    @Option(names = "--model", paramLabel = "DIR", description = "Model folder. Default: models/s2s-en-de-small, else the first bundle under models/.")
    Path model;

    @Option(names = "--input", paramLabel = "FILE", description = "Translate the lines of FILE instead of reading the keyboard, then stop.")
    Path input;

    @Option(names = "--no-samples", description = "Skip the sample sentences.")
    boolean noSamples;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "3", description = "Partitions per topic. Default: ${DEFAULT-VALUE}")
    int partitions;

    /** ids sent and not yet answered */
    private final Set<String> waiting = ConcurrentHashMap.newKeySet();
    @Spec
    CommandSpec spec;

    /** where the demo talks to the user (stdout) */
    private PrintWriter out;
    /** tells the printer thread to stop */
    private volatile boolean printerStop;
    /** the printer's consumer, woken up to stop it */
    private KafkaConsumer<byte[], byte[]> printerConsumer;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        Path modelDir = model != null ? model : findModel();
        if (modelDir == null) {
            spec.commandLine().getErr().println("no model found: looked in " + MODEL_CANDIDATES + "; pass --model DIR");
            return 2;
        }
        out.println("seq2seq-streams demo: everything runs in this process; Ctrl-C stops it.");
        Logs.quietForDemo();
        long t0 = System.nanoTime();
        Path stateDir = Files.createTempDirectory("s2s-demo-state");
        AppConfig base = AppConfig.of(Map.of());
        CompletableFuture<Engine> engineLoad = CompletableFuture.supplyAsync(() -> warmedUp(EngineLoader.load(modelDir, base)));
        List<AutoCloseable> open = new ArrayList<>();
        AtomicBoolean closed = new AtomicBoolean();
        Runnable closeAll = () -> {
            if (closed.compareAndSet(false, true)) {
                for (int i = open.size() - 1; i >= 0; i--) {
                    try {
                        open.get(i).close();
                    } catch (Exception e) {
                        System.err.println("while stopping: " + e);
                    }
                }
                deleteQuietly(stateDir);
            }
        };
        Thread hook = new Thread(closeAll, "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            EmbeddedKafka kafka = quietly(() -> EmbeddedKafka.start(1)); // its storage formatter prints to stdout
            open.add(kafka::close);
            step("Kafka broker (KRaft, in-process)", kafka.bootstrapServers(), t0);
            long t1 = System.nanoTime();
            EmbeddedRegistry registry = EmbeddedRegistry.start(kafka.bootstrapServers());
            open.add(registry::close);
            step("schema registry", registry.url(), t1);
            long t2 = System.nanoTime();
            Engine engine = engineLoad.get(5, TimeUnit.MINUTES);
            open.add(engine);
            step("model", engine.modelInfo().name() + " (version " + shortVersion(engine.modelInfo().version()) + ") from " + modelDir, t2);
            long t3 = System.nanoTime();
            AppConfig config = base.with(Map.of(
                    Settings.BOOTSTRAP_SERVERS.name(), kafka.bootstrapServers(),
                    Settings.REGISTRY_URL.name(), registry.url(),
                    Settings.APPLICATION_ID.name(), "seq2seq-demo",
                    Settings.REPLICATION_FACTOR.name(), "1",
                    Settings.KAFKA_PREFIX + "state.dir", stateDir.toString(),
                    Settings.MODEL_DIR.name(), modelDir.toString()));
            PipelineSettings s = config.pipeline();
            Topics.create(kafka.bootstrapServers(), s, partitions, (short) 1);
            PipelineService service = new PipelineService(config, engine, PipelineEvents.NONE);
            open.add(service);
            service.start();
            awaitRunning(service.streams());
            step("pipeline", s.requestsTopic() + " -> " + s.translationsTopic() + " | " + s.failuresTopic(), t3);
            out.printf("ready after %.1f s%n%n", (System.nanoTime() - t0) / 1e9);

            Thread printer = startPrinter(config);
            try (KafkaProducer<byte[], byte[]> producer = producer(config)) {
                Serializer<TranslationRequest> requests = SerdeFactory.create(config.get(Settings.SERDE_CLASS),
                        TranslationRequest.class, config.serdes()).serializer();
                if (!noSamples) {
                    List<String> samples = samples();
                    out.println("Sending " + samples.size() + " sample sentences, one too long and one undecodable record"
                            + " (those two go to the dead-letter topic):");
                    int n = 0;
                    for (String text : samples) {
                        String id = String.format("sample-%02d", ++n);
                        send(producer, requests, s.requestsTopic(), id, id, text);
                    }
                    send(producer, requests, s.requestsTopic(), "too-long", "too-long", "word ".repeat(config.getInt(Settings.MAX_TEXT_CHARS) / 5 + 1));
                    waiting.add("undecodable");
                    producer.send(new ProducerRecord<>(s.requestsTopic(), bytes("undecodable"), bytes("this is not Avro")));
                    producer.flush();
                    awaitAnswers();
                    out.println();
                    out.println("Sending the first " + AGAIN + " again with the same keys (so the same partitions):"
                            + " the translation memory answers them:");
                    for (int i = 1; i <= Math.min(AGAIN, samples.size()); i++) {
                        send(producer, requests, s.requestsTopic(), String.format("sample-%02d", i), String.format("again-%02d", i), samples.get(i - 1));
                    }
                    producer.flush();
                    awaitAnswers();
                }
                BufferedReader in = input != null ? Files.newBufferedReader(input, StandardCharsets.UTF_8)
                        : new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                if (input == null) {
                    out.println();
                    out.println("Type a sentence and press Enter (end with Ctrl-D, or Ctrl-C):");
                }
                int n = 0;
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (!line.isBlank()) {
                        String id = String.format("input-%03d", ++n);
                        send(producer, requests, s.requestsTopic(), id, id, line);
                        producer.flush();
                    }
                }
                awaitAnswers();
            }
            printerStop = true;
            printerConsumer.wakeup();
            printer.join(TimeUnit.SECONDS.toMillis(5));
            return 0;
        } finally {
            closeAll.run();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running already
            }
        }
    }

    /** One translation while the broker starts, so the first sentence shown is not slowed by ONNX Runtime's first run. */
    private static Engine warmedUp(Engine engine) {
        engine.translate(List.of(seq2seq.generation.TranslationTask.of("Hello.")));
        return engine;
    }

    /** Runs {@code start} with System.out muted (libraries that print instead of logging). */
    private static <T> T quietly(java.util.function.Supplier<T> start) {
        PrintStream original = System.out;
        System.setOut(new PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            return start.get();
        } finally {
            System.setOut(original);
        }
    }

    private void step(String what, String detail, long startNanos) {
        out.printf("  %-34s %s  (%.1f s)%n", what, detail, (System.nanoTime() - startNanos) / 1e9);
    }

    private static String shortVersion(String v) {
        return v.length() > 12 ? v.substring(0, 12) : v;
    }

    private void send(KafkaProducer<byte[], byte[]> producer, Serializer<TranslationRequest> requests, String topic, String key,
                      String id, String text) {
        TranslationRequest r = TranslationRequest.newBuilder().setId(id).setText(text).setAttributes(Map.of())
                .setCreatedAt(Instant.now()).build();
        waiting.add(id);
        producer.send(new ProducerRecord<>(topic, bytes(key), requests.serialize(topic, r)));
    }

    /** Prints translations and dead letters as they arrive (committed ones only, as any downstream reader sees them). */
    private Thread startPrinter(AppConfig config) throws InterruptedException {
        PipelineSettings s = config.pipeline();
        String serde = config.get(Settings.SERDE_CLASS);
        Deserializer<TranslationResult> results = SerdeFactory.create(serde, TranslationResult.class, config.serdes()).deserializer();
        Deserializer<TranslationFailure> failures = SerdeFactory.create(serde, TranslationFailure.class, config.serdes()).deserializer();
        var props = ClientProps.consumer(config);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            parts.add(new TopicPartition(s.translationsTopic(), p));
            parts.add(new TopicPartition(s.failuresTopic(), p));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        Thread t = new Thread(() -> {
            try (consumer) {
                while (!printerStop) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        if (r.topic().equals(s.translationsTopic())) {
                            print(results.deserialize(r.topic(), r.headers(), r.value()));
                        } else {
                            print(failures.deserialize(r.topic(), r.headers(), r.value()), new String(r.key() == null ? new byte[0] : r.key(), StandardCharsets.UTF_8));
                        }
                    }
                }
            } catch (org.apache.kafka.common.errors.WakeupException e) {
                // stopping
            }
        }, "demo-printer");
        printerConsumer = consumer;
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void print(TranslationResult r) {
        out.printf("  [%s] %s%n  %s  => %s   (%d ms%s)%n", r.getId(), oneLine(r.getSourceText()), " ".repeat(r.getId().length()),
                oneLine(r.getText()), r.getLatencyMs(), r.getCached() ? ", from memory" : "");
        waiting.remove(r.getId());
    }

    private void print(TranslationFailure f, String key) {
        String id = f.getId() != null ? f.getId() : key;
        out.printf("  [%s] dead letter %s: %s%n", id, f.getError(), oneLine(f.getMessage()));
        waiting.remove(id);
    }

    private static String oneLine(String s) {
        String flat = s.replace('\n', ' ');
        return flat.length() > 160 ? flat.substring(0, 157) + "..." : flat;
    }

    private void awaitAnswers() throws InterruptedException {
        long deadline = System.nanoTime() + ANSWER_TIMEOUT.toNanos();
        while (!waiting.isEmpty() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        if (!waiting.isEmpty()) {
            out.println("  (no answer within " + ANSWER_TIMEOUT.toSeconds() + " s for " + waiting + ")");
        }
    }

    private static void awaitRunning(KafkaStreams streams) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline || !streams.state().isRunningOrRebalancing()) {
                throw new IllegalStateException("Kafka Streams did not reach RUNNING within 60 s (state " + streams.state() + ")");
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(AppConfig config) {
        var props = ClientProps.producer(config);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static List<String> samples() throws IOException {
        try (InputStream in = DemoCommand.class.getResourceAsStream("/demo/samples.txt")) {
            if (in == null) {
                throw new IOException("the sample sentences (/demo/samples.txt) are missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        }
    }

    /** The first candidate folder holding a model bundle (a config.json), or null. */
    static Path findModel() throws IOException {
        for (Path c : MODEL_CANDIDATES) {
            if (Files.isRegularFile(c.resolve("config.json"))) {
                return c;
            }
            if (c.getFileName().toString().equals("models") && Files.isDirectory(c)) {
                try (Stream<Path> dirs = Files.list(c)) {
                    Path first = dirs.filter(d -> Files.isRegularFile(d.resolve("config.json"))).sorted().findFirst().orElse(null);
                    if (first != null) {
                        return first;
                    }
                }
            }
        }
        return null;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp folder: the OS cleans it eventually
        }
    }
}
