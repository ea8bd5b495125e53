package seq2seq.tools;

import picocli.CommandLine.Option;
import seq2seq.tools.load.LoadBench;
import seq2seq.tools.load.LoadReport;
import seq2seq.tools.load.Variant;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** `bench --load`: its options and its run, the open-loop load through the pipeline instead of the engine bench. */
final class LoadArgs {
    @Option(names = "--load", description = "Instead: open-loop load through the pipeline (first --model): Poisson arrivals at "
            + "fractions of the maximum sustainable throughput, produce-to-read_committed latency percentiles and achieved "
            + "throughput per rate. Writes OUT/load-report.md, .json and load-chart.png.")
    boolean load;

    @Option(names = "--load-seconds", paramLabel = "S", defaultValue = "30", description = "Measured seconds per rate. Default: ${DEFAULT-VALUE}")
    double loadSeconds;

    @Option(names = "--load-warmup-seconds", paramLabel = "S", defaultValue = "5", description = "Unmeasured seconds before each rate's window. Default: ${DEFAULT-VALUE}")
    double loadWarmupSeconds;

    @Option(names = "--load-rates", paramLabel = "F", split = ",", defaultValue = "0.1,0.25,0.5,0.75,0.9,1.0,1.1",
            description = "Offered rates as fractions of the maximum sustainable throughput. Default: ${DEFAULT-VALUE}")
    double[] loadRates;

    @Option(names = "--load-backlog", paramLabel = "N", defaultValue = "1000", description = "Requests of the backlog run that measures the maximum. Default: ${DEFAULT-VALUE}")
    int loadBacklog;

    @Option(names = "--load-drain-seconds", paramLabel = "S", defaultValue = "120", description = "Longest wait for a rate's last answers. Default: ${DEFAULT-VALUE}")
    double loadDrainSeconds;

    @Option(names = "--load-partitions", paramLabel = "N", defaultValue = "3", description = "Input partitions of the in-process run. Default: ${DEFAULT-VALUE}")
    int loadPartitions;

    @Option(names = "--repeat-share", paramLabel = "P", defaultValue = "0.3", description = "Share of --load requests that repeat an earlier one (translation-memory hits). Default: ${DEFAULT-VALUE}")
    double repeatShare;

    @Option(names = "--variants", paramLabel = "NAME[:KEY=VALUE,...]", defaultValue = "fixed",
            description = "A pipeline configuration to sweep with --load (repeat for several, drawn side by side): a name and "
                    + "configuration keys on top of the pipeline's, e.g. 'linger5:batch.linger.ms=5,batch.size=16'. Default: ${DEFAULT-VALUE}")
    List<String> variants;

    @Option(names = "--load-sweeps", paramLabel = "N", defaultValue = "1",
            description = "Sweeps of each variant, taken in turns (a, b, a, b, ...); with more than one the report adds each "
                    + "variant's medians and ranges over its sweeps. Default: ${DEFAULT-VALUE}")
    int loadSweeps;

    @Option(names = "--load-warmup-sweep", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Before the measured sweeps, start one throwaway pipeline of the first variant and run its warm-up "
                    + "and backlog, unreported: a run's first sweep has been its slowest, and the rates are fractions of the first "
                    + "measured maximum. Default: on")
    boolean loadWarmupSweep;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of --load's arrival times and texts. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "--load against this cluster, where a pipeline instance already runs, instead of an in-process one.")
    String bootstrap;

    @Option(names = "--registry", paramLabel = "URL", description = "Schema registry of that cluster.")
    String registry;

    @Option(names = "--config", paramLabel = "FILE", description = "--load against a running instance: its configuration file "
            + "(topics, serde, client security; S2S_* environment variables override it); --bootstrap and --registry override that.")
    Path config;

    @Option(names = "--json", description = "With --load: print the summary as JSON (the Markdown report is still written).")
    boolean json;

    /** Runs the load bench on the first of models (or a running instance); its exit code. */
    int run(List<Path> models, List<String> inputs, Path input, Path out, int workers, PrintWriter err, PrintWriter stdout) {
        LoadReport report;
        try {
            seq2seq.service.config.AppConfig remote = null;
            if (bootstrap != null || config != null) {
                Map<String, String> over = new java.util.HashMap<>();
                if (bootstrap != null) {
                    over.put(seq2seq.service.config.Settings.BOOTSTRAP_SERVERS.name(), bootstrap);
                }
                if (registry != null) {
                    over.put(seq2seq.service.config.Settings.REGISTRY_URL.name(), registry);
                }
                remote = seq2seq.service.config.AppConfig.load(config, System.getenv()).with(over);
            } else if (models == null || models.isEmpty()) {
                throw new IllegalArgumentException("--load needs --model (or --bootstrap / --config for a running instance)");
            }
            List<Variant> vs = Variant.inTurns(variants.stream().map(Variant::parse).toList(), loadSweeps);
            LoadBench.Options o = new LoadBench.Options(models == null || models.isEmpty() ? null : models.get(0), vs, loadRates,
                    loadSeconds, loadWarmupSeconds, loadBacklog, repeatShare, seed, loadDrainSeconds, loadPartitions,
                    workers, remote, loadWarmupSweep && remote == null);
            report = new LoadBench(o, err).run(inputs);
            report.facts.put("inputs", input + " (" + inputs.size() + " sentences)");
            report.write(out);
        } catch (IllegalArgumentException | seq2seq.service.config.ConfigException e) {
            err.println("bench --load: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("bench --load: " + e);
            return 1;
        }
        stdout.print(json ? report.jsonText() : report.markdown());
        stdout.flush();
        err.println("bench --load: wrote " + out.resolve(LoadReport.MARKDOWN) + ", " + LoadReport.JSON + " and " + LoadReport.CHART);
        return 0;
    }
}
