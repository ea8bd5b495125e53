package seq2seq.tools;

import seq2seq.service.ClientProps;
import seq2seq.service.Logs;
import seq2seq.service.LoadedModels;
import seq2seq.service.PipelineService;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.tools.embedded.EmbeddedStack;
import seq2seq.avro.TranslationRequest;
import seq2seq.streams.PipelineEvents;
import seq2seq.streams.PipelineSettings;
import seq2seq.streams.SerdeFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * `demo`: everything in one process, nothing to install or start first: a Kafka broker (KRaft), a schema registry,
 * the models and the pipeline; sample sentences go through the real topics, then sample package descriptions to the
 * summarizer (when one is served), then whatever you type.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the whole pipeline in this process on the shipped models: broker, registry, samples, then your lines.",
                "Starts an in-process Kafka broker, schema registry and the pipeline serving",
                "the default translation model and the summarizer (models/s2s-summarize-small),",
                "sends sample sentences and package descriptions through the real topics,",
                "prints each answer and the model that made it as it arrives, then translates",
                "the lines you type (or --input FILE) until end of input or Ctrl-C."})
final class DemoCommand implements Callable<Integer> {
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(120);
    /** samples sent a second time to show the translation memory */
    private static final int AGAIN = 5;

    @Option(names = "--model", paramLabel = "DIR", description = "Translation model folder, served alone unless --summarizer is given."
            + " Default: models/s2s-en-de-small, else the first bundle under models/, with models/s2s-summarize-small beside it.")
    Path model;

    @Option(names = "--summarizer", paramLabel = "DIR", description = "Summarization model served beside the translation model;"
            + " the sample package descriptions go to it. Default: models/s2s-summarize-small when --model is not given.")
    Path summarizer;

    @Option(names = "--input", paramLabel = "FILE", description = "Translate the lines of FILE instead of reading the keyboard, then stop.")
    Path input;

