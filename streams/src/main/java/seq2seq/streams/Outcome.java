package seq2seq.streams;

import seq2seq.avro.TranslationFailure;
import seq2seq.avro.TranslationResult;

/**
 * What the translate step emits for one input record: a result or a dead letter, never both.
 *
 * @param result   the translation, or null
 * @param failure  the dead letter, or null
 */
public record Outcome(TranslationResult result, TranslationFailure failure) {

    public static Outcome of(TranslationResult result) {
        return new Outcome(result, null);
    }

    public static Outcome of(TranslationFailure failure) {
        return new Outcome(null, failure);
    }

    public boolean ok() {
        return result != null;
    }
}
