package seq2seq.tools.bench;

import seq2seq.generation.Translator;
import seq2seq.service.LoadedModels;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.streams.ModelVersion;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * What a rollout does to one instance's resident memory (issue 21): loads a model as the service does
 * ({@link LoadedModels}), translates, reads VmRSS; loads a second version of it (a copy of the bundle whose
 * tokenizer.json has one more byte, so its content hash differs and no file is shared), translates on both in turn,
 * reads VmRSS; unloads the first, translates on the second, reads VmRSS. Every reading follows the same amount of
 * work. The control run does the same work on the first version alone, for what one version's memory does over
 * the same time (the JVM's compiled code and the allocator's pools grow with it). Run it with the heap as deployed
 * ({@code -Xms64m -Xmx512m}); bench/report-rollout-rss.md has the method and the figures.
 */
public final class RolloutRss {
    private RolloutRss() {
    }

    /** One reading: VmRSS, the Java heap committed and used, and the JVM's direct buffers, all in bytes. */
    public record Reading(String stage, long rss, long heapCommitted, long heapUsed, long direct) {
        static Reading now(String stage) {
            Runtime rt = Runtime.getRuntime();
            long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                    .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
            return new Reading(stage, Rss.bytes(), rt.totalMemory(), rt.totalMemory() - rt.freeMemory(), direct);
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%s: RSS %d MiB (heap committed %d, used %d, direct %d MiB)",
                    stage, rss >> 20, heapCommitted >> 20, heapUsed >> 20, direct >> 20);
        }
    }

    /**
     * The three readings (one version, two versions, after unloading the first; with {@code control}, one version
     * three times), each after {@code sentences} sentences in batches of {@code batch}; {@code settings} add to model.dir and model.dtype (engine.cpu.arena,
     * batch.workers...). The copy of the bundle goes under {@code work} and is deleted at the end.
     */
    public static List<Reading> run(Path model, String dtype, Map<String, String> settings, List<String> inputs,
                                    int batch, int sentences, boolean control, Path work, Consumer<String> progress) {
        Map<String, String> values = new java.util.TreeMap<>(settings);
        values.put(Settings.MODEL_DIR.name(), model.toString());
        values.put(Settings.MODEL_DTYPE.name(), dtype);
        values.put(Settings.BATCH_SIZE.name(), String.valueOf(batch));
        AppConfig config = AppConfig.of(values);
        Path copy = work.resolve("second-version");
        delete(copy);
        try (LoadedModels models = LoadedModels.load(config)) {
            Translator first = models.translators().get(0);
            String name = first.modelInfo().name();
            translate(List.of(first), inputs, batch, sentences);
            Reading one = Reading.now("one version");
            progress.accept(one.toString());

            Translator second = first;
            if (!control) {
                copyWithOtherHash(model, copy);
                second = models.loadVersion(name, copy, null).translator();
            }
            translate(List.of(first, second), inputs, batch, sentences);
            Reading two = Reading.now(control ? "one version, later" : "two versions");
            progress.accept(two.toString());

            if (!control) {
                models.unload(new ModelVersion(first));
                progress.accept(Reading.now("right after the unload").toString());
            }
            translate(List.of(second), inputs, batch, sentences);
            Reading after = Reading.now(control ? "one version, later still" : "after the unload");
            progress.accept(after.toString());
            return List.of(one, two, after);
        } finally {
            delete(copy);
        }
    }

    /** The report's table row: dtype, one version, two versions and after the unload, each against one version. */
    public static String row(String dtype, List<Reading> r) {
        long one = r.get(0).rss();
        return String.format(java.util.Locale.ROOT, "| %s | %d MiB | %d MiB (%.2f×) | %d MiB (%.2f×) |%n", dtype, one >> 20,
                r.get(1).rss() >> 20, r.get(1).rss() / (double) one, r.get(2).rss() >> 20, r.get(2).rss() / (double) one);
    }

    /** Writes out/rollout-rss.json: the readings, the settings, MALLOC_ARENA_MAX and the machine's load. */
    public static void write(Path out, String dtype, Map<String, String> settings, List<Reading> r) {
        Map<String, Object> json = new java.util.LinkedHashMap<>();
        json.put("load", Rss.load());
        json.put("dtype", dtype);
        json.put("settings", settings);
        json.put("MALLOC_ARENA_MAX", System.getenv("MALLOC_ARENA_MAX"));
        json.put("readings", r);
        try {
            Files.createDirectories(out);
            new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValue(out.resolve("rollout-rss.json").toFile(), json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out.resolve("rollout-rss.json") + ": " + e.getMessage(), e);
        }
    }

    /** {@code sentences} sentences in batches, the translators taking turns batch by batch. */
    private static void translate(List<Translator> translators, List<String> inputs, int batch, int sentences) {
        for (int k = 0; k < Math.max(1, sentences / batch); k++) {
            JavaBench.call(translators.get(k % translators.size()), JavaBench.batchOf(inputs, k, batch), 1, null);
        }
    }

    /** A copy of the bundle whose tokenizer.json ends with one more newline: same behaviour, other content hash. */
    private static void copyWithOtherHash(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
            Files.writeString(to.resolve("tokenizer.json"), "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }

    private static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }
}
