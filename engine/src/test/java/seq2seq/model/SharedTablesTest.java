package seq2seq.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The test model's three files each carry the 1 000 × 32 token embedding (encoder, decoder and with-past decoder; the
 * decoders also transpose it into their output projection). The reader finds it, with its shape and bytes; the model
 * loads it once; a file whose copy differs keeps its own.
 */
class SharedTablesTest {
    /** ONNX Runtime's environment, created on a large stack as the engine creates it */
    static ai.onnxruntime.OrtEnvironment environment() {
        try (seq2seq.generation.WorkerPool pool = new seq2seq.generation.WorkerPool(1, "test-ort")) {
            return pool.call(OnnxModel::environment);
        }
    }

    private static final Path TINY = Path.of("testdata/models/tiny");
    private static final String EMBED = "m.embed.weight";

    private static List<Path> files(Path bundle) {
        return List.of(bundle.resolve("onnx/encoder_model.onnx"), bundle.resolve("onnx/decoder_model.onnx"),
                bundle.resolve("onnx/decoder_with_past_model.onnx"));
    }

    @Test
    void readerFindsTheEmbeddingItsShapeItsBytesAndItsReaders() throws IOException {
        Path decoder = TINY.resolve("onnx/decoder_model.onnx");
        OnnxInitializers init = OnnxInitializers.read(decoder);
        OnnxInitializers.Tensor t = init.tensors.get(EMBED);
        assertArrayEquals(new long[] {1000, 32}, t.dims());
        assertEquals(1, t.dataType());
        assertEquals(1000 * 32 * 4, t.length());
        assertEquals(java.util.Set.of("Gather", "Transpose"), init.readers.get(EMBED));
        // the place found is the table's data: the decoder's and the encoder's copies hold the same floats
        OnnxInitializers.Tensor e = OnnxInitializers.read(TINY.resolve("onnx/encoder_model.onnx")).tensors.get(EMBED);
        byte[] a = slice(decoder, t.offset(), (int) t.length());
        byte[] b = slice(TINY.resolve("onnx/encoder_model.onnx"), e.offset(), (int) e.length());
        assertArrayEquals(a, b);
        // and not zeros: a random table has no run of 128 zero bytes
        assertTrue(!Arrays.equals(Arrays.copyOf(a, 128), new byte[128]));
    }

    @Test
    void theModelHoldsTheEmbeddingOnceForAllThreeFiles() {
        try (SharedTables shared = SharedTables.find(environment(), files(TINY))) {
            assertEquals(List.of(EMBED), shared.names());
            assertEquals(3, shared.holders(EMBED));
        }
        try (OnnxModel m = OnnxModel.load(ModelBundle.open(TINY, Dtype.FP32, DecoderLayout.SEPARATE), 1)) {
            assertEquals("m.embed.weight (0.1 MiB, 3 files)", m.sharedTables());
        }
    }

