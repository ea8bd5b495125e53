package seq2seq.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The export layouts' missing and malformed files (top-level ONNX files, seq2seq.json, the families' config fields):
 * each a BundleException naming the file and the field. The tokenizer layouts' own files: TokenizerErrorsTest.
 */
class LayoutErrorsTest {
    @TempDir
    Path dir;

    /** testdata/models/family linked file by file into dir, less the files named. */
    private Path replica(String family, String... without) throws Exception {
        Path src = Path.of("testdata/models", family).toAbsolutePath();
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : files.toList()) {
                if (!java.util.Arrays.asList(without).contains(f.getFileName().toString())) {
                    Files.createSymbolicLink(dir.resolve(f.getFileName()), f);
                }
            }
        }
        return dir;
    }

    private BundleException fails(String file, String... words) {
        BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(dir, Dtype.FP32, DecoderLayout.AUTO));
        assertEquals(file, e.file(), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "'" + w + "' not in: " + e.getMessage());
        }
        return e;
    }

    private void seq2seqJson(String content) throws Exception {
        Files.writeString(dir.resolve(TextHandling.FILE), content);
    }

    @Test
    void topLevelLayoutOpensAndNamesItsMissingFiles() throws Exception {
        replica("t5");
        ModelBundle b = ModelBundle.open(dir, Dtype.FP32, DecoderLayout.AUTO);
        assertEquals("", b.onnxDir);
        assertEquals(DecoderLayout.SEPARATE, b.layout);
        assertEquals(dir.resolve("decoder_model_merged.onnx"), ModelBundle.open(dir, Dtype.FP32, DecoderLayout.MERGED).decoderFile);
        Files.delete(dir.resolve("decoder_with_past_model.onnx"));
        assertEquals(DecoderLayout.MERGED, ModelBundle.open(dir, Dtype.FP32, DecoderLayout.AUTO).layout, "no pair: the merged one");
        Files.delete(dir.resolve("decoder_model_merged.onnx"));
        fails("decoder_with_past_model.onnx", "file is missing");
        Files.delete(dir.resolve("decoder_model.onnx"));
        fails("decoder_model_merged.onnx", "file is missing", "decoder_with_past_model.onnx");
        Files.delete(dir.resolve("encoder_model.onnx"));
        fails("onnx/encoder_model.onnx", "file is missing", "top level");
    }

    @Test
    void quantizedVariantIsLookedUpAtTheTopLevelToo() throws Exception {
        replica("t5");
        BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(dir, Dtype.parse("q8"), DecoderLayout.AUTO));
        assertEquals("onnx/encoder_model_quantized.onnx", e.file(), e.getMessage());
        assertTrue(e.getMessage().contains("top level"), e.getMessage());
    }

    @Test
    void marianLayoutWithoutTokenizerConfigStillOpens() throws Exception {
        replica("marian", "tokenizer_config.json");
        assertEquals(TokenizerLayout.MARIAN, ModelBundle.open(dir, Dtype.FP32, DecoderLayout.AUTO).tokenizerLayout);
    }

    @Test
    void tokenizerJsonLayoutNeedsItsTokenizerConfig() throws Exception {
        replica("bart", "tokenizer_config.json");
        fails("tokenizer_config.json", "file is missing");
    }

    @Test
    void noTokenizerFilesAtAll() throws Exception {
        replica("marian", "source.spm", "target.spm");
        fails("tokenizer.json", "file is missing", "source.spm", "sentencepiece.bpe.model");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"segment_sentences\": false,                    | segment_sentences.json | not valid JSON",
            "[1]                                               | -                      | expected a JSON object",
            "{\"segment_sentence\": false}                     | segment_sentence       | unknown field",
            "{\"segment_sentences\": \"no\"}                   | segment_sentences      | expected true or false",
            "{\"input_prefix\": 3}                             | input_prefix           | expected a string",
            "{\"max_input_tokens\": 0}                         | max_input_tokens       | integer >= 2",
            "{\"max_input_tokens\": 1.5}                       | max_input_tokens       | integer >= 2",
            "{\"max_input_tokens\": 100000}                    | max_input_tokens       | positions",
            "{\"task\": \"summarise\"}                         | task                   | summarization, translation_en_to_de",
            "{\"task\": 1}                                     | task                   | expected a string"})
    void malformedSeq2seqJsonNamesTheField(String content, String field, String reason) throws Exception {
        replica("bart");
        // bart has no task_specific_params: the unknown-task line needs t5's config
        if (field.equals("task") && reason.startsWith("summarization")) {
            Files.delete(dir.resolve("config.json"));
            Files.createSymbolicLink(dir.resolve("config.json"), Path.of("testdata/models/t5/config.json").toAbsolutePath());
            Files.delete(dir.resolve("tokenizer_config.json"));
        }
        seq2seqJson(content);
        if (field.equals("task") && reason.startsWith("summarization")) {
            // t5's config with bart's tokenizer.json and no tokenizer_config.json: the task is read first
            BundleException e = assertThrows(BundleException.class, () -> TextHandling.read(dir,
                    JsonFile.read(dir, "config.json")));
            assertEquals(TextHandling.FILE, e.file());
            assertTrue(e.getMessage().contains("\"task\"") && e.getMessage().contains(reason), e.getMessage());
            return;
        }
        BundleException e = fails(TextHandling.FILE, reason);
        if (!field.equals("-") && !field.endsWith(".json")) {
            assertTrue(e.getMessage().contains("\"" + field + "\""), e.getMessage());
        }
    }

    @Test
    void taskWithoutTaskSpecificParams() throws Exception {
        replica("bart");
        seq2seqJson("{\"task\": \"summarization\"}");
        fails(TextHandling.FILE, "\"task\"", "task_specific_params", "it has none");
    }

    @Test
    void taskPrefixThatIsNotAString() throws Exception {
        replica("bart", "config.json");
        String config = Files.readString(Path.of("testdata/models/bart/config.json"));
        Files.writeString(dir.resolve("config.json"), config.replaceFirst("\\{", "{\"task_specific_params\": {\"summarization\": {\"prefix\": 5}},"));
        seq2seqJson("{\"task\": \"summarization\"}");
        fails("config.json", "task_specific_params.summarization.prefix", "expected a string");
    }

    @Test
    void t5SummarizationTaskGivesPrefixAndNoSegmentation() throws Exception {
        replica("t5");
        seq2seqJson("{\"task\": \"translation_en_to_de\"}");
        TextHandling t = ModelBundle.open(dir, Dtype.FP32, DecoderLayout.AUTO).text;
        assertEquals("translate English to German: ", t.inputPrefix());
        assertTrue(t.segmentSentences());
        seq2seqJson("{\"task\": \"summarization\", \"input_prefix\": \"tl;dr: \", \"max_input_tokens\": 256}");
        ModelBundle b = ModelBundle.open(dir, Dtype.FP32, DecoderLayout.AUTO);
        assertEquals(new TextHandling("summarization", false, "tl;dr: ", 256), b.text);
        assertEquals(256, b.maxInputTokens);
        String hash = b.contentHash();
        seq2seqJson("{\"task\": \"summarization\"}");
        assertTrue(!hash.equals(ModelBundle.open(dir, Dtype.FP32, DecoderLayout.AUTO).contentHash()), "seq2seq.json is hashed");
    }

    @Test
    void nllbLegacyBehaviourMustBeABoolean() throws Exception {
        replica("nllb", "tokenizer_config.json");
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"tokenizer_class\": \"NllbTokenizer\", \"legacy_behaviour\": \"yes\"}");
        BundleException e = assertThrows(BundleException.class, () -> Tokenizer.load(dir).close());
        assertEquals("tokenizer_config.json", e.file());
        assertTrue(e.getMessage().contains("legacy_behaviour"), e.getMessage());
    }

    /** The hash as computed before the new layouts: config, generation config, tokenizer.json, its config, ONNX. */
    @Test
    void hashOfATokenizerJsonBundleIsUnchanged() throws Exception {
        Path tiny = Path.of("testdata/models/tiny").toAbsolutePath();
        ModelBundle b = ModelBundle.open(tiny, Dtype.FP32, DecoderLayout.MERGED);
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        for (String f : new String[] {"config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
                "onnx/encoder_model.onnx", "onnx/decoder_model_merged.onnx"}) {
            sha.update(f.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            sha.update(Files.readAllBytes(tiny.resolve(f)));
        }
        assertEquals(java.util.HexFormat.of().formatHex(sha.digest()).substring(0, 16), b.contentHash());
    }
}
