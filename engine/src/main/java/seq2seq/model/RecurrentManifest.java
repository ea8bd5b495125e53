package seq2seq.model;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * manifest.json of a recurrent (LSTM or GRU) encoder-decoder bundle, checked field by field when read; every error
 * names the file and the field (e.g. "encoder.outputs.state_c"). The layout is documented in docs/models-recurrent.md.
 * <p>
 * Longer than most classes: each field's check and its error message sit next to the field, in the order
 * docs/models-recurrent.md lists them.
 */
public final class RecurrentManifest {
    public static final String FILE = "manifest.json";
    public static final String FORMAT = "seq2seq-streams/recurrent-seq2seq";
    public static final int FORMAT_VERSION = 1;
    /** the longest source when the manifest sets neither source.max_length nor source.pad_to_length */
    static final int DEFAULT_MAX_SOURCE = 512;

    /** The recurrent cell: its states, in the order the graphs' state names are listed. */
    public enum Architecture {
        LSTM(List.of("state_h", "state_c")), GRU(List.of("state_h"));

        /** the manifest's names for the states (keys of encoder.outputs, decoder.inputs, decoder.outputs) */
        public final List<String> states;

        Architecture(List<String> states) {
            this.states = states;
        }
    }

    /** What one token is: a character (one Unicode code point) or a word (split at white space). */
    public enum Level { CHARACTER, WORD }

    /** How the graphs take token ids: as ids (an embedding inside) or as one-hot float vectors (Keras' example). */
    public enum InputEncoding { EMBEDDING_IDS, ONE_HOT }

    /** What the decoder's scores output is: probabilities (softmax), raw logits, or log-probabilities. */
    public enum OutputScores { SOFTMAX, LOGITS, LOG_SOFTMAX }

    /**
     * One graph's file and tensor names.
     *
     * @param file    the ONNX file, relative to the bundle
     * @param inputs  role ("ids", "state_h", "state_c") to the graph's input name
     * @param outputs role ("state_h", "state_c", and the decoder's "scores") to the graph's output name
     */
    public record Graph(String file, Map<String, String> inputs, Map<String, String> outputs) {
    }

    public final Path dir;
    public final Architecture architecture;
    public final Level level;
    public final int latentDim;
    public final Graph encoder;
    public final Graph decoder;
    public final InputEncoding inputEncoding;
    public final OutputScores outputScores;
    /** the source vocabulary: token i has id firstIndex + i */
    public final List<String> sourceTokens;
    public final int firstIndex;
    /** the id of a source token not in the vocabulary; null: such tokens are left out */
    public final Integer unknownIndex;
    /** the id sources are padded with to {@link #padToLength}; null when they are not padded */
    public final Integer paddingIndex;
    /** "left" or "right" */
    public final String paddingSide;
    /** every source is padded to this length (Keras' max_encoder_seq_length); null: each runs at its own length */
    public final Integer padToLength;
    /** the longest source in tokens; longer ones are cut */
    public final int maxSourceLength;
    /** the target vocabulary: token i has id i */
    public final List<String> targetTokens;
    public final int startIndex;
    public final int stopIndex;
    /** cap on the decoder sequence, start token included (Hugging Face's max_length) */
    public final int maxLength;

