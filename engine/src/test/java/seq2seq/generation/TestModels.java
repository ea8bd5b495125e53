package seq2seq.generation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where the test fixtures are (the tiny bundle can be pointed elsewhere with -Dtiny.bundle=DIR). */
final class TestModels {
    private TestModels() {
    }

    static Path tiny() {
        return Path.of(System.getProperty("tiny.bundle", "testdata/models/tiny")).toAbsolutePath();
    }

    static Path parityInputsFile() {
        return Path.of("testdata/parity-inputs.txt").toAbsolutePath();
    }

    static List<String> parityInputs() {
        try {
            return Files.readAllLines(parityInputsFile(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long[] ids(com.fasterxml.jackson.databind.JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    static int[] intIds(com.fasterxml.jackson.databind.JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
