package seq2seq.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The bundle's tokenizer.json (through DJL's binding of Hugging Face tokenizers); thread-safe. A source language
 * replaces the language token of tokenizer.json's template; a template without one (one-pair models) ignores it. NLLB
 * (tokenizer_config.json's tokenizer_class Nllb*) places it as NllbTokenizerFast does from legacy_behaviour:
 * false: "lang text &lt;/s&gt;", true: "text &lt;/s&gt; lang", whatever the saved template says.
 * <p>
 * The unknown token is the model section's (Unigram's unk_id, BPE's, WordPiece's or WordLevel's unk_token); a
 * byte-level BPE has none and maps every text. The native side reports token offsets in code points, which
 * {@link #encode} turns into the chars of a Java string.
 */
public final class HfJsonTokenizer implements Tokenizer {
    /** special tokens that name a language: M2M100 "__en__", NLLB "eng_Latn", mBART "en_XX" */
    private static final Pattern LANGUAGE_TOKEN = Pattern.compile("__[a-z]{2,3}__|[a-z]{2,3}_[A-Z][a-zA-Z]{1,3}");

    /** the native tokenizer */
    private final HuggingFaceTokenizer hf;
    /** NLLB: legacy_behaviour (language token last); null for other models */
    private final Boolean nllbLegacy;
    /** the model's unknown token, or null when it has none */
    private final UnknownToken unknown;
    /** added tokens marked special: decode leaves them out */
    private final Set<Long> specialIds;

    /** The unknown token's id and its text (what decode gives for it when special tokens are kept). */
    private record UnknownToken(long id, String content) {
    }

    private HfJsonTokenizer(HuggingFaceTokenizer hf, Boolean nllbLegacy, UnknownToken unknown, Set<Long> specialIds) {
        this.hf = hf;
        this.nllbLegacy = nllbLegacy;
        this.unknown = unknown;
        this.specialIds = Set.copyOf(specialIds);
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
        TokenizerJsonSpecials read = TokenizerJsonSpecials.read(tokenizerJson);
        UnknownToken unknown = read.unknownId() == null || read.unknownContent() == null ? null
                : new UnknownToken(read.unknownId(), read.unknownContent());
        try {
            // truncation and padding are ours to do (explicit and reported), so the native side does neither
            return new HfJsonTokenizer(HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of(
                    "addSpecialTokens", "true", "truncation", "false", "padding", "false")), legacy, unknown,
                    read.specialIds());
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
        List<UnknownSpan> unknownSpans = unknownSpans(text, e, ids, special);
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
        return Tokenizer.cut(ids, lead, trail, maxTokens, unknownSpans);
    }

    /**
     * The text's stretches that became the unknown id; pieces numbered from the first text token (the template's
     * special tokens around the text move, the text's tokens stay in order).
     */
    private List<UnknownSpan> unknownSpans(String text, Encoding e, long[] ids, long[] special) {
        int lead = 0;
        while (lead < ids.length && special[lead] == 1) {
            lead++;
        }
        int end = ids.length;
        while (end > lead && special[end - 1] == 1) {
            end--;
        }
        boolean any = false;
        for (int i = lead; i < end && !any && unknown != null; i++) {
            any = ids[i] == unknown.id();
        }
        if (!any) {
            return List.of(); // the usual case: no offsets asked of the native side
        }
        CharSpan[] offsets = e.getCharTokenSpans();
        int[] charAt = text.codePoints().map(Character::charCount).toArray(); // code point -> its chars, summed below
        int[] charIndex = new int[charAt.length + 1];
        for (int c = 0; c < charAt.length; c++) {
            charIndex[c + 1] = charIndex[c] + charAt[c];
        }
        UnknownSpans spans = new UnknownSpans(text);
        for (int i = lead; i < end; i++) {
            if (ids[i] == unknown.id() && offsets[i] != null) {
                int from = charIndex[Math.max(0, Math.min(offsets[i].getStart(), charAt.length))];
                int to = charIndex[Math.max(0, Math.min(offsets[i].getEnd(), charAt.length))];
                spans.add(i - lead, from, to);
            }
        }
        return spans.spans();
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

    /**
     * Decodes with the unknown token kept (the other special tokens taken out first, as decode leaves them out), so
     * that the decoder spaces it like any token, then puts the fills where its text stands. When the other tokens
     * spell the unknown token's text too, the places are ambiguous: plain decode.
     */
    @Override
    public String decode(long[] ids, List<String> fills) {
        if (fills.isEmpty() || unknown == null || unknown.content().isEmpty()) {
            return decode(ids);
        }
        long[] kept = java.util.Arrays.stream(ids).filter(id -> id == unknown.id() || !specialIds.contains(id)).toArray();
        long unknowns = java.util.Arrays.stream(kept).filter(id -> id == unknown.id()).count();
        if (unknowns == 0) {
            return decode(ids);
        }
        String raw = hf.decode(kept, false);
        String marker = unknown.content();
        StringBuilder out = new StringBuilder(raw.length());
        int from = 0;
        int n = 0;
        for (int at = raw.indexOf(marker); at >= 0; at = raw.indexOf(marker, from)) {
            out.append(raw, from, at).append(n < fills.size() ? fills.get(n) : "");
            n++;
            from = at + marker.length();
        }
        if (n != unknowns) {
            return decode(ids);
        }
        return out.append(raw, from, raw.length()).toString();
    }

    @Override
    public void close() {
        hf.close();
    }
}
