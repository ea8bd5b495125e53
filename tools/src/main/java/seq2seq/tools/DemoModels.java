package seq2seq.tools;

import seq2seq.generation.Engine;
import seq2seq.generation.TranslationTask;
import seq2seq.service.LoadedModels;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The models `demo` serves: a translation model, the default, and beside it a summarization model when there is one.
 * They are configured with the keys `run` reads ({@code models.NAME.dir} and {@code models.default}, or
 * {@code model.dir} for one model) and loaded by the same {@link LoadedModels}, so the demo's requests take the
 * service's own routing by their {@code model} field.
 *
 * @param translator  the translation model's folder: the one for requests that name no model
 * @param summarizer  the summarization model's folder, or null
 */
record DemoModels(Path translator, Path summarizer) {
    /** where a translation model is looked for when --model is not given, in order */
    static final List<Path> MODEL_CANDIDATES = List.of(Path.of("models/s2s-en-de-small"), Path.of("models"));
    /** the summarizer served beside the translation model when --model is not given and this folder has a bundle */
    static final Path SHIPPED_SUMMARIZER = Path.of("models/s2s-summarize-small");

    /**
     * The models for the options: {@code --model} alone is one model; without it, the first candidate bundle and the
     * shipped summarizer if it is there (and is not that bundle); {@code --summarizer} names one explicitly.
     * Null when no translation model is found.
     */
    static DemoModels choose(Path model, Path summarizer) throws IOException {
        Path translator = model != null ? model : findModel();
        if (translator == null) {
            return null;
        }
        if (summarizer == null && model == null && isBundle(SHIPPED_SUMMARIZER) && !same(translator, SHIPPED_SUMMARIZER)) {
            summarizer = SHIPPED_SUMMARIZER;
        }
        if (summarizer != null && name(translator).equals(name(summarizer))) {
            throw new IllegalArgumentException("the translation model " + translator + " and the summarizer " + summarizer
                    + " would both be named '" + name(translator) + "': the folders need different names");
        }
        return new DemoModels(translator, summarizer);
    }

    /** The name the service gives the translation model. */
    String translatorName() {
        return name(translator);
    }

    /** The name the service gives the summarizer, or null when there is none. */
    String summarizerName() {
        return summarizer == null ? null : name(summarizer);
    }

    /** The configuration keys that serve these models, as `run` would be given them. */
    Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        if (summarizer == null) {
            s.put(Settings.MODEL_DIR.name(), translator.toString());
            return s;
        }
        s.put("models." + translatorName() + ".dir", translator.toString());
        s.put("models." + summarizerName() + ".dir", summarizer.toString());
        s.put(Settings.MODELS_DEFAULT.name(), translatorName());
        return s;
    }

    /** {@link #loadWarm} on a thread of its own (a daemon: it does not keep a stopped demo alive). */
    CompletableFuture<LoadedModels> loadInBackground() {
        CompletableFuture<LoadedModels> load = new CompletableFuture<>();
        Thread loader = new Thread(() -> {
            try {
                load.complete(loadWarm());
            } catch (Throwable e) {
                load.completeExceptionally(e);
            }
        }, "demo-model-load");
        loader.setDaemon(true);
        loader.start();
        return load;
    }

    /**
     * Loads the models (at once, on the shared workers: {@link LoadedModels#load}), then runs each once (at once
     * too), so the first request shown is not slowed by ONNX Runtime's first run.
     */
    LoadedModels loadWarm() {
        LoadedModels models = LoadedModels.load(AppConfig.of(settings()));
        try {
            models.engines().stream()
                    .map(e -> CompletableFuture.runAsync(() -> warmUp(e), r -> new Thread(r, "demo-warm-up").start()))
                    .toList()
                    .forEach(CompletableFuture::join);
            return models;
        } catch (RuntimeException | Error e) {
            models.close();
            throw e;
        }
    }

    private static void warmUp(Engine engine) {
        engine.translate(List.of(TranslationTask.of("Hello.")));
    }

    /**
     * The folder's name, as the service names a model after its folder ({@link AppConfig#folderName}), kept to the
     * characters a {@code models.NAME.dir} key may hold.
     */
    static String name(Path dir) {
        String n = AppConfig.folderName(dir).replaceAll("[^A-Za-z0-9_-]", "-");
        return n.length() > 64 ? n.substring(0, 64) : n;
    }

    /** The first candidate folder holding a model bundle (a config.json), or null. */
    static Path findModel() throws IOException {
        for (Path c : MODEL_CANDIDATES) {
            if (isBundle(c)) {
                return c;
            }
            if (c.getFileName().toString().equals("models") && Files.isDirectory(c)) {
                try (Stream<Path> dirs = Files.list(c)) {
                    Path first = dirs.filter(DemoModels::isBundle).sorted().findFirst().orElse(null);
                    if (first != null) {
                        return first;
                    }
                }
            }
        }
        return null;
    }

    private static boolean isBundle(Path dir) {
        return Files.isRegularFile(dir.resolve("config.json"));
    }

    private static boolean same(Path a, Path b) {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
}
