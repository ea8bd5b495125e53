package seq2seq.streams.registry;

import static seq2seq.testing.Bytes.indexOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import seq2seq.tools.embedded.EmbeddedRegistry;
import seq2seq.avro.TranslationRequest;
import seq2seq.streams.DeadLetterHandler;
import seq2seq.streams.serde.RegistryAvroSerde;
import seq2seq.testing.EmbeddedCluster;

/** The registry client, the Confluent-wire-format serde and the embedded registry, on a real KRaft broker. */
@Timeout(120)
class SchemaRegistryIntegrationTest {
    @RegisterExtension
    static final EmbeddedCluster CLUSTER = EmbeddedCluster.brokers(1).withRegistry();

    static TranslationRequest request(String id, String text) {
        return TranslationRequest.newBuilder().setId(id).setText(text).setAttributes(Map.of("k", "v")).build();
    }

    RegistryAvroSerde<TranslationRequest> serde() {
        return RegistryAvroSerde.of(TranslationRequest.class, Map.of("schema.registry.url", CLUSTER.registryUrl()), false);
    }

    @Test
    void roundTripInConfluentWireFormat() {
        RegistryAvroSerde<TranslationRequest> serde = serde();
        TranslationRequest in = request("r1", "Grüße, 世界 😀");
        byte[] bytes = serde.serialize("rt-topic", in);
        assertEquals(0, bytes[0], "magic byte");
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        SchemaRegistryClient client = new SchemaRegistryClient(CLUSTER.registryUrl(), null);
        assertEquals(id, client.lookup("rt-topic-value", TranslationRequest.getClassSchema()).id());
        assertEquals(TranslationRequest.getClassSchema(), client.schemaById(id));
        assertEquals(in, serde.deserialize("rt-topic", bytes));
    }

