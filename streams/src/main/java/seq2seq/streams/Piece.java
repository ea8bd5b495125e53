package seq2seq.streams;

/** One segment's translation, from the memory or the engine; {@code error} set when the engine failed on it. */
record Piece(String text, int inputTokens, int outputTokens, boolean truncated, Float score, boolean fromMemory,
             String error) {
}
