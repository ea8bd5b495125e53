package seq2seq.quality;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsTest {
    private static final double TIGHT = 1e-9;

    private static List<List<String>> one(String... refs) {
        return List.of(List.of(refs));
    }

    /** Golden cases written by training/metrics_golden.py (its Python port matches sacreBLEU 2.6.0 to 1e-13). */
    @Test
    void matchesTheGoldenCorpora() throws IOException {
        JsonNode root;
        try (InputStream in = java.nio.file.Files.newInputStream(java.nio.file.Path.of("testdata/eval/metrics-golden.json"))) {
            root = new ObjectMapper().readTree(in);
        }
        assertTrue(root.get("cases").size() >= 10);
        for (JsonNode c : root.get("cases")) {
            List<String> hyps = new ArrayList<>();
            List<String> refs = new ArrayList<>();
            c.get("hypotheses").forEach(n -> hyps.add(n.asText()));
            c.get("references").forEach(n -> refs.add(n.asText()));
            String name = c.get("name").asText();
            Scores s = Scores.of(hyps, List.of(refs));
            assertEquals(c.get("BLEU").asDouble(), s.bleu(), TIGHT, name + " BLEU");
            assertEquals(c.get("chrF").asDouble(), s.chrf(), TIGHT, name + " chrF");
            assertEquals(c.get("chrF++").asDouble(), s.chrfPlusPlus(), TIGHT, name + " chrF++");
        }
    }

    @Test
    void bleuByHand() {
        // 13a: 7 tokens each side; matches 6/7, 4/6, 2/5, 1/4; equal lengths so no brevity penalty
        double expected = 100 * Math.pow(6.0 / 7 * 4 / 6 * 2 / 5 * 1 / 4, 0.25);
        assertEquals(expected, Bleu.corpus(List.of("The cat is on the mat."), one("The cat sat on the mat.")), TIGHT);
        // a 2-token hypothesis of a 4-token reference: 1-grams 2/2, 2-grams 1/1, no 3- or 4-grams (precision 0 counts as log 0)
        assertEquals(0.0, Bleu.corpus(List.of("a b"), one("a b c d")), TIGHT);
        // one 3-gram that misses: exp smoothing gives it 1/(2*1); 4-grams absent; BP = exp(1 - 5/3)
        double p = Math.exp((Math.log(100.0) + Math.log(100.0) + Math.log(100.0 / 2) - 9999999999.0) / 4);
        assertEquals(p * Math.exp(1 - 5.0 / 3), Bleu.corpus(List.of("a b x"), one("a b y z w")), TIGHT);
    }

    @Test
    void tokenizer13a() {
        assertEquals(List.of("Hello", ",", "world", "!", "3.5", "x", "1990", "-", "2000", "\"", "a", "&", "b", "\""),
                Tokenizer13a.tokenize("Hello, world! 3.5 x 1990-2000 &quot;a &amp; b&quot;  "));
        assertEquals(List.of("e", ".", "g", ".", "(", "z", ")"), Tokenizer13a.tokenize("e.g. (z)"));
        // a no-break space separates for Python's split() but is not whitespace for Java's String.trim/split
        assertEquals(List.of("a", "b"), Tokenizer13a.tokenize("a\u00a0b\u3000"));
    }

    @Test
    void chrfByHand() {
        // "ab" vs "abc": 1-grams 2 of 2 match (recall 2/3), 2-grams 1 of 1 (recall 1/2), no hypothesis 3-grams:
        // precision 1, recall 7/12 averaged over the 2 effective orders; F2 = 5PR/(4P+R) = 35/55
        assertEquals(100 * 35.0 / 55, Chrf.CHRF.corpus(List.of("ab"), one("abc")), TIGHT);
        // whitespace is removed before the character n-grams
        assertEquals(100.0, Chrf.CHRF.corpus(List.of("a b c"), one("abc")), TIGHT);
        // chrF++ word n-grams: "ab." splits into "ab" and "."
        assertEquals(List.of("(hi", ")", "ab", ".", "'", "s", "x"), Chrf.words("(hi) ab. 's x"));
    }

    /** Expected values published in sacreBLEU's own tests (test_bleu.py, test_chrf.py), recomputed here. */
    @Test
    void sacrebleuPublishedExamples() {
        List<String> hyps = List.of("The dog bit the man.", "It wasn't surprising.", "The man had just bitten him.");
        List<List<String>> refs = List.of(
                List.of("The dog bit the man.", "It was not unexpected.", "The man bit him first."),
                List.of("The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."));
        assertEquals(48.530827, Bleu.corpus(hyps, refs), 1e-6);
        assertEquals(0.0, Bleu.corpus(List.of("", "", ""), refs), 0.0);
        // compute_bleu on given statistics: correct 9,7,5,3 of 10,8,6,4, lengths 11 and 11
        assertEquals(83.75922397, Bleu.fromStats(new long[] {11, 11, 9, 7, 5, 3, 10, 8, 6, 4}), 1e-6);

        Chrf effBeta3 = new Chrf(6, 0, 3, false, false);
        assertEquals(100.0, effBeta3.corpus(List.of("a"), one("a")), 1e-4);
        assertEquals(0.0, effBeta3.corpus(List.of(""), one("reference")), 1e-4);
        assertEquals(100.0, effBeta3.corpus(List.of("a b c"), one("abc")), 1e-4);
        assertEquals(50.0, effBeta3.corpus(List.of("a", "b"), List.of(List.of("a", "c"))), 1e-4);
        assertEquals(25.0, effBeta3.corpus(List.of("aa"), one("ab")), 1e-4);

        Chrf epsBeta3 = new Chrf(6, 0, 3, true, false);
        assertEquals(8.3333, epsBeta3.corpus(List.of("aa"), one("ab")), 1e-4);
        assertEquals(16.6667, epsBeta3.corpus(List.of("a"), one("a")), 1e-4);
        assertEquals(50.0, epsBeta3.corpus(List.of("a b c"), one("abc")), 1e-4);
        assertEquals(0.0, epsBeta3.corpus(List.of("abcdefg"), one("hijklmnop")), 1e-4);
        assertEquals(63.361730, epsBeta3.corpus(
                List.of(" risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists ."),
                one("risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .")), 1e-4);
        assertEquals(64.1302698, epsBeta3.corpus(
                List.of(" Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. "),
                one("Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.")), 1e-4);

        Chrf keepSpaceBeta3 = new Chrf(6, 0, 3, false, true);
        assertEquals(67.3481606, keepSpaceBeta3.corpus(
                List.of("Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich."),
                one("Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.")), 1e-4);

        Chrf eps = new Chrf(6, 0, 2, true, false);
        assertEquals(39.14078509, eps.corpus(
                List.of("Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře."),
                one("Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.")), 1e-4);
        assertEquals(57.15704367, eps.corpus(
                List.of("Lapali po dechu, jejich životy skončily dřív, než skutečně začaly."),
                one("Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli.")), 1e-4);
    }

    @Test
    void badCorporaAreClearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Scores.of(List.of("a", "b"), one("a")));
        assertTrue(e.getMessage().contains("1 lines but there are 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Scores.of(List.of("a", "b"), one("a", "")));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }
}
