package seq2seq.generation;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.Result;
import seq2seq.model.BundleException;
import seq2seq.model.Dtype;
import seq2seq.model.GenerationDefaults;
import seq2seq.model.ModelBundle;
import seq2seq.model.OnnxModel;
import seq2seq.model.RecurrentManifest;
import seq2seq.model.RecurrentModel;
import seq2seq.model.RecurrentTokenizer;
import seq2seq.model.Tokenizer;
import seq2seq.model.UnknownSpan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The inference engine: tokenize, batch by length, encode, search with the KV cache, detokenize (copying through what
 * the model cannot read: {@link UnknownCopy}).
 * A transformer bundle (Hugging Face / Optimum layout) runs through {@link OnnxModel} and {@link CachedDecoder}; a
 * recurrent one (manifest.json: docs/models-recurrent.md) through {@link RecurrentModel} and {@link RecurrentDecoder};
 * the batching, the pool, the search and the detokenization are the same.
 * One per process; thread-safe (its ONNX Runtime sessions and tokenizer are shared by all callers).
 * <p>
 * Longer than most classes, on purpose: one call's steps (tokenize, group by search settings, plan the batches, run
 * them on the pool, detokenize, retry a failed batch input by input) read in order here.
 */
public final class Engine implements Translator {
    /** set by the first close() */
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /** the model's sessions (a transformer bundle); null for a recurrent bundle */
    private final OnnxModel model;
    /** a recurrent bundle's sessions; null for a transformer bundle */
    private final RecurrentModel recurrent;
    private final Tokenizer tokenizer;
    private final EngineOptions options;
    /** the bundle's search settings with the engine options' overrides */
    private final GenerationOptions defaults;
    private final ModelInfo info;
    /** target-language code to its token (empty: the model has none) */
    private final Map<String, java.util.Optional<Integer>> languageTokens = new java.util.concurrent.ConcurrentHashMap<>();
    /** the one pool every batch runs on (options.workers() threads, or a pool shared by several engines) */
    private final WorkerPool pool;
    /** whether this engine made the pool (and closes it) */
    private final boolean ownsPool;

    /**
     * A decoder row's step in units of the work per source token (encoder layers, cross-attention keys and values),
     * from the weight products: (14 L d^2 + d V) / (14 L d^2), taking the feed-forward size as 4 d and as many encoder
     * as decoder layers (config.json names these differently from model to model). 1.74 for the base model.
     */
    private final double stepSourceTokens;

    private Engine(OnnxModel model, RecurrentModel recurrent, Tokenizer tokenizer, EngineOptions options,
                   GenerationOptions defaults, ModelInfo info, WorkerPool pool, boolean ownsPool) {
        this.model = model;
        this.recurrent = recurrent;
        if (model != null) {
            double layerProducts = 14.0 * model.config().decoderLayers() * model.config().dModel() * model.config().dModel();
            this.stepSourceTokens = 1 + (double) model.config().dModel() * model.config().vocabSize() / layerProducts;
        } else {
            // a step is one cell update (about 8 latent^2 products, as per source token) plus the output layer
            this.stepSourceTokens = 1 + (double) recurrent.targetVocabSize() / (8.0 * recurrent.latentDim());
        }
        this.tokenizer = tokenizer;
        this.options = options;
        this.defaults = defaults;
        this.info = info;
        this.pool = pool;
        this.ownsPool = ownsPool;
    }

    /** Opens and checks a model folder; a bad folder is a {@link seq2seq.model.BundleException} naming file and field. */
    public static Engine load(Path dir, EngineOptions options) {
        WorkerPool pool = new WorkerPool(options.workers(), "engine-worker");
        try {
            // loading runs native code too (ONNX Runtime's start-up), which wants a worker's large stack
            return pool.call(() -> load(dir, options, pool, true));
        } catch (RuntimeException | Error e) {
            pool.close();
            throw e;
        }
    }

    /**
     * Opens a model whose batches run on {@code shared}, a pool several engines use (one instance serving several
     * models: their batches compete for the same workers). {@code options.workers()} is ignored; the engine does not
     * close the pool: its owner does, after closing every engine on it.
     */
    public static Engine load(Path dir, EngineOptions options, WorkerPool shared) {
        return shared.call(() -> load(dir, options, shared, false));
    }

