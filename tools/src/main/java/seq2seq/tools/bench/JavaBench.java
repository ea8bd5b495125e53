package seq2seq.tools.bench;

import seq2seq.generation.Translation;
import seq2seq.generation.TranslationTask;
import seq2seq.generation.Translator;

import java.util.ArrayList;
import java.util.List;

/** Times this engine on one configuration: batches of the inputs taken in order, cycling. */
public final class JavaBench {
    private JavaBench() {
    }

    /** Batch k of size b: inputs k*b .. k*b+b-1, modulo their number (the transformers.js side takes the same). */
    static List<String> batchOf(List<String> inputs, int k, int b) {
        List<String> out = new ArrayList<>(b);
        for (int j = 0; j < b; j++) {
            out.add(inputs.get((k * b + j) % inputs.size()));
        }
        return out;
    }

    /** One untimed warm-up batch, then sentences/batch timed batches. Failed translations are an error. */
    public static Measurement run(Translator t, String model, String dtype, List<String> inputs, int batch, int beams,
                                  int sentences, Integer maxNewTokens) {
        call(t, batchOf(inputs, 0, batch), beams, maxNewTokens);
        long src = 0;
        long out = 0;
        int batches = Math.max(1, sentences / batch);
        long t0 = System.nanoTime();
        for (int k = 0; k < batches; k++) {
            for (Translation r : call(t, batchOf(inputs, k, batch), beams, maxNewTokens)) {
                src += r.inputTokens();
                out += r.outputTokens();
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Measurement("java", model, dtype, beams, batch, batches * batch, src, out, seconds, Rss.bytes());
    }

    static List<Translation> call(Translator t, List<String> texts, int beams, Integer maxNewTokens) {
        List<TranslationTask> tasks = texts.stream().map(s -> new TranslationTask(s, null, null, beams, maxNewTokens)).toList();
        List<Translation> results = t.translate(tasks);
        for (Translation r : results) {
            if (r.failed()) {
                throw new IllegalStateException("bench: a translation failed: " + r.error());
            }
        }
        return results;
    }
}
