package seq2seq.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import seq2seq.generation.DetailedTranslation;
import seq2seq.generation.Engine;
import seq2seq.generation.EngineOptions;
import seq2seq.generation.Translation;
import seq2seq.generation.TranslationTask;
import seq2seq.model.BundleException;
import seq2seq.model.RecurrentTokenizer;
import seq2seq.model.UnknownSpan;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** `translate`: one translation per input line, in input order, on stdout. */
@Command(name = "translate", mixinStandardHelpOptions = true,
        description = "Translates text, one line at a time, from stdin or --input; writes one line (or JSON object) per input line.")
final class TranslateCommand implements Callable<Integer> {
    /** lines handed to the engine at once; progress is reported after each chunk */
    private static final int CHUNK = 256;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", defaultValue = "models/s2s-en-de-small",
            description = "Model folder (Hugging Face/Optimum ONNX layout, or a recurrent bundle: docs/models-recurrent.md)."
                    + " Default: ${DEFAULT-VALUE}")
    Path model;

    @Option(names = "--input", paramLabel = "FILE", description = "Read lines from FILE instead of stdin.")
    Path input;

    @Option(names = "--json", description = "Write one JSON object per line: text, tokens, score, timings, and the"
            + " source spans the model could not read (unknownSpans).")
    boolean json;

    @Option(names = "--copy-unknowns", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Copy source text the model cannot read (emoji, other scripts) into the translation where the"
                    + " model marks it, and keep a line of nothing else as it is (docs/pipeline.md). Default: on")
    boolean copyUnknowns;

    @Mixin
    EngineArgs engine;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        EngineOptions options;
        List<String> lines;
        try {
            // plain lines print no score, and greedy search then skips computing one
            options = engine.toOptions().toBuilder().outputScores(json).build();
            lines = readLines();
        } catch (IllegalArgumentException | IOException e) {
            err.println("translate: " + e.getMessage());
            return 2;
        }
        long start = System.nanoTime();
        int failures = 0;
        try (Engine loaded = Engine.load(model, options)) {
            for (int from = 0; from < lines.size(); from += CHUNK) {
                List<TranslationTask> tasks = new ArrayList<>();
                for (String l : lines.subList(from, Math.min(lines.size(), from + CHUNK))) {
                    tasks.add(new TranslationTask(l, null, null, null, null, copyUnknowns));
                }
                List<DetailedTranslation> results = loaded.translateDetailed(tasks);
                for (int i = 0; i < results.size(); i++) {
                    DetailedTranslation d = results.get(i);
                    Translation t = d.translation();
                    if (t.failed()) {
                        failures++;
                        err.println("translate: line " + (from + i + 1) + ": " + t.error());
                    }
                    out.println(json ? json(d) : t.text().replace('\n', ' ').replace('\r', ' '));
                }
                out.flush();
                int done = Math.min(lines.size(), from + CHUNK);
                if (lines.size() > CHUNK) {
                    double s = (System.nanoTime() - start) / 1e9;
                    err.printf("translate: %d/%d lines, %.1f lines/s%n", done, lines.size(), done / s);
                }
            }
            reportUnknown(loaded, err);
        } catch (BundleException e) {
            err.println("translate: " + e.getMessage());
            return 2;
        }
        return failures == 0 ? 0 : 1;
    }

    /** A recurrent model's source characters (or words) that its vocabulary lacks, the most frequent first. */
    private static void reportUnknown(Engine engine, PrintWriter err) {
        if (engine.tokenizer() instanceof RecurrentTokenizer r && r.unknownCount() > 0) {
            StringBuilder top = new StringBuilder();
            r.unknownTokens().entrySet().stream().limit(20).forEach(e -> top.append(top.isEmpty() ? "" : ", ")
                    .append(JSON.getNodeFactory().textNode(e.getKey())).append(" x").append(e.getValue()));
            err.println("translate: " + r.unknownCount() + " source " + (r.unknownTokens().keySet().stream()
                    .allMatch(k -> k.codePointCount(0, k.length()) == 1) ? "characters" : "tokens")
                    + " not in the model's vocabulary (fed as its unknown index, or left out): " + top);
        }
    }

    private List<String> readLines() throws IOException {
        if (input != null && !Files.isRegularFile(input)) {
            throw new IllegalArgumentException("--input " + input + ": no such file");
        }
        if (input != null) {
            return Files.readAllLines(input, StandardCharsets.UTF_8);
        }
        // stdin stays open (not ours to close)
        return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).lines().toList();
    }

    private static String json(DetailedTranslation d) {
        Translation t = d.translation();
        ObjectNode o = JSON.createObjectNode();
        o.put("text", t.text());
        var tokens = o.putArray("tokens");
        for (int id : d.outputIds()) {
            tokens.add(id);
        }
        o.put("inputTokens", t.inputTokens());
        o.put("outputTokens", t.outputTokens());
        o.put("truncated", t.truncated());
        if (t.score() != null) {
            o.put("score", t.score());
        } else {
            o.putNull("score");
        }
        o.put("computeMs", t.computeNanos() / 1e6);
        o.put("unknownPieces", t.unknownPieces());
        var spans = o.putArray("unknownSpans");
        for (UnknownSpan s : t.unknownSpans()) {
            spans.addObject().put("start", s.start()).put("end", s.end()).put("text", s.text());
        }
        if (t.error() != null) {
            o.put("error", t.error());
        }
        return o.toString();
    }
}
