package seq2seq.tools;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import seq2seq.generation.EngineOptions;
import seq2seq.model.DecoderLayout;
import seq2seq.model.Dtype;

import java.nio.file.Path;
import java.util.Locale;

/** The engine options that every command running a model takes (a picocli mixin). */
final class EngineArgs {
    @Option(names = "--dtype", paramLabel = "fp32|q8", defaultValue = "fp32", description = "Weights: fp32 or q8 (the _quantized files). Default: ${DEFAULT-VALUE}")
    String dtype;

    @Option(names = "--beams", paramLabel = "N", description = "Beam width (1: greedy). Default: the model's generation_config.json.")
    Integer beams;

    @Option(names = "--max-new-tokens", paramLabel = "N", description = "Cap on generated tokens per line. Default: the model's.")
    Integer maxNewTokens;

    @Option(names = "--batch-tokens", paramLabel = "N", defaultValue = "4096", description = "Batch budget: padded source tokens x beams. Default: ${DEFAULT-VALUE}")
    int batchTokens;

    @Mixin
    WorkerArgs workers;

    @Mixin
    ArenaArgs arena;

    @Option(names = "--layout", paramLabel = "auto|merged|separate", defaultValue = "auto", description = "Decoder files to use. Default: ${DEFAULT-VALUE}")
    String layout;

    @Option(names = "--ort-profile", paramLabel = "DIR", description = "Write ONNX Runtime's per-operator profile of every session to DIR (one JSON file a session, written when the command ends; ONNX Runtime keeps the events in memory until then, so for short runs; bench/ort-profile-summary.py sums them). Default: off")
    Path ortProfile;

    /** The options; a bad value is an IllegalArgumentException naming it. */
    EngineOptions toOptions() {
        DecoderLayout l;
        try {
            l = DecoderLayout.valueOf(layout.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown --layout '" + layout + "' (expected auto, merged or separate)");
        }
        return arena.applyTo(workers.applyTo(EngineOptions.builder())).dtype(Dtype.parse(dtype)).layout(l).batchTokens(batchTokens)
                .numBeams(beams).maxNewTokens(maxNewTokens).profileDir(ortProfile).build();
    }
}
