package seq2seq.model;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Text to encoder ids and generated ids to text, for one model folder; thread-safe. {@link #load(Path)} picks the
 * implementation from the files present (see {@link TokenizerLayout}).
 */
public interface Tokenizer extends AutoCloseable {

    /**
     * A tokenized source.
     *
     * @param ids        token ids for the encoder, special tokens included
     * @param truncated  the text was longer than the limit and was cut (special tokens kept)
     * @param fullLength the length before truncation
     * @param textTokens tokens that are not special tokens (0: nothing to translate)
     * @param unknown    the stretches of the text that became the unknown id, among the tokens kept (offsets into the
     *                   text as given to encode)
     */
    record Encoded(long[] ids, boolean truncated, int fullLength, int textTokens, List<UnknownSpan> unknown) {
        public Encoded {
            unknown = List.copyOf(unknown);
        }

        /** Without unknown stretches. */
        public Encoded(long[] ids, boolean truncated, int fullLength, int textTokens) {
            this(ids, truncated, fullLength, textTokens, List.of());
        }

        /** The unknown pieces the encoder gets: those of the spans (white space alone is not counted). */
        public int unknownPieces() {
            return unknown.stream().mapToInt(UnknownSpan::pieces).sum();
        }
    }

    /** The tokenizer of a model folder: tokenizer.json, or the Marian or M2M100 SentencePiece files. */
    static Tokenizer load(Path bundleDir) {
        Path dir = bundleDir.toAbsolutePath().normalize();
        TokenizerLayout layout = TokenizerLayout.detect(dir);
        return switch (layout) {
            case HF_JSON -> HfJsonTokenizer.load(dir, dir.resolve(TokenizerLayout.TOKENIZER_JSON));
            case MARIAN, M2M100 -> SentencePieceTokenizer.load(dir, layout);
        };
    }

    /** Token ids with special tokens (the model's default source language where it has one), without truncation. */
    long[] ids(String text);

    /**
     * Tokenizes and cuts to maxTokens: leading and trailing special tokens (e.g. a language code, "&lt;/s&gt;") stay,
     * the text's tokens in between are cut at the end.
     */
    default Encoded encode(String text, int maxTokens) {
        return encode(text, null, maxTokens);
    }

    /**
     * As {@link #encode(String, int)} with the source-language token of sourceLang ("en", "__en__", "eng_Latn"); null:
     * the model's default. Models without source-language tokens ignore it.
     *
     * @throws IllegalArgumentException when the model has language tokens but none for sourceLang
     */
    Encoded encode(String text, String sourceLang, int maxTokens);

    /**
     * The id of a token the tokenizer matches as a whole (an added token such as NLLB's "deu_Latn" or M2M100's
     * "__de__"), or null when the text is not one such token.
     */
    Integer tokenId(String token);

    /** Text of generated ids, special tokens left out. */
    String decode(long[] ids);

    /**
     * As {@link #decode(long[])}, except that each unknown id among {@code ids} (the model's "&lt;unk&gt;", which decode
     * leaves out) becomes the next of {@code fills}, in order, spaced as the unknown token itself would be; unknown ids
     * beyond the fills are left out. With no fills it is decode.
     */
    String decode(long[] ids, List<String> fills);

    @Override
    void close();

    /**
     * Cuts ids = lead specials + text + trail specials to maxTokens, keeping the specials and the start of the text
     * (the rule {@link #encode(String, int)} documents).
     */
    static Encoded cut(long[] ids, int lead, int trail, int maxTokens) {
        return cut(ids, lead, trail, maxTokens, List.of());
    }

    /** As {@link #cut(long[], int, int, int)}, keeping the unknown spans of the text tokens kept. */
    static Encoded cut(long[] ids, int lead, int trail, int maxTokens, List<UnknownSpan> unknown) {
        int text = ids.length - lead - trail;
        if (ids.length <= maxTokens) {
            return new Encoded(ids, false, ids.length, text, unknown);
        }
        int keep = Math.max(0, maxTokens - lead - trail);
        long[] cut = new long[Math.min(ids.length, lead + keep + trail)];
        System.arraycopy(ids, 0, cut, 0, lead + keep);
        System.arraycopy(ids, ids.length - trail, cut, lead + keep, trail);
        long[] kept = cut.length > maxTokens ? Arrays.copyOf(cut, maxTokens) : cut;
        int keptText = Math.min(keep, text);
        return new Encoded(kept, true, ids.length, keptText, UnknownSpans.kept(unknown, keptText));
    }
}
