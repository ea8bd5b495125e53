package seq2seq.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import seq2seq.service.config.AppConfig;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's first command, in-process: broker, registry, models, samples and typed lines (from a file here); with
 * one model, and with a summarizer beside it (a replica of the tiny model whose seq2seq.json turns segmentation off).
 */
@Timeout(300)
class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void theDemoTranslatesTheSamplesAndTheInputThroughTheRealTopics() throws Exception {
        String text = demo("--model", FailoverTest.TINY_MODEL.toString());
        List<String> samples = DemoCommand.samples();
        for (int i = 1; i <= samples.size(); i++) {
            assertTrue(text.contains(String.format("[sample-%02d] ", i)), "sample " + i + " answered:\n" + text);
        }
        for (int i = 1; i <= 5; i++) {
            String answer = answerOf(text, String.format("again-%02d", i));
            assertTrue(answer.contains("=>") && answer.contains("from memory"), i + " comes from the memory: " + answer);
        }
        assertTrue(text.contains("[too-long] dead letter TOO_LONG"), text);
        assertTrue(text.contains("[undecodable] dead letter DESERIALIZATION"), text);
        assertTrue(text.contains("[input-001] The house is small."), text);
        assertTrue(text.contains("[input-002] Where is the station?"), text);
        assertTrue(answerOf(text, "sample-01").contains("(tiny, "), text);
        assertFalse(text.contains("[summary-"), "one model: no summary samples\n" + text);
        assertFalse(text.contains("no answer within"), text);
    }

    @Test
    void withASummarizerTheDescriptionsGoToItByNameAndEverythingElseToTheDefault() throws Exception {
        String text = demo("--model", FailoverTest.TINY_MODEL.toString(), "--summarizer", tinySummarizer().toString());
        for (String id : List.of("sample-01", "sample-20", "again-01", "input-001")) {
            assertTrue(answerOf(text, id).contains("(tiny, "), id + " is answered by the default model:\n" + text);
        }
        List<String> descriptions = DemoCommand.summaries();
        assertTrue(descriptions.size() >= 2, "the demo has sample descriptions: " + descriptions);
        for (int i = 1; i <= descriptions.size(); i++) {
            String id = String.format("summary-%02d", i);
            assertTrue(answerOf(text, id).contains("(tiny-summarize, "), id + " is answered by the summarizer:\n" + text);
        }
        assertTrue(text.contains("[too-long] dead letter TOO_LONG"), text);
        assertFalse(text.contains("no answer within"), text);
    }

    @Test
    void withoutOptionsTheDemoServesBothShippedModelsWithTheTranslatorAsDefault() throws IOException {
        DemoModels served = DemoModels.choose(null, null);
        assertEquals(Path.of("models/s2s-en-de-small"), served.translator());
        assertEquals(DemoModels.SHIPPED_SUMMARIZER, served.summarizer());
        AppConfig config = AppConfig.of(served.settings());
        assertEquals(List.of("s2s-en-de-small", "s2s-summarize-small"),
                config.models().stream().map(AppConfig.ModelSpec::name).toList());
        assertEquals("s2s-en-de-small", config.defaultModel());
        assertEquals("s2s-summarize-small", served.summarizerName());
    }

    @Test
    void withAModelFolderTheDemoServesThatModelAlone() throws IOException {
        DemoModels served = DemoModels.choose(FailoverTest.TINY_MODEL, null);
        assertNull(served.summarizer());
        assertEquals(Map.of("model.dir", FailoverTest.TINY_MODEL.toString()), served.settings());
        Path sameName = dir.resolve("other").resolve("tiny");
        assertThrows(IllegalArgumentException.class, () -> DemoModels.choose(FailoverTest.TINY_MODEL, sameName));
    }

    /** Runs `demo` with these options and two typed lines (one blank between them); its output, after exit 0. */
    private String demo(String... options) throws IOException {
        Path input = dir.resolve("typed.txt");
        Files.writeString(input, "The house is small.\n\nWhere is the station?\n");
        StringWriter out = new StringWriter();
        String[] args = Stream.concat(Stream.of("demo"), Stream.concat(Stream.of(options), Stream.of("--input", input.toString())))
                .toArray(String[]::new);
        int rc = Main.commandLine().setOut(new PrintWriter(out, true)).execute(args);
        String text = out.toString();
        assertEquals(0, rc, text);
        assertTrue(text.contains("ready after"), text);
        return text;
    }

    /** The line under {@code [id]}: "=> answer (model, N ms[, from memory])". */
    private static String answerOf(String text, String id) {
        int at = text.indexOf("[" + id + "] ");
        assertTrue(at >= 0, id + " answered:\n" + text);
        int lineEnd = text.indexOf('\n', at);
        String answer = text.substring(lineEnd + 1, text.indexOf('\n', lineEnd + 1));
        assertTrue(answer.contains("=>"), id + " has an answer line: " + answer);
        return answer;
    }

    /** testdata/models/tiny linked file by file into tiny-summarize/, with a seq2seq.json that turns segmentation off. */
    private Path tinySummarizer() throws IOException {
        Path bundle = Files.createDirectory(dir.resolve("tiny-summarize"));
        try (Stream<Path> files = Files.list(FailoverTest.TINY_MODEL.toAbsolutePath())) {
            for (Path f : files.toList()) {
                Files.createSymbolicLink(bundle.resolve(f.getFileName()), f);
            }
        }
        Files.writeString(bundle.resolve("seq2seq.json"), "{\"segment_sentences\": false}");
        return bundle;
    }
}
