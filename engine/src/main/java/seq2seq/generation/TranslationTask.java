package seq2seq.generation;

/**
 * One text to translate.
 *
 * @param text          source text (one segment; the pipeline splits long text into sentences first)
 * @param sourceLang    source language code, or null for the model's default
 * @param targetLang    target language code, or null for the model's default
 * @param numBeams      beam width, or null for the model's default
 * @param maxNewTokens  cap on generated tokens, or null for the model's default
 * @param copyUnknowns  copy source text the model cannot read into the translation ({@link UnknownCopy}); null: on
 */
public record TranslationTask(String text, String sourceLang, String targetLang, Integer numBeams, Integer maxNewTokens,
                              Boolean copyUnknowns) {

    /** A task that copies what the model cannot read (the default). */
    public TranslationTask(String text, String sourceLang, String targetLang, Integer numBeams, Integer maxNewTokens) {
        this(text, sourceLang, targetLang, numBeams, maxNewTokens, null);
    }

    public static TranslationTask of(String text) {
        return new TranslationTask(text, null, null, null, null, null);
    }

    /** Whether the translation copies source text the model cannot read. */
    public boolean copiesUnknowns() {
        return copyUnknowns == null || copyUnknowns;
    }
}
