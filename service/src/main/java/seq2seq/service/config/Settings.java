package seq2seq.service.config;

import seq2seq.generation.EngineOptions;
import seq2seq.streams.PipelineSettings;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static seq2seq.service.config.Check.BOOLEAN;
import static seq2seq.service.config.Check.NOT_BLANK;
import static seq2seq.service.config.Check.intRange;
import static seq2seq.service.config.Check.oneOf;

/**
 * Every documented configuration property, in the order of the README's table (which is generated from here and
 * checked by a test). To add one: declare it below with {@link #add} and read it through {@link AppConfig}.
 * <p>
 * Besides these, any key starting with {@value #KAFKA_PREFIX} goes to Kafka Streams with the prefix removed (so
 * {@code kafka.producer.linger.ms} sets the producer's {@code linger.ms}, as Streams' own prefixes work), and any
 * key starting with {@value #REGISTRY_PREFIX} goes to the serdes with the prefix removed (e.g.
 * {@code registry.basic.auth.user.info}).
 */
public final class Settings {
    public static final String KAFKA_PREFIX = "kafka.";
    public static final String REGISTRY_PREFIX = "registry.";
    private static final long MAX_INT = Integer.MAX_VALUE;
    private static final List<Property> ALL = new ArrayList<>();
    private static final Check LANGUAGE_LIST = v -> v.isBlank() || java.util.Arrays.stream(v.split(",", -1))
            .allMatch(code -> PipelineSettings.LANGUAGE_CODE.matcher(code.strip()).matches()) ? null
            : "must be comma-separated language codes (letters, digits, '-', '_'), got '" + v + "'";

