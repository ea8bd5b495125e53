package seq2seq.tools;

import picocli.CommandLine.Option;
import seq2seq.generation.EngineOptions;

/** How many engine batches run at once and on how many threads each: the options of every command that runs a model. */
final class WorkerArgs {
    @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime intra-op threads of each batch. Default: CPU cores / --workers (1 with one worker per core)")
    Integer threads;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "0", description = "Batches run at once, each on its own thread; a call with fewer batches has them cut so that each worker has one. 0: one per core (cores / --threads with --threads). 1: one batch at a time on all cores (lower latency for one sentence). Default: ${DEFAULT-VALUE}")
    int workers;

    /** Sets the engine's workers and their threads. */
    EngineOptions.Builder applyTo(EngineOptions.Builder o) {
        return o.workersOnCores(workers, threads);
    }
}
