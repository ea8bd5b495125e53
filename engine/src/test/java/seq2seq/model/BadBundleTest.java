package seq2seq.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each broken bundle gives its own clear error naming the file and the field, when it loads. */
@Timeout(120)
class BadBundleTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path TINY = Path.of(System.getProperty("tiny.bundle", "testdata/models/tiny")).toAbsolutePath();

    @TempDir
    Path tmp;
    Path bundle;

    @BeforeEach
    void copyTinyBundle() throws IOException {
        bundle = tmp.resolve("tiny");
        Files.createDirectories(bundle.resolve("onnx"));
        for (String f : new String[] {"config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
                "onnx/encoder_model.onnx", "onnx/decoder_model_merged.onnx", "onnx/decoder_model.onnx", "onnx/decoder_with_past_model.onnx"}) {
            Files.copy(TINY.resolve(f), bundle.resolve(f));
        }
    }

    /** Loads the bundle expecting a BundleException about this file, whose message has every given part. */
    private void expectError(DecoderLayout layout, Dtype dtype, String file, String... parts) {
        BundleException e = assertThrows(BundleException.class, () -> {
            try (OnnxModel m = OnnxModel.load(ModelBundle.open(bundle, dtype, layout), 1)) {
                Tokenizer.load(bundle).close();
            }
        });
        assertEquals(file, e.file(), e.getMessage());
        assertTrue(e.getMessage().contains(bundle.toString()), e.getMessage());
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
        }
    }

    private void expectError(String file, String... parts) {
        expectError(DecoderLayout.AUTO, Dtype.FP32, file, parts);
    }

    private void editJson(String file, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode o = (ObjectNode) JSON.readTree(bundle.resolve(file).toFile());
        edit.accept(o);
        JSON.writeValue(bundle.resolve(file).toFile(), o);
    }

    @Test
    void theCopyLoads() {
        try (OnnxModel m = OnnxModel.load(ModelBundle.open(bundle, Dtype.FP32, DecoderLayout.AUTO), 1)) {
            assertEquals(DecoderLayout.SEPARATE, m.bundle.layout);
        }
    }

    @Test
    void folderMissing() {
        bundle = tmp.resolve("nothing-here");
        expectError(".", "not a folder");
    }

    @Test
    void configMissing() throws IOException {
        Files.delete(bundle.resolve("config.json"));
        expectError("config.json", "file is missing");
    }

    @Test
    void configNotJson() throws IOException {
        Files.writeString(bundle.resolve("config.json"), "{\"d_model\": 32,");
        expectError("config.json", "not valid JSON");
    }

    @Test
    void notAnEncoderDecoder() throws IOException {
        editJson("config.json", o -> o.put("is_encoder_decoder", false));
        expectError("config.json", "\"is_encoder_decoder\"", "encoder-decoder");
    }

    @Test
    void dModelMissing() throws IOException {
        editJson("config.json", o -> o.remove("d_model"));
        expectError("config.json", "\"d_model\"", "missing");
    }

    @Test
    void vocabSizeMissing() throws IOException {
        editJson("config.json", o -> o.remove("vocab_size"));
        expectError("config.json", "\"vocab_size\"", "missing");
    }

    @Test
    void decoderStartTokenMissingEverywhere() throws IOException {
        editJson("config.json", o -> o.remove("decoder_start_token_id"));
        editJson("generation_config.json", o -> o.remove("decoder_start_token_id"));
        expectError("config.json", "\"decoder_start_token_id\"", "missing");
    }

    @Test
    void decoderLayersNotAnInteger() throws IOException {
        editJson("config.json", o -> o.put("decoder_layers", "three"));
        expectError("config.json", "\"decoder_layers\"", "expected an integer");
    }

    @Test
    void eosOutsideTheVocabulary() throws IOException {
        editJson("config.json", o -> o.put("eos_token_id", 1_000_000));
        editJson("generation_config.json", o -> o.remove("eos_token_id"));
        expectError("config.json", "\"eos_token_id\"", "outside the vocabulary");
    }

    @Test
    void earlyStoppingNotABooleanOrNever() throws IOException {
        editJson("generation_config.json", o -> o.put("early_stopping", "sometimes"));
        expectError("generation_config.json", "\"early_stopping\"");
    }

    @Test
    void decoderLayersDoNotMatchTheGraph() throws IOException {
        int[] real = new int[1];
        editJson("config.json", o -> {
            real[0] = o.get("decoder_layers").asInt();
            o.put("decoder_layers", real[0] + 1);
        });
        expectError(DecoderLayout.MERGED, Dtype.FP32, "onnx/decoder_model_merged.onnx", "decoder_layers", Integer.toString(real[0] + 1));
        expectError(DecoderLayout.SEPARATE, Dtype.FP32, "onnx/decoder_model.onnx", "decoder_layers", Integer.toString(real[0] + 1));
    }

    @Test
    void vocabSizeDoesNotMatchTheLogits() throws IOException {
        editJson("config.json", o -> o.put("vocab_size", o.get("vocab_size").asInt() + 5));
        expectError(DecoderLayout.MERGED, Dtype.FP32, "onnx/decoder_model_merged.onnx", "logits", "vocab_size");
        expectError(DecoderLayout.SEPARATE, Dtype.FP32, "onnx/decoder_model.onnx", "logits", "vocab_size");
    }

    @Test
    void dModelDoesNotMatchTheEncoderOutput() throws IOException {
        editJson("config.json", o -> o.put("d_model", o.get("d_model").asInt() * 2));
        expectError("onnx/encoder_model.onnx", "last_hidden_state", "d_model");
    }

    @Test
    void headsDoNotMatchTheCache() throws IOException {
        editJson("config.json", o -> o.put("decoder_attention_heads", o.get("decoder_attention_heads").asInt() * 2));
        expectError(DecoderLayout.MERGED, Dtype.FP32, "onnx/decoder_model_merged.onnx", "past_key_values.0.decoder.key", "decoder_attention_heads");
    }

    @Test
    void tokenizerMissing() throws IOException {
        Files.delete(bundle.resolve("tokenizer.json"));
        expectError("tokenizer.json", "file is missing");
    }

    @Test
    void tokenizerConfigMissing() throws IOException {
        Files.delete(bundle.resolve("tokenizer_config.json"));
        expectError("tokenizer_config.json", "file is missing");
    }

    @Test
    void tokenizerCorrupt() throws IOException {
        Files.writeString(bundle.resolve("tokenizer.json"), "{\"model\": {\"type\": \"Unigram\"}}");
        expectError("tokenizer.json", "cannot load the tokenizer");
    }

    @Test
    void encoderMissing() throws IOException {
        Files.delete(bundle.resolve("onnx/encoder_model.onnx"));
        expectError("onnx/encoder_model.onnx", "file is missing");
    }

    @Test
    void noDecoderAtAll() throws IOException {
        for (String f : new String[] {"decoder_model_merged.onnx", "decoder_model.onnx", "decoder_with_past_model.onnx"}) {
            Files.delete(bundle.resolve("onnx/" + f));
        }
        expectError("onnx/decoder_model_merged.onnx", "file is missing", "decoder_with_past_model.onnx");
    }

    @Test
    void halfOfTheDecoderPairMissing() throws IOException {
        Files.delete(bundle.resolve("onnx/decoder_with_past_model.onnx"));
        expectError(DecoderLayout.SEPARATE, Dtype.FP32, "onnx/decoder_with_past_model.onnx", "file is missing");
        Files.delete(bundle.resolve("onnx/decoder_model_merged.onnx"));
        expectError("onnx/decoder_with_past_model.onnx", "file is missing");
    }

    @Test
    void mergedDecoderMissing() throws IOException {
        Files.delete(bundle.resolve("onnx/decoder_model_merged.onnx"));
        expectError(DecoderLayout.MERGED, Dtype.FP32, "onnx/decoder_model_merged.onnx", "file is missing");
    }

    @Test
    void quantizedFilesMissingForQ8() {
        expectError(DecoderLayout.AUTO, Dtype.Q8, "onnx/encoder_model_quantized.onnx", "file is missing");
    }

    @Test
    void onnxFileCorrupt() throws IOException {
        Files.write(bundle.resolve("onnx/encoder_model.onnx"), new byte[] {1, 2, 3, 4, 5});
        expectError("onnx/encoder_model.onnx", "ONNX Runtime cannot load it");
    }

    @Test
    void graphsSwapped() throws IOException {
        Files.copy(bundle.resolve("onnx/encoder_model.onnx"), bundle.resolve("onnx/decoder_model_merged.onnx"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        expectError(DecoderLayout.MERGED, Dtype.FP32, "onnx/decoder_model_merged.onnx", "unexpected input");
    }
}
