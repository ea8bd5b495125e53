package seq2seq.tools;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import seq2seq.tools.bench.BenchReport;
import seq2seq.tools.bench.GemmProbe;
import seq2seq.tools.bench.JavaBench;
import seq2seq.tools.bench.Measurement;
import seq2seq.tools.bench.ModelCost;
import seq2seq.tools.bench.NodeBench;
import seq2seq.tools.bench.Rss;
import seq2seq.tools.bench.Soak;
import seq2seq.generation.Engine;
import seq2seq.generation.EngineOptions;
import seq2seq.model.BundleException;
import seq2seq.model.Dtype;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** `bench`: target tokens/s of this engine and of transformers.js on the same bundles and inputs, with the GEMM roofline. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measures generated tokens/s at several batch sizes, greedy and beam, fp32 and q8, for each --model; "
                + "runs transformers.js (Node) on the same ONNX files and inputs side by side; measures the fp32 GEMM rate "
                + "through ONNX Runtime and the roofline tokens/s it implies; records RSS and, with --soak-seconds, a long run.",
                "Writes OUT/report.md and OUT/report.json. Progress on stderr.",
                "--kafka and --load measure through the pipeline instead (see their options)."})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "Model folder; repeat for several (required but with --load --bootstrap).")
    List<Path> models;

    @Option(names = "--input", paramLabel = "FILE", defaultValue = "bench/sentences.en", description = "Input sentences, one a line. Default: ${DEFAULT-VALUE}")
    Path input;

    @Option(names = "--batch", paramLabel = "N", split = ",", defaultValue = "1,8,32", description = "Batch sizes. Default: ${DEFAULT-VALUE}")
    int[] batches;

    @Option(names = "--beams", paramLabel = "N", split = ",", defaultValue = "1,4", description = "Beam widths. Default: ${DEFAULT-VALUE}")
    int[] beams;

    @Option(names = "--dtype", paramLabel = "D", split = ",", defaultValue = "fp32,q8", description = "Weight variants. Default: ${DEFAULT-VALUE}")
    String[] dtypes;

    @Option(names = "--max-new-tokens", paramLabel = "N", description = "Token cap per sentence. Default: each model's generation_config.json.")
    Integer maxNewTokens;

    @Option(names = "--min-sentences", paramLabel = "N", defaultValue = "16", description = "Sentences timed per configuration at least. Default: ${DEFAULT-VALUE}")
    int minSentences;

    @Option(names = "--batches-per-config", paramLabel = "N", defaultValue = "4", description = "Batches timed per configuration at least. Default: ${DEFAULT-VALUE}")
    int batchesPerConfig;

    @Option(names = "--repeats", paramLabel = "N", defaultValue = "1", description = "Times each configuration runs, Java and transformers.js"
            + " taking turns; the report gives medians and ranges (the machine's speed drifts). Default: ${DEFAULT-VALUE}")
    int repeats;

    @Option(names = "--no-node", description = "Skip the transformers.js side.")
    boolean noNode;

    @Option(names = "--node-dir", paramLabel = "DIR", defaultValue = "testdata/node", description = "Folder with bench.mjs and package.json. Default: ${DEFAULT-VALUE}")
    Path nodeDir;

    @Option(names = "--gemm-seconds", paramLabel = "S", defaultValue = "3", description = "Time per GEMM probe (0: skip). Default: ${DEFAULT-VALUE}")
    double gemmSeconds;

    @Option(names = "--soak-seconds", paramLabel = "S", defaultValue = "0", description = "Long run on the last --model (--soak-dtype, --soak-beams, largest batch). Default: ${DEFAULT-VALUE}")
    double soakSeconds;

    @Option(names = "--soak-sentences", paramLabel = "N", defaultValue = "0", description = "Long run until this many sentences (with or instead of --soak-seconds). Default: ${DEFAULT-VALUE}")
    long soakSentences;

    @Option(names = "--soak-dtype", paramLabel = "D", defaultValue = "fp32", description = "Weights of the long run. Default: ${DEFAULT-VALUE}")
    String soakDtype;

    @Option(names = "--soak-beams", paramLabel = "N", defaultValue = "1", description = "Beam width of the long run (1: greedy). Default: ${DEFAULT-VALUE}")
    int soakBeams;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "target/bench", description = "Report folder. Default: ${DEFAULT-VALUE}")
    Path out;

    @Option(names = "--kafka", description = "Instead: end-to-end throughput through an in-process broker and registry vs the engine alone"
            + " (first --model, first --batch above 1), 30 %% repeated sentences, memory-hit latency. Writes OUT/kafka-report.md.")
    boolean kafka;

    @Option(names = "--kafka-requests", paramLabel = "N", defaultValue = "2000", description = "Requests per --kafka run. Default: ${DEFAULT-VALUE}")
    int kafkaRequests;

    @Mixin
    ArenaProbeArgs arenaProbes;

    @Mixin
    LoadArgs loadArgs;

    @Mixin
    WorkerArgs workerArgs;

    @Mixin
    ArenaArgs arenaArgs;

    /** the engine runs' batch workers and intra-op threads, from --workers and --threads */
    private EngineOptions engineOptions;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        List<String> inputs;
        try {
            if (!Files.isRegularFile(input)) {
                throw new IllegalArgumentException("--input " + input + ": no such file");
            }
            inputs = Files.readAllLines(input, StandardCharsets.UTF_8).stream().filter(s -> !s.isBlank()).toList();
            if (inputs.isEmpty()) {
                throw new IllegalArgumentException("--input " + input + ": no sentences");
            }
            for (String d : dtypes) {
                Dtype.parse(d);
            }
            if (repeats < 1) {
                throw new IllegalArgumentException("--repeats must be at least 1, found " + repeats);
            }
        } catch (IllegalArgumentException | IOException e) {
            err.println("bench: " + e.getMessage());
            return 2;
        }
        if (loadArgs.load) {
            return loadArgs.run(models, inputs, input, out, workerArgs.workers, err, stdout);
        }
        if (models == null || models.isEmpty()) {
            err.println("bench: --model is required");
            return 2;
        }
        if (kafka) {
            int batch = Arrays.stream(batches).filter(b -> b > 1).findFirst().orElse(32);
            int w = workerArgs.workers > 0 ? workerArgs.workers : Runtime.getRuntime().availableProcessors();
            try {
                stdout.print(new KafkaBench(models.get(0), batch, w, kafkaRequests, err).run(inputs, out));
                stdout.flush();
                return 0;
            } catch (Exception e) {
                err.println("bench --kafka: " + e);
                return 1;
            }
        }
        if (arenaProbes.requested()) {
            return arenaProbes.run(models.get(0), dtypes, batches, inputs, workerArgs, arenaArgs, out, err, stdout);
        }
        engineOptions = arenaArgs.applyTo(workerArgs.applyTo(EngineOptions.builder())).build();
        int engineWorkers = engineOptions.workers();
        int engineThreads = engineOptions.intraOpThreads();
        BenchReport report = new BenchReport();
        report.threads = engineWorkers * engineThreads;
        report.context.put("date", ZonedDateTime.now().toString());
        report.context.put("cpu", cpuName() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs");
        report.context.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
                + ", max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
        report.context.put("engine threads", engineWorkers == 1 ? engineThreads + " intra-op"
                : engineWorkers + " batch workers × " + engineThreads + " intra-op (a call's batch is cut in " + engineWorkers + ")");
        report.context.put("ONNX Runtime CPU arena", engineOptions.cpuArena() ? "on" : "off");
        report.context.put("inputs", input + " (" + inputs.size() + " sentences)");
        report.context.put("greedy output", "tokens only, no scores, in both runtimes (transformers.js' generate() returns none)");
        if (repeats > 1) {
            report.context.put("repeats", repeats + " (per model and dtype: every Java configuration, then transformers.js, "
                    + repeats + " times over; medians and ranges below)");
        }
        report.context.put("load at start", Rss.load());
        err.println("bench: " + Rss.load());
        try {
            if (gemmSeconds > 0) {
                for (int t : new int[] {1, 2}) {
                    for (int size : new int[] {1024, 2048}) {
                        GemmProbe.Result g = GemmProbe.measure(size, t, gemmSeconds);
                        report.gemm.add(g);
                        err.printf(Locale.ROOT, "bench: GEMM %d^3, %d thread(s): %.1f GFLOP/s%n", size, t, g.gflops());
                    }
                }
            }
            if (!noNode) {
                NodeBench.install(nodeDir, 600);
            }
            for (Path m : models) {
                benchModel(m, inputs, report, err);
            }
            if (soakSeconds > 0 || soakSentences > 0) {
                soak(models.get(models.size() - 1), inputs, report, err);
            }
        } catch (BundleException | IllegalArgumentException | IllegalStateException e) {
            err.println("bench: " + e.getMessage());
            report.context.put("error", e.getMessage());
            report.write(out);
            return 1;
        }
        report.context.put("load at end", Rss.load());
        report.write(out);
        stdout.print(report.table());
        stdout.flush();
        err.println("bench: wrote " + out.resolve("report.md") + " and " + out.resolve("report.json"));
        return 0;
    }

    private void benchModel(Path dir, List<String> inputs, BenchReport report, PrintWriter err) {
        String name = dir.toAbsolutePath().normalize().getFileName().toString();
        report.costs.put(name, ModelCost.of(dir));
        int maxBatch = Arrays.stream(batches).max().orElse(1);
        int[] sentences = Arrays.stream(batches).map(b -> Math.max(minSentences, b * batchesPerConfig)).toArray();
        for (String dtype : dtypes) {
            // greedy search without scores: the same work as transformers.js' generate()
            EngineOptions o = engineOptions.toBuilder().dtype(Dtype.parse(dtype)).batchTokens(1 << 24).maxBatchSize(maxBatch).outputScores(false).build();
            try (Engine e = Engine.load(dir, o)) {
                err.println("bench: " + name + " " + dtype + ": tables loaded once for all sessions: " + e.sharedTables());
                e.tablesNotShared().forEach(t -> err.println("bench: " + name + " " + dtype + ": not shared: " + t));
                for (int rep = 1; rep <= repeats; rep++) {
                    String round = repeats > 1 ? " (repeat " + rep + "/" + repeats + ")" : "";
                    for (int beam : beams) {
                        for (int i = 0; i < batches.length; i++) {
                            Measurement m = JavaBench.run(e, name, dtype, inputs, batches[i], beam, sentences[i], maxNewTokens);
                            report.rows.add(m);
                            err.printf(Locale.ROOT, "bench: java %s %s %s batch %d: %.1f tokens/s (%d tokens, %.1f s, RSS %d MiB)%s%n",
                                    name, dtype, beam == 1 ? "greedy" : "beam " + beam, batches[i], m.tokensPerSecond(),
                                    m.outputTokens(), m.seconds(), m.rssBytes() >> 20, round);
                        }
                    }
                    // transformers.js in its own process, while this engine stays loaded but idle
                    if (!noNode && Arrays.stream(beams).anyMatch(b -> b == 1)) {
                        report.rows.addAll(NodeBench.run(nodeDir, dir, name, dtype, input, maxNewTokens, batches, sentences, 3600));
                    }
                }
            }
        }
    }

    private void soak(Path dir, List<String> inputs, BenchReport report, PrintWriter err) {
        int batch = Arrays.stream(batches).max().orElse(1);
        String name = dir.toAbsolutePath().normalize().getFileName().toString();
        report.soakWhat = String.format(Locale.ROOT, "%s, %s, %s, batch %d, %s", name, soakDtype,
                soakBeams > 1 ? "beam " + soakBeams : "greedy", batch,
                soakSentences > 0 ? soakSentences + " sentences" : String.format(Locale.ROOT, "%.0f s", soakSeconds));
        EngineOptions o = engineOptions.toBuilder().dtype(Dtype.parse(soakDtype)).batchTokens(1 << 24).maxBatchSize(batch).build();
        double sampleSeconds = soakSeconds > 0 ? Math.max(5, soakSeconds / 20) : 60;
        try (Engine e = Engine.load(dir, o)) {
            report.soak.addAll(Soak.run(e, inputs, batch, soakBeams, soakSeconds, soakSentences, sampleSeconds,
                    s -> err.printf(Locale.ROOT, "bench: soak %.0f s: %d sentences, RSS %d MiB, heap %d MiB%n",
                            s.seconds(), s.sentences(), s.rssBytes() >> 20, s.heapBytes() >> 20)));
        }
    }

    private static String cpuName() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }
}
