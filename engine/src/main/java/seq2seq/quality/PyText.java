package seq2seq.quality;

import java.util.ArrayList;
import java.util.List;

/**
 * Python's notion of whitespace and its split/strip, over code points: sacreBLEU is defined by Python's str
 * methods, and Java's {@link Character#isWhitespace} disagrees with them (no-break spaces, U+0085, ...).
 */
public final class PyText {
    private PyText() {
    }

    /** Python's str.isspace() for one code point. */
    static boolean isSpace(int c) {
        return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
                || c == 0x3000;
    }

    /** Python's s.split() with no argument: runs of whitespace separate, no empty pieces. */
    public static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            if (isSpace(c)) {
                if (start >= 0) {
                    out.add(s.substring(start, i));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
            i += Character.charCount(c);
        }
        if (start >= 0) {
            out.add(s.substring(start));
        }
        return out;
    }

    /** Python's s.rstrip(). */
    static String rstrip(String s) {
        int end = s.length();
        while (end > 0) {
            int c = s.codePointBefore(end);
            if (!isSpace(c)) {
                break;
            }
            end -= Character.charCount(c);
        }
        return s.substring(0, end);
    }

    /** ''.join(s.split()): the text with every whitespace character removed. */
    static String removeSpace(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().filter(c -> !isSpace(c)).forEach(b::appendCodePoint);
        return b.toString();
    }

    /** Python's s.lower() for the ASCII-and-beyond cases a translation memory meets (Java's root-locale rules). */
    public static String lower(String s) {
        return s.toLowerCase(java.util.Locale.ROOT);
    }
}
