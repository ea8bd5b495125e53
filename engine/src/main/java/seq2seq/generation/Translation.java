package seq2seq.generation;

import seq2seq.model.UnknownSpan;

import java.util.List;

/**
 * The result of one {@link TranslationTask}.
 *
 * @param text           the translation ("" for empty input)
 * @param inputTokens    source tokens fed to the encoder (after truncation)
 * @param outputTokens   generated tokens, without start and end markers
 * @param truncated      the source was cut at the model's maximum input length
 * @param score          length-normalised log-probability of the output, or null when not computed
 * @param computeNanos   time spent on this task's batch, shared among its rows
 * @param error          null on success; otherwise why this task failed (the others still succeed)
 * @param unknownPieces  source tokens the model could not read (the tokenizer's unknown id), among those it was given
 * @param unknownSpans   the stretches of the source those tokens came from, in order, offsets into the task's text
 *                       (whether they were copied into {@code text}: see {@link UnknownCopy})
 * @param times          when its batch encoded and decoded; null when the model did not run for it (empty input,
 *                       nothing it can read, a failure)
 */
public record Translation(String text, int inputTokens, int outputTokens, boolean truncated, Float score,
                          long computeNanos, String error, int unknownPieces, List<UnknownSpan> unknownSpans,
                          ComputeTimes times) {

    public Translation {
        unknownSpans = List.copyOf(unknownSpans);
    }

    /** A translation without phase times (see {@link #times}). */
    public Translation(String text, int inputTokens, int outputTokens, boolean truncated, Float score,
                       long computeNanos, String error, int unknownPieces, List<UnknownSpan> unknownSpans) {
        this(text, inputTokens, outputTokens, truncated, score, computeNanos, error, unknownPieces, unknownSpans, null);
    }

    /** A translation whose source the model could read whole. */
    public Translation(String text, int inputTokens, int outputTokens, boolean truncated, Float score,
                       long computeNanos, String error) {
        this(text, inputTokens, outputTokens, truncated, score, computeNanos, error, 0, List.of());
    }

    public boolean failed() {
        return error != null;
    }
}
