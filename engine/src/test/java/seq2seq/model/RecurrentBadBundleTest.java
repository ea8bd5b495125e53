package seq2seq.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import seq2seq.generation.Engine;
import seq2seq.generation.EngineOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each broken recurrent bundle (a copy of testdata/models/recurrent with one thing wrong) fails in Engine.load with a
 * BundleException naming the file and the manifest field.
 */
@Timeout(120)
class RecurrentBadBundleTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path RECURRENT = Path.of("testdata/models/recurrent").toAbsolutePath();

    @TempDir
    Path tmp;
    Path bundle;

    @BeforeEach
    void copyBundle() throws IOException {
        bundle = tmp.resolve("recurrent");
        Files.createDirectories(bundle);
        for (String f : new String[] {"manifest.json", "encoder.onnx", "decoder_step.onnx"}) {
            Files.copy(RECURRENT.resolve(f), bundle.resolve(f));
        }
    }

    /** Engine.load must fail with a BundleException about this file whose message has every given part. */
    private void expectError(String file, String... parts) {
        BundleException e = assertThrows(BundleException.class, () -> Engine.load(bundle, EngineOptions.defaults()).close());
        assertEquals(file, e.file(), e.getMessage());
        assertTrue(e.getMessage().contains(bundle.toString()), e.getMessage());
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
        }
    }

    private void editManifest(Consumer<ObjectNode> edit) throws IOException {
        ObjectNode o = (ObjectNode) JSON.readTree(bundle.resolve("manifest.json").toFile());
        edit.accept(o);
        JSON.writeValue(bundle.resolve("manifest.json").toFile(), o);
    }

    private static ObjectNode at(ObjectNode o, String... path) {
        ObjectNode n = o;
        for (String p : path) {
            n = (ObjectNode) n.get(p);
        }
        return n;
    }

    @Test
    void theCopyLoadsAsARecurrentBundle() {
        try (Engine e = Engine.load(bundle, EngineOptions.defaults())) {
            assertEquals(128, e.recurrentModel().latentDim());
            assertEquals(RecurrentManifest.Architecture.LSTM, e.recurrentModel().manifest.architecture);
        }
    }

    @Test
    void graphFileMissing() throws IOException {
        Files.delete(bundle.resolve("encoder.onnx"));
        expectError("encoder.onnx", "file is missing", "\"encoder.file\"");
    }

    @Test
    void graphFileNotOnnx() throws IOException {
        Files.writeString(bundle.resolve("decoder_step.onnx"), "not a graph");
        expectError("decoder_step.onnx", "ONNX Runtime cannot load it");
    }

    @Test
    void manifestNotJson() throws IOException {
        Files.writeString(bundle.resolve("manifest.json"), "{\"format\": ");
        expectError("manifest.json", "not valid JSON");
    }

    @Test
    void wrongFormatOrVersion() throws IOException {
        editManifest(o -> o.put("format_version", 2));
        expectError("manifest.json", "field \"format_version\"", "version 1");
    }

    @Test
    void requiredFieldMissing() throws IOException {
        editManifest(o -> o.remove("latent_dim"));
        expectError("manifest.json", "field \"latent_dim\": missing");
    }

    @Test
    void nestedFieldMissing() throws IOException {
        editManifest(o -> at(o, "decoder", "outputs").remove("state_c"));
        expectError("manifest.json", "field \"decoder.outputs.state_c\": missing");
    }

    @Test
    void unknownArchitecture() throws IOException {
        editManifest(o -> o.put("architecture", "transformer"));
        expectError("manifest.json", "field \"architecture\"", "lstm, gru", "transformer");
    }

    @Test
    void unknownRole() throws IOException {
        editManifest(o -> at(o, "decoder", "inputs").put("attention_mask", "mask"));
        expectError("manifest.json", "field \"decoder.inputs.attention_mask\": unknown role");
    }

    @Test
    void notOneCharacter() throws IOException {
        editManifest(o -> ((ArrayNode) at(o, "source").get("characters")).set(3, "ab"));
        expectError("manifest.json", "field \"source.characters[3]\"", "one character");
    }

    @Test
    void startTokenNotAtStartIndex() throws IOException {
        editManifest(o -> at(o, "target").put("start_index", 2));
        expectError("manifest.json", "field \"target.start_token\"", "start_index 2");
    }

    @Test
    void tensorNameTheGraphLacks() throws IOException {
        editManifest(o -> at(o, "decoder", "outputs").put("state_c", "cell_out"));
        expectError("decoder_step.onnx", "has no output \"cell_out\"", "decoder.outputs.state_c", "next_state_c");
    }

    @Test
    void graphInputTheManifestDoesNotName() throws IOException {
        // a GRU has only state_h: the LSTM graph's state_c input is then one the engine would not feed
        editManifest(o -> {
            o.put("architecture", "gru");
            at(o, "encoder", "outputs").remove("state_c");
            at(o, "decoder", "inputs").remove("state_c");
            at(o, "decoder", "outputs").remove("state_c");
        });
        expectError("decoder_step.onnx", "has an input \"state_c\"", "manifest.json field decoder.inputs");
    }

    @Test
    void latentDimMismatch() throws IOException {
        editManifest(o -> o.put("latent_dim", 256));
        expectError("encoder.onnx", "encoder.outputs.state_h", "last dimension 128", "latent_dim is 256");
    }

    @Test
    void targetVocabularyMismatch() throws IOException {
        editManifest(o -> ((ArrayNode) at(o, "target").get("characters")).remove(130));
        expectError("decoder_step.onnx", "decoder.outputs.scores", "last dimension 131", "target.characters", "130");
    }

    @Test
    void oneHotDeclaredForAnIdsGraph() throws IOException {
        editManifest(o -> o.put("input_encoding", "one_hot"));
        expectError("encoder.onnx", "encoder.inputs.ids", "one_hot");
    }

    @Test
    void anotherDtypeIsNotThere() {
        BundleException e = assertThrows(BundleException.class,
                () -> Engine.load(bundle, EngineOptions.builder().dtype(Dtype.Q8).build()).close());
        assertEquals("manifest.json", e.file());
        assertTrue(e.getMessage().contains("q8"), e.getMessage());
    }
}
