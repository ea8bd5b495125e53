package seq2seq.tools.bench;

import seq2seq.generation.Engine;
import seq2seq.generation.EngineOptions;
import seq2seq.generation.Translation;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * ONNX Runtime's CPU arena on against off in one process, for a machine whose speed drifts (shared with other work):
 * both engines loaded, taking turns in short blocks (on, off, off, on, ...), each block timed in wall and in process
 * CPU time; the summary pairs each block with its neighbour of the other kind. bench/report-rollout-rss.md has the
 * figures.
 */
public final class ArenaAb {
    private ArenaAb() {
    }

    /**
     * @param arena       whether the engine kept its CPU arena
     * @param tokens      tokens generated in the block
     * @param seconds     wall time of the block
     * @param cpuSeconds  CPU time of the whole process during the block (every thread)
     */
    public record Block(boolean arena, long tokens, double seconds, double cpuSeconds) {
        double tokensPerSecond() {
            return tokens / seconds;
        }

        double cpuMsPerToken() {
            return 1000 * cpuSeconds / tokens;
        }
    }

    /** {@code pairs} blocks each way of {@code batches} greedy batches of {@code batch}, after one warm-up block each. */
    public static List<Block> run(Path model, EngineOptions options, List<String> inputs, int batch, int batches, int pairs,
                                  Consumer<String> progress) {
        EngineOptions o = options.toBuilder().batchTokens(1 << 24).maxBatchSize(batch).outputScores(false).build();
        List<Block> blocks = new ArrayList<>();
        try (Engine on = Engine.load(model, o.toBuilder().cpuArena(true).build());
             Engine off = Engine.load(model, o.toBuilder().cpuArena(false).build())) {
            block(on, true, inputs, batch, batches, 0);
            block(off, false, inputs, batch, batches, 0);
            for (int i = 0; i < 2 * pairs; i++) {
                // on off off on on off ...: neither kind always goes first
                boolean arena = (i % 4 == 0) || (i % 4 == 3);
                Block b = block(arena ? on : off, arena, inputs, batch, batches, i * batches);
                blocks.add(b);
                progress.accept(String.format(Locale.ROOT, "arena %s: %.1f tokens/s, %.3f CPU ms/token (%d tokens, %.1f s)",
                        arena ? "on " : "off", b.tokensPerSecond(), b.cpuMsPerToken(), b.tokens(), b.seconds()));
            }
        }
        return blocks;
    }

    private static Block block(Engine e, boolean arena, List<String> inputs, int batch, int batches, int first) {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        long tokens = 0;
        for (int k = first; k < first + batches; k++) {
            for (Translation t : JavaBench.call(e, JavaBench.batchOf(inputs, k, batch), 1, null)) {
                tokens += t.outputTokens();
            }
        }
        return new Block(arena, tokens, (System.nanoTime() - t0) / 1e9, (os.getProcessCpuTime() - cpu0) / 1e9);
    }

    /**
     * Medians and ranges of each kind, and the median over neighbouring pairs of off / on (tokens/s and CPU per
     * token), as markdown lines.
     */
    public static String summary(String label, List<Block> blocks) {
        List<Double> ratesOn = new ArrayList<>();
        List<Double> ratesOff = new ArrayList<>();
        List<Double> cpuOn = new ArrayList<>();
        List<Double> cpuOff = new ArrayList<>();
        List<Double> rateRatios = new ArrayList<>();
        List<Double> cpuRatios = new ArrayList<>();
        for (int i = 0; i + 1 < blocks.size(); i += 2) {
            Block a = blocks.get(i);
            Block b = blocks.get(i + 1);
            Block on = a.arena() ? a : b;
            Block off = a.arena() ? b : a;
            ratesOn.add(on.tokensPerSecond());
            ratesOff.add(off.tokensPerSecond());
            cpuOn.add(on.cpuMsPerToken());
            cpuOff.add(off.cpuMsPerToken());
            rateRatios.add(off.tokensPerSecond() / on.tokensPerSecond());
            cpuRatios.add(off.cpuMsPerToken() / on.cpuMsPerToken());
        }
        return String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s |%n", label, ratesOn.size(),
                range(ratesOn, "%.0f"), range(ratesOff, "%.0f"), range(rateRatios, "%.2f"),
                range(cpuOn, "%.3f"), range(cpuOff, "%.3f"), range(cpuRatios, "%.2f"));
    }

    /** The table {@link #summary} rows go under. */
    public static String header() {
        return "| dtype | pairs | tok/s arena on | tok/s arena off | off / on | CPU ms/token on | CPU ms/token off | off / on |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|\n";
    }

    /** "median (min–max)" */
    private static String range(List<Double> v, String format) {
        return String.format(Locale.ROOT, format + " (" + format + "–" + format + ")", BenchReport.median(v),
                v.stream().min(Double::compare).orElseThrow(), v.stream().max(Double::compare).orElseThrow());
    }
}
