package seq2seq.streams.state;

import java.util.List;

/**
 * A remembered translation of one segment.
 *
 * @param text          the translation
 * @param inputTokens   source tokens the engine saw
 * @param outputTokens  tokens it generated
 * @param truncated     the source was cut at the model's maximum length
 * @param score         length-normalised log-probability, or null
 * @param storedAt      wall-clock ms when it was stored: entries expire by age and the oldest go first when full
 * @param unknownPieces source tokens the model could not read
 * @param unknownSpans  the source text behind them, in order; null for an entry stored by a build that did not
 *                      record them (its text may lack what the model could not read, unreported)
 */
public record MemoryEntry(String text, int inputTokens, int outputTokens, boolean truncated, Float score, long storedAt,
                          int unknownPieces, List<String> unknownSpans) {

    /** An entry whose source the model read whole. */
    public MemoryEntry(String text, int inputTokens, int outputTokens, boolean truncated, Float score, long storedAt) {
        this(text, inputTokens, outputTokens, truncated, score, storedAt, 0, List.of());
    }

    /** Whether the entry says what its source had that the model could not read (entries from before did not). */
    public boolean reportsUnknowns() {
        return unknownSpans != null;
    }
}
