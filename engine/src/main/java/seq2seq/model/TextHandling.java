package seq2seq.model;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * How a model wants its input text, from the optional bundle file seq2seq.json, e.g.
 * {@code {"task": "summarization", "segment_sentences": false, "input_prefix": "summarize: ", "max_input_tokens": 512}},
 * with defaults from the family: {@code task} names an entry of config.json's task_specific_params (T5, BART), whose
 * {@code prefix} becomes the input prefix; a task whose name starts with "summarization" turns sentence segmentation
 * off. Without the file: segmentation on, no prefix, the model's own input limit.
 *
 * @param task             the task_specific_params entry chosen, or null
 * @param segmentSentences whether the pipeline splits a text into sentences and translates each alone
 * @param inputPrefix      text put before every input before tokenizing ("" for none)
 * @param maxInputTokens   the configured input limit in tokens, or null for the model's own
 */
public record TextHandling(String task, boolean segmentSentences, String inputPrefix, Integer maxInputTokens) {
    public static final String FILE = "seq2seq.json";
    private static final Set<String> FIELDS = Set.of("task", "segment_sentences", "input_prefix", "max_input_tokens");

    public static TextHandling defaults() {
        return new TextHandling(null, true, "", null);
    }

    /** seq2seq.json when the bundle has one, over the family's defaults read from config.json. */
    static TextHandling read(Path dir, JsonFile config) {
        if (!Files.exists(dir.resolve(FILE))) {
            return defaults();
        }
        JsonFile f = JsonFile.read(dir, FILE);
        if (!f.root.isObject()) {
            throw new BundleException(dir, FILE, "expected a JSON object");
        }
        for (Iterator<String> it = f.root.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!FIELDS.contains(name)) {
                throw f.error(name, "unknown field (known: " + String.join(", ", FIELDS.stream().sorted().toList()) + ")");
            }
        }
        String task = text(f, "task");
        String prefix = "";
        boolean segment = true;
        if (task != null) {
            JsonNode params = config.root.path("task_specific_params");
            if (!params.has(task)) {
                List<String> known = new ArrayList<>();
                params.fieldNames().forEachRemaining(known::add);
                throw f.error("task", "\"" + task + "\" is not in " + config.file + "'s task_specific_params ("
                        + (known.isEmpty() ? "it has none" : "it has " + String.join(", ", known)) + ")");
            }
            JsonNode p = params.get(task).path("prefix");
            if (!p.isMissingNode() && !p.isNull()) {
                if (!p.isTextual()) {
                    throw config.error("task_specific_params." + task + ".prefix", "expected a string, found " + p);
                }
                prefix = p.textValue();
            }
            segment = !task.startsWith("summarization");
        }
        if (f.has("segment_sentences")) {
            JsonNode n = f.root.get("segment_sentences");
            if (!n.isBoolean()) {
                throw f.error("segment_sentences", "expected true or false, found " + n);
            }
            segment = n.booleanValue();
        }
        String ownPrefix = text(f, "input_prefix");
        if (ownPrefix != null) {
            prefix = ownPrefix;
        }
        Integer max = null;
        if (f.has("max_input_tokens")) {
            JsonNode n = f.root.get("max_input_tokens");
            if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 2) {
                throw f.error("max_input_tokens", "expected an integer >= 2, found " + n);
            }
            max = n.intValue();
        }
        return new TextHandling(task, segment, prefix, max);
    }

    private static String text(JsonFile f, String field) {
        if (!f.has(field)) {
            return null;
        }
        JsonNode n = f.root.get(field);
        if (!n.isTextual()) {
            throw f.error(field, "expected a string, found " + n);
        }
        return n.textValue();
    }
}
