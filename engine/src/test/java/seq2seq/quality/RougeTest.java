package seq2seq.quality;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RougeTest {
    private static final Rouge PLAIN = new Rouge(false);
    private static final Rouge STEMMED = new Rouge(true);

    private static void assertScore(double p, double r, double f, Rouge.Score s, double delta, String what) {
        assertEquals(p, s.precision(), delta, what + " precision");
        assertEquals(r, s.recall(), delta, what + " recall");
        assertEquals(f, s.f1(), delta, what + " F1");
    }

    /** The examples of rouge-score's README and rouge_scorer_test.py, values as published there. */
    @Test
    void publishedExamples() {
        List<String> target = PLAIN.tokenize("The quick brown fox jumps over the lazy dog");
        List<String> prediction = PLAIN.tokenize("The quick brown dog jumps on the log.");
        assertScore(0.75, 2.0 / 3, 0.7058823529411765, Rouge.rougeN(target, prediction, 1), 1e-12, "README rouge1");
        assertScore(0.625, 5.0 / 9, 0.5882352941176471, Rouge.rougeL(target, prediction), 1e-12, "README rougeL");

        List<String> three = PLAIN.tokenize("testing one two");
        assertScore(1, 1.0 / 3, 0.5, Rouge.rougeN(three, PLAIN.tokenize("testing"), 1), 1e-12, "rouge1");
        assertScore(1, 0.5, 2.0 / 3, Rouge.rougeN(three, PLAIN.tokenize("testing one"), 2), 1e-12, "rouge2");
        assertScore(1, 2.0 / 3, 0.8, Rouge.rougeL(three, PLAIN.tokenize("testing one")), 1e-12, "rougeL consecutive");
        assertScore(1, 2.0 / 3, 0.8, Rouge.rougeL(three, PLAIN.tokenize("testing two")), 1e-12, "rougeL gap");
        for (int n = 1; n <= 2; n++) {
            assertScore(0, 0, 0, Rouge.rougeN(three, PLAIN.tokenize(""), n), 0, "empty prediction rouge" + n);
        }
        assertScore(0, 0, 0, Rouge.rougeL(three, PLAIN.tokenize("")), 0, "empty prediction rougeL");
        assertEquals(3, Rouge.lcs(List.of("1", "2", "3", "4", "5"), List.of("2", "5", "3", "4")));
    }

    /** rouge_scorer_test.py's comparison with ROUGE-1.5.5 (values to 5 places), with and without stemming. */
    @Test
    void agreesWithRouge155() throws IOException {
        JsonNode root = new ObjectMapper().readTree(Path.of("testdata/eval/rouge-155.json").toFile());
        assertEquals(4, root.get("cases").size());
        for (JsonNode c : root.get("cases")) {
            Rouge rouge = c.get("stem").asBoolean() ? STEMMED : PLAIN;
            List<String> t = rouge.tokenize(c.get("target").asText());
            List<String> p = rouge.tokenize(c.get("prediction").asText());
            String name = (rouge.stem() ? "stemmed " : "") + c.get("target").asText().substring(0, 8);
            check(c.get("rouge1"), Rouge.rougeN(t, p, 1), name + " rouge1");
            check(c.get("rouge2"), Rouge.rougeN(t, p, 2), name + " rouge2");
            if (c.has("rougeL")) {
                check(c.get("rougeL"), Rouge.rougeL(t, p), name + " rougeL");
            }
        }
    }

    private static void check(JsonNode recallPrecisionF, Rouge.Score s, String what) {
        assertScore(recallPrecisionF.get(1).asDouble(), recallPrecisionF.get(0).asDouble(), recallPrecisionF.get(2).asDouble(),
                s, 0.5e-5, what);
    }

    @Test
    void tokenizerKeepsOnlyLowerCaseLettersAndDigits() {
        assertEquals(List.of("gnu", "c", "library", "shared", "libraries", "v2", "36"),
                PLAIN.tokenize("GNU C Library: Shared libraries (v2.36)"));
        // non-ASCII letters separate tokens, as rouge-score's [^a-z0-9] does
        assertEquals(List.of("gr", "e", "caf"), PLAIN.tokenize("Grüße, café!"));
        // only tokens longer than 3 characters are stemmed
        assertEquals(List.of("librari", "for", "run", "use", "tool"), STEMMED.tokenize("libraries for running uses tools"));
        assertEquals(List.of(), STEMMED.tokenize(" -- "));
    }

    /** Porter's own sample vocabulary with his output, and NLTK's departures from it. */
    @Test
    void porterStemsAsNltk() {
        String[][] cases = {
                {"caresses", "caress"}, {"ponies", "poni"}, {"caress", "caress"}, {"cats", "cat"}, {"feed", "feed"},
                {"agreed", "agre"}, {"plastered", "plaster"}, {"bled", "bled"}, {"motoring", "motor"}, {"sing", "sing"},
                {"conflated", "conflat"}, {"troubled", "troubl"}, {"sized", "size"}, {"hopping", "hop"},
                {"tanned", "tan"}, {"falling", "fall"}, {"hissing", "hiss"}, {"fizzed", "fizz"}, {"failing", "fail"},
                {"filing", "file"}, {"happy", "happi"}, {"relational", "relat"}, {"conditional", "condit"},
                {"rational", "ration"}, {"valenci", "valenc"}, {"hesitanci", "hesit"}, {"digitizer", "digit"},
                {"conformabli", "conform"}, {"radicalli", "radic"}, {"differentli", "differ"}, {"vileli", "vile"},
                {"analogousli", "analog"}, {"vietnamization", "vietnam"}, {"predication", "predic"},
                {"operator", "oper"}, {"feudalism", "feudal"}, {"decisiveness", "decis"}, {"hopefulness", "hope"},
                {"callousness", "callous"}, {"formaliti", "formal"}, {"sensitiviti", "sensit"},
                {"sensibiliti", "sensibl"}, {"triplicate", "triplic"}, {"formative", "form"}, {"formalize", "formal"},
                {"electriciti", "electr"}, {"electrical", "electr"}, {"hopeful", "hope"}, {"goodness", "good"},
                {"revival", "reviv"}, {"allowance", "allow"}, {"inference", "infer"}, {"airliner", "airlin"},
                {"gyroscopic", "gyroscop"}, {"adjustable", "adjust"}, {"defensible", "defens"}, {"irritant", "irrit"},
                {"replacement", "replac"}, {"adjustment", "adjust"}, {"dependent", "depend"}, {"adoption", "adopt"},
                {"homologou", "homolog"}, {"communism", "commun"}, {"activate", "activ"}, {"angulariti", "angular"},
                {"homologous", "homolog"}, {"effective", "effect"}, {"bowdlerize", "bowdler"}, {"probate", "probat"},
                {"rate", "rate"}, {"cease", "ceas"}, {"controll", "control"}, {"roll", "roll"},
                {"generalizations", "gener"}, {"oscillators", "oscil"},
                // NLTK_EXTENSIONS: irregular forms, four-letter ies/ied, y after a consonant only, logi
                {"skies", "sky"}, {"dying", "die"}, {"news", "news"}, {"ties", "tie"}, {"died", "die"},
                {"cried", "cri"}, {"enjoy", "enjoy"}, {"geology", "geolog"}};
        for (String[] c : cases) {
            assertEquals(c[1], PorterStemmer.stem(c[0]), c[0]);
        }
    }

    @Test
    void corpusIsTheMeanOfTheBestReferencePerLine() {
        List<String> hyps = List.of("a b c", "x y");
        Rouge.Result r = PLAIN.corpus(hyps, List.of(List.of("a b c", "z"), List.of("a b d", "x y")));
        // line 1: identical to its first reference; line 2: no overlap with "z", identical to its second
        assertEquals(100.0, r.rouge1(), 1e-12);
        assertEquals(100.0, r.rougeL(), 1e-12);
        Rouge.Result one = PLAIN.corpus(hyps, List.of(List.of("a b d", "q")));
        // line 1: 2 of 3 unigrams (F 2/3), 1 of 2 bigrams (F 1/2), LCS 2 (F 2/3); line 2: nothing
        assertEquals(100.0 / 3, one.rouge1(), 1e-9);
        assertEquals(100.0 / 4, one.rouge2(), 1e-9);
        assertEquals(100.0 / 3, one.rougeL(), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> PLAIN.corpus(hyps, List.of(List.of("only one"))));
    }

    @Test
    void leadBaselineCutsTheFirstSentence() {
        LeadBaseline lead = new LeadBaseline(4);
        assertEquals("Tool for managing the", lead.summarize("Tool for managing the device DAX subsystem. It is small."));
        assertEquals("A B.", lead.summarize(" A B. C D E F"));
        assertEquals("Version 1.2 is out!", lead.summarize("Version 1.2 is out! More"));
        assertEquals("", new LeadBaseline(3).summarize(""));
        assertThrows(IllegalArgumentException.class, () -> new LeadBaseline(0));
    }
}
