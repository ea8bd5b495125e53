package seq2seq.streams;

import seq2seq.avro.FailureReason;
import seq2seq.avro.TranslationOptions;
import seq2seq.avro.TranslationRequest;
import seq2seq.generation.ModelInfo;

import java.util.Set;

/** What makes a request one this instance refuses before any translation, and the dead letter's reason and words. */
final class RequestCheck {
    private final PipelineSettings settings;
    /** the model served here */
    private final ModelInfo model;

    RequestCheck(PipelineSettings settings, ModelInfo model) {
        this.settings = settings;
        this.model = model;
    }

    /** Why a request is dead-lettered before any translation. */
    record Rejection(FailureReason reason, String message) {
    }

    /** null if the request can be translated */
    Rejection check(TranslationRequest r) {
        if (r == null) {
            return new Rejection(FailureReason.SCHEMA,
                    "the record has no value (a tombstone or an empty message); expected a TranslationRequest");
        }
        if (r.getText().length() > settings.maxTextChars()) {
            return new Rejection(FailureReason.TOO_LONG,
                    "text has " + r.getText().length() + " characters; the limit is " + settings.maxTextChars());
        }
        String lang = unsupported(r.getSourceLang(), settings.sourceLanguages(), "source_lang");
        if (lang == null) {
            lang = unsupported(r.getTargetLang(), settings.targetLanguages(), "target_lang");
        }
        if (lang != null) {
            return new Rejection(FailureReason.UNSUPPORTED_LANGUAGE, lang);
        }
        if (r.getModel() != null && !r.getModel().equals(model.name())) {
            return new Rejection(FailureReason.UNKNOWN_MODEL,
                    "model '" + r.getModel() + "' is not served here; this instance serves '" + model.name() + "'");
        }
        TranslationOptions o = r.getOptions();
        if (o != null && o.getNumBeams() != null && (o.getNumBeams() < 1 || o.getNumBeams() > settings.maxBeams())) {
            return new Rejection(FailureReason.SCHEMA, "options.num_beams is " + o.getNumBeams() + "; allowed: 1.." + settings.maxBeams());
        }
        if (o != null && o.getMaxNewTokens() != null && (o.getMaxNewTokens() < 1 || o.getMaxNewTokens() > settings.maxNewTokens())) {
            return new Rejection(FailureReason.SCHEMA,
                    "options.max_new_tokens is " + o.getMaxNewTokens() + "; allowed: 1.." + settings.maxNewTokens());
        }
        return null;
    }

    /** null if {@code code} is absent or accepted, else why not */
    private static String unsupported(String code, Set<String> accepted, String field) {
        if (code == null) {
            return null;
        }
        if (!PipelineSettings.LANGUAGE_CODE.matcher(code).matches()) {
            return field + " '" + shorten(code) + "' is not a language code (letters, digits, '-' and '_', at most 16)";
        }
        if (!accepted.isEmpty() && !accepted.contains(code)) {
            return field + " '" + code + "' is not supported here; accepted: " + String.join(", ", new java.util.TreeSet<>(accepted));
        }
        return null;
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