    /** a key of one model's: models.NAME.dir|dtype|pairs */
    public static final java.util.regex.Pattern MODEL_KEY = java.util.regex.Pattern.compile("models\\.([A-Za-z0-9_-]{1,64})\\.(dir|dtype|pairs)");
    private static final Check DTYPE = oneOf("fp32", "fp16", "q8", "int8", "uint8", "q4", "q4f16", "bnb4");
    private static final Check PAIRS = v -> {
        try {
            seq2seq.model.LanguagePairs.parse(v);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        return java.util.Arrays.stream(v.split("[,:-]")).allMatch(c -> c.isBlank() || PipelineSettings.LANGUAGE_CODE.matcher(c.strip()).matches())
                ? null : "must be language pairs of codes (letters, digits, '_'), got '" + v + "'";
    };

    private Settings() {
    }

    private static Property add(String name, String defaultValue, String meaning, Check check) {
        Property p = new Property(name, defaultValue, meaning, check);
        ALL.add(p);
        return p;
    }

    // --- Kafka (every other kafka.* key passes through to Kafka Streams and its clients) ---
    public static final Property BOOTSTRAP_SERVERS = add("kafka.bootstrap.servers", "localhost:9092",
            "Kafka brokers to connect to", NOT_BLANK);
    public static final Property APPLICATION_ID = add("kafka.application.id", "seq2seq-streams",
            "Kafka Streams application id: consumer group, prefix of internal topics; instances with the same id share the work", NOT_BLANK);
    public static final Property PROCESSING_GUARANTEE = add("kafka.processing.guarantee", "exactly_once_v2",
            "exactly_once_v2: no output is lost or duplicated; at_least_once: faster commits, duplicates after a crash",
            oneOf("exactly_once_v2", "at_least_once"));
    public static final Property STREAM_THREADS = add("kafka.num.stream.threads", "1",
            "stream threads per instance; they share one engine, so more threads rarely help: add instances or partitions", intRange(1, 64));
    public static final Property COMMIT_INTERVAL = add("kafka.commit.interval.ms", "100",
            "how often offsets, state and outputs are committed; under exactly-once, outputs become visible to read_committed consumers only then; with batch.latency.target.ms set, the default is a tenth of the target (at least 10)", intRange(1, MAX_INT));
    public static final Property STANDBY_REPLICAS = add("kafka.num.standby.replicas", "1",
            "warm copies of each partition's memory and buffer on other instances, for fast fail-over (none is kept while an instance runs alone)", intRange(0, 10));
    public static final Property SESSION_TIMEOUT = add("kafka.consumer.session.timeout.ms", "6000",
            "how long a crashed instance keeps its partitions; the brokers' minimum by default (a clean stop leaves at once); longer lets a static member (kafka.main.consumer.group.instance.id) restart without a rebalance", intRange(1_000, 3_600_000));
    public static final Property HEARTBEAT_INTERVAL = add("kafka.consumer.heartbeat.interval.ms", "2000",
            "heartbeats to the group coordinator; at most a third of the session timeout", intRange(100, 3_600_000));
    public static final Property REPLICATION_FACTOR = add("kafka.replication.factor", "-1",
            "replication of internal topics (changelogs, repartition); -1 = the broker's default", intRange(-1, 10));
    public static final Property STATE_DIR = add("kafka.state.dir", "state",
            "folder of this instance's RocksDB state (memory and buffer of its partitions); instances on one host each need their own; not in the OS temp folder, which may be wiped", NOT_BLANK);
    public static final Property POLL_MS = add("kafka.poll.ms", "10",
            "longest a stream thread blocks in poll; bounds how late a finished batch is forwarded when input is idle", intRange(1, 10_000));
    public static final Property TRANSACTION_TIMEOUT = add("kafka.producer.transaction.timeout.ms", "10000",
            "transaction timeout under exactly-once; batch.max.block.ms must stay well below it", intRange(1_000, 900_000));

    // --- schema registry and serdes (every other registry.* key passes through to the serdes) ---
    public static final Property REGISTRY_URL = add("registry.url", "http://localhost:8081",
            "schema registry URL(s), comma-separated (passed to the serdes as schema.registry.url)", NOT_BLANK);
    public static final Property SERDE_CLASS = add("serde.class", "seq2seq.streams.serde.RegistryAvroSerde",
            "value serde for all three topics; Confluent's io.confluent.kafka.streams.serdes.avro.SpecificAvroSerde works too if on the class path", NOT_BLANK);

    // --- topics ---
    public static final Property REQUESTS_TOPIC = add("topic.requests", "translation-requests",
            "input topic (TranslationRequest)", NOT_BLANK);
    public static final Property TRANSLATIONS_TOPIC = add("topic.translations", "translations",
            "output topic (TranslationResult), same key as the request", NOT_BLANK);
    public static final Property FAILURES_TOPIC = add("topic.failures", "translation-failures",
            "dead-letter topic (TranslationFailure with the raw bytes)", NOT_BLANK);
    public static final Property TOPICS_CREATE = add("topics.create", "false",
            "at start-up, create the three topics when missing; false: stop, naming each missing topic and the command that creates it", BOOLEAN);
    public static final Property TOPICS_PARTITIONS = add("topics.partitions", "6",
            "partitions of the topics topics.create makes: the most instances that can share the work", intRange(1, 10_000));
    public static final Property TOPICS_REPLICATION = add("topics.replication.factor", "-1",
            "replication of the topics topics.create makes; -1 = the broker's default", intRange(-1, 10));

    // --- model(s) ---
    public static final Property MODEL_DIR = add("model.dir", "models/s2s-en-de-small",
            "model bundle folder (ONNX encoder/decoder, tokenizer, config); one model, named after the folder (unless `models.<name>.dir` is set)", NOT_BLANK);
    public static final Property MODEL_DTYPE = add("model.dtype", "fp32",
            "weights to load: fp32, or q8 for the bundle's _quantized files", DTYPE);
    public static final Property MODELS_DIR = add("models.<name>.dir", null,
            "several models per instance: each one's bundle folder; the name (letters, digits, `_`, `-`) is what a request's `model` field and a result's `model` say", NOT_BLANK);
    public static final Property MODELS_DTYPE = add("models.<name>.dtype", null,
            "that model's weights; default: `model.dtype`", DTYPE);
    public static final Property MODELS_PAIRS = add("models.<name>.pairs", null,
            "language pairs that model serves, e.g. `en-de,en-fr` (`en:pt-BR` when a code has a `-`); default: what its bundle declares, else any", PAIRS);
    public static final Property MODELS_DEFAULT = add("models.default", null,
            "the model for requests that name neither a model nor languages; required with several models", NOT_BLANK);
    public static final Property MODELS_STRICT_LANGUAGES = add("models.strict.languages", "true",
            "dead-letter as UNSUPPORTED_LANGUAGE a request that no model serves (e.g. a target language none produces); false: the default model takes it", BOOLEAN);
    public static final Property MODELS_CONTROL_TOPIC = add("models.control.topic", "translation-models",
            "compacted topic of `ModelDeployment` records that every instance follows to load, canary, shadow, switch and unload model versions (`models deploy|promote|rollback`); empty = versions only from the configuration", Check.ANY);
    public static final Property MODELS_LOAD_HEADROOM = add("models.load.headroom", "1.2",
            "a new version loads only if the memory available is at least this many times its bundle's weight files",
            Check.number(0, Double.POSITIVE_INFINITY));
    public static final Property ENGINE_THREADS = add("engine.intra.op.threads", "1",
            "ONNX Runtime threads per operator", intRange(1, 256));
    public static final Property ENGINE_CPU_ARENA = add("engine.cpu.arena", String.valueOf(EngineOptions.DEFAULT_CPU_ARENA),
            "each ONNX Runtime session keeps its own CPU memory arena, grown to its largest run and kept while loaded; false: tensors come from and go back to the C allocator (less resident memory with two versions loaded in a rollout, slower beam search; docs/engine.md#memory)", BOOLEAN);

    // --- requests ---
    public static final Property MAX_TEXT_CHARS = add("text.max.chars", "10000",
            "longer texts are dead-lettered as TOO_LONG", intRange(1, 10_000_000));
    public static final Property MAX_SEGMENT_CHARS = add("text.segment.max.chars", "400",
            "sentences longer than this are cut at whitespace before translation", intRange(2, 100_000));
    public static final Property SOURCE_LANGUAGES = add("request.source.languages", "",
            "source_lang values accepted, comma-separated; empty = any (others are dead-lettered as UNSUPPORTED_LANGUAGE)", LANGUAGE_LIST);
    public static final Property TARGET_LANGUAGES = add("request.target.languages", "",
            "target_lang values accepted, comma-separated; empty = any", LANGUAGE_LIST);
    public static final Property HEADERS = add("request.headers", "tracestate,x-correlation-id",
            "headers of a request copied to its result or dead letter, comma-separated; traceparent is always copied", Check.ANY);
    public static final Property MAX_BEAMS = add("request.max.beams", "8",
            "largest options.num_beams a request may ask for", intRange(1, 64));
    public static final Property MAX_NEW_TOKENS = add("request.max.new.tokens", "512",
            "largest options.max_new_tokens a request may ask for", intRange(1, 8192));

    // --- batching ---
    public static final Property BATCH_SIZE = add("batch.size", "32",
            "segments per engine batch; a partition's waiting segments are sent when this many gather", intRange(1, 4096));
    public static final Property BATCH_TOKENS = add("batch.tokens", "2048",
            "estimated source tokens per engine batch (bounds one batch's time)", intRange(1, 1_000_000));
    public static final Property BATCH_LINGER = add("batch.linger.ms", "20",
            "longest a segment waits for others before its batch is sent", intRange(0, 60_000));
    public static final Property BATCH_LATENCY_TARGET = add("batch.latency.target.ms", "0",
            "p99 latency to keep: the batcher learns what a batch costs and picks batch size (≤ batch.size) and linger (≤ batch.linger.ms) to fit, or logs that it cannot and serves full batches; shortens the default kafka.commit.interval.ms; 0 = off", intRange(0, 600_000));
    public static final Property BATCH_MAX_PENDING = add("batch.max.pending", "256",
            "requests a partition may hold in its buffer before it waits for results (back-pressure)", intRange(1, 1_000_000));
    public static final Property BATCH_MAX_BLOCK = add("batch.max.block.ms", "2000",
            "longest one back-pressure wait; it happens inside a transaction, so keep it under half the transaction timeout", intRange(1, 600_000));
    public static final Property BATCH_WORKERS = add("batch.workers", "0",
            "engine batches that run at once, each on its own thread; 0 = one per CPU core", intRange(0, 256));
    public static final Property BATCH_TICK = add("batch.tick.ms", "5",
            "how often a partition looks for finished batches and lingering segments", intRange(1, 10_000));

    // --- translation memory ---
    public static final Property MEMORY_ENABLED = add("memory.enabled", "true",
            "answer repeated sentences from the per-partition translation memory", BOOLEAN);
    public static final Property MEMORY_MAX_ENTRIES = add("memory.max.entries", "100000",
            "sentences remembered per partition; the oldest go first", intRange(1, Long.MAX_VALUE));
    public static final Property MEMORY_MAX_AGE = add("memory.max.age.ms", "604800000",
            "remembered sentences older than this are forgotten (default 7 days)", intRange(1, Long.MAX_VALUE));
    public static final Property MEMORY_CLEANUP_INTERVAL = add("memory.cleanup.interval.ms", "60000",
            "how often the memory is trimmed to its age and size", intRange(100, MAX_INT));
    public static final Property REPARTITION_BY_CONTENT = add("repartition.by.content", "false",
            "route requests by text through a repartition topic so each distinct sentence is remembered once (loses per-partition order)", BOOLEAN);

    // --- operations ---
    public static final Property OPS_PORT = add("ops.port", "8080",
            "port of the operations endpoints: /metrics (Prometheus), /health/live, /health/ready, / (status page); 0 = any free port", intRange(0, 65_535));
    public static final Property OPS_BIND_ADDRESS = add("ops.bind.address", "0.0.0.0",
            "interface the operations endpoints listen on (127.0.0.1 keeps them local)", NOT_BLANK);
    public static final Property OPS_RECENT = add("ops.recent.translations", "10",
            "how many recent translations the status page shows (0: none, e.g. for confidential text)", intRange(0, 1_000));
    public static final Property OPS_CHART_INTERVAL = add("ops.chart.interval.ms", "5000",
            "how often the status page's chart of throughput and p50/p99 latency takes a point; it shows the last 120", intRange(100, 600_000));
    public static final Property SHUTDOWN_TIMEOUT = add("shutdown.timeout.ms", "30000",
            "longest a graceful stop (SIGTERM, Ctrl-C) waits for Kafka Streams to commit and close; the process is halted 10 s after it", intRange(1_000, 600_000));

    // --- tracing (docs/operations.md#tracing) ---
    public static final Property TRACING_ENABLED = add("tracing.enabled", "false",
            "export OpenTelemetry spans of each request (receive, memory look-up, queue wait, encode, decode, produce) under its `traceparent`", BOOLEAN);
    public static final Property TRACING_ENDPOINT = add("tracing.otlp.endpoint", "http://localhost:4318/v1/traces",
            "OTLP/HTTP (protobuf) traces endpoint the spans are sent to, e.g. an OpenTelemetry Collector's",
            v -> v.strip().matches("https?://[^\\s/]+(/\\S*)?") ? null : "must be an http:// or https:// URL, got '" + v + "'");
    public static final Property TRACING_SERVICE_NAME = add("tracing.service.name", "seq2seq-streams",
            "`service.name` of the spans", NOT_BLANK);
    public static final Property TRACING_SAMPLE_RATIO = add("tracing.sample.ratio", "1.0",
            "share of requests without a `traceparent` that are traced; one with a `traceparent` follows its sampled flag",
            Check.number(0, 1));

    /** All properties, in table order. */
    public static List<Property> all() {
        return Collections.unmodifiableList(ALL);
    }

    /** The property of a key; {@code models.a.dir} is {@link #MODELS_DIR}'s. */
    public static Property find(String name) {
        for (Property p : ALL) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        java.util.regex.Matcher m = MODEL_KEY.matcher(name);
        if (m.matches()) {
            return find("models.<name>." + m.group(2));
        }
        return null;
    }

    /** The README's configuration table (Markdown). */
    public static String markdownTable() {
        StringBuilder t = new StringBuilder("| property | environment variable | default | meaning |\n| --- | --- | --- | --- |\n");
        for (Property p : ALL) {
            t.append("| `").append(p.name()).append("` | `").append(p.envVar()).append("` | ")
                    .append(p.defaultValue() == null || p.defaultValue().isEmpty() ? "" : "`" + p.defaultValue() + "`")
                    .append(" | ").append(p.meaning().replace("|", "\\|")).append(" |\n");
        }
        return t.toString();
    }
}
