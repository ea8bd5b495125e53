package seq2seq.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** The bundle's tokenizer.json (through DJL's binding of Hugging Face tokenizers); thread-safe. */
public final class Tokenizer implements AutoCloseable {

    /**
     * A tokenized source.
     *
     * @param ids        token ids for the encoder, special tokens included
     * @param truncated  the text was longer than the limit and was cut (special tokens kept)
     * @param fullLength the length before truncation
     * @param textTokens tokens that are not special tokens (0: nothing to translate)
     */
    public record Encoded(long[] ids, boolean truncated, int fullLength, int textTokens) {
    }

    /** the native tokenizer */
    private final HuggingFaceTokenizer hf;

    private Tokenizer(HuggingFaceTokenizer hf) {
        this.hf = hf;
    }

    public static Tokenizer load(Path bundleDir, Path tokenizerJson) {
        try {
            // truncation and padding are ours to do (explicit and reported), so the native side does neither
            return new Tokenizer(HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of(
                    "addSpecialTokens", "true", "truncation", "false", "padding", "false")));
        } catch (IOException | RuntimeException e) {
            throw new BundleException(bundleDir, bundleDir.relativize(tokenizerJson).toString(),
                    "cannot load the tokenizer: " + e.getMessage(), e);
        }
    }

    /** Token ids with special tokens, without truncation. */
    public long[] ids(String text) {
        return hf.encode(text, true, false).getIds();
    }

    /**
     * Tokenizes and cuts to maxTokens: leading and trailing special tokens (e.g. a language code, "&lt;/s&gt;") stay,
     * the text's tokens in between are cut at the end.
     */
    public Encoded encode(String text, int maxTokens) {
        Encoding e = hf.encode(text, true, false);
        long[] ids = e.getIds();
        long[] special = e.getSpecialTokenMask();
        int specials = 0;
        for (long s : special) {
            specials += (int) s;
        }
        if (ids.length <= maxTokens) {
            return new Encoded(ids, false, ids.length, ids.length - specials);
        }
        int lead = 0;
        while (lead < ids.length && special[lead] == 1) {
            lead++;
        }
        int trail = 0;
        while (trail < ids.length - lead && special[ids.length - 1 - trail] == 1) {
            trail++;
        }
        int keep = Math.max(0, maxTokens - lead - trail);
        long[] cut = new long[Math.min(ids.length, lead + keep + trail)];
        System.arraycopy(ids, 0, cut, 0, lead + keep);
        System.arraycopy(ids, ids.length - trail, cut, lead + keep, trail);
        long[] kept = cut.length > maxTokens ? Arrays.copyOf(cut, maxTokens) : cut;
        return new Encoded(kept, true, ids.length, Math.min(keep, ids.length - specials));
    }

    /**
     * The id of a token the tokenizer matches as a whole (an added token such as NLLB's "deu_Latn" or M2M100's
     * "__de__"), or null when the text is not one such token.
     */
    public Integer tokenId(String token) {
        Encoding e = hf.encode(token, false, false);
        return e.getIds().length == 1 && token.equals(e.getTokens()[0]) ? (int) e.getIds()[0] : null;
    }

    /** Text of generated ids, special tokens left out. */
    public String decode(long[] ids) {
        return hf.decode(ids, true);
    }

    @Override
    public void close() {
        hf.close();
    }
}
