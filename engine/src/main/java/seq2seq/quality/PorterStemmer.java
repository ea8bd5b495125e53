package seq2seq.quality;

import java.util.List;
import java.util.Map;

/**
 * The Porter stemmer as NLTK's {@code PorterStemmer()} runs it by default (mode NLTK_EXTENSIONS), the stemmer that
 * Google's rouge-score applies with {@code use_stemmer=True}: Porter's five steps, plus NLTK's irregular forms,
 * "ies"/"ied" of four letters to "ie", "y" to "i" only after a consonant that is not the first letter, "alli" to "al"
 * before the rest of step 2, "fulli" and "logi", and the one-vowel-one-consonant rule for two-letter stems.
 * Written from the published algorithm and NLTK's documented differences; expects a lower-case word.
 */
final class PorterStemmer {
    private static final Map<String, String> IRREGULAR = Map.ofEntries(
            Map.entry("skies", "sky"), Map.entry("sky", "sky"), Map.entry("dying", "die"), Map.entry("lying", "lie"),
            Map.entry("tying", "tie"), Map.entry("news", "news"), Map.entry("innings", "inning"),
            Map.entry("inning", "inning"), Map.entry("outings", "outing"), Map.entry("outing", "outing"),
            Map.entry("cannings", "canning"), Map.entry("canning", "canning"), Map.entry("howe", "howe"),
            Map.entry("proceed", "proceed"), Map.entry("exceed", "exceed"), Map.entry("succeed", "succeed"));

    /** What a rule asks of the stem left once its suffix is off. */
    private interface Condition {
        boolean test(String stem);
    }

    /** A suffix and its replacement; the first rule whose suffix ends the word decides, met or not. */
    private record Rule(String suffix, String replacement, Condition condition) {
    }

    private static final Condition ANY = stem -> true;
    private static final Condition POSITIVE = stem -> measure(stem) > 0;
    private static final Condition ABOVE_ONE = stem -> measure(stem) > 1;

    private static final List<Rule> STEP1A = List.of(new Rule("sses", "ss", ANY), new Rule("ies", "i", ANY),
            new Rule("ss", "ss", ANY), new Rule("s", "", ANY));
    private static final List<Rule> STEP2 = List.of(
            new Rule("ational", "ate", POSITIVE), new Rule("tional", "tion", POSITIVE), new Rule("enci", "ence", POSITIVE),
            new Rule("anci", "ance", POSITIVE), new Rule("izer", "ize", POSITIVE), new Rule("bli", "ble", POSITIVE),
            new Rule("alli", "al", POSITIVE), new Rule("entli", "ent", POSITIVE), new Rule("eli", "e", POSITIVE),
            new Rule("ousli", "ous", POSITIVE), new Rule("ization", "ize", POSITIVE), new Rule("ation", "ate", POSITIVE),
            new Rule("ator", "ate", POSITIVE), new Rule("alism", "al", POSITIVE), new Rule("iveness", "ive", POSITIVE),
            new Rule("fulness", "ful", POSITIVE), new Rule("ousness", "ous", POSITIVE), new Rule("aliti", "al", POSITIVE),
            new Rule("iviti", "ive", POSITIVE), new Rule("biliti", "ble", POSITIVE), new Rule("fulli", "ful", POSITIVE),
            // NLTK keeps the "l" with the stem here, so short stems such as "geo" and "theo" qualify
            new Rule("logi", "log", stem -> measure(stem + "l") > 0));
    private static final List<Rule> STEP3 = List.of(new Rule("icate", "ic", POSITIVE), new Rule("ative", "", POSITIVE),
            new Rule("alize", "al", POSITIVE), new Rule("iciti", "ic", POSITIVE), new Rule("ical", "ic", POSITIVE),
            new Rule("ful", "", POSITIVE), new Rule("ness", "", POSITIVE));
    private static final List<Rule> STEP4 = List.of(new Rule("al", "", ABOVE_ONE), new Rule("ance", "", ABOVE_ONE),
            new Rule("ence", "", ABOVE_ONE), new Rule("er", "", ABOVE_ONE), new Rule("ic", "", ABOVE_ONE),
            new Rule("able", "", ABOVE_ONE), new Rule("ible", "", ABOVE_ONE), new Rule("ant", "", ABOVE_ONE),
            new Rule("ement", "", ABOVE_ONE), new Rule("ment", "", ABOVE_ONE), new Rule("ent", "", ABOVE_ONE),
            new Rule("ion", "", stem -> measure(stem) > 1 && (stem.endsWith("s") || stem.endsWith("t"))),
            new Rule("ou", "", ABOVE_ONE), new Rule("ism", "", ABOVE_ONE), new Rule("ate", "", ABOVE_ONE),
            new Rule("iti", "", ABOVE_ONE), new Rule("ous", "", ABOVE_ONE), new Rule("ive", "", ABOVE_ONE),
            new Rule("ize", "", ABOVE_ONE));

