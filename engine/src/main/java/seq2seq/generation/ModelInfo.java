package seq2seq.generation;

/**
 * @param name             model name, e.g. the bundle folder's name
 * @param version          content hash of the bundle's weights and tokenizer: changes whenever outputs may change
 * @param maxInputTokens   the model's maximum source length in tokens
 * @param segmentSentences whether a caller should split text into sentences (false: the model takes the whole text,
 *                         e.g. summarization)
 * @param inputPrefix      what the engine puts before every input (T5's "summarize: "), "" for none; informational
 */
public record ModelInfo(String name, String version, int maxInputTokens, boolean segmentSentences, String inputPrefix) {

    /** A translation model: sentence segmentation on, no prefix. */
    public ModelInfo(String name, String version, int maxInputTokens) {
        this(name, version, maxInputTokens, true, "");
    }
}
