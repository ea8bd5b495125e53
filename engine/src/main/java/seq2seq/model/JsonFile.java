package seq2seq.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One JSON object of a bundle (config.json, generation_config.json, ...) with typed reads that fail naming file and field. */
final class JsonFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** the model folder */
    final Path bundle;
    /** the file name relative to the folder */
    final String file;
    /** the parsed top-level object */
    final JsonNode root;

    private JsonFile(Path bundle, String file, JsonNode root) {
        this.bundle = bundle;
        this.file = file;
        this.root = root;
    }

    static JsonFile read(Path bundle, String file) {
        Path path = bundle.resolve(file);
        if (!Files.isRegularFile(path)) {
            throw new BundleException(bundle, file, "file is missing");
        }
        JsonNode root;
        try {
            root = JSON.readTree(path.toFile());
        } catch (IOException e) {
            throw new BundleException(bundle, file, "not valid JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
        }
        if (root == null || !root.isObject()) {
            throw new BundleException(bundle, file, "expected a JSON object at the top level");
        }
        return new JsonFile(bundle, file, root);
    }

    /** An empty object standing for an optional file that is absent. */
    static JsonFile empty(Path bundle, String file) {
        return new JsonFile(bundle, file, JSON.createObjectNode());
    }

    boolean has(String field) {
        JsonNode n = root.get(field);
        return n != null && !n.isNull();
    }

    BundleException error(String field, String reason) {
        return new BundleException(bundle, file, "field \"" + field + "\": " + reason);
    }

    int requiredInt(String field) {
        if (!has(field)) {
            throw error(field, "missing");
        }
        return intValue(field, root.get(field));
    }

    Integer optionalInt(String field) {
        return has(field) ? intValue(field, root.get(field)) : null;
    }

    /** An integer, or the first of an array of integers (eos_token_id may be either). */
    Integer optionalIntOrFirst(String field) {
        if (!has(field)) {
            return null;
        }
        JsonNode n = root.get(field);
        if (n.isArray()) {
            if (n.isEmpty()) {
                throw error(field, "empty array");
            }
            return intValue(field, n.get(0));
        }
        return intValue(field, n);
    }

    Double optionalDouble(String field) {
        if (!has(field)) {
            return null;
        }
        JsonNode n = root.get(field);
        if (!n.isNumber()) {
            throw error(field, "expected a number, found " + n);
        }
        return n.doubleValue();
    }

    Boolean optionalBoolean(String field) {
        if (!has(field)) {
            return null;
        }
        JsonNode n = root.get(field);
        if (!n.isBoolean()) {
            throw error(field, "expected true or false, found " + n);
        }
        return n.booleanValue();
    }

    String optionalText(String field) {
        if (!has(field)) {
            return null;
        }
        JsonNode n = root.get(field);
        return n.isTextual() ? n.textValue() : n.toString();
    }

    /** A list of token-id lists, e.g. bad_words_ids [[58100]]. */
    List<int[]> optionalIdLists(String field) {
        if (!has(field)) {
            return List.of();
        }
        JsonNode n = root.get(field);
        if (!n.isArray()) {
            throw error(field, "expected an array of arrays of token ids, found " + n);
        }
        List<int[]> out = new ArrayList<>();
        for (JsonNode seq : n) {
            if (!seq.isArray() || seq.isEmpty()) {
                throw error(field, "expected a non-empty array of token ids, found " + seq);
            }
            int[] ids = new int[seq.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = intValue(field, seq.get(i));
            }
            out.add(ids);
        }
        return out;
    }

    private int intValue(String field, JsonNode n) {
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw error(field, "expected an integer, found " + n);
        }
        return n.intValue();
    }
}
