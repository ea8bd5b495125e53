package seq2seq.streams.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import seq2seq.streams.registry.SchemaRegistryClient;
import seq2seq.streams.registry.SchemaRegistryException;
import seq2seq.streams.registry.SchemaRegistryUnavailableException;

/**
 * Avro serde in the Confluent wire format: magic byte 0, the schema's 4-byte big-endian registry id, Avro binary.
 * Subjects follow TopicNameStrategy ({@code <topic>-value}, {@code <topic>-key}). Takes Confluent's keys
 * ({@code schema.registry.url}, {@code basic.auth.*}, {@code auto.register.schemas}, {@code use.latest.version}),
 * so records written by Confluent's serdes or clients are read here and the other way round.
 *
 * <p>Reading resolves the writer's schema (fetched by id) against this class's schema, so producers on an older or
 * newer compatible schema are read correctly. Input is checked strictly: a wrong magic byte, an unknown id, a
 * truncated or over-long payload, or text that is not valid UTF-8 is a {@link SerializationException} naming the
 * problem, so the pipeline dead-letters the record instead of translating mangled text. A registry that cannot be
 * reached (or answers 5xx) is a {@link SchemaRegistryUnavailableException} instead: the record may be fine, retry it.
 * <p>
 * Longer than most classes: the wire format's write and read paths and each of their error cases stay in one file,
 * to be read against Confluent's KafkaAvroSerializer and KafkaAvroDeserializer.
 */
public class RegistryAvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {
    public static final String AUTO_REGISTER = "auto.register.schemas";
    public static final String USE_LATEST = "use.latest.version";
    /**
     * How long a read waits in place, asking again, for a registry it cannot reach before it gives up with a
     * {@link SchemaRegistryUnavailableException}. Waiting in place keeps a stream thread and its partitions through
     * a short outage; giving up fails the thread, and its replacement waits for a rebalance. The default stays well
     * inside Kafka's max.poll.interval.ms (300 s), past which a consumer that does not poll leaves its group.
     */
    public static final String UNAVAILABLE_WAIT_MS = "unavailable.wait.ms";
    private static final long DEFAULT_UNAVAILABLE_WAIT_MS = 120_000;
    /** pause between two tries while the registry cannot be reached */
    private static final long UNAVAILABLE_RETRY_MS = 500;
    private static final Logger log = LoggerFactory.getLogger(RegistryAvroSerde.class);
    private static final byte MAGIC = 0;

    /** the generated class read and written */
    private final Class<T> type;
    /** that class's schema: the reader's schema, and the writer's unless use.latest.version picks another */
    private final Schema readerSchema;
    /** registry client with its id and schema caches; set by configure() */
    private SchemaRegistryClient registry;
    /** key serde (subject {@code <topic>-key}) or value serde ({@code <topic>-value}) */
    private boolean isKey;
    /** register this class's schema on first write (Confluent's default) rather than only look it up */
    private boolean autoRegister = true;
    /** write under the subject's latest schema */
    private boolean useLatest;
    /** see {@link #UNAVAILABLE_WAIT_MS} */
    private long unavailableWaitMs = DEFAULT_UNAVAILABLE_WAIT_MS;
    /** per subject: the id written and the conversion, decided on the first write */
    private final Map<String, WriteTarget> writeTargets = new ConcurrentHashMap<>();
    /** writes this class's schema */
    private final SpecificDatumWriter<T> writer;
    /** per writer schema id: a strict reader resolving it to this class's schema */
    private final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();

    public RegistryAvroSerde(Class<T> type) {
        this.type = type;
        this.readerSchema = SpecificData.get().getSchema(type);
        this.writer = new SpecificDatumWriter<>(readerSchema);
    }

