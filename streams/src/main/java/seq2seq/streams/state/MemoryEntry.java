package seq2seq.streams.state;

/**
 * A remembered translation of one segment.
 *
 * @param text          the translation
 * @param inputTokens   source tokens the engine saw
 * @param outputTokens  tokens it generated
 * @param truncated     the source was cut at the model's maximum length
 * @param score         length-normalised log-probability, or null
 * @param storedAt      wall-clock ms when it was stored: entries expire by age and the oldest go first when full
 */
public record MemoryEntry(String text, int inputTokens, int outputTokens, boolean truncated, Float score, long storedAt) {
}
