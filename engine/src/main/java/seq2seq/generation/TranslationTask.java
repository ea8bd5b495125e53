package seq2seq.generation;

/**
 * One text to translate.
 *
 * @param text          source text (one segment; the pipeline splits long text into sentences first)
 * @param sourceLang    source language code, or null for the model's default
 * @param targetLang    target language code, or null for the model's default
 * @param numBeams      beam width, or null for the model's default
 * @param maxNewTokens  cap on generated tokens, or null for the model's default
 */
public record TranslationTask(String text, String sourceLang, String targetLang, Integer numBeams, Integer maxNewTokens) {

    public static TranslationTask of(String text) {
        return new TranslationTask(text, null, null, null, null);
    }
}
