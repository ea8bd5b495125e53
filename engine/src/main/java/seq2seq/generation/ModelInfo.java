package seq2seq.generation;

import seq2seq.model.LanguagePairs;

import java.util.Objects;

/**
 * What the pipeline knows of a loaded model.
 *
 * @param name             model name: the bundle folder's name, or the name the configuration gives it
 * @param version          content hash of the bundle's weights and tokenizer: changes whenever outputs may change
 * @param maxInputTokens   the model's maximum source length in tokens
 * @param languages        the language pairs it serves (from the configuration, else its bundle; or unknown)
 * @param segmentSentences whether a caller should split text into sentences (false: the model takes the whole text,
 *                         e.g. summarization)
 * @param inputPrefix      what the engine puts before every input (T5's "summarize: "), "" for none; informational
 */
public record ModelInfo(String name, String version, int maxInputTokens, LanguagePairs languages,
                        boolean segmentSentences, String inputPrefix) {
    public ModelInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(languages, "languages");
        Objects.requireNonNull(inputPrefix, "inputPrefix");
    }

    /** A translation model whose languages are unknown: sentence segmentation on, no prefix. */
    public ModelInfo(String name, String version, int maxInputTokens) {
        this(name, version, maxInputTokens, LanguagePairs.ANY, true, "");
    }

    /** A translation model serving these languages: sentence segmentation on, no prefix. */
    public ModelInfo(String name, String version, int maxInputTokens, LanguagePairs languages) {
        this(name, version, maxInputTokens, languages, true, "");
    }

    /** A model whose languages are unknown, with its own text handling. */
    public ModelInfo(String name, String version, int maxInputTokens, boolean segmentSentences, String inputPrefix) {
        this(name, version, maxInputTokens, LanguagePairs.ANY, segmentSentences, inputPrefix);
    }

    public ModelInfo withName(String newName) {
        return new ModelInfo(newName, version, maxInputTokens, languages, segmentSentences, inputPrefix);
    }

    public ModelInfo withLanguages(LanguagePairs newLanguages) {
        return new ModelInfo(name, version, maxInputTokens, newLanguages, segmentSentences, inputPrefix);
    }
}
