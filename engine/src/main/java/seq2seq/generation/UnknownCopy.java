package seq2seq.generation;

import seq2seq.model.UnknownSpan;

import java.util.List;

/**
 * Copy-through of source text the model cannot read (emoji, names in a script its vocabulary lacks), on unless a task
 * turns it off: CTranslate2's replace_unknowns without the attention it places a span by (an ONNX export gives none),
 * so the rule is position-free:
 * <ol>
 * <li>a segment that is nothing but unknown spans, white space, punctuation and symbols is its own translation: the
 * model is not run, it has nothing to read;</li>
 * <li>otherwise the n-th unknown token the model generates becomes the n-th unknown span of the source, spaced as the
 * model spaced the token;</li>
 * <li>spans left over (the model generated fewer unknown tokens than the source has spans) are put nowhere: without
 * attention any place is a guess that can break the sentence. They are reported, as every span is
 * ({@link Translation#unknownSpans()}), so a caller sees what the text lacks.</li>
 * </ol>
 */
final class UnknownCopy {
    private UnknownCopy() {
    }

    /** Rule 1: whether {@code text} has nothing the model could read outside its unknown spans. */
    static boolean nothingElseToRead(String text, List<UnknownSpan> spans) {
        if (spans.isEmpty()) {
            return false;
        }
        int at = 0;
        for (UnknownSpan s : spans) {
            if (!onlySpacingAndMarks(text, at, s.start())) {
                return false;
            }
            at = Math.max(at, s.end());
        }
        return onlySpacingAndMarks(text, at, text.length());
    }

    /** Rule 2's fills: the spans' texts in order. */
    static List<String> fills(List<UnknownSpan> spans) {
        return spans.stream().map(UnknownSpan::text).toList();
    }

    /** Whether text[from, to) is only white space, punctuation and symbols. */
    private static boolean onlySpacingAndMarks(String text, int from, int to) {
        for (int i = from; i < to; ) {
            int c = text.codePointAt(i);
            if (!Character.isWhitespace(c) && !Character.isSpaceChar(c) && !isPunctuationOrSymbol(c)) {
                return false;
            }
            i += Character.charCount(c);
        }
        return true;
    }

    private static boolean isPunctuationOrSymbol(int c) {
        return switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
                 Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL, Character.FORMAT, Character.NON_SPACING_MARK,
                 Character.ENCLOSING_MARK -> true;
            default -> false;
        };
    }
}