    private RecurrentManifest(Path dir, Fields f) {
        this.dir = dir;
        this.architecture = f.enumValue("architecture", Architecture.class);
        this.level = f.enumValue("level", Level.class);
        this.latentDim = f.positiveInt("latent_dim");
        this.encoder = graph(f, "encoder", List.of("ids"), architecture.states);
        List<String> decoderInputs = new ArrayList<>(List.of("ids"));
        decoderInputs.addAll(architecture.states);
        List<String> decoderOutputs = new ArrayList<>(List.of("scores"));
        decoderOutputs.addAll(architecture.states);
        this.decoder = graph(f, "decoder", decoderInputs, decoderOutputs);
        this.inputEncoding = f.enumValue("input_encoding", InputEncoding.class);
        this.outputScores = f.enumValue("output_scores", OutputScores.class);
        String vocabField = level == Level.CHARACTER ? "characters" : "tokens";
        this.sourceTokens = vocabulary(f, "source." + vocabField);
        this.firstIndex = f.nonNegativeInt("source.first_index");
        this.unknownIndex = f.has("source.unknown_index") ? f.nonNegativeInt("source.unknown_index") : null;
        this.padToLength = f.has("source.pad_to_length") ? f.positiveInt("source.pad_to_length") : null;
        this.paddingIndex = f.has("source.padding_index") || padToLength != null ? f.nonNegativeInt("source.padding_index") : null;
        this.paddingSide = f.has("source.padding_side") || padToLength != null ? f.oneOf("source.padding_side", "left", "right") : "left";
        if (unknownIndex != null && unknownIndex >= firstIndex && unknownIndex < firstIndex + sourceTokens.size()) {
            throw f.error("source.unknown_index", unknownIndex + " is the id of the vocabulary's token \""
                    + sourceTokens.get(unknownIndex - firstIndex) + "\" (ids " + firstIndex + ".." + (firstIndex + sourceTokens.size() - 1) + ")");
        }
        Integer maxSource = f.has("source.max_length") ? f.positiveInt("source.max_length") : null;
        if (maxSource != null && padToLength != null && maxSource > padToLength) {
            throw f.error("source.max_length", maxSource + " is more than source.pad_to_length " + padToLength);
        }
        this.maxSourceLength = maxSource != null ? maxSource : padToLength != null ? padToLength : DEFAULT_MAX_SOURCE;
        this.targetTokens = vocabulary(f, "target." + vocabField);
        this.startIndex = targetIndex(f, "start");
        this.stopIndex = targetIndex(f, "stop");
        if (startIndex == stopIndex) {
            throw f.error("target.stop_index", "is the start index too (" + startIndex + ")");
        }
        this.maxLength = f.positiveInt("max_length");
        if (maxLength < 2) {
            throw f.error("max_length", "must be at least 2 (the start token and one generated token), found " + maxLength);
        }
    }

