package seq2seq.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The bundle's tokenizer.json (through DJL's binding of Hugging Face tokenizers); thread-safe. A source language
 * replaces the language token of tokenizer.json's template; a template without one (one-pair models) ignores it. NLLB
 * (tokenizer_config.json's tokenizer_class Nllb*) places it as NllbTokenizerFast does from legacy_behaviour:
 * false: "lang text &lt;/s&gt;", true: "text &lt;/s&gt; lang", whatever the saved template says.
 */
public final class HfJsonTokenizer implements Tokenizer {
    /** special tokens that name a language: M2M100 "__en__", NLLB "eng_Latn", mBART "en_XX" */
    private static final Pattern LANGUAGE_TOKEN = Pattern.compile("__[a-z]{2,3}__|[a-z]{2,3}_[A-Z][a-zA-Z]{1,3}");

    /** the native tokenizer */
    private final HuggingFaceTokenizer hf;
    /** NLLB: legacy_behaviour (language token last); null for other models */
    private final Boolean nllbLegacy;

    private HfJsonTokenizer(HuggingFaceTokenizer hf, Boolean nllbLegacy) {
        this.hf = hf;
        this.nllbLegacy = nllbLegacy;
    }

    public static HfJsonTokenizer load(Path bundleDir, Path tokenizerJson) {
        Boolean legacy = null;
        if (Files.isRegularFile(bundleDir.resolve(TokenizerLayout.TOKENIZER_CONFIG))) {
            JsonFile config = JsonFile.read(bundleDir, TokenizerLayout.TOKENIZER_CONFIG);
            String cls = config.optionalText("tokenizer_class");
            if (cls != null && cls.startsWith("Nllb")) {
                Boolean l = config.optionalBoolean("legacy_behaviour");
                legacy = l != null && l; // NllbTokenizer's default is false
            }
        }
        try {
            // truncation and padding are ours to do (explicit and reported), so the native side does neither
            return new HfJsonTokenizer(HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of(
                    "addSpecialTokens", "true", "truncation", "false", "padding", "false")), legacy);
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
        String[] tokens = e.getTokens();
        int at = -1;
        for (int i = 0; i < ids.length && at < 0; i++) {
            if (special[i] == 1 && LANGUAGE_TOKEN.matcher(tokens[i]).matches()) {
                at = i;
            }
        }
        if (at >= 0 && (sourceLang != null || nllbLegacy != null)) {
            long lang = sourceLang != null ? languageId(sourceLang) : ids[at];
            if (nllbLegacy == null) {
                ids[at] = lang; // the template's language token becomes the asked one
            } else {
                long[] rest = new long[ids.length - 1];
                long[] restSpecial = new long[ids.length - 1];
                for (int i = 0, j = 0; i < ids.length; i++) {
                    if (i != at) {
                        rest[j] = ids[i];
                        restSpecial[j++] = special[i];
                    }
                }
                ids = new long[rest.length + 1];
                special = new long[rest.length + 1];
                int off = nllbLegacy ? 0 : 1;
                System.arraycopy(rest, 0, ids, off, rest.length);
                System.arraycopy(restSpecial, 0, special, off, rest.length);
                ids[nllbLegacy ? rest.length : 0] = lang;
                special[nllbLegacy ? rest.length : 0] = 1;
            }
        }
        int lead = 0;
        while (lead < ids.length && special[lead] == 1) {
            lead++;
        }
        int trail = 0;
        while (trail < ids.length - lead && special[ids.length - 1 - trail] == 1) {
            trail++;
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
