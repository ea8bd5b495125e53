package seq2seq.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** testdata/spm: the models and golden.jsonl that training/make_spm_golden.py writes. */
final class Golden {
    static final Path DIR;
    static final List<JsonNode> ROWS = new ArrayList<>();
    /** the repository root (models/s2s-en-de-small, testdata/models/tiny): tests run there */
    static final Path MAIN = Path.of("").toAbsolutePath();

    static {
        try {
            DIR = Path.of("testdata/spm").toAbsolutePath();
            ObjectMapper json = new ObjectMapper();
            for (String line : Files.readAllLines(DIR.resolve("golden.jsonl"), StandardCharsets.UTF_8)) {
                ROWS.add(json.readTree(line));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Golden() {
    }

    static long[] ids(JsonNode row, String model) {
        JsonNode a = row.get(model);
        long[] ids = new long[a.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = a.get(i).longValue();
        }
        return ids;
    }

    static long[] plus(long[] ids, long... more) {
        long[] out = java.util.Arrays.copyOf(ids, ids.length + more.length);
        System.arraycopy(more, 0, out, ids.length, more.length);
        return out;
    }

    static String show(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(c -> b.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return b.toString();
    }
}