    private static Engine load(Path dir, EngineOptions options, WorkerPool pool, boolean ownsPool) {
        if (RecurrentManifest.isRecurrent(dir)) {
            return loadRecurrent(dir, options, pool, ownsPool);
        }
        ModelBundle bundle = ModelBundle.open(dir, options.dtype(), options.layout());
        GenerationOptions.Builder search = GenerationOptions.defaults(bundle.generation).toBuilder()
                .outputScores(options.outputScores());
        if (options.numBeams() != null) {
            search.numBeams(options.numBeams());
        }
        if (options.maxNewTokens() != null) {
            search.maxNewTokens(options.maxNewTokens());
        }
        String version = bundle.contentHash();
        Tokenizer tokenizer = Tokenizer.load(bundle.dir);
        try {
            if (bundle.generation.forcedBosTokenId() == null && bundle.targetLang != null) {
                // NLLB, M2M100: without a target_lang the output starts with tokenizer_config.json's tgt_lang
                Integer id = languageToken(tokenizer, bundle.targetLang, bundle.config.vocabSize()).orElse(null);
                if (id != null) {
                    search.forcedBosTokenId(id);
                }
            }
            GenerationOptions defaults = search.build();
            OnnxModel model = OnnxModel.load(bundle, options.sessionSettings());
            return new Engine(model, null, tokenizer, options, defaults, new ModelInfo(bundle.name(), version,
                    bundle.maxInputTokens, bundle.languages, bundle.text.segmentSentences(), bundle.text.inputPrefix()),
                    pool, ownsPool);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /** A recurrent bundle: manifest.json names the graphs, the vocabularies and max_length (the only search setting). */
    private static Engine loadRecurrent(Path dir, EngineOptions options, WorkerPool pool, boolean ownsPool) {
        if (options.dtype() != Dtype.FP32) {
            throw new BundleException(dir.toAbsolutePath().normalize(), RecurrentManifest.FILE,
                    "a recurrent bundle has one weight variant (the files the manifest names); dtype " + options.dtype()
                            + " is not available");
        }
        RecurrentModel model = RecurrentModel.load(dir, options.sessionSettings());
        try {
            RecurrentManifest m = model.manifest;
            GenerationOptions.Builder search = GenerationOptions.defaults(new GenerationDefaults(m.maxLength, null, null,
                    null, null, null, null, null, java.util.List.of(), null, null, null)).toBuilder()
                    .outputScores(options.outputScores());
            if (options.numBeams() != null) {
                search.numBeams(options.numBeams());
            }
            if (options.maxNewTokens() != null) {
                search.maxNewTokens(options.maxNewTokens());
            }
            return new Engine(null, model, RecurrentTokenizer.of(m), options, search.build(),
                    new ModelInfo(m.dir.getFileName().toString(), model.contentHash(), m.maxSourceLength), pool, ownsPool);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** The transformer bundle; null for a recurrent bundle ({@link #recurrentModel()}). */
    public ModelBundle bundle() {
        return model != null ? model.bundle : null;
    }

    /** The recurrent bundle's model; null for a transformer bundle ({@link #bundle()}). */
    public RecurrentModel recurrentModel() {
        return recurrent;
    }

    /** The weight tables that the bundle's files share and this engine holds once (or "none"). */
    public String sharedTables() {
        return model != null ? model.sharedTables() : "none";
    }

    /** Tables that the bundle's files share but each session holds itself, each with the reason (empty when none). */
    public List<String> tablesNotShared() {
        return model != null ? model.tablesNotShared() : List.of();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public EngineOptions options() {
        return options;
    }

    /** The search settings used when a task sets none. */
    public GenerationOptions defaults() {
        return defaults;
    }

    @Override
    public ModelInfo modelInfo() {
        return info;
    }

    @Override
    public List<Translation> translate(List<TranslationTask> tasks) {
        return translateDetailed(tasks).stream().map(DetailedTranslation::translation).toList();
    }

    /** {@link #translate} with the token ids behind each translation. */
    public List<DetailedTranslation> translateDetailed(List<TranslationTask> tasks) {
        DetailedTranslation[] out = new DetailedTranslation[tasks.size()];
        Tokenizer.Encoded[] encoded = new Tokenizer.Encoded[tasks.size()];
        boolean[] copy = new boolean[tasks.size()];
        // tasks to run, grouped by their search settings
        Map<GenerationOptions, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < tasks.size(); i++) {
            TranslationTask t = tasks.get(i);
            try {
                if (t == null || t.text() == null) {
                    throw new IllegalArgumentException("text is null");
                }
                GenerationOptions o = optionsFor(t);
                if (isBlank(t.text())) {
                    out[i] = empty(null);
                    continue;
                }
                // the model's prefix (T5's "summarize: ") here, so that every caller gets the same input
                encoded[i] = tokenizer.encode(info.inputPrefix() + t.text(), t.sourceLang(), info.maxInputTokens());
                copy[i] = t.copiesUnknowns();
                if (copy[i] && UnknownCopy.nothingElseToRead(t.text(), unknownSpans(encoded[i]))) {
                    out[i] = copied(t.text(), encoded[i]);
                    continue;
                }
                if (encoded[i].textTokens() == 0) {
                    // only special tokens (e.g. invisible characters the tokenizer drops): nothing to translate
                    out[i] = empty(encoded[i]);
                    continue;
                }
                groups.computeIfAbsent(o, k -> new ArrayList<>()).add(i);
            } catch (RuntimeException e) {
                out[i] = failed(encoded[i], e);
            }
        }
        if (pool.onWorker()) {
            // a batch the caller already put on a worker (the pipeline's batcher): run it here, uncut
            plan(groups, encoded, copy, out, 1).forEach(Runnable::run);
            return Arrays.asList(out);
        }
        List<Runnable> batches = plan(groups, encoded, copy, out, 1);
        if (batches.size() < pool.workers()) {
            batches = plan(groups, encoded, copy, out, pool.workers());
        }
        List<java.util.concurrent.CompletableFuture<Object>> running = new ArrayList<>();
        for (Runnable batch : batches) {
            running.add(pool.submit(() -> {
                batch.run();
                return null;
            }));
        }
        running.forEach(WorkerPool::join);
        return Arrays.asList(out);
    }

    /** {@link #translate} on a worker of the engine's pool, as one batch: the pipeline's batcher cuts its own. */
    @Override
    public java.util.concurrent.CompletableFuture<List<Translation>> submit(List<TranslationTask> tasks) {
        return pool.submit(() -> translate(tasks));
    }

    /** Batches that run at once: the pool's workers. */
    @Override
    public int parallelism() {
        return pool.workers();
    }

    /**
     * Each group's tasks sorted by length and cut into batches under the budget, each group cut into at least
     * {@code ways} batches: with fewer batches than workers, every worker gets one (two single-threaded batches of 16
     * at once beat one batch of 32 on two threads: no synchronisation inside each operator), cut so that they
     * should take the same time ({@link LengthBatches#balanced}).
     */
    private List<Runnable> plan(Map<GenerationOptions, List<Integer>> groups, Tokenizer.Encoded[] encoded,
                                boolean[] copy, DetailedTranslation[] out, int ways) {
        List<Runnable> batches = new ArrayList<>();
        for (Map.Entry<GenerationOptions, List<Integer>> g : groups.entrySet()) {
            List<Integer> idx = g.getValue();
            int[] lengths = idx.stream().mapToInt(i -> encoded[i].ids().length).toArray();
            GenerationOptions o = g.getKey();
            List<int[]> cut = ways > 1
                    ? LengthBatches.balanced(lengths, o.numBeams(), options.batchTokens(), options.maxBatchSize(), ways,
                            o.numBeams() * o.maxNewTokens() * stepSourceTokens)
                    : null;
            if (cut == null) {
                int maxSize = Math.min(options.maxBatchSize(), Math.max(1, (idx.size() + ways - 1) / ways));
                cut = LengthBatches.plan(lengths, o.numBeams(), options.batchTokens(), maxSize);
            }
            for (int[] batch : cut) {
                int[] members = Arrays.stream(batch).map(idx::get).toArray();
                batches.add(() -> runTasks(members, encoded, copy, g.getKey(), out));
            }
        }
        return batches;
    }

    /** Runs one batch; if it fails, each task alone, so one bad task does not fail the others. */
    private void runTasks(int[] members, Tokenizer.Encoded[] encoded, boolean[] copy, GenerationOptions o,
                          DetailedTranslation[] out) {
        List<long[]> ids = Arrays.stream(members).mapToObj(i -> encoded[i].ids()).toList();
        long t0 = System.nanoTime();
        long[] decodeStart = {t0};
        List<List<Hypothesis>> hyps;
        try {
            hyps = generateBatch(ids, o, decodeStart);
        } catch (RuntimeException e) {
            if (members.length == 1) {
                out[members[0]] = failed(encoded[members[0]], e);
                return;
            }
            for (int m : members) {
                runTasks(new int[] {m}, encoded, copy, o, out);
            }
            return;
        }
        long each = (System.nanoTime() - t0) / members.length;
        int eos = eosTokenId();
        for (int j = 0; j < members.length; j++) {
            Tokenizer.Encoded e = encoded[members[j]];
            Hypothesis best = hyps.get(j).get(0);
            int[] content = best.contentTokens(eos);
            List<UnknownSpan> unknown = unknownSpans(e);
            String text = tokenizer.decode(Arrays.stream(content).asLongStream().toArray(),
                    copy[members[j]] ? UnknownCopy.fills(unknown) : List.of());
            ComputeTimes times = new ComputeTimes(t0, decodeStart[0], System.nanoTime());
            out[members[j]] = new DetailedTranslation(
                    new Translation(text, e.ids().length, content.length, e.truncated(),
                            Float.isNaN(best.score()) ? null : best.score(), each, null, e.unknownPieces(), unknown, times),
                    e.ids(), content);
        }
    }

    private GenerationOptions optionsFor(TranslationTask t) {
        if (t.targetLang() == null && t.numBeams() == null && t.maxNewTokens() == null) {
            return defaults;
        }
        GenerationOptions.Builder o = defaults.toBuilder();
        if (t.targetLang() != null) {
            // multilingual models (NLLB, M2M100) start the output with a target-language token; a one-pair model has none
            languageTokens.computeIfAbsent(t.targetLang(), this::languageToken).ifPresent(o::forcedBosTokenId);
        }
        if (t.numBeams() != null) {
            o.numBeams(t.numBeams());
        }
        if (t.maxNewTokens() != null) {
            o.maxNewTokens(t.maxNewTokens());
        }
        return o.build();
    }

    /** Only white space in Unicode's sense: Java's white space, no-break spaces, zero-width characters, the BOM. */
    static boolean isBlank(String text) {
        return text.codePoints().allMatch(c -> Character.isWhitespace(c) || Character.isSpaceChar(c)
                || (c >= 0x200B && c <= 0x200D) || c == 0x2060 || c == 0xFEFF);
    }

    /** The token of a language code: the code itself (NLLB: "deu_Latn") or M2M100's "__de__". */
    private java.util.Optional<Integer> languageToken(String code) {
        return model == null ? java.util.Optional.empty() : languageToken(tokenizer, code, model.config().vocabSize());
    }

    private static java.util.Optional<Integer> languageToken(Tokenizer tokenizer, String code, int vocabSize) {
        Integer id = tokenizer.tokenId(code);
        if (id == null) {
            id = tokenizer.tokenId("__" + code + "__");
        }
        return java.util.Optional.ofNullable(id).filter(i -> i < vocabSize);
    }

    /** Nothing to translate; what the tokenizer could not map (left out by a recurrent model without an unknown id) is still named. */
    private DetailedTranslation empty(Tokenizer.Encoded e) {
        long[] ids = e == null ? new long[0] : e.ids();
        return new DetailedTranslation(new Translation("", 0, 0, e != null && e.truncated(), null, 0, null,
                e == null ? 0 : e.unknownPieces(), e == null ? List.of() : unknownSpans(e)), ids, new int[0]);
    }

    /** A segment of unknown spans, spacing and marks only: its own translation, the model not run ({@link UnknownCopy}). */
    private DetailedTranslation copied(String text, Tokenizer.Encoded e) {
        return new DetailedTranslation(new Translation(text, 0, 0, e.truncated(), null, 0, null, e.unknownPieces(),
                unknownSpans(e)), new long[0], new int[0]);
    }

    /** The encoding's unknown spans with offsets into the task's text (the model's input prefix taken off). */
    private List<UnknownSpan> unknownSpans(Tokenizer.Encoded e) {
        int prefix = info.inputPrefix().length();
        if (prefix == 0 || e.unknown().isEmpty()) {
            return e.unknown();
        }
        return e.unknown().stream().filter(s -> s.start() >= prefix).map(s -> s.shift(prefix)).toList();
    }

    private static DetailedTranslation failed(Tokenizer.Encoded e, RuntimeException err) {
        String why = err.getMessage() != null ? err.getMessage() : err.toString();
        return new DetailedTranslation(new Translation("", e == null ? 0 : e.ids().length, 0, e != null && e.truncated(),
                null, 0, why), e == null ? new long[0] : e.ids(), new int[0]);
    }

    /**
     * Generates for token-id inputs (special tokens included, as the encoder takes them), batched by length under the
     * engine's budget; hypotheses per input in input order, best first.
     */
    public List<List<Hypothesis>> generate(List<long[]> sources, GenerationOptions o) {
        List<List<Hypothesis>> out = new ArrayList<>(java.util.Collections.nCopies(sources.size(), null));
        int[] lengths = sources.stream().mapToInt(s -> s.length).toArray();
        for (int[] batch : LengthBatches.plan(lengths, o.numBeams(), options.batchTokens(), options.maxBatchSize())) {
            List<List<Hypothesis>> r = generateBatch(Arrays.stream(batch).mapToObj(sources::get).toList(), o);
            for (int j = 0; j < batch.length; j++) {
                out.set(batch[j], r.get(j));
            }
        }
        return out;
    }

    /** One padded batch through the encoder and the search. */
    public List<List<Hypothesis>> generateBatch(List<long[]> sources, GenerationOptions o) {
        return generateBatch(sources, o, new long[1]);
    }

    /** {@link #generateBatch(List, GenerationOptions)}; sets {@code decodeStart[0]} when the encoder is done. */
    private List<List<Hypothesis>> generateBatch(List<long[]> sources, GenerationOptions o, long[] decodeStart) {
        int n = sources.size();
        if (n == 0) {
            return List.of();
        }
        int len = sources.stream().mapToInt(s -> s.length).max().orElse(0);
        if (len == 0) {
            throw new IllegalArgumentException("an input has no tokens");
        }
        if (len > info.maxInputTokens()) {
            throw new IllegalArgumentException("an input has " + len + " tokens, more than the model's " + info.maxInputTokens());
        }
        if (recurrent != null) {
            try (RecurrentDecoder decoder = new RecurrentDecoder(recurrent, sources)) { // runs the encoder
                decodeStart[0] = System.nanoTime();
                return Search.of(o, recurrent.manifest.startIndex, recurrent.manifest.stopIndex).run(decoder);
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
            }
        }
        int pad = model.config().padTokenId();
        long[][] mask = new long[n][len];
        for (int i = 0; i < n; i++) {
            Arrays.fill(mask[i], 0, sources.get(i).length, 1L);
        }
        List<int[]> groups = EncoderGroups.plan(sources.stream().mapToInt(s -> s.length).toArray());
        try {
            CachedDecoder decoder;
            if (groups.size() == 1) {
                Result encoded = model.io().encode(sources, pad);
                try {
                    decoder = new CachedDecoder(model, encoded, mask);
                } catch (OrtException | RuntimeException e) {
                    encoded.close();
                    throw e;
                }
            } else {
                OnnxTensor hidden = model.io().encodeGroups(sources, pad, groups, len);
                try {
                    decoder = new CachedDecoder(model, hidden, mask);
                } catch (OrtException | RuntimeException e) {
                    hidden.close();
                    throw e;
                }
            }
            decodeStart[0] = System.nanoTime();
            try (decoder) {
                return Search.of(o, model.config().decoderStartTokenId(), model.config().eosTokenId()).run(decoder);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    /** The id that ends a generated sequence. */
    private int eosTokenId() {
        return model != null ? model.config().eosTokenId() : recurrent.manifest.stopIndex;
    }

    /** Idempotent: the pipeline may unload a retired version that its owner closes again at shutdown. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (ownsPool) {
            pool.close();
        }
        if (model != null) {
            model.close();
        } else {
            recurrent.close();
        }
        tokenizer.close();
    }
}