    private PorterStemmer() {
    }

    static String stem(String word) {
        String irregular = IRREGULAR.get(word);
        if (irregular != null) {
            return irregular;
        }
        if (word.length() <= 2) {
            return word;
        }
        String w = step1a(word);
        w = step1b(w);
        w = step1c(w);
        w = step2(w);
        w = apply(w, STEP3);
        w = apply(w, STEP4);
        w = step5a(w);
        return w.endsWith("ll") && measure(w.substring(0, w.length() - 1)) > 1 ? w.substring(0, w.length() - 1) : w;
    }

    private static String step1a(String w) {
        if (w.endsWith("ies") && w.length() == 4) {
            return cut(w, 3) + "ie";
        }
        return apply(w, STEP1A);
    }

    private static String step1b(String w) {
        if (w.endsWith("ied")) {
            return cut(w, 3) + (w.length() == 4 ? "ie" : "i");
        }
        if (w.endsWith("eed")) {
            String stem = cut(w, 3);
            return measure(stem) > 0 ? stem + "ee" : w;
        }
        String stem;
        if (w.endsWith("ed") && hasVowel(cut(w, 2))) {
            stem = cut(w, 2);
        } else if (w.endsWith("ing") && hasVowel(cut(w, 3))) {
            stem = cut(w, 3);
        } else {
            return w;
        }
        if (stem.endsWith("at") || stem.endsWith("bl") || stem.endsWith("iz")) {
            return stem + "e";
        }
        if (endsDoubleConsonant(stem)) {
            char last = stem.charAt(stem.length() - 1);
            return last == 'l' || last == 's' || last == 'z' ? stem : cut(stem, 1);
        }
        return measure(stem) == 1 && endsCvc(stem) ? stem + "e" : stem;
    }

    private static String step1c(String w) {
        if (w.endsWith("y")) {
            String stem = cut(w, 1);
            return stem.length() > 1 && isConsonant(stem, stem.length() - 1) ? stem + "i" : w;
        }
        return w;
    }

    private static String step2(String w) {
        if (w.endsWith("alli") && measure(cut(w, 4)) > 0) {
            return step2(cut(w, 4) + "al");
        }
        return apply(w, STEP2);
    }

    private static String step5a(String w) {
        if (w.endsWith("e")) {
            String stem = cut(w, 1);
            int m = measure(stem);
            if (m > 1 || (m == 1 && !endsCvc(stem))) {
                return stem;
            }
        }
        return w;
    }

    private static String apply(String w, List<Rule> rules) {
        for (Rule r : rules) {
            if (w.endsWith(r.suffix())) {
                String stem = cut(w, r.suffix().length());
                return r.condition().test(stem) ? stem + r.replacement() : w;
            }
        }
        return w;
    }

    private static String cut(String w, int n) {
        return w.substring(0, w.length() - n);
    }

    /** a, e, i, o, u are vowels; y is a vowel after a consonant, a consonant first or after a vowel. */
    static boolean isConsonant(String w, int i) {
        char c = w.charAt(i);
        if (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u') {
            return false;
        }
        if (c == 'y') {
            return i == 0 || !isConsonant(w, i - 1);
        }
        return true;
    }

    /** m in [C](VC){m}[V]: the number of vowel-consonant sequences. */
    static int measure(String w) {
        int m = 0;
        boolean prevVowel = false;
        for (int i = 0; i < w.length(); i++) {
            boolean vowel = !isConsonant(w, i);
            if (!vowel && prevVowel) {
                m++;
            }
            prevVowel = vowel;
        }
        return m;
    }

    private static boolean hasVowel(String w) {
        for (int i = 0; i < w.length(); i++) {
            if (!isConsonant(w, i)) {
                return true;
            }
        }
        return false;
    }

    private static boolean endsDoubleConsonant(String w) {
        int n = w.length();
        return n >= 2 && w.charAt(n - 1) == w.charAt(n - 2) && isConsonant(w, n - 1);
    }

    /** consonant-vowel-consonant at the end, the last not w, x or y; or (NLTK) a two-letter vowel-consonant word */
    private static boolean endsCvc(String w) {
        int n = w.length();
        if (n >= 3 && isConsonant(w, n - 3) && !isConsonant(w, n - 2) && isConsonant(w, n - 1)) {
            char last = w.charAt(n - 1);
            return last != 'w' && last != 'x' && last != 'y';
        }
        return n == 2 && !isConsonant(w, 0) && isConsonant(w, 1);
    }
}
