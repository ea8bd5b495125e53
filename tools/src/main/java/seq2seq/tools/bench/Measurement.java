package seq2seq.tools.bench;

/**
 * One timed configuration.
 *
 * @param runtime       "java" (this engine) or "transformers.js"
 * @param model         bundle name
 * @param dtype         fp32 or q8
 * @param beams         beam width (1: greedy)
 * @param batch         sentences per call
 * @param sentences     sentences timed (warm-up excluded)
 * @param sourceTokens  encoder tokens fed, special tokens included
 * @param outputTokens  tokens generated, up to the first EOS (start and end markers excluded)
 * @param seconds       wall time of the timed calls (tokenization and detokenization included)
 * @param rssBytes      resident memory of the process after the run, or -1
 */
public record Measurement(String runtime, String model, String dtype, int beams, int batch, int sentences,
                          long sourceTokens, long outputTokens, double seconds, long rssBytes) {

    /** Generated tokens per second. */
    public double tokensPerSecond() {
        return outputTokens / seconds;
    }
}
