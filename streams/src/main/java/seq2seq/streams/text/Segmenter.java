package seq2seq.streams.text;

import java.text.BreakIterator;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Splits text into sentences with {@link BreakIterator} (the models are trained on sentences), cuts sentences longer
 * than a character cap at whitespace, and keeps the whitespace between them so the output keeps the input's layout.
 * Not thread-safe (it reuses its break iterators): one per task.
 */
public final class Segmenter {
    private static final Pattern WHITESPACE_RUN = Pattern.compile("\\s+");

    /** a segment longer than this (in chars) is cut at the last whitespace before it, or hard when there is none */
    private final int maxSegmentChars;
    /** sentence iterators by language tag ("" = root); creating one costs more than splitting a sentence */
    private final Map<String, BreakIterator> iterators = new HashMap<>();

    public Segmenter(int maxSegmentChars) {
        if (maxSegmentChars < 1) {
            throw new IllegalArgumentException("maxSegmentChars must be positive, got " + maxSegmentChars);
        }
        this.maxSegmentChars = maxSegmentChars;
    }

    /** NFC, whitespace runs collapsed to one space, trimmed: the form that is translated and keys the memory. */
    public static String normalize(String s) {
        return WHITESPACE_RUN.matcher(Normalizer.normalize(s, Normalizer.Form.NFC)).replaceAll(" ").strip();
    }

    /** @param language source language code or null; picks the sentence rules (abbreviations and the like) */
    public SplitText split(String text, String language) {
        List<String> segments = new ArrayList<>();
        List<String> gaps = new ArrayList<>();
        StringBuilder gap = new StringBuilder();
        String tag = language == null || language.isBlank() ? "" : language;
        BreakIterator sentences = iterators.get(tag);
        if (sentences == null) {
            sentences = sentenceIterator(tag);
            if (iterators.size() < 64) { // requests choose the tag: do not let them grow the cache without bound
                iterators.put(tag, sentences);
            }
        }
        sentences.setText(text);
        int start = sentences.first();
        for (int end = sentences.next(); end != BreakIterator.DONE; start = end, end = sentences.next()) {
            addSentence(text.substring(start, end), segments, gaps, gap);
        }
        gaps.add(gap.toString());
        return new SplitText(segments, gaps);
    }

    /**
     * The whole text as one segment, for models that take it at once (summarization): normalised as a sentence is,
     * not cut; the whitespace around it kept.
     */
    public static SplitText whole(String text) {
        int from = 0;
        int to = text.length();
        while (from < to && Character.isWhitespace(text.charAt(from))) {
            from++;
        }
        while (to > from && Character.isWhitespace(text.charAt(to - 1))) {
            to--;
        }
        if (from == to) {
            return new SplitText(List.of(), List.of(text));
        }
        return new SplitText(List.of(normalize(text.substring(from, to))),
                List.of(text.substring(0, from), text.substring(to)));
    }

    private static BreakIterator sentenceIterator(String tag) {
        return BreakIterator.getSentenceInstance(tag.isEmpty() ? Locale.ROOT : Locale.forLanguageTag(tag));
    }

    private void addSentence(String piece, List<String> segments, List<String> gaps, StringBuilder gap) {
        int from = 0;
        int to = piece.length();
        while (from < to && Character.isWhitespace(piece.charAt(from))) {
            from++;
        }
        while (to > from && Character.isWhitespace(piece.charAt(to - 1))) {
            to--;
        }
        gap.append(piece, 0, from);
        String core = piece.substring(from, to);
        while (!core.isEmpty()) {
            int cut = cutPoint(core);
            gaps.add(gap.toString());
            gap.setLength(0);
            segments.add(normalize(core.substring(0, cut)));
            int next = cut;
            while (next < core.length() && Character.isWhitespace(core.charAt(next))) {
                next++;
            }
            gap.append(core, cut, next);
            core = core.substring(next);
        }
        gap.append(piece, to, piece.length());
    }

    /** End of the first chunk of {@code core} (no leading/trailing whitespace): all of it, or a cut at whitespace. */
    private int cutPoint(String core) {
        if (core.length() <= maxSegmentChars) {
            return core.length();
        }
        for (int i = maxSegmentChars; i > maxSegmentChars / 2; i--) {
            if (Character.isWhitespace(core.charAt(i))) {
                int end = i;
                while (end > 0 && Character.isWhitespace(core.charAt(end - 1))) {
                    end--;
                }
                return end;
            }
        }
        int cut = maxSegmentChars;
        return Character.isLowSurrogate(core.charAt(cut)) && cut > 1 ? cut - 1 : cut; // never split a surrogate pair
    }
}
