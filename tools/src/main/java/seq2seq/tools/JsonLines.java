package seq2seq.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.specific.SpecificRecord;
import seq2seq.avro.TranslationOptions;
import seq2seq.avro.TranslationRequest;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The JSON-lines forms used by {@code produce} and {@code consume}: field names as in the Avro schemas, timestamps as
 * ISO-8601 text, bytes as base64. A request line may also be plain text (anything not starting with '{').
 */
final class JsonLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonLines() {
    }

    /**
     * @param line    one input line
     * @param where   names the line in error messages, e.g. "stdin line 3"
     */
    static TranslationRequest request(String line, String where) {
        String trimmed = line.strip();
        TranslationRequest.Builder b = TranslationRequest.newBuilder().setCreatedAt(Instant.now()).setAttributes(Map.of());
        if (!trimmed.startsWith("{")) {
            return b.setId(UUID.randomUUID().toString()).setText(line).build();
        }
        JsonNode n;
        try {
            n = JSON.readTree(trimmed);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + ": not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode text = n.get("text");
        if (text == null || !text.isTextual()) {
            throw new IllegalArgumentException(where + ": field \"text\" (a string) is required");
        }
        b.setText(text.asText());
        b.setId(n.hasNonNull("id") ? n.get("id").asText() : UUID.randomUUID().toString());
        b.setSourceLang(optionalText(n, "source_lang"));
        b.setTargetLang(optionalText(n, "target_lang"));
        b.setModel(optionalText(n, "model"));
        JsonNode o = n.get("options");
        if (o != null && o.isObject()) {
            b.setOptions(TranslationOptions.newBuilder()
                    .setNumBeams(o.hasNonNull("num_beams") ? o.get("num_beams").asInt() : null)
                    .setMaxNewTokens(o.hasNonNull("max_new_tokens") ? o.get("max_new_tokens").asInt() : null)
                    .setCopyUnknowns(o.hasNonNull("copy_unknowns") ? o.get("copy_unknowns").asBoolean() : null)
                    .build());
        }
        JsonNode attrs = n.get("attributes");
        if (attrs != null && attrs.isObject()) {
            Map<String, String> m = new LinkedHashMap<>();
            attrs.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
            b.setAttributes(m);
        }
        JsonNode created = n.get("created_at");
        if (created != null && !created.isNull()) {
            b.setCreatedAt(instant(created, where));
        }
        return b.build();
    }

    private static String optionalText(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }

    private static Instant instant(JsonNode v, String where) {
        if (v.isNumber()) {
            return Instant.ofEpochMilli(v.asLong());
        }
        try {
            return Instant.parse(v.asText());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(where + ": created_at must be epoch milliseconds or ISO-8601, got " + v);
        }
    }

    /** One JSON line for any generated Avro record. */
    static String toJson(SpecificRecord record) {
        return toNode(record).toString();
    }

    static ObjectNode toNode(SpecificRecord record) {
        ObjectNode out = JSON.createObjectNode();
        for (Schema.Field f : record.getSchema().getFields()) {
            out.set(f.name(), value(record.get(f.pos())));
        }
        return out;
    }

    private static JsonNode value(Object v) {
        if (v == null) {
            return JSON.nullNode();
        }
        if (v instanceof SpecificRecord r) {
            return toNode(r);
        }
        if (v instanceof ByteBuffer b) {
            byte[] bytes = new byte[b.remaining()];
            b.duplicate().get(bytes);
            return JSON.getNodeFactory().textNode(Base64.getEncoder().encodeToString(bytes));
        }
        if (v instanceof java.util.List<?> l) {
            com.fasterxml.jackson.databind.node.ArrayNode a = JSON.createArrayNode();
            l.forEach(x -> a.add(value(x)));
            return a;
        }
        if (v instanceof Map<?, ?> m) {
            ObjectNode o = JSON.createObjectNode();
            m.forEach((k, x) -> o.set(k.toString(), value(x)));
            return o;
        }
        if (v instanceof Instant || v instanceof CharSequence || v instanceof Enum<?> || v instanceof GenericEnumSymbol<?>) {
            return JSON.getNodeFactory().textNode(v.toString());
        }
        return JSON.valueToTree(v);
    }
}
