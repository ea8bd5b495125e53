package seq2seq.streams;

import seq2seq.streams.state.Envelope;
import seq2seq.streams.text.SplitText;

/** A buffered request and its segments' progress. */
final class PendingRequest {
    /** the request as received */
    final Envelope env;
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

    PendingRequest(Envelope env, SplitText split) {
        this.env = env;
        this.split = split;
        this.pieces = new Piece[split.segments().size()];
        this.keys = new byte[pieces.length][];
    }
}
