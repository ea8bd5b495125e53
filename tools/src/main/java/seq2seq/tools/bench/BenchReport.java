package seq2seq.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Everything one bench run measured, written as report.md (tables) and report.json (raw figures). */
public final class BenchReport {
    /** when, where and under what load */
    public final Map<String, String> context = new LinkedHashMap<>();
    /** fp32 GEMM rates */
    public final List<GemmProbe.Result> gemm = new ArrayList<>();
    /** per model bundle name, its cost model */
    public final Map<String, ModelCost> costs = new LinkedHashMap<>();
    /** every timed configuration, both runtimes */
    public final List<Measurement> rows = new ArrayList<>();
    /** the long run's samples, and what it ran */
    public final List<Soak.Sample> soak = new ArrayList<>();
    public String soakWhat = "";
    /** the engine's intra-op threads (the roofline uses the GEMM rate at this count) */
    public int threads = 1;

    private static final long MIB = 1024 * 1024;

    /** The GEMM rate at a thread count, the best over the sizes measured. */
    Optional<Double> gflops(int t) {
        return gemm.stream().filter(g -> g.threads() == t).map(GemmProbe.Result::gflops).max(Double::compare);
    }

    /** Tokens/s the GEMM rate allows for a Java row (weight products only). */
    Optional<Double> roofline(Measurement m) {
        ModelCost c = costs.get(m.model());
        return gflops(threads).map(g -> g * 1e9 / c.flopsPerOutputToken(m.beams(), (double) m.sourceTokens() / Math.max(1, m.outputTokens())));
    }

    /** the samples of one configuration on one runtime, in the order they were run (one per repeat) */
    private List<Measurement> samples(String runtime, Measurement like) {
        return rows.stream().filter(m -> m.runtime().equals(runtime) && m.model().equals(like.model())
                && m.dtype().equals(like.dtype()) && m.beams() == like.beams() && m.batch() == like.batch()).toList();
    }

