package seq2seq.generation;

/**
 * When the engine batch that translated one task ran its phases, on {@link System#nanoTime()}'s clock (the caller
 * turns them into wall-clock times, e.g. for trace spans). The rows of one batch share the encoder and the search, so
 * they share the first two; each row's end is when its text was detokenized.
 *
 * @param encodeStartNanos when the batch's encoder pass started (its sources already tokenized)
 * @param decodeStartNanos when the encoder's output was ready and the search (the decoder's steps) started
 * @param endNanos         when this row's output was detokenized
 */
public record ComputeTimes(long encodeStartNanos, long decodeStartNanos, long endNanos) {
}
