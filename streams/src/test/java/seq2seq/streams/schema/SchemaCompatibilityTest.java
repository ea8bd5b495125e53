package seq2seq.streams.schema;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contracts others rely on change only compatibly: each schema in schemas/ reads what the previous release wrote
 * and the previous release reads what it writes (BACKWARD and FORWARD, as a registry set to FULL checks), and each
 * field says what it is.
 */
class SchemaCompatibilityTest {
    static final Path CURRENT = Path.of("schemas");
    /** the schemas of the last release, kept as they were */
    static final Path PREVIOUS = Path.of("testdata/schemas/0.1.0");

    /** every schema of the previous release: each must still be in schemas/, compatible both ways */
    static List<String> released() throws IOException {
        try (Stream<Path> files = Files.list(PREVIOUS)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".avsc")).sorted().toList();
        }
    }

    @ParameterizedTest
    @MethodSource("released")
    void readsAndIsReadByThePreviousRelease(String name) throws IOException {
        assertTrue(Files.exists(CURRENT.resolve(name)), name + " of the previous release is gone from schemas/");
        Schema now = parse(CURRENT.resolve(name));
        Schema before = parse(PREVIOUS.resolve(name));
        var backward = SchemaCompatibility.checkReaderWriterCompatibility(now, before);
        assertEquals(SchemaCompatibilityType.COMPATIBLE, backward.getType(), name + " cannot read the previous release: "
                + backward.getResult().getIncompatibilities());
        var forward = SchemaCompatibility.checkReaderWriterCompatibility(before, now);
        assertEquals(SchemaCompatibilityType.COMPATIBLE, forward.getType(), "the previous release cannot read " + name + ": "
                + forward.getResult().getIncompatibilities());
    }

    @Test
    void everyFieldAndTypeIsDocumented() throws IOException {
        List<String> undocumented = new ArrayList<>();
        try (Stream<Path> files = Files.list(CURRENT)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".avsc")).toList()) {
                collect(parse(f), undocumented, new ArrayList<>());
            }
        }
        assertEquals(List.of(), undocumented, "fields or types without a doc");
    }

    @Test
    void aNewerFailureReasonReadsAsInternal() {
        Schema reasons = parseString("{\"type\": \"enum\", \"name\": \"FailureReason\", \"namespace\": \"seq2seq.avro\","
                + " \"symbols\": [\"DESERIALIZATION\", \"SCHEMA\", \"TOO_LONG\", \"UNKNOWN_MODEL\", \"UNSUPPORTED_LANGUAGE\","
                + " \"INFERENCE\", \"INTERNAL\", \"SOMETHING_NEW\"]}");
        Schema current = seq2seq.avro.FailureReason.getClassSchema();
        assertNotNull(current.getEnumDefault(), "FailureReason has a default symbol");
        assertEquals("INTERNAL", current.getEnumDefault());
        var c = SchemaCompatibility.checkReaderWriterCompatibility(current, reasons);
        assertEquals(SchemaCompatibilityType.COMPATIBLE, c.getType(), "a reason added later is read (as the default)");
    }

    private static void collect(Schema s, List<String> out, List<String> seen) {
        if (seen.contains(s.getFullName())) {
            return;
        }
        seen.add(s.getFullName());
        switch (s.getType()) {
            case RECORD -> {
                if (s.getDoc() == null || s.getDoc().isBlank()) {
                    out.add(s.getFullName());
                }
                for (Schema.Field f : s.getFields()) {
                    if (f.doc() == null || f.doc().isBlank()) {
                        out.add(s.getFullName() + "." + f.name());
                    }
                    collect(f.schema(), out, seen);
                }
            }
            case ENUM -> {
                if (s.getDoc() == null || s.getDoc().isBlank()) {
                    out.add(s.getFullName());
                }
            }
            case UNION -> s.getTypes().forEach(t -> collect(t, out, seen));
            case ARRAY -> collect(s.getElementType(), out, seen);
            case MAP -> collect(s.getValueType(), out, seen);
            default -> {
            }
        }
    }

    private static Schema parse(Path f) throws IOException {
        return new Schema.Parser().parse(Files.readString(f));
    }

    private static Schema parseString(String json) {
        return new Schema.Parser().parse(json);
    }
}
