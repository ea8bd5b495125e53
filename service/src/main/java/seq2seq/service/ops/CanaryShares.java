package seq2seq.service.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The translations each version of each model produced ({@code s2s.records.out.by.version}), and from them the
 * share a canary answered since it started: each version's count is remembered when a canary starts, so what the
 * stable version answered before does not dilute the canary's share. Thread-safe.
 */
final class CanaryShares {
    /** where the counters are exported */
    private final MeterRegistry registry;
    /** each version's counter, by model name, then version */
    private final Map<String, Map<String, Counter>> counters = new ConcurrentHashMap<>();
    /** per model: its canary now, and each version's count when the canary started */
    private final Map<String, Start> starts = new ConcurrentHashMap<>();

    /** A canary version and what each version of its model had translated when it started. */
    private record Start(String version, Map<String, Double> countsAtStart) {
    }

    CanaryShares(MeterRegistry registry) {
        this.registry = registry;
    }

    private Map<String, Counter> versionsOf(String model) {
        return counters.computeIfAbsent(model, m -> new ConcurrentHashMap<>());
    }

    /** One translation of {@code model} by {@code version}, forwarded. */
    void translated(String model, String version) {
        versionsOf(model).computeIfAbsent(version, v -> Counter.builder("s2s.records.out.by.version")
                .tag("model", model).tag("version", v)
                .description("translations forwarded, by the model version that produced them (a canary's share)")
                .register(registry)).increment();
    }

    /** {@code version} is now {@code model}'s canary (or its percent changed): its share counts from here. */
    void started(String model, String version) {
        Map<String, Double> counts = new HashMap<>();
        versionsOf(model).forEach((v, c) -> counts.put(v, c.count()));
        starts.put(model, new Start(version, Map.copyOf(counts)));
    }

    /** The canary's translations and all of its model's since it started; null when it is not the model's canary. */
    Metrics.CanaryShare share(String model, String version) {
        Start start = starts.get(model);
        if (start == null || !start.version().equals(version)) {
            return null;
        }
        double answered = 0;
        double all = 0;
        for (Map.Entry<String, Counter> e : versionsOf(model).entrySet()) {
            double since = e.getValue().count() - start.countsAtStart().getOrDefault(e.getKey(), 0.0);
            all += since;
            if (e.getKey().equals(version)) {
                answered = since;
            }
        }
        return new Metrics.CanaryShare((long) answered, (long) all);
    }
}
