package seq2seq.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/** The bundle's tokenizer.json (through DJL's binding of Hugging Face tokenizers); thread-safe. */
public final class HfJsonTokenizer implements Tokenizer {
    /** special tokens that name a language: M2M100 "__en__", NLLB "eng_Latn", mBART "en_XX" */
    private static final Pattern LANGUAGE_TOKEN = Pattern.compile("__[a-z]{2,3}__|[a-z]{2,3}_[A-Z][a-zA-Z]{1,3}");

    /** the native tokenizer */
    private final HuggingFaceTokenizer hf;

    private HfJsonTokenizer(HuggingFaceTokenizer hf) {
        this.hf = hf;
    }

    public static HfJsonTokenizer load(Path bundleDir, Path tokenizerJson) {
        try {
            // truncation and padding are ours to do (explicit and reported), so the native side does neither
            return new HfJsonTokenizer(HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of(
                    "addSpecialTokens", "true", "truncation", "false", "padding", "false")));
        } catch (IOException | RuntimeException e) {
            throw new BundleException(bundleDir, bundleDir.relativize(tokenizerJson).toString(),
                    "cannot load the tokenizer: " + e.getMessage(), e);
        }
    }

    @Override
    public long[] ids(String text) {
        return hf.encode(text, true, false).getIds();
    }

    @Override
    public Encoded encode(String text, String sourceLang, int maxTokens) {
        Encoding e = hf.encode(text, true, false);
        long[] ids = e.getIds();
        long[] special = e.getSpecialTokenMask();
        int lead = 0;
        while (lead < ids.length && special[lead] == 1) {
            lead++;
        }
        int trail = 0;
        while (trail < ids.length - lead && special[ids.length - 1 - trail] == 1) {
            trail++;
        }
        if (sourceLang != null) {
            long lang = languageId(sourceLang);
            String[] tokens = e.getTokens();
            int at = -1;
            for (int i = 0; i < ids.length && at < 0; i++) {
                if (special[i] == 1 && LANGUAGE_TOKEN.matcher(tokens[i]).matches()) {
                    at = i;
                }
            }
            if (at >= 0) {
                ids[at] = lang; // the template's language token (NLLB: first; legacy NLLB: last) becomes the asked one
            } else {
                long[] withLang = new long[ids.length + 1];
                withLang[0] = lang;
                System.arraycopy(ids, 0, withLang, 1, ids.length);
                ids = withLang;
                lead++;
            }
        }
        return Tokenizer.cut(ids, lead, trail, maxTokens);
    }

    private long languageId(String lang) {
        Integer id = tokenId(lang);
        if (id == null && !lang.startsWith("__")) {
            id = tokenId("__" + lang + "__");
        }
        if (id == null) {
            throw new IllegalArgumentException("the tokenizer has no token for source language " + lang);
        }
        return id;
    }

    @Override
    public Integer tokenId(String token) {
        Encoding e = hf.encode(token, false, false);
        return e.getIds().length == 1 && token.equals(e.getTokens()[0]) ? (int) e.getIds()[0] : null;
    }

    @Override
    public String decode(long[] ids) {
        return hf.decode(ids, true);
    }

    @Override
    public void close() {
        hf.close();
    }
}
