package seq2seq.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's first command, in-process: broker, registry, model, samples and typed lines (from a file here). */
@Timeout(300)
class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void theDemoTranslatesTheSamplesAndTheInputThroughTheRealTopics() throws Exception {
        Path input = dir.resolve("typed.txt");
        Files.writeString(input, "The house is small.\n\nWhere is the station?\n");
        StringWriter out = new StringWriter();
        int rc = Main.commandLine().setOut(new PrintWriter(out, true))
                .execute("demo", "--model", FailoverTest.TINY_MODEL.toString(), "--input", input.toString());
        String text = out.toString();
        assertEquals(0, rc, text);
        assertTrue(text.contains("ready after"), text);
        List<String> samples = DemoCommand.samples();
        for (int i = 1; i <= samples.size(); i++) {
            assertTrue(text.contains(String.format("[sample-%02d] ", i)), "sample " + i + " answered:\n" + text);
        }
        for (int i = 1; i <= 5; i++) {
            String again = String.format("[again-%02d] ", i);
            int at = text.indexOf(again);
            assertTrue(at >= 0, again + "answered:\n" + text);
            int lineEnd = text.indexOf('\n', at);
            String answer = text.substring(lineEnd + 1, text.indexOf('\n', lineEnd + 1));
            assertTrue(answer.contains("=>") && answer.contains("from memory"), again + "comes from the memory: " + answer);
        }
        assertTrue(text.contains("[too-long] dead letter TOO_LONG"), text);
        assertTrue(text.contains("[undecodable] dead letter DESERIALIZATION"), text);
        assertTrue(text.contains("[input-001] The house is small."), text);
        assertTrue(text.contains("[input-002] Where is the station?"), text);
        assertTrue(!text.contains("no answer within"), text);
    }
}
