package seq2seq.streams;

import seq2seq.avro.FailureReason;
import seq2seq.avro.TranslationRequest;
import seq2seq.generation.ModelInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which of the instance's models translates a request:
 * <ol>
 *   <li>the request's {@code model} field names one: that model (an unknown name is dead-lettered as
 *       UNKNOWN_MODEL, naming the models served here);</li>
 *   <li>else, when it names a language ({@code source_lang}, {@code target_lang}): the default model if it is known to
 *       serve the pair, else the first model (in configuration order) known to serve it, else the default model if its
 *       languages are unknown, else the first model whose languages are unknown;</li>
 *   <li>else the default model.</li>
 * </ol>
 * A request that no model serves (a target language no model produces, or a pair none translates, or a pair its named
 * model does not translate) is dead-lettered as UNSUPPORTED_LANGUAGE, unless {@code strictLanguages} is off: then it
 * goes to the default model (or its named model), which does what it can.
 * A model's languages come from the configuration ({@code models.NAME.pairs}), else from its bundle, else they are
 * unknown, and an unknown model is taken to serve any pair.
 */
public final class ModelRouter {
    /** the models by name, in configuration order */
    private final Map<String, ModelInfo> models = new LinkedHashMap<>();
    private final ModelInfo defaultModel;
    private final boolean strictLanguages;

    /** Either a model, or why none: a dead letter's reason and words. */
    public record Route(ModelInfo model, FailureReason reason, String message) {
        static Route to(ModelInfo m) {
            return new Route(m, null, null);
        }

        static Route reject(FailureReason reason, String message) {
            return new Route(null, reason, message);
        }

        public boolean rejected() {
            return model == null;
        }
    }

    /**
     * @param models           the models served, in configuration order; names are unique
     * @param defaultModel     the name of the one that takes requests that name neither model nor language
     * @param strictLanguages  dead-letter requests no model serves (else they go to the default model)
     */
    public ModelRouter(List<ModelInfo> models, String defaultModel, boolean strictLanguages) {
        for (ModelInfo m : models) {
            if (this.models.put(m.name(), m) != null) {
                throw new IllegalArgumentException("two models are named '" + m.name() + "'");
            }
        }
        if (this.models.isEmpty()) {
            throw new IllegalArgumentException("no models");
        }
        this.defaultModel = this.models.get(defaultModel);
        if (this.defaultModel == null) {
            throw new IllegalArgumentException("the default model '" + defaultModel + "' is not one of " + this.models.keySet());
        }
        this.strictLanguages = strictLanguages;
    }

    /** One model, the default, strict about languages. */
    public static ModelRouter of(ModelInfo model) {
        return new ModelRouter(List.of(model), model.name(), true);
    }

    public List<ModelInfo> models() {
        return List.copyOf(models.values());
    }

    public boolean strictLanguages() {
        return strictLanguages;
    }

    public ModelInfo defaultModel() {
        return defaultModel;
    }

    /** The model named so, or null. */
    public ModelInfo get(String name) {
        return models.get(name);
    }

    /** Where a (non-null) request goes. */
    public Route route(TranslationRequest r) {
        String source = r.getSourceLang();
        String target = r.getTargetLang();
        if (r.getModel() != null) {
            ModelInfo m = models.get(r.getModel());
            if (m == null) {
                return Route.reject(FailureReason.UNKNOWN_MODEL, "model '" + shorten(r.getModel())
                        + "' is not served here; models: " + described());
            }
            if (strictLanguages && !m.languages().serves(source, target)) {
                return Route.reject(FailureReason.UNSUPPORTED_LANGUAGE, "model '" + m.name() + "' does not translate "
                        + pair(source, target) + "; it serves " + m.languages());
            }
            return Route.to(m);
        }
        if (source == null && target == null) {
            return Route.to(defaultModel);
        }
        if (defaultModel.languages().known() && defaultModel.languages().serves(source, target)) {
            return Route.to(defaultModel);
        }
        for (ModelInfo m : models.values()) {
            if (m.languages().known() && m.languages().serves(source, target)) {
                return Route.to(m);
            }
        }
        if (!defaultModel.languages().known()) {
            return Route.to(defaultModel);
        }
        for (ModelInfo m : models.values()) {
            if (!m.languages().known()) {
                return Route.to(m);
            }
        }
        if (!strictLanguages) {
            return Route.to(defaultModel);
        }
        boolean produced = models.values().stream().anyMatch(m -> m.languages().produces(target));
        String why = !produced ? "target_lang '" + target + "' is produced by no model here"
                : "no model here translates " + pair(source, target);
        return Route.reject(FailureReason.UNSUPPORTED_LANGUAGE, why + "; models: " + described());
    }

    /** "a (en-de), b (en-fr)" */
    public String described() {
        List<String> out = new ArrayList<>();
        models.values().forEach(m -> out.add(m.name() + " (" + m.languages() + ")"));
        return String.join(", ", out);
    }

    private static String pair(String source, String target) {
        return (source == null ? "any source" : "'" + source + "'") + " to " + (target == null ? "its default target" : "'" + target + "'");
    }

    private static String shorten(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
