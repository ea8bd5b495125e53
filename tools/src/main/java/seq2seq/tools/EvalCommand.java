package seq2seq.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import seq2seq.quality.Scores;
import seq2seq.quality.LeadBaseline;
import seq2seq.quality.Rouge;
import seq2seq.tools.eval.TranslationMemory;
import seq2seq.generation.Engine;
import seq2seq.generation.EngineOptions;
import seq2seq.generation.Translation;
import seq2seq.generation.TranslationTask;
import seq2seq.generation.Translator;
import seq2seq.model.BundleException;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * `eval`: BLEU, chrF and chrF++ (as sacreBLEU computes them), or ROUGE (as rouge-score computes it), of a model, a
 * hypothesis file, a translation memory and/or the lead baseline.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Scores translations of --src against --ref with BLEU, chrF and chrF++ (sacreBLEU 2.x defaults: "
                + "13a tokens, exp smoothing; chrF2 char 6-grams; chrF2++ plus word 2-grams).",
                "Translates with --model, scores an existing --hyp file, and/or scores the translation-memory baseline "
                        + "(--tm-src/--tm-tgt: the target of the most similar memory source by character 3-gram Dice).",
                "With --rouge: ROUGE-1, ROUGE-2 and ROUGE-L F1 instead (rouge-score: lower case, a-z0-9 tokens, "
                        + "--stem for Porter stemming; mean over lines), and --lead N scores the first sentence of "
                        + "--src cut to N words."})
