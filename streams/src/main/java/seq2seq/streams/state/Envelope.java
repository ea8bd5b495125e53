package seq2seq.streams.state;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import seq2seq.avro.TranslationRequest;

import java.util.List;

/**
 * One input record as the pipeline carries it between steps and keeps it in the batch buffer: the decoded request
 * plus what a dead letter or a replay needs (the exact input bytes and where they came from).
 *
 * @param key         the input record's key bytes, copied to the output record (may be null)
 * @param rawValue    the input record's value bytes as they were on the topic (may be null for a tombstone)
 * @param request     the decoded request, or null when the record had no value
 * @param topic       input topic
 * @param partition   input partition
 * @param offset      input offset
 * @param timestamp   input record timestamp (ms), also the output record's timestamp
 * @param headers     the input record's headers that its result or dead letter carries (the allowed ones)
 */
public record Envelope(byte[] key, byte[] rawValue, TranslationRequest request, String topic, int partition, long offset,
                       long timestamp, List<Header> headers) {
    public Envelope {
        headers = List.copyOf(headers);
    }

    /** An envelope without headers. */
    public Envelope(byte[] key, byte[] rawValue, TranslationRequest request, String topic, int partition, long offset,
                    long timestamp) {
        this(key, rawValue, request, topic, partition, offset, timestamp, List.of());
    }

    /** The headers for an output record (a copy: Kafka may add its own to it). */
    public RecordHeaders outputHeaders() {
        return new RecordHeaders(headers.toArray(new Header[0]));
    }
}
