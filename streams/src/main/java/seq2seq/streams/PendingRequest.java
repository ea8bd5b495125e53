package seq2seq.streams;

import seq2seq.generation.ModelInfo;
import seq2seq.streams.state.Envelope;
import seq2seq.streams.text.SplitText;

/** A buffered request and its segments' progress. */
final class PendingRequest {
    /** the request as received */
    final Envelope env;
    /** the model version that translates it, counted as in use until forwarded (null: failed before routing) */
    final ModelVersion version;
    /** the same version's info (null likewise) */
    final ModelInfo model;
    /** its segments and the whitespace between them */
    final SplitText split;
    /** per segment: the translation once known */
    final Piece[] pieces;
    /** per segment: memory key */
    final byte[][] keys;
    /** segments still without a translation */
    int missing;
    /** set when the request cannot be translated at all (it is dead-lettered in its turn) */
    String failure;
    /** the dead letter's reason for {@code failure} */
    seq2seq.avro.FailureReason failureReason = seq2seq.avro.FailureReason.INTERNAL;
    /** its way through the instance, for tracing; null while tracing is off */
    RequestTimeline timeline;

    PendingRequest(Envelope env, ModelVersion version, SplitText split) {
        this.env = env;
        this.version = version;
        this.model = version == null ? null : version.info();
        this.split = split;
        this.pieces = new Piece[split.segments().size()];
        this.keys = new byte[pieces.length][];
    }
}
