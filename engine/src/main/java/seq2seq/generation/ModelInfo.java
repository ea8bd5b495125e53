package seq2seq.generation;

import seq2seq.model.LanguagePairs;

import java.util.Objects;

/**
 * What the pipeline knows of a loaded model.
 *
 * @param name            model name: the bundle folder's name, or the name the configuration gives it
 * @param version         content hash of the bundle's weights and tokenizer: changes whenever outputs may change
 * @param maxInputTokens  the model's maximum source length in tokens
 * @param languages       the language pairs it serves (from the configuration, else its bundle; or unknown)
 */
public record ModelInfo(String name, String version, int maxInputTokens, LanguagePairs languages) {
    public ModelInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(languages, "languages");
    }

    /** A model whose languages are unknown. */
    public ModelInfo(String name, String version, int maxInputTokens) {
        this(name, version, maxInputTokens, LanguagePairs.ANY);
    }

    public ModelInfo withName(String newName) {
        return new ModelInfo(newName, version, maxInputTokens, languages);
    }

    public ModelInfo withLanguages(LanguagePairs newLanguages) {
        return new ModelInfo(name, version, maxInputTokens, newLanguages);
    }
}
