package seq2seq.streams;

import java.util.List;

/**
 * One segment's translation, from the memory or the engine; {@code error} set when the engine failed on it;
 * {@code unknownPieces} and {@code unknownSpans}: the source tokens the model could not read and their text.
 */
record Piece(String text, int inputTokens, int outputTokens, boolean truncated, Float score, boolean fromMemory,
             String error, int unknownPieces, List<String> unknownSpans) {
}
