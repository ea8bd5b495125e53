package seq2seq.streams;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.Stores;
import seq2seq.avro.TranslationFailure;
import seq2seq.avro.TranslationRequest;
import seq2seq.avro.TranslationResult;
import seq2seq.streams.state.Envelope;
import seq2seq.streams.state.EnvelopeSerde;
import seq2seq.streams.state.EnvelopeSource;
import seq2seq.streams.state.MemoryEntrySerde;
import seq2seq.streams.state.MemoryKey;
import seq2seq.streams.text.Segmenter;

import java.util.HashMap;
import java.util.Map;

/**
 * The whole stream topology, built in one place:
 * <pre>
 * requests ─(decode; failure → Streams' dead-letter handler → failures)─► stamp (key, topic, offset, raw bytes)
 *   ─(optional: repartition by content hash)─► translate (memory, batch buffer, shared batcher)
 *   ─► result → translations  |  failure → failures
 * </pre>
 * Keys are raw bytes, copied from input to output unchanged. The Streams properties it needs besides the usual
 * ones come from {@link #streamsProperties}.
 */
public final class TranslationTopology {

    private TranslationTopology() {
    }

    /** {@link #build(PipelineSettings, ModelFleet, Serde, Serde, Serde, PipelineEvents)} with fixed versions. */
    public static Topology build(PipelineSettings settings, Batcher batcher, ModelRouter router,
                                 Serde<TranslationRequest> requests, Serde<TranslationResult> results,
                                 Serde<TranslationFailure> failures, PipelineEvents events) {
        return build(settings, new ModelFleet(batcher, router), requests, results, failures, events);
    }

    /**
     * @param settings  topics, limits, batching, memory
     * @param fleet     the models and their versions, over the instance's shared batcher (results name the model
     *                  and the version that translated them)
     * @param requests  value serde of the input topic
     * @param results   value serde of the output topic
     * @param failures  value serde of the dead-letter topic
     * @param events    metrics hooks
     */
    public static Topology build(PipelineSettings settings, ModelFleet fleet,
                                 Serde<TranslationRequest> requests, Serde<TranslationResult> results,
                                 Serde<TranslationFailure> failures, PipelineEvents events) {
        return build(settings, fleet, requests, results, failures, events, RequestTracer.OFF);
    }

    /**
     * {@link #build(PipelineSettings, ModelFleet, Serde, Serde, Serde, PipelineEvents)} whose requests are traced:
     * {@code tracer} gets each request's timeline as its outcome is forwarded
     */
    public static Topology build(PipelineSettings settings, ModelFleet fleet,
                                 Serde<TranslationRequest> requests, Serde<TranslationResult> results,
                                 Serde<TranslationFailure> failures, PipelineEvents events, RequestTracer tracer) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.BUFFER),
                Serdes.Long(), new EnvelopeSerde()).withCachingEnabled());
        if (settings.memoryEnabled()) {
            builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.MEMORY),
                    Serdes.ByteArray(), new MemoryEntrySerde()).withCachingEnabled());
        }
        KStream<byte[], Envelope> received = builder
                .stream(settings.requestsTopic(), Consumed.with(Serdes.ByteArray(), new EnvelopeSource(requests)).withName("requests"))
                .processValues(() -> new Stamp(settings.headers()), Named.as("stamp"));
        if (settings.repartitionByContent()) {
            received = received
                    .selectKey((key, env) -> contentKey(env), Named.as("key-by-content"))
                    .repartition(Repartitioned.<byte[], Envelope>as("by-content")
                            .withKeySerde(Serdes.ByteArray()).withValueSerde(new EnvelopeSerde()));
        }
        String[] stores = settings.memoryEnabled() ? new String[] {StoreNames.BUFFER, StoreNames.MEMORY} : new String[] {StoreNames.BUFFER};
        KStream<byte[], Outcome> outcomes = received.process(
                () -> new TranslationProcessor(settings, fleet, events, tracer), Named.as("translate"), stores);
        outcomes.filter((k, o) -> o.ok(), Named.as("ok"))
                .mapValues(Outcome::result, Named.as("result"))
                .to(settings.translationsTopic(), Produced.with(Serdes.ByteArray(), results).withName("translations"));
        outcomes.filterNot((k, o) -> o.ok(), Named.as("failed"))
                .mapValues(Outcome::failure, Named.as("failure"))
                .to(settings.failuresTopic(), Produced.with(Serdes.ByteArray(), failures).withName("failures"));
        return builder.build();
    }

    /**
     * The Streams properties this topology relies on: exactly-once by default, and the dead-letter handler for
     * undecodable records. The caller adds its own (bootstrap servers, application id, serde settings) on top.
     */
    public static Map<String, Object> streamsProperties(PipelineSettings settings, String serdeClass) {
        Map<String, Object> p = new HashMap<>();
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class.getName());
        p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, settings.failuresTopic());
        p.put(DeadLetterHandler.SERDE_CLASS_CONFIG, serdeClass);
        p.put(DeadLetterHandler.HEADERS_CONFIG, String.join(",", settings.headers()));
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true); // the 5.0 default; silences a warning
        return p;
    }

    /** the same text with the same model, languages and options gets the same key, whatever the record's key */
    private static byte[] contentKey(Envelope env) {
        TranslationRequest r = env.request();
        if (r == null) {
            return env.key() == null ? new byte[0] : env.key();
        }
        var o = r.getOptions();
        return MemoryKey.of(r.getModel(), r.getSourceLang(), r.getTargetLang(), o == null ? null : o.getNumBeams(),
                o == null ? null : o.getMaxNewTokens(), Segmenter.normalize(r.getText()));
    }

    /** Completes the envelope with the record's key, coordinates and timestamp, before anything can move it. */
    private static final class Stamp implements FixedKeyProcessor<byte[], Envelope, Envelope> {
        /** names of the headers a result or dead letter carries */
        private final java.util.Set<String> headers;
        private FixedKeyProcessorContext<byte[], Envelope> context;

        Stamp(java.util.Set<String> headers) {
            this.headers = headers;
        }

        @Override
        public void init(FixedKeyProcessorContext<byte[], Envelope> context) {
            this.context = context;
        }

        @Override
        public void process(FixedKeyRecord<byte[], Envelope> record) {
            var meta = context.recordMetadata().orElseThrow();
            Envelope e = record.value();
            context.forward(record.withValue(new Envelope(record.key(), e == null ? null : e.rawValue(),
                    e == null ? null : e.request(), meta.topic(), meta.partition(), meta.offset(), record.timestamp(),
                    copied(record.headers(), headers))));
        }
    }

    /** The headers among {@code all} whose names are in {@code allowed}, in their order. */
    public static java.util.List<org.apache.kafka.common.header.Header> copied(
            org.apache.kafka.common.header.Headers all, java.util.Set<String> allowed) {
        java.util.List<org.apache.kafka.common.header.Header> out = new java.util.ArrayList<>();
        if (all != null) {
            for (org.apache.kafka.common.header.Header h : all) {
                if (allowed.contains(h.key())) {
                    out.add(new org.apache.kafka.common.header.internals.RecordHeader(h.key(), h.value()));
                }
            }
        }
        return out;
    }
}
