package seq2seq.quality;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lead baseline of summarization: the first sentence of the input, cut to a number of words (the typical
 * length of a reference summary). A sentence ends at ".", "!" or "?" followed by white space or the end.
 *
 * @param words words kept at most (white-space separated)
 */
public record LeadBaseline(int words) {
    private static final Pattern SENTENCE_END = Pattern.compile("[.!?](?=\\s|$)");

    public LeadBaseline {
        if (words < 1) {
            throw new IllegalArgumentException("the lead baseline needs at least 1 word, found " + words);
        }
    }

    public String summarize(String text) {
        String t = text.strip();
        Matcher m = SENTENCE_END.matcher(t);
        String first = m.find() ? t.substring(0, m.end()) : t;
        String[] w = first.split("\\s+");
        return String.join(" ", Arrays.asList(w).subList(0, Math.min(words, w.length)));
    }

    public List<String> summarizeAll(List<String> texts) {
        return texts.stream().map(this::summarize).toList();
    }
}
