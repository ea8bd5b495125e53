package seq2seq.streams;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import seq2seq.streams.state.AvroCodec;

/** Avro binary without a registry: lets the topology tests run without one (the serde is configurable by name). */
public final class PlainAvroSerde<T extends SpecificRecord> implements Serde<T> {
    /** encodes and decodes T */
    private final AvroCodec<T> codec;

    public PlainAvroSerde(Class<T> type) {
        this.codec = new AvroCodec<>(type);
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, v) -> v == null ? null : codec.encode(v);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, b) -> b == null ? null : codec.decode(b);
    }
}