    @Test
    void incompatibleSchemaIsRefusedCompatibleOneGetsNewId() {
        SchemaRegistryClient client = new SchemaRegistryClient(CLUSTER.registryUrl(), null);
        Schema v1 = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"}]}");
        // BACKWARD: a new required field without default cannot read old data
        Schema bad = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"},"
                + "{\"name\":\"b\",\"type\":\"int\"}]}");
        Schema good = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"},"
                + "{\"name\":\"b\",\"type\":\"int\",\"default\":0}]}");
        int id1 = client.register("compat-value", v1);
        assertEquals("BACKWARD", client.compatibility("compat-value"));
        assertFalse(client.isCompatible("compat-value", bad));
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.register("compat-value", bad));
        assertEquals(409, e.status());
        assertTrue(client.isCompatible("compat-value", good));
        int id2 = client.register("compat-value", good);
        assertNotEquals(id1, id2);
        assertEquals(id2, client.register("compat-value", good), "registering the same schema again is idempotent");
        client.setCompatibility("compat-value", "NONE");
        assertTrue(client.isCompatible("compat-value", bad));
    }

    @Test
    void idsSurviveARestartOfTheRegistry() {
        SchemaRegistryClient before = new SchemaRegistryClient(CLUSTER.registryUrl(), null);
        Schema s = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Kept\",\"fields\":[{\"name\":\"x\",\"type\":\"long\"}]}");
        int id = before.register("restart-value", s);
        CLUSTER.restartRegistry();
        SchemaRegistryClient after = new SchemaRegistryClient(CLUSTER.registryUrl(), null);
        assertEquals(s, after.schemaById(id));
        assertEquals(id, after.latest("restart-value").id());
        assertTrue(after.subjects().contains("restart-value"));
    }

    @Test
    void badBytesGiveClearErrors() {
        RegistryAvroSerde<TranslationRequest> serde = serde();
        byte[] good = serde.serialize("bad-topic", request("r2", "hello"));
        SerializationException tooShort = assertThrows(SerializationException.class,
                () -> serde.deserialize("bad-topic", new byte[] {0, 0}));
        assertTrue(tooShort.getMessage().contains("too short"), tooShort.getMessage());
        byte[] wrongMagic = good.clone();
        wrongMagic[0] = 7;
        assertTrue(assertThrows(SerializationException.class, () -> serde.deserialize("bad-topic", wrongMagic))
                .getMessage().contains("magic"));
        byte[] unknownId = good.clone();
        ByteBuffer.wrap(unknownId).putInt(1, 999_999);
        assertTrue(assertThrows(SerializationException.class, () -> serde.deserialize("bad-topic", unknownId))
                .getMessage().contains("999999"));
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
        assertThrows(SerializationException.class, () -> serde.deserialize("bad-topic", truncated));
        byte[] trailing = java.util.Arrays.copyOf(good, good.length + 2);
        assertTrue(assertThrows(SerializationException.class, () -> serde.deserialize("bad-topic", trailing))
                .getMessage().contains("bytes left"));
    }

    @Test
    void invalidUtf8IsRejectedButARealReplacementCharacterIsNot() {
        RegistryAvroSerde<TranslationRequest> serde = serde();
        byte[] good = serde.serialize("utf-topic", request("r3", "abc"));
        // The text "abc" is the only 'a','b','c' run; overwrite it with a lone surrogate's bytes (ED A0 80), as avsc writes.
        byte[] bad = good.clone();
        int at = indexOf(bad, "abc".getBytes(StandardCharsets.UTF_8));
        bad[at] = (byte) 0xED;
        bad[at + 1] = (byte) 0xA0;
        bad[at + 2] = (byte) 0x80;
        assertTrue(assertThrows(SerializationException.class, () -> serde.deserialize("utf-topic", bad))
                .getMessage().contains("UTF-8"));
        TranslationRequest genuine = request("r4", "a\uFFFDb");
        assertEquals(genuine, serde.deserialize("utf-topic", serde.serialize("utf-topic", genuine)));
        assertArrayEquals(good, serde.serialize("utf-topic", request("r3", "abc")));
    }

    @Test
    void invalidUtf8IsNamedByFieldEvenNextToAGenuineReplacementCharacter() {
        RegistryAvroSerde<TranslationRequest> serde = serde();
        TranslationRequest in = TranslationRequest.newBuilder().setId("r5").setText("ok \uFFFD")
                .setAttributes(Map.of("k", "xyz")).build();
        byte[] bad = serde.serialize("utf-topic", in);
        int at = indexOf(bad, "xyz".getBytes(StandardCharsets.UTF_8));
        bad[at] = (byte) 0xED;
        bad[at + 1] = (byte) 0xA0;
        bad[at + 2] = (byte) 0x80;
        String message = assertThrows(SerializationException.class, () -> serde.deserialize("utf-topic", bad)).getMessage();
        assertTrue(message.contains("'attributes'") && message.contains("ED A0 80"), message);
    }

    @Test
    void useLatestVersionWritesInTheLatestSchema() throws Exception {
        SchemaRegistryClient client = new SchemaRegistryClient(CLUSTER.registryUrl(), null);
        Schema own = TranslationRequest.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        own.getFields().forEach(f -> fields.add(new Schema.Field(f, f.schema())));
        fields.add(new Schema.Field("priority", Schema.createUnion(Schema.create(Schema.Type.NULL),
                Schema.create(Schema.Type.INT)), "added in v2", Schema.Field.NULL_DEFAULT_VALUE));
        Schema v2 = Schema.createRecord(own.getName(), own.getDoc(), own.getNamespace(), false, fields);
        client.register("latest-topic-value", own);
        int v2id = client.register("latest-topic-value", v2);

        RegistryAvroSerde<TranslationRequest> serde = RegistryAvroSerde.of(TranslationRequest.class,
                Map.of("schema.registry.url", CLUSTER.registryUrl(), "use.latest.version", "true", "auto.register.schemas", "false"),
                false);
        TranslationRequest in = request("r6", "written as v2");
        byte[] bytes = serde.serialize("latest-topic", in);
        assertEquals(v2id, ByteBuffer.wrap(bytes, 1, 4).getInt());
        GenericRecord asV2 = new GenericDatumReader<GenericRecord>(v2)
                .read(null, DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));
        assertEquals("written as v2", asV2.get("text").toString());
        assertNull(asV2.get("priority"));
        assertEquals(in, serde.deserialize("latest-topic", bytes));
    }

    @Test
    void twoRegistriesOnOneClusterShareTheirIds() {
        try (EmbeddedRegistry other = EmbeddedRegistry.start(CLUSTER.bootstrapServers())) {
            SchemaRegistryClient a = new SchemaRegistryClient(CLUSTER.registryUrl(), null);
            SchemaRegistryClient b = new SchemaRegistryClient(other.url(), null);
            Schema sa = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"ShareA\",\"fields\":[]}");
            Schema sb = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"ShareB\",\"fields\":[]}");
            int idB = b.register("share-b-value", sb);
            int idA = a.register("share-a-value", sa);
            assertNotEquals(idA, idB);
            assertEquals(sb, new SchemaRegistryClient(CLUSTER.registryUrl(), null).schemaById(idB));
            assertEquals(sa, new SchemaRegistryClient(other.url(), null).schemaById(idA));
        }
    }

    @Test
    void aRegistryOutageIsRetriedNotDeadLettered() {
        byte[] bytes;
        String url;
        try (EmbeddedRegistry doomed = EmbeddedRegistry.start(CLUSTER.bootstrapServers())) {
            url = doomed.url();
            bytes = RegistryAvroSerde.of(TranslationRequest.class, Map.of("schema.registry.url", url), false)
                    .serialize("outage-topic", request("r7", "fine record"));
        }
        RegistryAvroSerde<TranslationRequest> fresh = RegistryAvroSerde.of(TranslationRequest.class,
                Map.of("schema.registry.url", url, RegistryAvroSerde.UNAVAILABLE_WAIT_MS, "1500"), false);
        long t0 = System.nanoTime();
        SchemaRegistryUnavailableException e = assertThrows(SchemaRegistryUnavailableException.class,
                () -> fresh.deserialize("outage-topic", bytes));
        assertTrue(System.nanoTime() - t0 >= 1_500_000_000L, "the read waited in place before giving up");
        assertTrue(e.getMessage().contains(url), e.getMessage());

        DeadLetterHandler handler = new DeadLetterHandler();
        handler.configure(Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "outage-failures",
                DeadLetterHandler.SERDE_CLASS_CONFIG, RegistryAvroSerde.class.getName(), "schema.registry.url", url));
        var record = new ConsumerRecord<>("outage-topic", 0, 0L, new byte[0], bytes);
        var response = handler.handleError(null, record, new StreamsException(e));
        assertEquals(DeserializationExceptionHandler.Result.FAIL, response.result());
        assertTrue(response.deadLetterQueueRecords().isEmpty());
    }

    @Test
    void onlyTopicNameStrategyIsAccepted() {
        assertThrows(org.apache.kafka.common.config.ConfigException.class, () -> RegistryAvroSerde.of(TranslationRequest.class,
                Map.of("schema.registry.url", CLUSTER.registryUrl(),
                        "value.subject.name.strategy", "io.confluent.kafka.serializers.subject.RecordNameStrategy"), false));
        RegistryAvroSerde.of(TranslationRequest.class, Map.of("schema.registry.url", CLUSTER.registryUrl(),
                "value.subject.name.strategy", "io.confluent.kafka.serializers.subject.TopicNameStrategy"), false);
    }

    @Test
    void deletedVersionsLeaveTheSubjectButTheirIdsStillResolve() {
        SchemaRegistryClient client = new SchemaRegistryClient(CLUSTER.registryUrl(), null);
        Schema v1 = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Del\",\"fields\":[]}");
        Schema v2 = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Del\",\"fields\":["
                + "{\"name\":\"x\",\"type\":\"int\",\"default\":0}]}");
        int id1 = client.register("del-value", v1);
        int id2 = client.register("del-value", v2);
        assertEquals(List.of(1, 2), client.deleteSubject("del-value"));
        assertEquals(40401, assertThrows(SchemaRegistryException.class, () -> client.latest("del-value")).errorCode());
        assertFalse(client.subjects().contains("del-value"));
        assertEquals(v2, new SchemaRegistryClient(CLUSTER.registryUrl(), null).schemaById(id2), "ids outlive deletion");
        assertEquals(id1, client.register("del-value", v1), "the same schema keeps its id");
        assertEquals(3, client.latest("del-value").version(), "version numbers are not reused");
        CLUSTER.restartRegistry();
        SchemaRegistryClient after = new SchemaRegistryClient(CLUSTER.registryUrl(), null);
        assertEquals(3, after.latest("del-value").version(), "deletions survive a restart");
        assertEquals(v2, after.schemaById(id2));
    }

    @Test
    void basicAuthFromUserInfoOrUrl() {
        try (EmbeddedRegistry secured = EmbeddedRegistry.start(CLUSTER.bootstrapServers(), 0, "alice:s3cret")) {
            Schema s = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Auth\",\"fields\":[]}");
            SchemaRegistryException denied = assertThrows(SchemaRegistryException.class,
                    () -> new SchemaRegistryClient(secured.url(), null).register("auth-value", s));
            assertEquals(401, denied.status());
            assertTrue(denied.getMessage().contains(secured.url() + "/subjects/auth-value/versions"), denied.getMessage());
            int id = SchemaRegistryClient.fromConfig(Map.of("schema.registry.url", secured.url(),
                    "basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "alice:s3cret")).register("auth-value", s);
            String withUser = secured.url().replace("http://", "http://alice:s3cret@");
            SchemaRegistryClient viaUrl = SchemaRegistryClient.fromConfig(Map.of("schema.registry.url", withUser,
                    "basic.auth.credentials.source", "URL"));
            assertEquals(s, viaUrl.schemaById(id));
            SchemaRegistryException wrong = assertThrows(SchemaRegistryException.class, () -> SchemaRegistryClient.fromConfig(
                    Map.of("schema.registry.url", secured.url(), "basic.auth.user.info", "alice:nope")).latest("auth-value"));
            assertFalse(wrong.getMessage().contains("nope"), "credentials must not appear in errors");
        }
    }

    @Test
    void registryErrorsNameUrlSubjectAndCode() {
        SchemaRegistryClient client = new SchemaRegistryClient(CLUSTER.registryUrl(), null);
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.latest("no-such-subject"));
        assertEquals(40401, e.errorCode());
        assertTrue(e.getMessage().contains("/subjects/no-such-subject/versions/latest") && e.getMessage().contains("40401"),
                e.getMessage());
        SchemaRegistryException unknown = assertThrows(SchemaRegistryException.class, () -> client.schemaById(424242));
        assertEquals(40403, unknown.errorCode());
    }
}
