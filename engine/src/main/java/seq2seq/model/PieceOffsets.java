package seq2seq.model;

import java.text.Normalizer;

/**
 * Where each of SentencePiece's pieces stands in the text it was cut from, for the unknown spans: DJL's binding
 * gives pieces without offsets. A piece is the normalised text (SentencePiece's NFKC rules, "▁" for white space), not
 * always a substring, so the text is put in NFKC here too with each char's origin kept, and each piece is looked for
 * where the previous one ended, white space skipped. A piece not found close by (a rule beyond NFKC, a byte piece)
 * takes as many chars at that place as it has: near enough to name what went missing.
 */
final class PieceOffsets {
    /** how far past the expected place a piece is still looked for */
    private static final int SLACK = 8;

    private PieceOffsets() {
    }

    /** [i] = {start, end}: the chars of {@code text} that piece i came from (start == end for a bare "▁"). */
    static int[][] of(String text, String[] pieces) {
        StringBuilder norm = new StringBuilder(text.length());
        int[] from = new int[text.length() * 2 + 1];
        int[] to = new int[text.length() * 2 + 1];
        for (int j = 0; j < text.length(); ) {
            int cp = text.codePointAt(j);
            int len = Character.charCount(cp);
            String n = Character.isWhitespace(cp) || Character.isSpaceChar(cp) ? " "
                    : Normalizer.normalize(text.substring(j, j + len), Normalizer.Form.NFKC);
            for (int k = 0; k < n.length(); k++) {
                if (norm.length() == from.length) {
                    from = java.util.Arrays.copyOf(from, from.length * 2);
                    to = java.util.Arrays.copyOf(to, to.length * 2);
                }
                from[norm.length()] = j;
                to[norm.length()] = j + len;
                norm.append(n.charAt(k));
            }
            j += len;
        }
        String n = norm.toString();
        int[][] out = new int[pieces.length][];
        int cursor = 0;
        for (int i = 0; i < pieces.length; i++) {
            String core = pieces[i].replace(SentencePieceEncoder.META, " ").strip();
            while (cursor < n.length() && n.charAt(cursor) == ' ') {
                cursor++;
            }
            int here = cursor < n.length() ? from[cursor] : text.length();
            if (core.isEmpty()) {
                out[i] = new int[] {here, here};
                continue;
            }
            int at = n.startsWith(core, cursor) ? cursor : n.indexOf(core, cursor);
            int stop;
            if (at >= 0 && at <= cursor + SLACK) {
                stop = at + core.length();
            } else {
                at = cursor;
                stop = Math.min(n.length(), cursor + core.length());
            }
            out[i] = at < stop ? new int[] {from[at], to[stop - 1]} : new int[] {here, here};
            cursor = stop;
        }
        return out;
    }
}
