package seq2seq.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a tokenized text's unknown pieces, fed in token order, into {@link UnknownSpan}s: pieces next to each other
 * among the text's tokens become one span; whitespace at a span's edges is left out (the model reads white space, it
 * is not what went missing), and a span of white space alone is not reported. The same rule for every tokenizer family.
 */
final class UnknownSpans {
    private final String text;
    private final List<UnknownSpan> spans = new ArrayList<>();
    /** the span being built: its first and last piece index (-1: none), char range and piece count */
    private int first = -1;
    private int last = -1;
    private int start;
    private int end;

    UnknownSpans(String text) {
        this.text = text;
    }

    /** The text token at {@code piece} (its index among the text's tokens) covers chars [from, to) and is unknown. */
    void add(int piece, int from, int to) {
        from = Math.max(0, Math.min(from, text.length()));
        to = Math.max(from, Math.min(to, text.length()));
        if (first >= 0 && piece == last + 1) {
            last = piece;
            start = Math.min(start, from);
            end = Math.max(end, to);
            return;
        }
        close();
        first = piece;
        last = piece;
        start = from;
        end = to;
    }

    /** The spans, in text order. */
    List<UnknownSpan> spans() {
        close();
        return List.copyOf(spans);
    }

    private void close() {
        if (first < 0) {
            return;
        }
        int s = start;
        int e = end;
        while (s < e && isSpace(text.codePointAt(s))) {
            s += Character.charCount(text.codePointAt(s));
        }
        while (e > s && isSpace(text.codePointBefore(e))) {
            e -= Character.charCount(text.codePointBefore(e));
        }
        if (s < e) {
            spans.add(new UnknownSpan(s, e, text.substring(s, e), first, last - first + 1));
        }
        first = -1;
        last = -1;
    }

    private static boolean isSpace(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    /**
     * The spans whose first piece is among the first {@code keep} text tokens (the rest were cut off before the
     * encoder: see {@link Tokenizer#cut}); a span cut through counts only its kept pieces.
     */
    static List<UnknownSpan> kept(List<UnknownSpan> spans, int keep) {
        List<UnknownSpan> out = new ArrayList<>(spans.size());
        for (UnknownSpan s : spans) {
            if (s.firstPiece() < keep) {
                out.add(s.firstPiece() + s.pieces() <= keep ? s
                        : new UnknownSpan(s.start(), s.end(), s.text(), s.firstPiece(), keep - s.firstPiece()));
            }
        }
        return out.size() == spans.size() && out.equals(spans) ? spans : List.copyOf(out);
    }
}
