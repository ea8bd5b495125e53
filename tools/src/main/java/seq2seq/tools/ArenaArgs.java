package seq2seq.tools;

import picocli.CommandLine.Option;
import seq2seq.generation.EngineOptions;

/** Whether ONNX Runtime's sessions keep CPU memory arenas: the option of every command that runs a model. */
final class ArenaArgs {
    @Option(names = "--cpu-arena", paramLabel = "true|false", arity = "1", description = "Each ONNX Runtime session keeps its own CPU memory arena (grown to its largest run and kept while the model is loaded; bench/report-rollout-rss.md). Default: " + EngineOptions.DEFAULT_CPU_ARENA)
    Boolean cpuArena;

    /** Sets the engine's arena choice, if given. */
    EngineOptions.Builder applyTo(EngineOptions.Builder o) {
        return cpuArena == null ? o : o.cpuArena(cpuArena);
    }
}