    /** A ready serde (already configured), for code that builds the topology itself. */
    public static <T extends SpecificRecord> RegistryAvroSerde<T> of(Class<T> type, Map<String, ?> config, boolean isKey) {
        RegistryAvroSerde<T> serde = new RegistryAvroSerde<>(type);
        serde.configure(config, isKey);
        return serde;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.registry = SchemaRegistryClient.fromConfig(configs);
        this.isKey = isKey;
        Object auto = configs.get(AUTO_REGISTER);
        this.autoRegister = auto == null || Boolean.parseBoolean(auto.toString());
        Object latest = configs.get(USE_LATEST);
        this.useLatest = latest != null && Boolean.parseBoolean(latest.toString());
        Object wait = configs.get(UNAVAILABLE_WAIT_MS);
        if (wait != null) {
            try {
                this.unavailableWaitMs = Long.parseLong(wait.toString().strip());
            } catch (NumberFormatException e) {
                throw new ConfigException(UNAVAILABLE_WAIT_MS, wait, "must be a number of milliseconds");
            }
            if (unavailableWaitMs < 0) {
                throw new ConfigException(UNAVAILABLE_WAIT_MS, wait, "must be >= 0");
            }
        }
        String strategyKey = isKey ? "key.subject.name.strategy" : "value.subject.name.strategy";
        Object strategy = configs.get(strategyKey);
        if (strategy != null && !strategy.toString().endsWith(".TopicNameStrategy")) {
            // another strategy would put the schemas under subjects this serde never asks about
            throw new ConfigException(strategyKey, strategy, "only TopicNameStrategy (<topic>-key / <topic>-value) is "
                    + "supported by " + RegistryAvroSerde.class.getSimpleName() + "; use Confluent's serde for others");
        }
    }

    /** Uses an existing client (shares its caches) instead of one built from the configuration. */
    public RegistryAvroSerde<T> withClient(SchemaRegistryClient client, boolean isKey) {
        this.registry = client;
        this.isKey = isKey;
        return this;
    }

    public String subject(String topic) {
        return topic + (isKey ? "-key" : "-value");
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        requireConfigured();
        String subject = subject(topic);
        WriteTarget target;
        try {
            target = writeTargets.computeIfAbsent(subject, this::writeTarget);
        } catch (SerializationException e) {
            throw e;
        } catch (SchemaRegistryException e) {
            if (e.unavailable()) {
                throw new SchemaRegistryUnavailableException("cannot get a schema id for subject " + subject + " (topic "
                        + topic + "): the registry cannot be asked now: " + e.getMessage(), e);
            }
            throw new SerializationException("cannot get a schema id for subject " + subject + " (topic " + topic + "): "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new SerializationException("cannot get a schema id for subject " + subject + " (topic " + topic + "): "
                    + e.getMessage(), e);
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(64);
            out.write(MAGIC);
            out.write(ByteBuffer.allocate(4).putInt(target.id()).array());
            BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
            if (target.converter() == null) {
                writer.write(data, enc);
            } else {
                target.converter().write(data, enc);
            }
            enc.flush();
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot write " + type.getSimpleName() + " to topic " + topic + ": " + e.getMessage(), e);
        }
    }

    /**
     * Which id to write under. With use.latest.version the subject's latest schema is the writer's schema, as in
     * Confluent's serializer; when it is not this class's schema the record is converted to it by Avro schema
     * resolution, which needs the latest schema to be able to read this class's data (checked once, clear error).
     */
    private WriteTarget writeTarget(String subject) {
        if (!useLatest) {
            int id = autoRegister ? registry.register(subject, readerSchema) : registry.lookup(subject, readerSchema).id();
            return new WriteTarget(id, null);
        }
        SchemaRegistryClient.SchemaVersion latest = registry.latest(subject);
        if (latest.schema().equals(readerSchema)) {
            return new WriteTarget(latest.id(), null);
        }
        var compatibility = SchemaCompatibility.checkReaderWriterCompatibility(latest.schema(), readerSchema);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new SerializationException("use.latest.version: the latest schema of subject " + subject + " (id "
                    + latest.id() + ", version " + latest.version() + ") cannot represent a " + type.getSimpleName() + ": "
                    + compatibility.getDescription());
        }
        return new WriteTarget(latest.id(), new ResolvingWriter(readerSchema, latest.schema()));
    }

