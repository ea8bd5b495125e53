package seq2seq.tools;

import seq2seq.service.ClientProps;
import seq2seq.service.ConfigOption;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.avro.TranslationRequest;
import seq2seq.streams.SerdeFactory;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** `produce`: JSON lines (or plain text lines) in, TranslationRequest records out. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Sends translation requests to the input topic, one per line of stdin or --input.",
                "A line is a JSON object with the TranslationRequest fields (text required; id, source_lang, target_lang,"
                        + " model, options {num_beams, max_new_tokens, copy_unknowns}, attributes, created_at optional) or plain text.",
                "The record key is the id."})
final class ProduceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "Topic to write. Default: topic.requests from the configuration.")
    String topic;

    @Option(names = "--input", paramLabel = "FILE", description = "Read lines from FILE instead of stdin.")
    Path input;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        AppConfig c = config.load();
        String target = topic != null ? topic : c.get(Settings.REQUESTS_TOPIC);
        Serializer<TranslationRequest> values = SerdeFactory.create(c.get(Settings.SERDE_CLASS), TranslationRequest.class, c.serdes()).serializer();
        var props = ClientProps.producer(c);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        int sent = 0;
        int bad = 0;
        try (BufferedReader in = input != null ? Files.newBufferedReader(input, StandardCharsets.UTF_8)
                : new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            String source = input != null ? input.toString() : "stdin";
            int lineNo = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                TranslationRequest r;
                try {
                    r = JsonLines.request(line, source + " line " + lineNo);
                } catch (IllegalArgumentException e) {
                    err.println(e.getMessage());
                    bad++;
                    continue;
                }
                producer.send(new ProducerRecord<>(target, r.getId().getBytes(StandardCharsets.UTF_8), values.serialize(target, r)));
                sent++;
            }
            producer.flush();
            producer.close(java.time.Duration.ofSeconds(30));
        }
        err.printf("sent %d requests to %s%s%n", sent, target, bad > 0 ? " (" + bad + " bad lines skipped)" : "");
        err.flush();
        return bad > 0 ? 1 : 0;
    }
}
