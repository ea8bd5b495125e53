package seq2seq.model;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A recurrent bundle's tokenizer, from its manifest: one token per character (Unicode code point) or per word (split
 * at white space). A source token not in the vocabulary becomes source.unknown_index (or is left out when the manifest
 * has none) and is counted: {@link #unknownCount()}, {@link #unknownTokens()}. Output ids become the target
 * vocabulary's tokens, the start and stop tokens left out; words are joined with one space. Each encoding also
 * names its unknown tokens and where they stand ({@link Tokenizer.Encoded#unknown()}). Thread-safe.
 */
public final class RecurrentTokenizer implements Tokenizer {
    /** distinct unknown tokens remembered for {@link #unknownTokens()}; beyond this only the total grows */
    private static final int MAX_DISTINCT_UNKNOWN = 1000;
    private static final java.util.regex.Pattern WORD = java.util.regex.Pattern.compile("\\S+");

    private final RecurrentManifest manifest;
    private final Map<String, Integer> sourceIds = new HashMap<>();
    private final LongAdder unknown = new LongAdder();
    private final Map<String, LongAdder> unknownByToken = new ConcurrentHashMap<>();

    private RecurrentTokenizer(RecurrentManifest manifest) {
        this.manifest = manifest;
        List<String> tokens = manifest.sourceTokens;
        for (int i = 0; i < tokens.size(); i++) {
            sourceIds.put(tokens.get(i), manifest.firstIndex + i);
        }
    }

    public static RecurrentTokenizer of(RecurrentManifest manifest) {
        return new RecurrentTokenizer(manifest);
    }

    /** The text's tokens (its characters, or its words) and where each stands: [i] = {start, end}. */
    private record Tokens(String[] text, int[][] at) {
    }

    private Tokens tokens(String text) {
        List<String> out = new java.util.ArrayList<>();
        List<int[]> at = new java.util.ArrayList<>();
        if (manifest.level == RecurrentManifest.Level.CHARACTER) {
            for (int i = 0; i < text.length(); i += Character.charCount(text.codePointAt(i))) {
                int end = i + Character.charCount(text.codePointAt(i));
                out.add(text.substring(i, end));
                at.add(new int[] {i, end});
            }
        } else {
            // the words of text.strip().split("\\s+"), with their places
            String stripped = text.strip();
            int from = stripped.isEmpty() ? 0 : text.indexOf(stripped);
            java.util.regex.Matcher m = WORD.matcher(text).region(from, from + stripped.length());
            while (m.find()) {
                out.add(m.group());
                at.add(new int[] {m.start(), m.end()});
            }
        }
        return new Tokens(out.toArray(String[]::new), at.toArray(int[][]::new));
    }

    @Override
    public long[] ids(String text) {
        return tokenize(text).ids;
    }

    /** @param unknown the text's tokens outside the vocabulary, pieces numbered by their place among the text's tokens */
    private record Tokenized(long[] ids, List<UnknownSpan> unknown) {
    }

    private Tokenized tokenize(String text) {
        Tokens tokens = tokens(text);
        long[] ids = new long[tokens.text.length];
        UnknownSpans unknownSpans = null;
        int n = 0;
        for (int i = 0; i < tokens.text.length; i++) {
            String t = tokens.text[i];
            Integer id = sourceIds.get(t);
            if (id == null) {
                unknown.increment();
                if (unknownByToken.size() < MAX_DISTINCT_UNKNOWN || unknownByToken.containsKey(t)) {
                    unknownByToken.computeIfAbsent(t, k -> new LongAdder()).increment();
                }
                if (unknownSpans == null) {
                    unknownSpans = new UnknownSpans(text);
                }
                // numbered by its place among the text's tokens, so that neighbours merge even when left out
                unknownSpans.add(i, tokens.at[i][0], tokens.at[i][1]);
                if (manifest.unknownIndex == null) {
                    continue; // no unknown id: left out
                }
                id = manifest.unknownIndex;
            }
            ids[n++] = id;
        }
        return new Tokenized(n == ids.length ? ids : Arrays.copyOf(ids, n),
                unknownSpans == null ? List.of() : unknownSpans.spans());
    }

    /** Tokenizes and cuts to maxTokens (a recurrent source has no special tokens to keep). */
    @Override
    public Tokenizer.Encoded encode(String text, int maxTokens) {
        Tokenized t = tokenize(text);
        long[] ids = t.ids;
        if (ids.length <= maxTokens) {
            return new Tokenizer.Encoded(ids, false, ids.length, ids.length, t.unknown);
        }
        return new Tokenizer.Encoded(Arrays.copyOf(ids, maxTokens), true, ids.length, maxTokens,
                UnknownSpans.kept(t.unknown, maxTokens));
    }

    /** As {@link #encode(String, int)}: a recurrent model has no source-language tokens, so sourceLang is ignored. */
    public Tokenizer.Encoded encode(String text, String sourceLang, int maxTokens) {
        return encode(text, maxTokens);
    }

    /** Always null: a recurrent model has no language (or other added) tokens. */
    @Override
    public Integer tokenId(String token) {
        return null;
    }

    /** The target vocabulary has no unknown token: nothing to fill. */
    @Override
    public String decode(long[] ids, List<String> fills) {
        return decode(ids);
    }

    @Override
    public String decode(long[] ids) {
        StringBuilder out = new StringBuilder();
        boolean words = manifest.level == RecurrentManifest.Level.WORD;
        for (long id : ids) {
            if (id == manifest.startIndex || id == manifest.stopIndex) {
                continue;
            }
            if (id < 0 || id >= manifest.targetTokens.size()) {
                throw new IllegalArgumentException("output id " + id + " is outside the target vocabulary [0, "
                        + manifest.targetTokens.size() + ")");
            }
            if (words && !out.isEmpty()) {
                out.append(' ');
            }
            out.append(manifest.targetTokens.get((int) id));
        }
        return out.toString();
    }

    /** Source tokens (characters or words) not in the vocabulary, since this tokenizer was made. */
    public long unknownCount() {
        return unknown.sum();
    }

    /** Each unknown source token seen and how often, most frequent first (the first 1000 distinct ones). */
    public Map<String, Long> unknownTokens() {
        Map<String, Long> out = new LinkedHashMap<>();
        unknownByToken.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue().sum()))
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    @Override
    public void close() {
        // nothing native
    }
}
