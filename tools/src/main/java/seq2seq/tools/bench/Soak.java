package seq2seq.tools.bench;

import seq2seq.generation.Translator;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** A long run: translates batches for a while and samples resident memory, to show steady state or growth. */
public final class Soak {
    private Soak() {
    }

    /**
     * @param seconds    since the start
     * @param sentences  translated so far
     * @param rssBytes   resident memory then
     * @param heapBytes  Java heap in use then
     * @param heapCommittedBytes  Java heap reserved from the OS then (part of the RSS)
     */
    public record Sample(double seconds, long sentences, long rssBytes, long heapBytes, long heapCommittedBytes) {
    }

    /**
     * Batches with {@code beams} (1: greedy) until the time is up or enough sentences are translated (a limit of 0 is
     * none); a sample after the first batch, then every sampleSeconds, and at the end.
     */
    public static List<Sample> run(Translator t, List<String> inputs, int batch, int beams, double seconds, long maxSentences,
                                   double sampleSeconds, Consumer<Sample> progress) {
        List<Sample> samples = new ArrayList<>();
        long t0 = System.nanoTime();
        long sentences = 0;
        double nextSample = 0;
        for (int k = 0; ; k++) {
            JavaBench.call(t, JavaBench.batchOf(inputs, k, batch), beams, null);
            sentences += batch;
            double now = (System.nanoTime() - t0) / 1e9;
            boolean done = (seconds > 0 && now >= seconds) || (maxSentences > 0 && sentences >= maxSentences);
            if (now >= nextSample || done) {
                Runtime rt = Runtime.getRuntime();
                Sample s = new Sample(now, sentences, Rss.bytes(), rt.totalMemory() - rt.freeMemory(), rt.totalMemory());
                samples.add(s);
                progress.accept(s);
                nextSample = now + sampleSeconds;
            }
            if (done) {
                return samples;
            }
        }
    }
}