    /** Whether the folder holds a recurrent bundle: a manifest.json and no config.json (a transformer's). */
    public static boolean isRecurrent(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE)) && !Files.exists(dir.resolve(ModelConfig.FILE));
    }

    public static RecurrentManifest read(Path dir) {
        dir = dir.toAbsolutePath().normalize();
        Fields f = new Fields(JsonFile.read(dir, FILE));
        String format = f.text("format");
        if (!FORMAT.equals(format)) {
            throw f.error("format", "expected \"" + FORMAT + "\", found \"" + format + "\"");
        }
        int version = f.positiveInt("format_version");
        if (version != FORMAT_VERSION) {
            throw f.error("format_version", "this engine reads version " + FORMAT_VERSION + ", found " + version);
        }
        return new RecurrentManifest(dir, f);
    }

    /** Ids the source vocabulary can take: the one-hot depth, the embedding's rows at least. */
    public int sourceVocabSize() {
        int n = firstIndex + sourceTokens.size();
        if (unknownIndex != null) {
            n = Math.max(n, unknownIndex + 1);
        }
        if (paddingIndex != null) {
            n = Math.max(n, paddingIndex + 1);
        }
        return n;
    }

    public int targetVocabSize() {
        return targetTokens.size();
    }

    private static Graph graph(Fields f, String name, List<String> requiredInputs, List<String> requiredOutputs) {
        String file = f.text(name + ".file");
        if (file.isBlank() || Path.of(file).isAbsolute() || file.contains("..")) {
            throw f.error(name + ".file", "expected a file name inside the bundle, found \"" + file + "\"");
        }
        return new Graph(file, names(f, name + ".inputs", requiredInputs), names(f, name + ".outputs", requiredOutputs));
    }

    /** The role to tensor-name map at {@code path}: exactly the required roles. */
    private static Map<String, String> names(Fields f, String path, List<String> roles) {
        JsonNode n = f.node(path);
        if (!n.isObject()) {
            throw f.error(path, "expected an object of tensor names " + roles + ", found " + n);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String role : roles) {
            out.put(role, f.text(path + "." + role));
        }
        for (var it = n.fieldNames(); it.hasNext(); ) {
            String role = it.next();
            if (!roles.contains(role)) {
                throw f.error(path + "." + role, "unknown role (expected " + roles + " for architecture "
                        + f.text("architecture") + ")");
            }
        }
        return out;
    }

    private List<String> vocabulary(Fields f, String path) {
        JsonNode n = f.node(path);
        if (!n.isArray() || n.isEmpty()) {
            throw f.error(path, "expected a non-empty array of " + (level == Level.CHARACTER ? "characters" : "words")
                    + (f.node(path.replaceFirst("\\.\\w+$", "")).has(level == Level.CHARACTER ? "tokens" : "characters")
                    ? " (level is " + level.name().toLowerCase(Locale.ROOT) + ")" : ""));
        }
        List<String> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode t = n.get(i);
            String where = path + "[" + i + "]";
            if (!t.isTextual()) {
                throw f.error(where, "expected a string, found " + t);
            }
            String s = t.textValue();
            if (level == Level.CHARACTER && s.codePointCount(0, s.length()) != 1) {
                throw f.error(where, "expected one character (one Unicode code point), found \"" + s + "\"");
            }
            if (level == Level.WORD && (s.isEmpty() || s.codePoints().anyMatch(Character::isWhitespace))) {
                throw f.error(where, "expected a word without white space, found \"" + s + "\"");
            }
            if (!seen.add(s)) {
                throw f.error(where, "\"" + s + "\" is listed twice");
            }
            out.add(s);
        }
        return List.copyOf(out);
    }

    /** target.{which}_index, checked against target.{which}_token when that is given. */
    private int targetIndex(Fields f, String which) {
        int index = f.nonNegativeInt("target." + which + "_index");
        if (index >= targetTokens.size()) {
            throw f.error("target." + which + "_index", index + " is outside the target vocabulary [0, " + targetTokens.size() + ")");
        }
        if (f.has("target." + which + "_token")) {
            String token = f.text("target." + which + "_token");
            if (!token.equals(targetTokens.get(index))) {
                throw f.error("target." + which + "_token", quote(token) + " is not the token at target." + which
                        + "_index " + index + " (" + quote(targetTokens.get(index)) + ")");
            }
        }
        return index;
    }

    /** A token as JSON would write it (the start and stop characters are usually \t and \n). */
    static String quote(String s) {
        return new com.fasterxml.jackson.databind.node.TextNode(s).toString();
    }

    /** Typed reads of dotted paths ("source.first_index") that fail naming the file and the path. */
    private static final class Fields {
        private final JsonFile file;

        Fields(JsonFile file) {
            this.file = file;
        }

        BundleException error(String path, String reason) {
            return file.error(path, reason);
        }

        /** The node at the path; a missing one (or a missing parent) is an error naming the path. */
        JsonNode node(String path) {
            JsonNode n = file.root;
            String at = "";
            for (String part : path.split("\\.")) {
                at = at.isEmpty() ? part : at + "." + part;
                if (!n.isObject()) {
                    throw error(at.substring(0, Math.max(0, at.lastIndexOf('.'))), "expected an object, found " + n);
                }
                n = n.get(part);
                if (n == null || n.isNull()) {
                    throw error(at, "missing");
                }
            }
            return n;
        }

        boolean has(String path) {
            JsonNode n = file.root;
            for (String part : path.split("\\.")) {
                if (n == null || !n.isObject()) {
                    return false;
                }
                n = n.get(part);
            }
            return n != null && !n.isNull();
        }

        String text(String path) {
            JsonNode n = node(path);
            if (!n.isTextual()) {
                throw error(path, "expected a string, found " + n);
            }
            return n.textValue();
        }

        int nonNegativeInt(String path) {
            JsonNode n = node(path);
            if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0) {
                throw error(path, "expected a non-negative integer, found " + n);
            }
            return n.intValue();
        }

        int positiveInt(String path) {
            int v = nonNegativeInt(path);
            if (v == 0) {
                throw error(path, "must be positive, found 0");
            }
            return v;
        }

        String oneOf(String path, String... values) {
            String v = text(path);
            if (!List.of(values).contains(v)) {
                throw error(path, "expected one of " + String.join(", ", values) + ", found \"" + v + "\"");
            }
            return v;
        }

        <E extends Enum<E>> E enumValue(String path, Class<E> type) {
            String v = text(path);
            List<String> names = new ArrayList<>();
            for (E e : type.getEnumConstants()) {
                String name = e.name().toLowerCase(Locale.ROOT);
                names.add(name);
                if (name.equals(v)) {
                    return e;
                }
            }
            throw error(path, "expected one of " + String.join(", ", names) + ", found \"" + v + "\"");
        }
    }
}
