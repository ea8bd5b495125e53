package seq2seq.streams;

import seq2seq.avro.FailureReason;
import seq2seq.avro.TranslationOptions;
import seq2seq.avro.TranslationRequest;
import java.util.Set;

/**
 * What makes a request one this instance refuses before any translation, and the dead letter's reason and words; and
 * which model version translates the others ({@link ModelFleet}).
 */
final class RequestCheck {
    private final PipelineSettings settings;
    /** the models served here */
    private final ModelFleet fleet;

    RequestCheck(PipelineSettings settings, ModelFleet fleet) {
        this.settings = settings;
        this.fleet = fleet;
    }

    /** Why a request is dead-lettered before any translation. */
    record Rejection(FailureReason reason, String message) {
    }

    /**
     * The model version that translates a request (counted as in use: the caller releases it once the request is
     * forwarded), or why it is refused (exactly one is null).
     */
    record Verdict(ModelVersion version, Rejection rejection) {
    }

    /** The model version for a request, in a record with key {@code key}, that passes every check, else the rejection. */
    Verdict check(TranslationRequest r, byte[] key) {
        Rejection rejection = refuse(r);
        if (rejection != null) {
            return new Verdict(null, rejection);
        }
        ModelFleet.Route route = fleet.route(r, key);
        return route.rejected() ? new Verdict(null, new Rejection(route.reason(), route.message()))
                : new Verdict(route.version(), null);
    }

    /** null if nothing but the routing is left to check */
    private Rejection refuse(TranslationRequest r) {
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