    /** The registry id records go out under, and the conversion to that id's schema (null: write as this class). */
    private record WriteTarget(int id, ResolvingWriter converter) {
    }

    /** Writes a record in another, compatible schema: encode as the class, decode resolving to the target, re-encode. */
    private static final class ResolvingWriter {
        /** writes the record in its own class schema */
        private final SpecificDatumWriter<Object> own;
        /** reads that into the target schema */
        private final GenericDatumReader<Object> resolve;
        /** writes the target schema */
        private final GenericDatumWriter<Object> target;

        ResolvingWriter(Schema own, Schema target) {
            this.own = new SpecificDatumWriter<>(own);
            this.resolve = new GenericDatumReader<>(own, target);
            this.target = new GenericDatumWriter<>(target);
        }

        void write(Object record, BinaryEncoder out) throws IOException {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream(64);
            BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(buffer, null);
            own.write(record, enc);
            enc.flush();
            Object converted = resolve.read(null, DecoderFactory.get().binaryDecoder(buffer.toByteArray(), null));
            target.write(converted, out);
        }
    }

    @Override
    public T deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        requireConfigured();
        if (bytes.length < 5) {
            throw new SerializationException("record on " + topic + " is " + bytes.length
                    + " bytes: too short for the Confluent wire format (magic byte + 4-byte schema id + Avro)");
        }
        if (bytes[0] != MAGIC) {
            throw new SerializationException("record on " + topic + " starts with byte " + (bytes[0] & 0xff)
                    + ", not the Confluent magic byte 0: not written by a schema-registry serializer");
        }
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        DatumReader<T> reader = readerFor(topic, id);
        try {
            BinaryDecoder dec = DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null);
            T value = reader.read(null, dec);
            if (!dec.isEnd()) {
                throw new SerializationException("record on " + topic + " has bytes left after the " + type.getSimpleName()
                        + " (schema id " + id + "): corrupt or written with another schema");
            }
            return value;
        } catch (SerializationException e) {
            throw e;
        } catch (StrictUtf8DatumReader.InvalidUtf8Exception e) {
            throw new SerializationException("record on " + topic + " (schema id " + id + "): " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot read " + type.getSimpleName() + " from " + topic + " (schema id " + id
                    + "): " + e, e);
        }
    }

    /** The reader for writer schema {@code id}, fetched once; waits in place while the registry cannot be reached. */
    private DatumReader<T> readerFor(String topic, int id) {
        long deadline = System.nanoTime() + unavailableWaitMs * 1_000_000L;
        boolean logged = false;
        while (true) {
            try {
                return readers.computeIfAbsent(id, i -> new StrictUtf8DatumReader<>(registry.schemaById(i), readerSchema, type));
            } catch (SchemaRegistryException e) {
                if (!e.unavailable()) {
                    throw new SerializationException("record on " + topic + " names schema id " + id
                            + " that the registry cannot give: " + e.getMessage(), e);
                }
                if (System.nanoTime() >= deadline) {
                    throw new SchemaRegistryUnavailableException("record on " + topic + " names schema id " + id
                            + ", and the registry cannot be asked now (retry, do not dead-letter): " + e.getMessage(), e);
                }
                if (!logged) {
                    log.warn("record on {} names schema id {}, and the registry cannot be asked now: waiting up to {} ms for it: {}",
                            topic, id, unavailableWaitMs, e.getMessage());
                    logged = true;
                }
                try {
                    Thread.sleep(UNAVAILABLE_RETRY_MS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new SchemaRegistryUnavailableException("interrupted while waiting for the registry: " + e.getMessage(), e);
                }
            } catch (RuntimeException e) {
                throw new SerializationException("record on " + topic + " names schema id " + id
                        + " that the registry cannot give: " + e.getMessage(), e);
            }
        }
    }

    private void requireConfigured() {
        if (registry == null) {
            throw new IllegalStateException("RegistryAvroSerde used before configure(): set " + SchemaRegistryClient.URL);
        }
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void close() {
    }
}
