package seq2seq.generation;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import seq2seq.model.UnknownSpan;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Copy-through on the shipped model: what it cannot read is reported with each translation, a sentence of nothing
 * else is its own translation, and nothing the model cannot read disappears without a word.
 */
@Timeout(300)
class UnknownCopyTest {
    private static Engine engine;

    @BeforeAll
    static void load() {
        engine = Engine.load(Path.of("models/s2s-en-de-small"), EngineOptions.builder().numBeams(1).build());
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static Translation translate(String text, boolean copy) {
        Translation t = engine.translate(List.of(new TranslationTask(text, null, null, null, null, copy))).get(0);
        assertNull(t.error(), text);
        return t;
    }

    private static List<String> spans(Translation t) {
        return t.unknownSpans().stream().map(UnknownSpan::text).toList();
    }

    @Test
    void mixedScriptsAreReportedWithTheirOffsets() {
        String text = "Mixed-Skripte: Hello, 你好, مرحبا, 😀.";
        for (boolean copy : List.of(true, false)) {
            Translation t = translate(text, copy);
            assertEquals(List.of("你好", "مرحبا", "😀"), spans(t), "copy " + copy);
            assertEquals(List.of(22, 26, 33), t.unknownSpans().stream().map(UnknownSpan::start).toList());
            assertTrue(t.unknownPieces() >= 3);
            assertTrue(t.outputTokens() > 0, "the model still translates the rest");
            System.out.println("unknown (copy " + copy + "): " + text + " -> " + t.text() + " " + spans(t));
        }
    }

    @Test
    void aSentenceOfNothingButUnknownsIsItsOwnTranslation() {
        for (String text : List.of("🚀🚀🚀", "👍🏽!", "(你好) — 😀 …", "مرحبا")) {
            Translation t = translate(text, true);
            assertEquals(text, t.text(), "copied as it is");
            assertEquals(0, t.outputTokens(), "the model is not run");
            assertFalse(t.unknownSpans().isEmpty());
            Translation off = translate(text, false);
            assertEquals(spans(t), spans(off), "reported the same with copying off");
            assertFalse(off.text().contains(spans(t).get(0)), "without copying the model loses it: " + off.text());
        }
    }

    /** 5 000 emoji: not an empty success. */
    @Test
    void fiveThousandEmojiComeThrough() {
        String alone = "😀".repeat(5_000);
        Translation t = translate(alone, true);
        assertEquals(alone, t.text());
        assertEquals(List.of(alone), spans(t));
        String spaced = "😀 ".repeat(5_000).strip();
        Translation s = translate(spaced, true);
        assertTrue(s.truncated(), "longer than the model's input");
        assertEquals(spaced, s.text(), "white space and the emoji past the cut are nothing the model could read either");
        assertFalse(s.unknownSpans().isEmpty());
        Translation off = translate(alone, false);
        assertEquals(List.of(alone), spans(off), "with copying off the text may be empty, but the result says why");
    }

    @Test
    void readableTextIsUntouched() {
        Translation t = translate("The house is small.", true);
        assertEquals(translate("The house is small.", false).text(), t.text());
        assertEquals(0, t.unknownPieces());
        assertEquals(List.of(), t.unknownSpans());
    }
}
