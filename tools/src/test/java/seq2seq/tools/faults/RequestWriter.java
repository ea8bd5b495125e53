package seq2seq.tools.faults;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import seq2seq.avro.TranslationOptions;
import seq2seq.avro.TranslationRequest;
import seq2seq.streams.registry.SchemaRegistryClient;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes translation requests keyed by id, to a chosen partition, in the Confluent wire format under one registry
 * schema id, and remembers each id's text for the final check. The schema is chosen by the test: the class's own,
 * or a newer compatible version registered beforehand, so that records can name a schema id the instances have not
 * seen yet while the registry is down (the writer needs no registry call per record).
 */
final class RequestWriter implements AutoCloseable {
    /** the requests' subject under TopicNameStrategy */
    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final SchemaRegistryClient registry;
    /** id → text of every request written */
    final Map<String, String> texts = new ConcurrentHashMap<>();

    RequestWriter(String bootstrapServers, String registryUrl, String topic) {
        this.topic = topic;
        this.registry = new SchemaRegistryClient(registryUrl, null);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Registers {@code schema} under the requests' subject; returns its id. */
    int register(Schema schema) {
        return registry.register(topic + "-value", schema);
    }

    /** The request schema with one more optional field: a compatible version the instances have not seen yet. */
    static Schema newerRequestSchema() {
        Schema current = TranslationRequest.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : current.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(new Schema.Field("priority", Schema.createUnion(Schema.create(Schema.Type.NULL),
                Schema.create(Schema.Type.STRING)), "added in version 2", Schema.Field.NULL_DEFAULT_VALUE));
        return Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
    }

    /**
     * Sends one request per id to {@code partition} under schema {@code schemaId} (whose schema is {@code schema}),
     * greedy with a short output cap; blocks until every record is acknowledged by the in-sync replicas.
     */
    void send(List<String> ids, List<String> texts, int partition, Schema schema, int schemaId) {
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            this.texts.put(id, texts.get(i));
            byte[] value = encode(schema, schemaId, id, texts.get(i));
            producer.send(new ProducerRecord<>(topic, partition, id.getBytes(StandardCharsets.UTF_8), value));
        }
        producer.flush();
    }

    private static byte[] encode(Schema schema, int schemaId, String id, String text) {
        GenericRecord options = new GenericData.Record(TranslationOptions.getClassSchema());
        options.put("num_beams", 1);
        options.put("max_new_tokens", 16);
        GenericRecord r = new GenericData.Record(schema);
        for (Schema.Field f : schema.getFields()) {
            if (f.hasDefaultValue()) {
                r.put(f.name(), GenericData.get().getDefaultValue(f));
            }
        }
        r.put("id", id);
        r.put("text", text);
        r.put("options", options);
        r.put("attributes", Map.of());
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(0);
            out.write(ByteBuffer.allocate(4).putInt(schemaId).array());
            BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(schema).write(r, e);
            e.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
