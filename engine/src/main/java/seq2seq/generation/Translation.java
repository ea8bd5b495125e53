package seq2seq.generation;

/**
 * The result of one {@link TranslationTask}.
 *
 * @param text          the translation ("" for empty input)
 * @param inputTokens   source tokens fed to the encoder (after truncation)
 * @param outputTokens  generated tokens, without start and end markers
 * @param truncated     the source was cut at the model's maximum input length
 * @param score         length-normalised log-probability of the output, or null when not computed
 * @param computeNanos  time spent on this task's batch, shared among its rows
 * @param error         null on success; otherwise why this task failed (the others still succeed)
 */
public record Translation(String text, int inputTokens, int outputTokens, boolean truncated, Float score,
                          long computeNanos, String error) {

    public boolean failed() {
        return error != null;
    }
}
