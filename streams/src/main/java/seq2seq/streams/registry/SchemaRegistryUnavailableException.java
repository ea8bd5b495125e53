package seq2seq.streams.registry;

import org.apache.kafka.common.KafkaException;

/**
 * The registry could not be asked (unreachable, or it answered 5xx), so a record's schema is unknown for now. Not a
 * {@link org.apache.kafka.common.errors.SerializationException}: the record itself may be fine, so it must be
 * retried, not dead-lettered.
 */
public final class SchemaRegistryUnavailableException extends KafkaException {
    public SchemaRegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
