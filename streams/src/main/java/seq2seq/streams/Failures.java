package seq2seq.streams;

import seq2seq.avro.FailureReason;
import seq2seq.avro.TranslationFailure;
import seq2seq.streams.state.Envelope;

import java.nio.ByteBuffer;
import java.time.Instant;

/** Builds dead letters: the reason, a message naming the record, and the raw bytes so the record can be replayed. */
public final class Failures {
    /** messages are cut here: an exception message can echo a whole hostile input */
    private static final int MAX_MESSAGE_CHARS = 2_000;

    private Failures() {
    }

    public static TranslationFailure of(FailureReason reason, String message, String id, String topic, int partition,
                                        long offset, byte[] rawKey, byte[] rawValue, long nowMs) {
        String where = topic + "-" + partition + "@" + offset;
        String full = "record " + where + (id == null ? "" : " (id " + id + ")") + ": " + message;
        return TranslationFailure.newBuilder()
                .setId(id)
                .setError(reason)
                .setMessage(full.length() > MAX_MESSAGE_CHARS ? full.substring(0, MAX_MESSAGE_CHARS) + "..." : full)
                .setSourceTopic(topic)
                .setSourcePartition(partition)
                .setSourceOffset(offset)
                .setRawKey(rawKey == null ? null : ByteBuffer.wrap(rawKey))
                .setRawValue(rawValue == null ? null : ByteBuffer.wrap(rawValue))
                .setFailedAt(Instant.ofEpochMilli(nowMs))
                .build();
    }

    public static TranslationFailure of(FailureReason reason, String message, Envelope env, long nowMs) {
        String id = env.request() == null ? null : env.request().getId();
        return of(reason, message, id, env.topic(), env.partition(), env.offset(), env.key(), env.rawValue(), nowMs);
    }
}
