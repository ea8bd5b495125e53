package seq2seq.streams.state;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import seq2seq.avro.TranslationRequest;

/**
 * The input topic's value serde: decodes with the configured request serde but keeps the exact bytes too, so any
 * later dead letter can carry them. Key, topic and offset are filled in by the next step. A decoding error is
 * thrown to Kafka Streams, whose dead-letter handler takes the record.
 */
public final class EnvelopeSource implements Serde<Envelope> {
    /** the configured serde for TranslationRequest */
    private final Serde<TranslationRequest> requests;

    public EnvelopeSource(Serde<TranslationRequest> requests) {
        this.requests = requests;
    }

    @Override
    public Deserializer<Envelope> deserializer() {
        return new Deserializer<>() {
            @Override
            public Envelope deserialize(String topic, byte[] data) {
                return deserialize(topic, null, data);
            }

            @Override
            public Envelope deserialize(String topic, Headers headers, byte[] data) {
                if (data == null) {
                    return new Envelope(null, null, null, topic, -1, -1, -1);
                }
                TranslationRequest request = requests.deserializer().deserialize(topic, headers, data);
                return new Envelope(null, data, request, topic, -1, -1, -1);
            }
        };
    }

    @Override
    public Serializer<Envelope> serializer() {
        return (topic, e) -> e == null ? null : e.rawValue();
    }
}
