package seq2seq.model;

import java.nio.file.Path;
import java.util.Arrays;

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
     */
    record Encoded(long[] ids, boolean truncated, int fullLength, int textTokens) {
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

    @Override
    void close();

    /**
     * Cuts ids = lead specials + text + trail specials to maxTokens, keeping the specials and the start of the text
     * (the rule {@link #encode(String, int)} documents).
     */
    static Encoded cut(long[] ids, int lead, int trail, int maxTokens) {
        int text = ids.length - lead - trail;
        if (ids.length <= maxTokens) {
            return new Encoded(ids, false, ids.length, text);
        }
        int keep = Math.max(0, maxTokens - lead - trail);
        long[] cut = new long[Math.min(ids.length, lead + keep + trail)];
        System.arraycopy(ids, 0, cut, 0, lead + keep);
        System.arraycopy(ids, ids.length - trail, cut, lead + keep, trail);
        long[] kept = cut.length > maxTokens ? Arrays.copyOf(cut, maxTokens) : cut;
        return new Encoded(kept, true, ids.length, Math.min(keep, text));
    }
}
