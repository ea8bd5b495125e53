package seq2seq.tools;

import seq2seq.service.ClientProps;
import seq2seq.service.ConfigOption;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.avro.TranslationFailure;
import seq2seq.avro.TranslationRequest;
import seq2seq.avro.TranslationResult;
import seq2seq.streams.SerdeFactory;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** `consume`: reads translations (or dead letters, or requests) and prints one JSON object per line. */
@Command(name = "consume", mixinStandardHelpOptions = true,
        description = {"Prints records of the output topic (or --failures, --requests, --topic) as JSON lines on stdout.",
                "Reads committed records only (read_committed); joins no consumer group."})
final class ConsumeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--failures", description = "Read the dead-letter topic (topic.failures).")
    boolean failures;

    @Option(names = "--requests", description = "Read the input topic (topic.requests).")
    boolean requests;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "Read this topic; the record type follows from which configured topic it is (default: translations).")
    String topic;

    @Option(names = "--from-beginning", description = "Start at the earliest offsets instead of the end.")
    boolean fromBeginning;

    @Option(names = "--max", paramLabel = "N", description = "Stop after N records.")
    Long max;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", description = "Stop when nothing arrived for this long. Default: run until interrupted.")
    Long idleSeconds;

    @Override
    public Integer call() {
        AppConfig c = config.load();
        String t = topic != null ? topic : failures ? c.get(Settings.FAILURES_TOPIC)
                : requests ? c.get(Settings.REQUESTS_TOPIC) : c.get(Settings.TRANSLATIONS_TOPIC);
        Class<? extends SpecificRecord> type = t.equals(c.get(Settings.FAILURES_TOPIC)) ? TranslationFailure.class
                : t.equals(c.get(Settings.REQUESTS_TOPIC)) ? TranslationRequest.class : TranslationResult.class;
        Deserializer<? extends SpecificRecord> values = SerdeFactory.create(c.get(Settings.SERDE_CLASS), type, c.serdes()).deserializer();
        var props = ClientProps.consumer(c);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        PrintWriter out = spec.commandLine().getOut();
        long seen = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(t, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(t, p.partition())).toList();
            if (parts.isEmpty()) {
                spec.commandLine().getErr().println("topic " + t + " does not exist");
                return 1;
            }
            consumer.assign(parts);
            if (fromBeginning) {
                consumer.seekToBeginning(parts);
            } else {
                consumer.seekToEnd(parts);
            }
            long idleSince = System.nanoTime();
            while (max == null || seen < max) {
                var records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    if (idleSeconds != null && System.nanoTime() - idleSince > Duration.ofSeconds(idleSeconds).toNanos()) {
                        break;
                    }
                    continue;
                }
                idleSince = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    try {
                        SpecificRecord v = values.deserialize(t, r.headers(), r.value());
                        out.println(v == null ? "null" : JsonLines.toJson(v));
                        out.flush();
                    } catch (RuntimeException e) {
                        spec.commandLine().getErr().printf("%s-%d@%d: cannot decode: %s%n", t, r.partition(), r.offset(), e.getMessage());
                    }
                    if (max != null && ++seen >= max) {
                        break;
                    }
                }
            }
        }
        return 0;
    }
}
