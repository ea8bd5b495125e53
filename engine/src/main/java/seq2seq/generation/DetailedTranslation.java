package seq2seq.generation;

/**
 * A {@link Translation} with the token ids behind it (for `translate --json`, tests and benchmarks).
 *
 * @param translation  what {@link Translator#translate} returns
 * @param sourceIds    encoder input ids (after truncation); empty when nothing was run
 * @param outputIds    generated ids of the best hypothesis, without start and end markers
 */
public record DetailedTranslation(Translation translation, long[] sourceIds, int[] outputIds) {
}
