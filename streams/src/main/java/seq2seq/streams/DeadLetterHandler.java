package seq2seq.streams;

import org.apache.avro.AvroTypeException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import seq2seq.avro.FailureReason;
import seq2seq.avro.TranslationFailure;
import seq2seq.streams.registry.SchemaRegistryUnavailableException;

import java.util.List;
import java.util.Map;

/**
 * Kafka Streams' own dead-letter hook (KIP-1034) for records whose value cannot be decoded: it returns a
 * {@link TranslationFailure} record (raw key and value inside) for the dead-letter topic and lets processing go on.
 * Streams sends that record through the task's producer, so under exactly-once it commits with the input offset.
 * <p>
 * Configured through the Streams properties: {@value #SERDE_CLASS_CONFIG} (the value serde class, also given all
 * the other properties, e.g. {@code schema.registry.url}) and {@code errors.dead.letter.queue.topic.name}; optionally
 * {@value #EVENTS_CONFIG}, a {@link PipelineEvents} object told about each record it dead-letters (for the metrics).
 */
public final class DeadLetterHandler implements DeserializationExceptionHandler {
    public static final String SERDE_CLASS_CONFIG = "seq2seq.serde.class";
    public static final String EVENTS_CONFIG = "seq2seq.pipeline.events";
    /** names of the headers a dead letter copies from its record, comma-separated (PipelineSettings.headers) */
    public static final String HEADERS_CONFIG = "seq2seq.headers";
    private static final Logger log = LoggerFactory.getLogger(DeadLetterHandler.class);
    /** wait before failing the thread on a registry outage (well inside transaction.timeout.ms) */
    private static final long REGISTRY_RETRY_PAUSE_MS = 1000;

    /** where dead letters go */
    private String topic;
    /** writes TranslationFailure in the same format as the pipeline's own dead letters */
    private Serializer<TranslationFailure> serializer;
    /** the same listener as the processor's, so that records in and dead letters by reason count these too */
    private PipelineEvents events = PipelineEvents.NONE;
    /** headers copied from the undecodable record to its dead letter */
    private java.util.Set<String> headers = java.util.Set.of(PipelineSettings.TRACEPARENT);

    @Override
    public void configure(Map<String, ?> configs) {
        Object t = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        Object serde = configs.get(SERDE_CLASS_CONFIG);
        if (t == null || serde == null) {
            throw new IllegalArgumentException(DeadLetterHandler.class.getSimpleName() + " needs the Streams properties "
                    + StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG + " and " + SERDE_CLASS_CONFIG);
        }
        topic = t.toString();
        serializer = SerdeFactory.create(serde.toString(), TranslationFailure.class, configs).serializer();
        if (configs.get(EVENTS_CONFIG) instanceof PipelineEvents e) {
            events = e;
        }
        if (configs.get(HEADERS_CONFIG) != null) {
            headers = java.util.Set.of(configs.get(HEADERS_CONFIG).toString().split(","));
        }
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        if (causedBy(exception, SchemaRegistryUnavailableException.class)) {
            // the record may be fine: fail the thread (it is replaced and re-reads from the last commit) rather than
            // dead-letter good records while the registry is down
            log.error("not dead-lettering {}-{}@{}: the schema registry is unavailable; retrying from the last commit in {} ms: {}",
                    record.topic(), record.partition(), record.offset(), REGISTRY_RETRY_PAUSE_MS, exception.getMessage());
            try {
                Thread.sleep(REGISTRY_RETRY_PAUSE_MS); // a pause, so that a replaced thread does not spin on the outage
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Response.fail();
        }
        FailureReason reason = isSchemaProblem(exception) ? FailureReason.SCHEMA : FailureReason.DESERIALIZATION;
        log.warn("dead-lettering {}-{}@{} as {}: {}", record.topic(), record.partition(), record.offset(), reason, exception.toString());
        TranslationFailure failure = Failures.of(reason, "cannot decode the value: " + exception, null, record.topic(),
                record.partition(), record.offset(), record.key(), record.value(), System.currentTimeMillis());
        byte[] value = serializer.serialize(topic, failure);
        events.received();
        events.deadLettered(reason);
        return Response.resume(List.of(new ProducerRecord<>(topic, null, record.key(), value,
                TranslationTopology.copied(record.headers(), headers))));
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** the bytes were Avro, but not a TranslationRequest (wrong or incompatible schema) */
    private static boolean isSchemaProblem(Throwable e) {
        return causedBy(e, AvroTypeException.class);
    }
}
