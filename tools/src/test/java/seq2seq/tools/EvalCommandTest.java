package seq2seq.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import seq2seq.quality.Scores;
import seq2seq.quality.LeadBaseline;
import seq2seq.quality.Rouge;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalCommandTest {
    private static final Path TINY = Path.of("testdata/models/tiny");

    /** Runs the command line in-process; returns exit code and stdout. */
    private static Object[] run(String... args) {
        StringWriter buf = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(buf, true));
        int rc = cl.execute(args);
        return new Object[] {rc, buf.toString()};
    }

    @Test
    @Timeout(120)
    void scoresTheModelAndTheTranslationMemory(@TempDir Path dir) throws Exception {
        List<String> src = List.of("The file is open.", "Close the window.", "Good morning!", "", "Save the file as ...");
        List<String> ref = List.of("Die Datei ist offen.", "Schließen Sie das Fenster.", "Guten Morgen!", "Nichts.", "Datei speichern unter ...");
        Files.write(dir.resolve("src.en"), src);
        Files.write(dir.resolve("ref.de"), ref);
        Files.write(dir.resolve("tm.en"), List.of("Open the file.", "Close the door.", "Good night!"));
        Files.write(dir.resolve("tm.de"), List.of("Die Datei öffnen.", "Schließen Sie die Tür.", "Gute Nacht!"));
        Object[] r = run("eval", "--model", TINY.toString(), "--beams", "2", "--src", dir.resolve("src.en").toString(),
                "--ref", dir.resolve("ref.de").toString(), "--hyp-out", dir.resolve("hyp.de").toString(),
                "--tm-src", dir.resolve("tm.en").toString(), "--tm-tgt", dir.resolve("tm.de").toString(),
                "--tm-out", dir.resolve("tm-hyp.de").toString(), "--json");
        assertEquals(0, r[0], (String) r[1]);
        JsonNode report = new ObjectMapper().readTree((String) r[1]);
        List<String> hyps = Files.readAllLines(dir.resolve("hyp.de"));
        assertEquals(src.size(), hyps.size());
        assertEquals("", hyps.get(3)); // empty source, empty translation
        Scores model = Scores.of(hyps, List.of(ref));
        assertEquals(model.chrf(), report.get("model").get("chrF").asDouble(), 1e-12);
        assertEquals(model.bleu(), report.get("model").get("BLEU").asDouble(), 1e-12);
        assertEquals(2, report.get("model").get("beams").asInt());
        List<String> tm = Files.readAllLines(dir.resolve("tm-hyp.de"));
        assertEquals(List.of("Die Datei öffnen.", "Schließen Sie die Tür.", "Gute Nacht!", "", "Die Datei öffnen."), tm); // the empty source matches nothing
        assertEquals(Scores.of(tm, List.of(ref)).chrfPlusPlus(), report.get("tm").get("chrF++").asDouble(), 1e-12);
    }

    @Test
    @Timeout(30)
    void scoresAHypothesisFileAsATable(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("hyp"), List.of("The cat is on the mat."));
        Files.write(dir.resolve("ref"), List.of("The cat sat on the mat."));
        Object[] r = run("eval", "--hyp", dir.resolve("hyp").toString(), "--ref", dir.resolve("ref").toString());
        assertEquals(0, r[0]);
        assertTrue(((String) r[1]).contains("BLEU  48.89"), (String) r[1]);
    }

    @Test
    @Timeout(30)
    void scoresSummariesAndTheLeadBaselineWithRouge(@TempDir Path dir) throws Exception {
        List<String> src = List.of("Utilities for managing DAX devices. DAX bypasses the page cache.",
                "A library to parse and write JSON documents quickly! It is small.");
        List<String> ref = List.of("utility for managing the device DAX subsystem", "fast JSON parser library");
        List<String> hyp = List.of("utilities managing DAX devices", "JSON parsing library");
        Files.write(dir.resolve("src"), src);
        Files.write(dir.resolve("ref"), ref);
        Files.write(dir.resolve("hyp"), hyp);
        Object[] r = run("eval", "--rouge", "--stem", "--src", dir.resolve("src").toString(), "--lead", "5",
                "--hyp", dir.resolve("hyp").toString(), "--ref", dir.resolve("ref").toString(), "--json");
        assertEquals(0, r[0], (String) r[1]);
        JsonNode report = new ObjectMapper().readTree((String) r[1]);
        Rouge.Result h = new Rouge(true).corpus(hyp, List.of(ref));
        assertEquals(h.rougeL(), report.get("hyp").get("ROUGE-L").asDouble(), 1e-12);
        assertEquals(h.rouge2(), report.get("hyp").get("ROUGE-2").asDouble(), 1e-12);
        // stemming matches "utilities"/"utility" and "managing"/"managing"; "parsing" and "parser" stay apart
        assertTrue(h.rouge1() > new Rouge(false).corpus(hyp, List.of(ref)).rouge1());
        List<String> lead = new LeadBaseline(5).summarizeAll(src);
        assertEquals(List.of("Utilities for managing DAX devices.", "A library to parse and"), lead);
        assertEquals(new Rouge(true).corpus(lead, List.of(ref)).rouge1(), report.get("lead").get("ROUGE-1").asDouble(), 1e-12);
        assertTrue(report.get("lead").get("stemmed").asBoolean());
        Object[] table = run("eval", "--rouge", "--hyp", dir.resolve("hyp").toString(), "--ref", dir.resolve("ref").toString());
        assertTrue(((String) table[1]).contains("ROUGE-L"), (String) table[1]);
    }

    @Test
    @Timeout(30)
    void badArgumentsExitWith2(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("ref"), List.of("a", "b"));
        Files.write(dir.resolve("hyp"), List.of("a"));
        assertEquals(2, run("eval", "--ref", dir.resolve("ref").toString())[0]);
        assertEquals(2, run("eval", "--hyp", dir.resolve("hyp").toString(), "--ref", dir.resolve("ref").toString())[0]);
        assertEquals(2, run("eval", "--hyp", dir.resolve("nope").toString(), "--ref", dir.resolve("ref").toString())[0]);
        assertEquals(2, run("eval", "--model", dir.resolve("no-model").toString(), "--src", dir.resolve("ref").toString(),
                "--ref", dir.resolve("ref").toString())[0]);
        // --stem only means something with --rouge; --lead needs the sources and at least one word
        assertEquals(2, run("eval", "--stem", "--hyp", dir.resolve("ref").toString(), "--ref", dir.resolve("ref").toString())[0]);
        assertEquals(2, run("eval", "--rouge", "--lead", "8", "--ref", dir.resolve("ref").toString())[0]);
        assertEquals(2, run("eval", "--rouge", "--lead", "0", "--src", dir.resolve("ref").toString(),
                "--ref", dir.resolve("ref").toString())[0]);
    }
}