    static double median(List<Double> values) {
        List<Double> v = values.stream().sorted().toList();
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    /** "median", or "median (min–max)" over several repeats */
    private static String rate(List<Measurement> s) {
        List<Double> v = s.stream().map(Measurement::tokensPerSecond).toList();
        String m = String.format(Locale.ROOT, "%.0f", median(v));
        return v.size() == 1 ? m : String.format(Locale.ROOT, "%s (%.0f–%.0f)", m,
                v.stream().min(Double::compare).orElseThrow(), v.stream().max(Double::compare).orElseThrow());
    }

    /**
     * The comparison table, one line per Java configuration. With repeats, each runtime's median and range; the ratio
     * is the median of the repeats' own ratios, since Java and transformers.js took turns within each repeat and the
     * machine's speed drifts between repeats.
     */
    public String table() {
        StringBuilder b = new StringBuilder();
        b.append("| model | dtype | search | batch | Java tok/s | transformers.js tok/s | ratio | roofline tok/s | of roofline |\n");
        b.append("|---|---|---|---:|---:|---:|---:|---:|---:|\n");
        Set<String> done = new HashSet<>();
        for (Measurement j : rows) {
            String key = j.model() + "/" + j.dtype() + "/" + j.beams() + "/" + j.batch();
            if (!j.runtime().equals("java") || !done.add(key)) {
                continue;
            }
            List<Measurement> js = samples("java", j);
            List<Measurement> ns = j.beams() == 1 ? samples("transformers.js", j) : List.of();
            double javaRate = median(js.stream().map(Measurement::tokensPerSecond).toList());
            String ratio = "-";
            if (!ns.isEmpty()) {
                List<Double> ratios = new ArrayList<>();
                if (ns.size() == js.size()) {
                    for (int i = 0; i < js.size(); i++) {
                        ratios.add(js.get(i).tokensPerSecond() / ns.get(i).tokensPerSecond());
                    }
                } else {
                    ratios.add(javaRate / median(ns.stream().map(Measurement::tokensPerSecond).toList()));
                }
                ratio = String.format(Locale.ROOT, "%.2f×", median(ratios));
            }
            Optional<Double> roof = roofline(j);
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %s | %s | %s | %s | %s |%n", j.model(), j.dtype(),
                    j.beams() == 1 ? "greedy" : "beam " + j.beams(), j.batch(), rate(js),
                    ns.isEmpty() ? (j.beams() == 1 ? "-" : "n/a") : rate(ns), ratio,
                    roof.map(r -> String.format(Locale.ROOT, "%.0f", r)).orElse("-"),
                    roof.map(r -> String.format(Locale.ROOT, "%.0f%%", 100 * javaRate / r)).orElse("-")));
        }
        return b.toString();
    }

    public String markdown() {
        StringBuilder b = new StringBuilder("# Benchmark: target tokens/s\n\n");
        context.forEach((k, v) -> b.append("- ").append(k).append(": ").append(v).append('\n'));
        b.append("\n## fp32 GEMM through ONNX Runtime (one square MatMul)\n\n| size | threads | GFLOP/s |\n|---:|---:|---:|\n");
        for (GemmProbe.Result g : gemm) {
            b.append(String.format(Locale.ROOT, "| %d | %d | %.1f |%n", g.size(), g.threads(), g.gflops()));
        }
        b.append("\n## Models (FLOPs of the weight products)\n\n| model | d_model | layers | ffn | vocab | MFLOP per decoder row-step | MFLOP per source token |\n|---|---:|---:|---:|---:|---:|---:|\n");
        costs.forEach((name, c) -> b.append(String.format(Locale.ROOT, "| %s | %d | %d+%d | %d | %d | %.1f | %.1f |%n", name, c.dModel(),
                c.encLayers(), c.decLayers(), c.decFfn(), c.vocab(), c.decoderFlopsPerRowStep() / 1e6, c.encoderFlopsPerSourceToken() / 1e6)));
        b.append("\n## Throughput (generated tokens up to EOS per second; same inputs, same ONNX files)\n\n");
        b.append("Roofline: the GEMM rate at the engine's thread count (").append(threads)
                .append(") divided by the FLOPs per generated token (beams × decoder row-step + the encoder's share at the run's source/output token ratio).\n")
                .append("transformers.js 4.3.1 has no real beam search (generate() keeps the first candidate of its beam sampler): beam rows are Java only.\n\n");
        b.append(table());
        b.append("\n## Memory (RSS after each configuration)\n\n| runtime | model | dtype | search | batch | RSS MiB |\n|---|---|---|---|---:|---:|\n");
        for (Measurement m : rows) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %d | %d |%n", m.runtime(), m.model(), m.dtype(),
                    m.beams() == 1 ? "greedy" : "beam " + m.beams(), m.batch(), m.rssBytes() / MIB));
        }
        if (!soak.isEmpty()) {
            Soak.Sample first = soak.get(0);
            Soak.Sample last = soak.get(soak.size() - 1);
            long max = soak.stream().mapToLong(Soak.Sample::rssBytes).max().orElse(-1);
            b.append("\n## Long run: ").append(soakWhat).append("\n\n");
            // steady state: from the first sample past a tenth of the run (warm-up and arena growth are over by then)
            Soak.Sample steady = soak.stream().filter(s -> s.sentences() >= last.sentences() / 10).findFirst().orElse(last);
            b.append(String.format(Locale.ROOT, "%d sentences in %.0f s (%.0f sentences/min); RSS %d MiB after the first batch, "
                            + "%d MiB after %d sentences, %d MiB at the end (%+d MiB since), %d MiB at most%n%n",
                    last.sentences(), last.seconds(), 60 * last.sentences() / last.seconds(), first.rssBytes() / MIB,
                    steady.rssBytes() / MIB, steady.sentences(), last.rssBytes() / MIB,
                    (last.rssBytes() - steady.rssBytes()) / MIB, max / MIB));
            b.append("| s | sentences | RSS MiB | Java heap used MiB | Java heap committed MiB |\n|---:|---:|---:|---:|---:|\n");
            for (Soak.Sample s : soak) {
                b.append(String.format(Locale.ROOT, "| %.0f | %d | %d | %d | %d |%n", s.seconds(), s.sentences(), s.rssBytes() / MIB,
                        s.heapBytes() / MIB, s.heapCommittedBytes() / MIB));
            }
        }
        return b.toString();
    }

    /** Writes report.md and report.json into dir. */
    public void write(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("report.md"), markdown(), StandardCharsets.UTF_8);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("context", context);
            json.put("threads", threads);
            json.put("gemm", gemm);
            json.put("costs", costs);
            List<Map<String, Object>> r = new ArrayList<>();
            for (Measurement m : rows) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("measurement", m);
                o.put("tokensPerSecond", m.tokensPerSecond());
                if (m.runtime().equals("java")) {
                    roofline(m).ifPresent(x -> o.put("rooflineTokensPerSecond", x));
                }
                r.add(o);
            }
            json.put("rows", r);
            json.put("soak", Map.of("what", soakWhat, "samples", soak));
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("report.json").toFile(), json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report to " + dir + ": " + e.getMessage(), e);
        }
    }
}
