package seq2seq.service.config;

import org.apache.kafka.streams.StreamsConfig;
import seq2seq.streams.PipelineSettings;
import seq2seq.streams.TranslationTopology;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The application's configuration: one properties file, then environment variables on top
 * ({@code S2S_KAFKA_BOOTSTRAP_SERVERS} sets {@code kafka.bootstrap.servers}; see {@link Property#envVar}), then
 * defaults from {@link Settings}. {@link #validate()} reports every bad value at once.
 */
public final class AppConfig {
    /** what the file and the environment set, by property name */
    private final Map<String, String> values;

    private AppConfig(Map<String, String> values) {
        this.values = values;
    }

    /** Values as given (tests, demo); validated. */
    public static AppConfig of(Map<String, String> values) {
        AppConfig c = new AppConfig(new TreeMap<>(values));
        c.validate();
        return c;
    }

    /**
     * @param file  properties file, or null for none
     * @param env   the environment (System.getenv()); only {@value Property#ENV_PREFIX}* variables are read
     */
    public static AppConfig load(Path file, Map<String, String> env) {
        Map<String, String> values = new TreeMap<>();
        if (file != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new ConfigException(List.of("cannot read the configuration file " + file + ": " + e.getMessage()));
            }
            p.stringPropertyNames().forEach(k -> values.put(k.strip(), p.getProperty(k).strip()));
        }
        env.forEach((k, v) -> {
            String property = Property.propertyOf(k);
            if (property != null) {
                values.put(property, v.strip());
            }
        });
        return of(values);
    }

    /**
     * The value set for {@code p}, else its default (null if it has none). One default depends on another key: with
     * {@code batch.latency.target.ms} set, the commit interval is a tenth of the target (at least
     * {@value #MIN_TARGET_COMMIT_MS} ms), because under exactly-once a result waits for the next commit and 100 ms of
     * that would take most of a target's budget (bench/report-load-quiet.md).
     */
    public String get(Property p) {
        String v = values.get(p.name());
        if (v != null) {
            return v;
        }
        if (p == Settings.COMMIT_INTERVAL) {
            long target = Long.parseLong(get(Settings.BATCH_LATENCY_TARGET).strip());
            if (target > 0) {
                return String.valueOf(Math.max(MIN_TARGET_COMMIT_MS, target / 10));
            }
        }
        return p.defaultValue();
    }

    /** the shortest commit interval a latency target implies */
    static final long MIN_TARGET_COMMIT_MS = 10;

    public int getInt(Property p) {
        return Integer.parseInt(get(p).strip());
    }

    public long getLong(Property p) {
        return Long.parseLong(get(p).strip());
    }

    public double getDouble(Property p) {
        return Double.parseDouble(get(p).strip());
    }

    public boolean getBoolean(Property p) {
        return Boolean.parseBoolean(get(p).strip());
    }

    public Duration getMillis(Property p) {
        return Duration.ofMillis(getLong(p));
    }

    /** A copy with some values replaced (the demo and tests point a file's settings elsewhere). */
    public AppConfig with(Map<String, String> overrides) {
        Map<String, String> v = new TreeMap<>(values);
        v.putAll(overrides);
        return of(v);
    }

    /** Everything set explicitly, for logging at start-up (values of keys that look secret are hidden). */
    public Map<String, String> explicitValues() {
        Map<String, String> shown = new TreeMap<>();
        values.forEach((k, v) -> shown.put(k, k.matches(".*(password|secret|user\\.info|sasl\\.jaas).*") ? "********" : v));
        return shown;
    }

    /** Checks every value; throws one {@link ConfigException} listing all problems. */
    public void validate() {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String key = e.getKey();
            Property p = Settings.find(key);
            if (p != null) {
                String problem = p.check().problem(e.getValue());
                if (problem != null) {
                    problems.add(key + " (" + Property.envVar(key) + ") " + problem);
                }
            } else if (!key.startsWith(Settings.KAFKA_PREFIX) && !key.startsWith(Settings.REGISTRY_PREFIX)) {
                problems.add(key + " is not a known property (see the README's configuration table); kafka.* and registry.* keys pass through");
            }
        }
        if (problems.isEmpty()) {
            problems.addAll(modelProblems());
            long block = getLong(Settings.BATCH_MAX_BLOCK);
            long txTimeout = getLong(Settings.TRANSACTION_TIMEOUT);
            if (block * 2 > txTimeout) {
                problems.add(Settings.BATCH_MAX_BLOCK.name() + " is " + block + " ms, more than half of "
                        + Settings.TRANSACTION_TIMEOUT.name() + " (" + txTimeout + " ms): a back-pressure wait could outlast the transaction");
            }
            long target = getLong(Settings.BATCH_LATENCY_TARGET);
            long outside = getLong(Settings.BATCH_TICK) + (get(Settings.PROCESSING_GUARANTEE).strip().equals("exactly_once_v2")
                    ? getLong(Settings.COMMIT_INTERVAL) : 0);
            if (target > 0 && target <= outside) {
                problems.add(Settings.BATCH_LATENCY_TARGET.name() + " is " + target + " ms, not above the " + outside
                        + " ms a result waits after its batch (" + Settings.BATCH_TICK.name() + ", and "
                        + Settings.COMMIT_INTERVAL.name() + " under exactly-once): no batching could meet it");
            }
            try {
                new StreamsConfig(kafkaStreams());
            } catch (org.apache.kafka.common.config.ConfigException e) {
                problems.add("Kafka Streams rejects the kafka.* settings: " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    /**
     * One model to load.
     *
     * @param name   what requests and results call it
     * @param dir    its bundle folder
     * @param dtype  which weights
     * @param pairs  the language pairs configured for it, or null: what its bundle declares
     */
    public record ModelSpec(String name, Path dir, String dtype, seq2seq.model.LanguagePairs pairs) {
    }

    /** The name {@code model.dir} gives its one model: the folder's own ("model" for a root). */
    public static String folderName(Path dir) {
        Path file = dir.toAbsolutePath().normalize().getFileName();
        return file == null ? "model" : file.toString();
    }

    /**
     * The models to serve, in name order: each {@code models.NAME.dir}, or when there is none the one model of
     * {@code model.dir}, named after its folder.
     */
    public List<ModelSpec> models() {
        Set<String> names = new java.util.TreeSet<>();
        values.keySet().forEach(k -> {
            java.util.regex.Matcher m = Settings.MODEL_KEY.matcher(k);
            if (m.matches() && m.group(2).equals("dir")) {
                names.add(m.group(1));
            }
        });
        if (names.isEmpty()) {
            Path dir = Path.of(get(Settings.MODEL_DIR));
            return List.of(new ModelSpec(folderName(dir), dir, get(Settings.MODEL_DTYPE), null));
        }
        List<ModelSpec> out = new ArrayList<>();
        for (String n : names) {
            String pairs = values.get("models." + n + ".pairs");
            out.add(new ModelSpec(n, Path.of(values.get("models." + n + ".dir")),
                    values.getOrDefault("models." + n + ".dtype", get(Settings.MODEL_DTYPE)),
                    pairs == null || pairs.isBlank() ? null : seq2seq.model.LanguagePairs.parse(pairs)));
        }
        return out;
    }

    /** The model that takes requests naming neither model nor languages: {@code models.default}, else the only one. */
    public String defaultModel() {
        String d = get(Settings.MODELS_DEFAULT);
        return d != null ? d.strip() : models().get(0).name();
    }

    /** What is wrong with the models.* keys taken together. */
    private List<String> modelProblems() {
        List<String> problems = new ArrayList<>();
        Set<String> declared = new java.util.TreeSet<>();
        Set<String> mentioned = new java.util.TreeSet<>();
        values.keySet().forEach(k -> {
            java.util.regex.Matcher m = Settings.MODEL_KEY.matcher(k);
            if (m.matches()) {
                mentioned.add(m.group(1));
                if (m.group(2).equals("dir")) {
                    declared.add(m.group(1));
                }
            }
        });
        for (String n : mentioned) {
            if (!declared.contains(n)) {
                problems.add("models." + n + ".* is set but models." + n + ".dir is not: every model needs its folder");
            }
        }
        if (!declared.isEmpty() && values.containsKey(Settings.MODEL_DIR.name())) {
            problems.add(Settings.MODEL_DIR.name() + " and models.<name>.dir are both set: use models.<name>.dir for every model");
        }
        String d = values.get(Settings.MODELS_DEFAULT.name());
        if (d != null && !declared.isEmpty() && !declared.contains(d.strip())) {
            problems.add(Settings.MODELS_DEFAULT.name() + " is '" + d + "', not one of the models: " + String.join(", ", declared));
        }
        if (d == null && declared.size() > 1) {
            problems.add(Settings.MODELS_DEFAULT.name() + " must name one of the models " + String.join(", ", declared)
                    + " (the one for requests that name neither a model nor languages)");
        }
        if (d != null && declared.isEmpty() && !d.strip().equals(models().get(0).name())) {
            problems.add(Settings.MODELS_DEFAULT.name() + " is '" + d + "' but the one model served is '" + models().get(0).name() + "'");
        }
        return problems;
    }

    /** The pipeline's part. */
    public PipelineSettings pipeline() {
        return new PipelineSettings(get(Settings.REQUESTS_TOPIC), get(Settings.TRANSLATIONS_TOPIC), get(Settings.FAILURES_TOPIC),
                getInt(Settings.MAX_TEXT_CHARS), getInt(Settings.MAX_SEGMENT_CHARS), getInt(Settings.MAX_BEAMS),
                getInt(Settings.MAX_NEW_TOKENS), getInt(Settings.BATCH_SIZE), getInt(Settings.BATCH_TOKENS),
                getMillis(Settings.BATCH_LINGER), getMillis(Settings.BATCH_LATENCY_TARGET), getInt(Settings.BATCH_MAX_PENDING),
                getMillis(Settings.BATCH_MAX_BLOCK),
                getMillis(Settings.BATCH_TICK), getBoolean(Settings.MEMORY_ENABLED), getLong(Settings.MEMORY_MAX_ENTRIES),
                getMillis(Settings.MEMORY_MAX_AGE), getMillis(Settings.MEMORY_CLEANUP_INTERVAL),
                getBoolean(Settings.REPARTITION_BY_CONTENT), list(Settings.SOURCE_LANGUAGES), list(Settings.TARGET_LANGUAGES),
                list(Settings.HEADERS));
    }

    /** a comma-separated property as a set (empty when blank) */
    public Set<String> list(Property p) {
        Set<String> out = new LinkedHashSet<>();
        for (String part : get(p).split(",")) {
            if (!part.isBlank()) {
                out.add(part.strip());
            }
        }
        return out;
    }

    /** Settings for the serdes: every registry.* key without its prefix, plus schema.registry.url. */
    public Map<String, Object> serdes() {
        Map<String, Object> s = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(Settings.REGISTRY_PREFIX) && !k.equals(Settings.REGISTRY_URL.name())) {
                s.put(k.substring(Settings.REGISTRY_PREFIX.length()), v);
            }
        });
        s.put("schema.registry.url", get(Settings.REGISTRY_URL));
        return s;
    }

    /**
     * Properties for Kafka Streams: the documented kafka.* defaults, every kafka.* key set (prefix removed), what the
     * topology needs (dead-letter handler), and the serde settings (the dead-letter handler builds a serde from them).
     */
    public Map<String, Object> kafkaStreams() {
        Map<String, Object> k = new TreeMap<>(serdes());
        k.putAll(TranslationTopology.streamsProperties(pipeline(), get(Settings.SERDE_CLASS)));
        for (Property p : Settings.all()) {
            if (p.name().startsWith(Settings.KAFKA_PREFIX) && get(p) != null) {
                k.put(p.name().substring(Settings.KAFKA_PREFIX.length()), get(p));
            }
        }
        values.forEach((key, v) -> {
            if (key.startsWith(Settings.KAFKA_PREFIX)) {
                k.put(key.substring(Settings.KAFKA_PREFIX.length()), v);
            }
        });
        return k;
    }
}