    @Option(names = "--no-samples", description = "Skip the sample sentences and package descriptions.")
    boolean noSamples;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "3", description = "Partitions per topic. Default: ${DEFAULT-VALUE}")
    int partitions;

    @Spec
    CommandSpec spec;

    /** where the demo talks to the user (stdout) */
    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        DemoModels served;
        try {
            served = DemoModels.choose(model, summarizer);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return 2;
        }
        if (served == null) {
            spec.commandLine().getErr().println("no model found: looked in " + DemoModels.MODEL_CANDIDATES + "; pass --model DIR");
            return 2;
        }
        out.println("seq2seq-streams demo: everything runs in this process; Ctrl-C stops it.");
        Logs.quietForDemo();
        long t0 = System.nanoTime();
        // the models load at once (and run once each) while the broker starts
        CompletableFuture<LoadedModels> modelsLoad = served.loadInBackground();
        List<AutoCloseable> open = new ArrayList<>();
        Thread hook = new Thread(() -> closeAll(open), "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            EmbeddedStack stack = EmbeddedStack.start();
            open.add(stack);
            step("Kafka broker and schema registry", stack.bootstrapServers() + ", " + stack.registryUrl(), t0);
            long t1 = System.nanoTime();
            LoadedModels models = modelsLoad.get(5, TimeUnit.MINUTES);
            open.add(models);
            for (var info : models.infos()) {
                boolean summarizes = info.name().equals(served.summarizerName());
                Path folder = summarizes ? served.summarizer() : served.translator();
                step("model " + info.name() + (served.summarizer() != null && !summarizes ? " (default)" : ""),
                        "version " + shortVersion(info.version()) + " from " + folder, t1);
            }
            long t2 = System.nanoTime();
            AppConfig config = stack.config("seq2seq-demo", served.settings());
            PipelineSettings s = config.pipeline();
            stack.createTopics(s, partitions);
            PipelineService service = new PipelineService(config, models, PipelineEvents.NONE);
            open.add(service);
            service.start();
            awaitRunning(service.streams());
            step("pipeline", s.requestsTopic() + " -> " + s.translationsTopic() + " | " + s.failuresTopic(), t2);
            out.printf("ready after %.1f s%n%n", (System.nanoTime() - t0) / 1e9);
            try (DemoPrinter printer = new DemoPrinter(config, partitions, out);
                 KafkaProducer<byte[], byte[]> producer = producer(config)) {
                Sender send = new Sender(producer, SerdeFactory.create(config.get(Settings.SERDE_CLASS),
                        TranslationRequest.class, config.serdes()).serializer(), s.requestsTopic(), printer);
                if (!noSamples) {
                    sendSamples(send, printer, config.getInt(Settings.MAX_TEXT_CHARS));
                    if (served.summarizer() != null) {
                        sendSummaries(send, printer, served.summarizerName());
                    }
                }
                sendLines(send, printer);
            }
            return 0;
        } finally {
            modelsLoad.thenAccept(m -> { // models never taken (the broker failed first) close once loaded
                synchronized (open) {
                    if (!open.contains(m)) {
                        m.close();
                    }
                }
            });
            closeAll(open);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running already
            }
        }
    }

    /** Sends requests with the demo's serializer, each id expected by the printer. */
    private record Sender(KafkaProducer<byte[], byte[]> producer, Serializer<TranslationRequest> requests, String topic,
                          DemoPrinter printer) {
        /** A request to the default model. */
        void send(String key, String id, String text) {
            send(key, id, text, null);
        }

        /** A request to the model named {@code model} (null: the default). */
        void send(String key, String id, String text, String model) {
            TranslationRequest r = TranslationRequest.newBuilder().setId(id).setText(text).setModel(model)
                    .setAttributes(Map.of()).setCreatedAt(Instant.now()).build();
            printer.expect(id);
            producer.send(new ProducerRecord<>(topic, bytes(key), requests.serialize(topic, r)));
        }

        void sendRaw(String key, byte[] value) {
            printer.expect(key);
            producer.send(new ProducerRecord<>(topic, bytes(key), value));
        }
    }

    /** The samples, one too long and one undecodable record, then the first samples again (the memory answers them). */
    private void sendSamples(Sender send, DemoPrinter printer, int maxChars) throws IOException, InterruptedException {
        List<String> samples = samples();
        out.println("Sending " + samples.size() + " sample sentences, one too long and one undecodable record"
                + " (those two go to the dead-letter topic):");
        int n = 0;
        for (String text : samples) {
            String id = String.format("sample-%02d", ++n);
            send.send(id, id, text);
        }
        send.send("too-long", "too-long", "word ".repeat(maxChars / 5 + 1));
        send.sendRaw("undecodable", bytes("this is not Avro"));
        send.producer().flush();
        printer.awaitAnswers(ANSWER_TIMEOUT);
        out.println();
        out.println("Sending the first " + AGAIN + " again with the same keys (so the same partitions):"
                + " the translation memory answers them:");
        for (int i = 1; i <= Math.min(AGAIN, samples.size()); i++) {
            send.send(String.format("sample-%02d", i), String.format("again-%02d", i), samples.get(i - 1));
        }
        send.producer().flush();
        printer.awaitAnswers(ANSWER_TIMEOUT);
    }

    /** The sample package descriptions, each to the summarizer by name. */
    private void sendSummaries(Sender send, DemoPrinter printer, String summarizerName) throws IOException, InterruptedException {
        List<String> descriptions = summaries();
        out.println();
        out.println("Sending " + descriptions.size() + " Debian package descriptions with model = " + summarizerName
                + ": each gets a one-line synopsis:");
        int n = 0;
        for (String text : descriptions) {
            String id = String.format("summary-%02d", ++n);
            send.send(id, id, text, summarizerName);
        }
        send.producer().flush();
        printer.awaitAnswers(ANSWER_TIMEOUT);
    }

    /** The lines of --input, or of the keyboard, one request each. */
    private void sendLines(Sender send, DemoPrinter printer) throws IOException, InterruptedException {
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
                send.send(id, id, line);
                send.producer().flush();
            }
        }
        printer.awaitAnswers(ANSWER_TIMEOUT);
    }

    /** Closes what was opened, the last first, once (the shutdown hook and the normal end may both call it). */
    private static void closeAll(List<AutoCloseable> open) {
        synchronized (open) {
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception e) {
                    System.err.println("while stopping: " + e);
                }
            }
            open.clear();
        }
    }

    private void step(String what, String detail, long startNanos) {
        out.printf("  %-34s %s  (%.1f s)%n", what, detail, (System.nanoTime() - startNanos) / 1e9);
    }

    private static String shortVersion(String v) {
        return v.length() > 12 ? v.substring(0, 12) : v;
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
        return lines("/demo/samples.txt");
    }

    static List<String> summaries() throws IOException {
        return lines("/demo/summaries.txt");
    }

    /** A sample resource's requests: its lines that are neither blank nor comments. */
    private static List<String> lines(String resource) throws IOException {
        try (InputStream in = DemoCommand.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("the demo's samples (" + resource + ") are missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
