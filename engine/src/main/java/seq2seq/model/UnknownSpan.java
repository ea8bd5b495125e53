package seq2seq.model;

/**
 * A stretch of a source segment that the tokenizer could only map to its unknown id (emoji, a script the vocabulary
 * lacks): the model cannot read it, so without help it vanishes from the translation.
 *
 * @param start      first char (UTF-16 index) of the stretch in the text that was tokenized
 * @param end        the char after it
 * @param text       the source text of [start, end)
 * @param firstPiece index of its first unknown piece among the text's tokens (special tokens not counted)
 * @param pieces     adjacent unknown pieces merged into this span
 */
public record UnknownSpan(int start, int end, String text, int firstPiece, int pieces) {

    /** This span {@code by} chars earlier: offsets into a text that a prefix of that length was cut from. */
    public UnknownSpan shift(int by) {
        return new UnknownSpan(start - by, end - by, text, firstPiece, pieces);
    }
}
