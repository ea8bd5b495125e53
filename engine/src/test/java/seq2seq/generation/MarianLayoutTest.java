package seq2seq.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import seq2seq.model.TokenizerLayout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped default model rewritten by this test into the Marian export layout (as opus-mt folders come from
 * optimum-cli: no tokenizer.json, source.spm + target.spm + vocab.json + tokenizer_config.json, ONNX files at the top
 * level) translates exactly as the model as shipped (tokenizer.json, onnx/): 100 sentences of bench/sentences.en,
 * same input ids, output ids and text. The .spm is testdata/spm/s2s-en-de-small.spm, rebuilt from the shipped
 * tokenizer.json by training/make_spm_golden.py.
 */
class MarianLayoutTest {
    static final Path DEFAULT_MODEL = Path.of("models/s2s-en-de-small").toAbsolutePath();

    /** The default model in the Marian layout, in dir (ONNX files linked, not copied). */
    static void writeMarianLayout(Path dir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (String f : new String[] {"config.json", "generation_config.json"}) {
            Files.copy(DEFAULT_MODEL.resolve(f), dir.resolve(f));
        }
        for (String f : new String[] {"encoder_model.onnx", "decoder_model_merged.onnx"}) {
            Files.createSymbolicLink(dir.resolve(f), DEFAULT_MODEL.resolve("onnx").resolve(f));
        }
        Path spm = Path.of("testdata/spm/s2s-en-de-small.spm").toAbsolutePath();
        Files.copy(spm, dir.resolve("source.spm"));
        Files.copy(spm, dir.resolve("target.spm"));
        // vocab.json: piece -> id, here SentencePiece's own order (MarianTokenizer looks every piece up in it)
        JsonNode vocab = json.readTree(DEFAULT_MODEL.resolve("tokenizer.json").toFile()).path("model").path("vocab");
        ObjectNode v = json.createObjectNode();
        for (int i = 0; i < vocab.size(); i++) {
            v.put(vocab.get(i).get(0).textValue(), i);
        }
        Files.writeString(dir.resolve("vocab.json"), json.writeValueAsString(v));
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"tokenizer_class": "MarianTokenizer", "source_lang": "en", "target_lang": "de", "eos_token": "</s>",
                 "unk_token": "<unk>", "pad_token": "<pad>", "model_max_length": 512, "separate_vocabs": false}
                """);
    }

    @Test
    @Timeout(600)
    void marianLayoutTranslatesExactlyAsTheShippedLayout(@TempDir Path dir) throws Exception {
        writeMarianLayout(dir);
        assertFalse(Files.exists(dir.resolve("tokenizer.json")));
        List<String> inputs = Files.readAllLines(Path.of("bench/sentences.en"), StandardCharsets.UTF_8).subList(0, 100);
        List<TranslationTask> tasks = inputs.stream().map(TranslationTask::of).toList();
        List<DetailedTranslation> shipped;
        try (Engine engine = Engine.load(DEFAULT_MODEL, EngineOptions.defaults())) {
            assertEquals(TokenizerLayout.HF_JSON, engine.bundle().tokenizerLayout);
            shipped = engine.translateDetailed(tasks);
        }
        try (Engine engine = Engine.load(dir, EngineOptions.defaults())) {
            assertEquals(TokenizerLayout.MARIAN, engine.bundle().tokenizerLayout);
            assertEquals("", engine.bundle().onnxDir);
            List<DetailedTranslation> marian = engine.translateDetailed(tasks);
            List<String> wrong = new ArrayList<>();
            int same = 0;
            for (int i = 0; i < inputs.size(); i++) {
                DetailedTranslation a = shipped.get(i);
                DetailedTranslation b = marian.get(i);
                assertEquals(null, a.translation().error());
                if (Arrays.equals(a.sourceIds(), b.sourceIds()) && Arrays.equals(a.outputIds(), b.outputIds())
                        && a.translation().text().equals(b.translation().text())) {
                    same++;
                } else {
                    wrong.add("line " + (i + 1) + " " + inputs.get(i) + "\n  tokenizer.json " + Arrays.toString(a.sourceIds())
                            + " " + a.translation().text() + "\n  Marian layout  " + Arrays.toString(b.sourceIds()) + " "
                            + b.translation().text());
                }
            }
            System.out.println("Marian layout = shipped layout on " + same + " of " + inputs.size() + " sentences");
            assertEquals(List.of(), wrong, wrong.size() + " of " + inputs.size() + " differ");
            assertTrue(same == 100);
        }
    }
}
