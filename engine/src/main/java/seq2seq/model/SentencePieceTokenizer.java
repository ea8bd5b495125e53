package seq2seq.model;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The slow (SentencePiece + vocab.json) tokenizers of transformers, for exports without a tokenizer.json:
 * <ul>
 * <li>Marian (opus-mt): source.spm splits the text, each piece is looked up in vocab.json (unknown: the unk id),
 * "&lt;/s&gt;" is appended; a leading "&gt;&gt;xx&lt;&lt;" target-language code is one token. Decoding maps ids through
 * vocab.json (target_vocab.json with separate_vocabs), drops special tokens and joins the pieces with target.spm's
 * rules, trimmed.</li>
 * <li>M2M100: sentencepiece.bpe.model and vocab.json likewise; the source is "__src__ pieces &lt;/s&gt;", the language
 * token's id coming from tokenizer_config.json's added_tokens_decoder or, as M2M100Tokenizer numbers them, from
 * len(vocab.json) + the language's index in the fairseq list ("m2m100" or "wmt21", tokenizer_config's
 * language_codes).</li>
 * </ul>
 * Text that spells a special token ("&lt;/s&gt;") is split into ordinary pieces, as SentencePiece does. A piece
 * vocab.json lacks (SentencePiece's own unknown stretches among them) is the unknown id; its place in the text comes
 * from {@link PieceOffsets}.
 * <p>
 * Longer than most classes: the two families share one piece look-up and one decode, and read side by side with
 * transformers' MarianTokenizer and M2M100Tokenizer, whose behaviour they copy.
 */
public final class SentencePieceTokenizer implements Tokenizer {
    // M2M100Tokenizer's FAIRSEQ_LANGUAGE_CODES (transformers, tokenization_m2m_100.py): the order fixes the ids
    private static final List<String> M2M100_LANGUAGES = List.of("af", "am", "ar", "ast", "az", "ba", "be", "bg", "bn",
            "br", "bs", "ca", "ceb", "cs", "cy", "da", "de", "el", "en", "es", "et", "fa", "ff", "fi", "fr", "fy", "ga",
            "gd", "gl", "gu", "ha", "he", "hi", "hr", "ht", "hu", "hy", "id", "ig", "ilo", "is", "it", "ja", "jv", "ka",
            "kk", "km", "kn", "ko", "lb", "lg", "ln", "lo", "lt", "lv", "mg", "mk", "ml", "mn", "mr", "ms", "my", "ne",
            "nl", "no", "ns", "oc", "or", "pa", "pl", "ps", "pt", "ro", "ru", "sd", "si", "sk", "sl", "so", "sq", "sr",
            "ss", "su", "sv", "sw", "ta", "th", "tl", "tn", "tr", "uk", "ur", "uz", "vi", "wo", "xh", "yi", "yo", "zh",
            "zu");
    private static final List<String> WMT21_LANGUAGES = List.of("en", "ha", "is", "ja", "cs", "ru", "zh", "de");

    private final TokenizerLayout flavour;
    private final SentencePieceEncoder source;
    private final SentencePieceEncoder target;
    /** piece -> id for the source side */
    private final Map<String, Integer> vocab;
    /** id -> piece for decoding (target side) */
    private final Map<Integer, String> decoder;
    private final int eosId;
    private final int unkId;
    /** the unknown token's id in the target vocabulary, or null when it has none */
    private final Integer targetUnkId;
    /** ids decode leaves out */
    private final Set<Integer> specialIds;
    /** tokens tokenId answers: special tokens, language tokens */
    private final Map<String, Integer> wholeTokens;
    /** M2M100: "__en__" -> id; empty for Marian */
    private final Map<String, Integer> languageTokens;
    /** M2M100: the source language when a call names none */
    private final String defaultSourceLang;
    private final boolean cleanUpSpaces;

    private SentencePieceTokenizer(TokenizerLayout flavour, SentencePieceEncoder source, SentencePieceEncoder target,
                                   Map<String, Integer> vocab, Map<Integer, String> decoder, int eosId, int unkId,
                                   Integer targetUnkId, Set<Integer> specialIds, Map<String, Integer> wholeTokens,
                                   Map<String, Integer> languageTokens, String defaultSourceLang, boolean cleanUpSpaces) {
        this.flavour = flavour;
        this.source = source;
        this.target = target;
        this.vocab = vocab;
        this.decoder = decoder;
        this.eosId = eosId;
        this.unkId = unkId;
        this.targetUnkId = targetUnkId;
        this.specialIds = specialIds;
        this.wholeTokens = wholeTokens;
        this.languageTokens = languageTokens;
        this.defaultSourceLang = defaultSourceLang;
        this.cleanUpSpaces = cleanUpSpaces;
    }

    static SentencePieceTokenizer load(Path dir, TokenizerLayout layout) {
        JsonFile config = Files.exists(dir.resolve(TokenizerLayout.TOKENIZER_CONFIG))
                ? JsonFile.read(dir, TokenizerLayout.TOKENIZER_CONFIG)
                : JsonFile.empty(dir, TokenizerLayout.TOKENIZER_CONFIG);
        Map<String, Integer> vocab = readVocab(dir, TokenizerLayout.VOCAB);
        boolean separate = layout == TokenizerLayout.MARIAN && Boolean.TRUE.equals(config.optionalBoolean("separate_vocabs"));
        Map<String, Integer> targetVocab = separate ? readVocab(dir, TokenizerLayout.TARGET_VOCAB) : vocab;
        String eos = tokenText(config, "eos_token", "</s>");
        String unk = tokenText(config, "unk_token", "<unk>");
        String pad = tokenText(config, "pad_token", "<pad>");
        int eosId = requireToken(dir, vocab, eos, "eos_token");
        int unkId = requireToken(dir, vocab, unk, "unk_token");
        Map<String, Integer> whole = new HashMap<>();
        Set<Integer> specials = new HashSet<>();
        List<String> specialTokens = new ArrayList<>(List.of(eos, unk, pad));
        if (layout == TokenizerLayout.M2M100) {
            specialTokens.add(tokenText(config, "bos_token", "<s>"));
            specialTokens.add(tokenText(config, "sep_token", "</s>"));
        }
        if (config.has("additional_special_tokens") && config.root.get("additional_special_tokens").isArray()) {
            for (JsonNode t : config.root.get("additional_special_tokens")) {
                specialTokens.add(t.isTextual() ? t.textValue() : t.path("content").asText());
            }
        }
        for (String t : specialTokens) {
            if (targetVocab.containsKey(t)) {
                specials.add(targetVocab.get(t));
            }
            if (vocab.containsKey(t)) {
                whole.put(t, vocab.get(t));
            }
        }
        Map<String, Integer> languages = new HashMap<>();
        String defaultLang = null;
        if (layout == TokenizerLayout.M2M100) {
            String codes = config.has("language_codes") ? config.optionalText("language_codes") : "m2m100";
            List<String> list = switch (codes) {
                case "m2m100" -> M2M100_LANGUAGES;
                case "wmt21" -> WMT21_LANGUAGES;
                default -> throw config.error("language_codes", "expected \"m2m100\" or \"wmt21\", found \"" + codes + "\"");
            };
            for (int i = 0; i < list.size(); i++) {
                languages.put("__" + list.get(i) + "__", vocab.size() + i);
            }
            // transformers gives saved added tokens (added_tokens_decoder) precedence over its own numbering
            if (config.has("added_tokens_decoder")) {
                JsonNode added = config.root.get("added_tokens_decoder");
                if (!added.isObject()) {
                    throw config.error("added_tokens_decoder", "expected an object of id -> token");
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = added.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String content = e.getValue().path("content").asText("");
                    if (languages.containsKey(content)) {
                        try {
                            languages.put(content, Integer.parseInt(e.getKey()));
                        } catch (NumberFormatException ex) {
                            throw config.error("added_tokens_decoder", "key \"" + e.getKey() + "\" is not a token id");
                        }
                    }
                }
            }
            defaultLang = config.has("src_lang") ? config.optionalText("src_lang") : "en";
            whole.putAll(languages);
            specials.addAll(languages.values());
        } else {
            for (Map.Entry<String, Integer> e : vocab.entrySet()) {
                if (e.getKey().startsWith(">>") && e.getKey().endsWith("<<")) {
                    whole.put(e.getKey(), e.getValue());
                }
            }
        }
        Map<Integer, String> decoder = new HashMap<>();
        targetVocab.forEach((piece, id) -> decoder.put(id, piece));
        boolean cleanUp = Boolean.TRUE.equals(config.optionalBoolean("clean_up_tokenization_spaces"));
        String sourceFile = layout == TokenizerLayout.M2M100 ? TokenizerLayout.M2M100_SPM : TokenizerLayout.SOURCE_SPM;
        SentencePieceEncoder src = SentencePieceEncoder.load(dir, sourceFile);
        SentencePieceEncoder tgt = src;
        try {
            if (layout == TokenizerLayout.MARIAN) {
                tgt = SentencePieceEncoder.load(dir, TokenizerLayout.TARGET_SPM);
            }
        } catch (RuntimeException e) {
            src.close();
            throw e;
        }
        return new SentencePieceTokenizer(layout, src, tgt, vocab, decoder, eosId, unkId, targetVocab.get(unk), specials,
                whole, languages, defaultLang, cleanUp);
    }

    /** vocab.json: a JSON object of piece -> integer id. */
    static Map<String, Integer> readVocab(Path dir, String file) {
        JsonFile json = JsonFile.read(dir, file);
        Map<String, Integer> vocab = new HashMap<>(json.root.size() * 2);
        for (Iterator<Map.Entry<String, JsonNode>> it = json.root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
                throw json.error(e.getKey(), "expected a token id (integer >= 0), found " + v);
            }
            vocab.put(e.getKey(), v.intValue());
        }
        if (vocab.isEmpty()) {
            throw new BundleException(dir, file, "empty vocabulary");
        }
        return vocab;
    }

    private static String tokenText(JsonFile config, String field, String fallback) {
        if (!config.has(field)) {
            return fallback;
        }
        JsonNode n = config.root.get(field);
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isObject() && n.path("content").isTextual()) {
            return n.get("content").textValue(); // AddedToken as saved by transformers
        }
        throw config.error(field, "expected a token string or {\"content\": ...}, found " + n);
    }

    private static int requireToken(Path dir, Map<String, Integer> vocab, String token, String field) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new BundleException(dir, TokenizerLayout.VOCAB, "has no entry for the " + field + " \"" + token
                    + "\" (tokenizer_config.json's " + field + ")");
        }
        return id;
    }

    public TokenizerLayout flavour() {
        return flavour;
    }

    @Override
    public long[] ids(String text) {
        return build(text, null).ids;
    }

    @Override
    public Encoded encode(String text, String sourceLang, int maxTokens) {
        Built b = build(text, sourceLang);
        return Tokenizer.cut(b.ids, b.lead, 1, maxTokens, b.unknown);
    }

    /** @param unknown the text's stretches that became the unknown id */
    private record Built(long[] ids, int lead, List<UnknownSpan> unknown) {
    }

    private Built build(String text, String sourceLang) {
        List<Long> lead = new ArrayList<>(1);
        String whole = text;
        int textStart = 0;
        if (flavour == TokenizerLayout.M2M100) {
            lead.add((long) languageId(sourceLang == null ? defaultSourceLang : sourceLang));
        } else if (text.startsWith(">>")) {
            int end = text.indexOf("<<");
            if (end >= 0) {
                lead.add((long) vocab.getOrDefault(text.substring(0, end + 2), unkId));
                textStart = end + 2;
                text = text.substring(textStart);
            }
        }
        String[] pieces = source.pieces(text);
        long[] ids = new long[lead.size() + pieces.length + 1];
        for (int i = 0; i < lead.size(); i++) {
            ids[i] = lead.get(i);
        }
        boolean anyUnknown = false;
        for (int i = 0; i < pieces.length; i++) {
            ids[lead.size() + i] = vocab.getOrDefault(pieces[i], unkId);
            anyUnknown |= ids[lead.size() + i] == unkId;
        }
        ids[ids.length - 1] = eosId;
        if (!anyUnknown) {
            return new Built(ids, lead.size(), List.of());
        }
        int[][] at = PieceOffsets.of(text, pieces);
        UnknownSpans spans = new UnknownSpans(whole);
        for (int i = 0; i < pieces.length; i++) {
            if (ids[lead.size() + i] == unkId) {
                spans.add(i, textStart + at[i][0], textStart + at[i][1]);
            }
        }
        return new Built(ids, lead.size(), spans.spans());
    }

    private int languageId(String lang) {
        Integer id = languageTokens.get(lang.startsWith("__") ? lang : "__" + lang + "__");
        if (id == null) {
            throw new IllegalArgumentException("the tokenizer has no token for source language " + lang);
        }
        return id;
    }

    @Override
    public Integer tokenId(String token) {
        return wholeTokens.get(token);
    }

    @Override
    public String decode(long[] ids) {
        return decode(ids, List.of());
    }

    /** Each unknown id becomes the next fill as a piece of its own, taken as it is. */
    @Override
    public String decode(long[] ids, List<String> fills) {
        List<String> pieces = new ArrayList<>(ids.length);
        Set<Integer> literal = new HashSet<>();
        int filled = 0;
        for (long id : ids) {
            if (targetUnkId != null && id == targetUnkId && filled < fills.size()) {
                literal.add(pieces.size());
                pieces.add(fills.get(filled++));
                continue;
            }
            // unknown ids read as <unk>, a special token: left out like the others
            if (id < 0 || id > Integer.MAX_VALUE || specialIds.contains((int) id)) {
                continue;
            }
            String p = decoder.get((int) id);
            if (p != null) {
                pieces.add(p);
            }
        }
        String text = target.decodePieces(pieces, literal);
        if (flavour == TokenizerLayout.MARIAN) {
            text = pythonStrip(text);
        }
        return cleanUpSpaces ? cleanUp(text) : text;
    }

    /** str.strip() of Python: its whitespace is wider than Java's. */
    static String pythonStrip(String s) {
        int b = 0, e = s.length();
        while (b < e && pythonSpace(s.charAt(b))) {
            b++;
        }
        while (e > b && pythonSpace(s.charAt(e - 1))) {
            e--;
        }
        return s.substring(b, e);
    }

    private static boolean pythonSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085' || (c >= '\u001c' && c <= '\u001f');
    }

    /** transformers' clean_up_tokenization (when tokenizer_config.json asks for it). */
    static String cleanUp(String s) {
        return s.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",").replace(" ' ", "'")
                .replace(" n't", "n't").replace(" 'm", "'m").replace(" 's", "'s").replace(" 've", "'ve")
                .replace(" 're", "'re");
    }

    @Override
    public void close() {
        if (target != source) {
            target.close();
        }
        source.close();
    }
}
