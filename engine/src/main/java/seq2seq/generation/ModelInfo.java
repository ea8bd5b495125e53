package seq2seq.generation;

/**
 * @param name     model name, e.g. the bundle folder's name
 * @param version  content hash of the bundle's weights and tokenizer: changes whenever outputs may change
 * @param maxInputTokens  the model's maximum source length in tokens
 */
public record ModelInfo(String name, String version, int maxInputTokens) {
}
