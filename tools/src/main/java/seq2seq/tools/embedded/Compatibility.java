package seq2seq.tools.embedded;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Confluent's compatibility levels, checked with Avro's own {@link SchemaCompatibility}. */
final class Compatibility {
    /** the levels a subject or the registry may have */
    static final Set<String> LEVELS = Set.of("NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD",
            "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE");

    private Compatibility() {
    }

    /** The earlier versions a candidate is checked against under {@code level}: all of them, or the one given. */
    static List<RegisteredSchema> against(String level, List<RegisteredSchema> versions, RegisteredSchema one) {
        return level.endsWith("_TRANSITIVE") ? versions : List.of(one);
    }

    /** Reasons the candidate is incompatible with each earlier schema under the level (empty = compatible). */
    static List<String> incompatibilities(String level, Schema candidate, List<RegisteredSchema> earlier) {
        List<String> out = new ArrayList<>();
        if (level.equals("NONE")) {
            return out;
        }
        boolean backward = level.startsWith("BACKWARD") || level.startsWith("FULL");
        boolean forward = level.startsWith("FORWARD") || level.startsWith("FULL");
        for (RegisteredSchema r : earlier) {
            if (backward) {
                check(SchemaCompatibility.checkReaderWriterCompatibility(candidate, r.schema()), "new schema cannot read version " + r.version(), out);
            }
            if (forward) {
                check(SchemaCompatibility.checkReaderWriterCompatibility(r.schema(), candidate), "version " + r.version() + " cannot read the new schema", out);
            }
        }
        return out;
    }

    private static void check(SchemaCompatibility.SchemaPairCompatibility c, String what, List<String> out) {
        if (c.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            out.add(what + ": " + c.getResult().getIncompatibilities().stream()
                    .map(i -> i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")").toList());
        }
    }
}
