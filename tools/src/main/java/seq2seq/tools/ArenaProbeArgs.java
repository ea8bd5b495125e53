package seq2seq.tools;

import picocli.CommandLine.Option;
import seq2seq.generation.EngineOptions;
import seq2seq.model.Dtype;
import seq2seq.service.config.Settings;
import seq2seq.tools.bench.ArenaAb;
import seq2seq.tools.bench.RolloutRss;
import seq2seq.tools.bench.Rss;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * `bench --rollout-rss` and `bench --arena-ab`: their options and their runs, the two measurements behind
 * {@code engine.cpu.arena} (bench/report-rollout-rss.md) instead of the engine bench.
 */
final class ArenaProbeArgs {
    @Option(names = "--rollout-rss", description = "Instead: resident memory of a rollout inside one instance (first --model, first --dtype,"
            + " largest --batch): one version, two versions, after unloading the first. Writes OUT/rollout-rss.json.")
    boolean rolloutRss;

    @Option(names = "--rollout-sentences", paramLabel = "N", defaultValue = "1024", description = "Sentences translated before each --rollout-rss reading. Default: ${DEFAULT-VALUE}")
    int rolloutSentences;

    @Option(names = "--rollout-control", description = "With --rollout-rss: the same work on the first version alone (no second version), for comparison.")
    boolean rolloutControl;

    @Option(names = "--arena-ab", description = "Instead: ONNX Runtime's CPU arena on against off in one process (first --model, each --dtype,"
            + " largest --batch, greedy), taking turns in short blocks; wall and CPU time. Writes OUT/arena-ab.md.")
    boolean arenaAb;

    @Option(names = "--arena-ab-pairs", paramLabel = "N", defaultValue = "12", description = "Blocks each way per --dtype. Default: ${DEFAULT-VALUE}")
    int arenaAbPairs;

    @Option(names = "--arena-ab-batches", paramLabel = "N", defaultValue = "4", description = "Batches per block. Default: ${DEFAULT-VALUE}")
    int arenaAbBatches;

    boolean requested() {
        return rolloutRss || arenaAb;
    }

    int run(Path model, String[] dtypes, int[] batches, List<String> inputs, WorkerArgs workers, ArenaArgs arena, Path out,
            PrintWriter err, PrintWriter stdout) {
        int batch = Arrays.stream(batches).max().orElse(32);
        err.println("bench: " + Rss.load() + "; MALLOC_ARENA_MAX=" + System.getenv("MALLOC_ARENA_MAX"));
        try {
            String table = rolloutRss ? rolloutRss(model, dtypes[0], batch, inputs, workers, arena, out, err)
                    : arenaAb(model, dtypes, batch, inputs, workers, out, err);
            stdout.print(table);
            stdout.flush();
            err.println("bench: " + Rss.load());
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("bench: " + e);
            return 1;
        }
    }

    private String rolloutRss(Path model, String dtype, int batch, List<String> inputs, WorkerArgs workers, ArenaArgs arena,
                              Path out, PrintWriter err) {
        // the instance's own settings, as `run` would read them
        Map<String, String> settings = new TreeMap<>();
        settings.put(Settings.BATCH_WORKERS.name(), String.valueOf(workers.workers));
        if (workers.threads != null) {
            settings.put(Settings.ENGINE_THREADS.name(), String.valueOf(workers.threads));
        }
        if (arena.cpuArena != null) {
            settings.put(Settings.ENGINE_CPU_ARENA.name(), String.valueOf(arena.cpuArena));
        }
        List<RolloutRss.Reading> r = RolloutRss.run(model, dtype, settings, inputs, batch, rolloutSentences,
                rolloutControl, out, err::println);
        RolloutRss.write(out, dtype, settings, r);
        return RolloutRss.row(dtype, r);
    }

    private String arenaAb(Path model, String[] dtypes, int batch, List<String> inputs, WorkerArgs workers, Path out,
                           PrintWriter err) throws IOException {
        StringBuilder table = new StringBuilder(ArenaAb.header());
        for (String dtype : dtypes) {
            EngineOptions o = workers.applyTo(EngineOptions.builder()).dtype(Dtype.parse(dtype)).build();
            List<ArenaAb.Block> blocks = ArenaAb.run(model, o, inputs, batch, arenaAbBatches, arenaAbPairs,
                    line -> err.println("bench: " + dtype + " " + line));
            table.append(ArenaAb.summary(dtype, blocks));
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve("arena-ab.md"), "- " + Rss.load() + " at the end\n\n" + table);
        return table.toString();
    }
}
