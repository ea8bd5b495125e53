package seq2seq.tools.eval;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TranslationMemoryTest {

    @Test
    void trigramsAreLowerCasedSpaceNormalisedAndPadded() {
        assertEquals(Set.of(" ab", "ab ", "b c", " c ", "c d", " d "), TranslationMemory.trigrams("AB \u00a0c\td"));
        assertEquals(Set.of("  "), TranslationMemory.trigrams(""));
    }

    @Test
    void picksTheMostSimilarSourceAndTheEarliestOnATie() {
        TranslationMemory tm = TranslationMemory.build(
                List.of("open the file", "a dog ran away", "Open the file", "close the window"),
                List.of("Datei öffnen", "ein Hund lief weg", "Die Datei öffnen", "Fenster schließen"));
        List<TranslationMemory.Match> m = tm.lookup(List.of("open the file", "Close the windows", "xyz qqq"));
        assertEquals(0, m.get(0).index()); // exact match twice (case-insensitive): the earlier pair
        assertEquals(1.0, m.get(0).similarity(), 0.0);
        assertEquals("Fenster schließen", m.get(1).target());
        // " close the window " has 16 distinct 3-grams; the query adds "ows" and "ws " and drops "ow ": 2*15/(16+17)
        assertEquals(30.0 / 33, m.get(1).similarity(), 1e-12);
        assertEquals(-1, m.get(2).index());
        assertEquals("", m.get(2).target());
        assertEquals(List.of("Datei öffnen", "Fenster schließen", ""), tm.translate(List.of("open the file", "Close the windows", "xyz qqq")));
    }
}