final class EvalCommand implements Callable<Integer> {
    /** lines handed to the translator at once; progress is reported after each chunk */
    private static final int CHUNK = 128;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "Model folder to translate --src with.")
    Path model;

    @Option(names = "--src", paramLabel = "FILE", description = "Source lines (needed with --model and --tm-src).")
    Path src;

    @Option(names = "--ref", paramLabel = "FILE", required = true,
            description = "Reference lines; repeat for several reference sets (an empty line means none in that set).")
    List<Path> refs;

    @Option(names = "--hyp", paramLabel = "FILE", description = "Also score this file of translations.")
    Path hyp;

    @Option(names = "--hyp-out", paramLabel = "FILE", description = "Write the model's translations here.")
    Path hypOut;

    @Option(names = "--tm-src", paramLabel = "FILE", description = "Translation memory: source side (e.g. the training sources).")
    Path tmSrc;

    @Option(names = "--tm-tgt", paramLabel = "FILE", description = "Translation memory: target side, line by line with --tm-src.")
    Path tmTgt;

    @Option(names = "--tm-out", paramLabel = "FILE", description = "Write the translation memory's outputs here.")
    Path tmOut;

    @Option(names = "--rouge", description = "Score summaries: ROUGE-1, ROUGE-2 and ROUGE-L F1 instead of BLEU and chrF.")
    boolean rouge;

    @Option(names = "--stem", description = "With --rouge: Porter-stem tokens longer than 3 characters (rouge-score's use_stemmer).")
    boolean stem;

    @Option(names = "--lead", paramLabel = "WORDS",
            description = "Also score the lead baseline: the first sentence of each --src line, cut to WORDS words.")
    Integer lead;

    @Mixin
    EngineArgs engine;

    @Option(names = "--json", description = "Print one JSON object with every score instead of the table.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<List<String>> refLines = new ArrayList<>();
        List<String> sources;
        try {
            if (model == null && hyp == null && tmSrc == null && lead == null) {
                throw new IllegalArgumentException("nothing to score: give --model, --hyp, --tm-src/--tm-tgt or --lead");
            }
            if (stem && !rouge) {
                throw new IllegalArgumentException("--stem goes with --rouge");
            }
            if ((tmSrc == null) != (tmTgt == null)) {
                throw new IllegalArgumentException("--tm-src and --tm-tgt go together");
            }
            if ((model != null || tmSrc != null || lead != null) && src == null) {
                throw new IllegalArgumentException("--src is needed to translate with --model or --tm-src, and for --lead");
            }
            for (Path r : refs) {
                refLines.add(read(r, "--ref"));
            }
            sources = src == null ? null : read(src, "--src");
            if (sources != null && sources.size() != refLines.get(0).size()) {
                throw new IllegalArgumentException("--src " + src + " has " + sources.size() + " lines but --ref "
                        + refs.get(0) + " has " + refLines.get(0).size());
            }
        } catch (IllegalArgumentException e) {
            err.println("eval: " + e.getMessage());
            return 2;
        }
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode report = mapper.createObjectNode();
        try {
            if (model != null) {
                EngineOptions options = engine.toOptions();
                List<String> translations;
                long t0 = System.nanoTime();
                String name;
                int usedBeams;
                try (Engine e = Engine.load(model, options)) {
                    name = e.modelInfo().name();
                    usedBeams = e.defaults().numBeams();
                    translations = translateAll(e, sources, err);
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                if (hypOut != null) {
                    write(hypOut, translations);
                }
                String label = String.format(Locale.ROOT, "model %s (%s, %s)", name, usedBeams == 1 ? "greedy" : "beam " + usedBeams, options.dtype());
                emit(out, report, "model", label, translations, refLines).put("seconds", seconds).put("beams", usedBeams).put("dtype", options.dtype().toString());
            }
            if (hyp != null) {
                emit(out, report, "hyp", "file " + hyp, read(hyp, "--hyp"), refLines);
            }
            if (tmSrc != null) {
                List<String> memSrc = read(tmSrc, "--tm-src");
                List<String> memTgt = read(tmTgt, "--tm-tgt");
                long t0 = System.nanoTime();
                TranslationMemory tm = TranslationMemory.build(memSrc, memTgt);
                List<String> tmHyps = tm.translate(sources);
                err.printf(Locale.ROOT, "eval: translation memory of %d pairs: %d look-ups in %.1f s%n",
                        memSrc.size(), sources.size(), (System.nanoTime() - t0) / 1e9);
                if (tmOut != null) {
                    write(tmOut, tmHyps);
                }
                emit(out, report, "tm", "translation memory (" + memSrc.size() + " pairs)", tmHyps, refLines);
            }
            if (lead != null) {
                emit(out, report, "lead", "lead baseline (first sentence, " + lead + " words)",
                        new LeadBaseline(lead).summarizeAll(sources), refLines);
            }
        } catch (BundleException | IllegalArgumentException | UncheckedIOException e) {
            err.println("eval: " + e.getMessage());
            return 2;
        }
        if (json) {
            out.println(report.toString());
        }
        return 0;
    }

    /** Translates in chunks, reporting progress on stderr; a line that fails is scored as an empty translation. */
    static List<String> translateAll(Translator translator, List<String> sources, PrintWriter err) {
        List<String> out = new ArrayList<>(sources.size());
        long start = System.nanoTime();
        int failures = 0;
        for (int from = 0; from < sources.size(); from += CHUNK) {
            List<TranslationTask> tasks = sources.subList(from, Math.min(sources.size(), from + CHUNK)).stream()
                    .map(TranslationTask::of).toList();
            List<Translation> results = translator.translate(tasks);
            for (int i = 0; i < results.size(); i++) {
                Translation t = results.get(i);
                if (t.failed()) {
                    failures++;
                    err.println("eval: line " + (from + i + 1) + " failed (scored as empty): " + t.error());
                }
                out.add(t.text().replace('\n', ' ').replace('\r', ' '));
            }
            double s = (System.nanoTime() - start) / 1e9;
            err.printf(Locale.ROOT, "eval: translated %d/%d lines, %.1f lines/s%n", out.size(), sources.size(), out.size() / s);
        }
        if (failures > 0) {
            err.println("eval: " + failures + " lines failed");
        }
        return out;
    }

    private ObjectNode emit(PrintWriter out, ObjectNode report, String key, String label, List<String> hyps,
                            List<List<String>> refLines) {
        ObjectNode o = report.putObject(key);
        o.put("label", label);
        String scores;
        if (rouge) {
            Rouge.Result r = new Rouge(stem).corpus(hyps, refLines);
            o.put("ROUGE-1", r.rouge1()).put("ROUGE-2", r.rouge2()).put("ROUGE-L", r.rougeL()).put("stemmed", stem);
            scores = r.format();
        } else {
            Scores s = Scores.of(hyps, refLines);
            o.put("BLEU", s.bleu()).put("chrF", s.chrf()).put("chrF++", s.chrfPlusPlus());
            scores = s.format();
        }
        o.put("lines", hyps.size());
        if (!json) {
            out.printf(Locale.ROOT, "%-48s %s  (%d lines)%n", label, scores, hyps.size());
        }
        return o;
    }

    private static List<String> read(Path file, String option) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(option + " " + file + ": no such file");
        }
        try {
            // split on \n only (as Python's text files do after universal newlines, \r\n too): a stray \r inside a line is kept
            String text = Files.readString(file, StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(List.of(text.split("\r?\n", -1)));
            if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
                lines.remove(lines.size() - 1);
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(option + " " + file + ": " + e.getMessage(), e);
        }
    }

    private static void write(Path file, List<String> lines) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.write(file, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
