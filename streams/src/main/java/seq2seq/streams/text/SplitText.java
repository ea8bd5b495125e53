package seq2seq.streams.text;

import java.util.ArrayList;
import java.util.List;

/**
 * A text cut into segments (sentences) plus the exact whitespace around them, so that translated segments can be
 * put back with the original spacing: {@code gaps[0] + seg[0] + gaps[1] + seg[1] + ... + gaps[n]}.
 *
 * @param segments  the pieces to translate, whitespace-normalised (see {@link Segmenter#normalize})
 * @param gaps      the original whitespace before, between and after the segments; size = segments + 1
 */
public record SplitText(List<String> segments, List<String> gaps) {

    public SplitText {
        if (gaps.size() != segments.size() + 1) {
            throw new IllegalArgumentException("gaps must number segments + 1, got " + gaps.size() + " for " + segments.size());
        }
        segments = List.copyOf(segments);
        gaps = List.copyOf(gaps);
    }

    /** Puts translated segments (same order and number as {@link #segments}) back between the original gaps. */
    public String reassemble(List<String> translated) {
        if (translated.size() != segments.size()) {
            throw new IllegalArgumentException("expected " + segments.size() + " translated segments, got " + translated.size());
        }
        if (segments.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        List<String> parts = new ArrayList<>(translated);
        for (int i = 0; i < parts.size(); i++) {
            out.append(gaps.get(i)).append(parts.get(i));
        }
        return out.append(gaps.get(parts.size())).toString();
    }
}