    @Test
    void aFileWhoseCopyDiffersKeepsItsOwn(@TempDir Path dir) throws IOException {
        Path copy = dir.resolve("tiny");
        Files.createDirectories(copy.resolve("onnx"));
        for (Path f : files(TINY)) {
            Files.copy(f, copy.resolve("onnx").resolve(f.getFileName()));
        }
        Path decoder = copy.resolve("onnx/decoder_model.onnx");
        OnnxInitializers.Tensor t = OnnxInitializers.read(decoder).tensors.get(EMBED);
        try (RandomAccessFile f = new RandomAccessFile(decoder.toFile(), "rw")) {
            long at = t.offset() + t.length() / 2; // one byte in the middle of the table
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 1);
        }
        try (SharedTables shared = SharedTables.find(environment(), files(copy))) {
            assertEquals(2, shared.holders(EMBED), "the encoder's and the with-past decoder's copies still match");
        }
    }

    /**
     * When the JVM's direct memory cannot take a table (as the JDK says it: "Cannot reserve ... bytes of direct buffer
     * memory"), each session keeps its own copy, and the table, its size and the flag to raise are named.
     */
    @Test
    void aTableTheDirectMemoryCannotTakeIsNamedWithTheFlagToRaise() {
        try (SharedTables shared = SharedTables.find(environment(), files(TINY), bytes -> {
            throw new OutOfMemoryError("Cannot reserve " + bytes + " bytes of direct buffer memory");
        })) {
            assertEquals(List.of(), shared.names());
            assertEquals("none", shared.toString());
            assertEquals(List.of("m.embed.weight (0.1 MiB, 3 files): larger than the JVM's free direct memory "
                    + "(-XX:MaxDirectMemorySize, by default the -Xmx), so each session loads its own copy"),
                    shared.notShared());
        }
        try (SharedTables shared = SharedTables.find(environment(), files(TINY))) {
            assertEquals(List.of(), shared.notShared());
        }
    }

    /**
     * A poisoned table that every file carries alike (its shape says 1 000 × 31, its data holds 1 000 × 32 floats) is
     * not this class's to report: it shares nothing, and the load fails as a bundle error that names a file.
     */
    @Test
    void aTableWhoseShapeDoesNotFitItsDataSharesNothingAndTheLoadNamesTheFile(@TempDir Path dir) throws IOException {
        Path copy = dir.resolve("tiny");
        Files.createDirectories(copy.resolve("onnx"));
        try (var entries = Files.list(TINY)) {
            for (Path f : entries.filter(Files::isRegularFile).toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        // TensorProto dims 1000 (08 E8 07) then 32 (08 20), written 31 (08 1F): same length, still a valid protobuf
        byte[] dims = {0x08, (byte) 0xE8, 0x07, 0x08, 0x20};
        for (Path f : files(TINY)) {
            byte[] b = Files.readAllBytes(f);
            int at = indexOf(b, dims);
            assertTrue(at >= 0 && indexOf(Arrays.copyOfRange(b, at + 1, b.length), dims) < 0, f.toString());
            b[at + 4] = 0x1F;
            Files.write(copy.resolve("onnx").resolve(f.getFileName()), b);
        }
        try (SharedTables shared = SharedTables.find(environment(), files(copy))) {
            assertEquals(List.of(), shared.names());
        }
        BundleException e = assertThrows(BundleException.class,
                () -> OnnxModel.load(ModelBundle.open(copy, Dtype.FP32, DecoderLayout.SEPARATE), 1));
        assertTrue(e.getMessage().contains("onnx/encoder_model.onnx"), e.getMessage());
    }

    private static int indexOf(byte[] b, byte[] pattern) {
        for (int i = 0; i + pattern.length <= b.length; i++) {
            if (Arrays.equals(b, i, i + pattern.length, pattern, 0, pattern.length)) {
                return i;
            }
        }
        return -1;
    }

    /** A file that is not a model (random bytes; a length field of 2^63 - 1 and one of -1) fails cleanly, at once. */
    @Test
    @Timeout(10)
    void aFileThatIsNotAModelIsAnErrorNotAHang(@TempDir Path dir) throws IOException {
        Path random = dir.resolve("random.onnx");
        byte[] noise = new byte[100_000];
        new java.util.Random(7).nextBytes(noise);
        Files.write(random, noise);
        Path longField = dir.resolve("long.onnx");
        // field 7 (graph), wire type 2, then a 9-byte varint of 2^63 - 1
        Files.write(longField, new byte[] {0x3A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F, 0, 0, 0});
        Path negative = dir.resolve("negative.onnx");
        // field 3, wire type 2, a 10-byte varint of -1: a reader that adds it to its position would go back forever
        Files.write(negative, new byte[] {0x1A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01, 0x08, 0x01});
        for (Path f : List.of(random, longField, negative)) {
            assertThrows(IOException.class, () -> OnnxInitializers.read(f), f.getFileName().toString());
        }
        try (SharedTables shared = SharedTables.find(environment(),
                List.of(random, negative, TINY.resolve("onnx/encoder_model.onnx")))) {
            assertEquals(List.of(), shared.names());
        }
    }

    private static byte[] slice(Path file, long offset, int length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            byte[] b = new byte[length];
            f.seek(offset);
            f.readFully(b);
            return b;
        }
    }
}
