package seq2seq.streams;

import org.apache.kafka.common.utils.Utils;
import seq2seq.avro.FailureReason;
import seq2seq.avro.TranslationRequest;
import seq2seq.generation.ModelInfo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The models an instance serves and which version of each takes a request. A model has a stable version and may
 * have a candidate: as a canary it takes {@code canaryPercent} % of the requests, chosen by a hash of the record's
 * key (so a key always meets the same version); as a shadow it sees a copy of the stable version's batches and
 * takes none. {@link #apply} changes a model's versions while the stream runs: new requests see the change at once,
 * requests already routed keep their version ({@link ModelVersion}), and a version no deployment names any more is
 * retired and unloaded once its last request and batch are done.
 */
public final class ModelFleet {
    /** One served model's versions. */
    public record Deployment(String name, ModelVersion stable, ModelVersion candidate, int canaryPercent, boolean shadow) {
        public Deployment {
            if (!stable.name().equals(name) || (candidate != null && !candidate.name().equals(name))) {
                throw new IllegalArgumentException("versions of model '" + name + "' must be served under that name: "
                        + stable + ", " + candidate);
            }
            if (canaryPercent < 0 || canaryPercent > 100) {
                throw new IllegalArgumentException("canary percent must be 0..100, got " + canaryPercent);
            }
            if (candidate == stable) {
                candidate = null;
            }
        }

        /** Only a stable version. */
        public static Deployment of(ModelVersion stable) {
            return new Deployment(stable.name(), stable, null, 0, false);
        }

        /** The version a request in hash bucket {@code bucket} (0..99) goes to. */
        ModelVersion pick(int bucket) {
            return candidate != null && !shadow && bucket < canaryPercent ? candidate : stable;
        }
    }

    /** Either a version (counted as in use by the request), or why none. */
    public record Route(ModelVersion version, FailureReason reason, String message) {
        public boolean rejected() {
            return version == null;
        }
    }

    /** what routing reads: replaced whole, never changed */
    private record Snapshot(Map<String, Deployment> deployments, ModelRouter router) {
    }

    private final Batcher batcher;
    /** which model takes requests that name neither model nor languages */
    private final String defaultModel;
    /** whether requests no model serves are dead-lettered */
    private final boolean strictLanguages;
    /** what happens to a retired version once no request or batch uses it (its owner closes its engine) */
    private final Consumer<ModelVersion> unload;
    /** where a canary's start is reported */
    private final PipelineEvents events;
    private volatile Snapshot snapshot;

    /** The batcher's models, each as its own stable version; retired versions are left to their owner to close. */
    public ModelFleet(Batcher batcher, ModelRouter router) {
        this(batcher, router, PipelineEvents.NONE, v -> { });
    }

    /**
     * @param batcher the instance's batcher, already serving each of {@code router}'s models
     * @param router  the models' names, languages and the default, in configuration order
     * @param events  told when a canary starts (or its share changes)
     * @param unload  called once per retired version after its last request and batch (from any thread)
     */
    public ModelFleet(Batcher batcher, ModelRouter router, PipelineEvents events, Consumer<ModelVersion> unload) {
        this.batcher = batcher;
        this.events = events;
        this.defaultModel = router.defaultModel().name();
        this.strictLanguages = router.strictLanguages();
        this.unload = unload;
        Map<String, Deployment> initial = new LinkedHashMap<>();
        for (ModelInfo m : router.models()) {
            ModelVersion v = batcher.version(m.name());
            if (v == null) {
                throw new IllegalArgumentException("the batcher has no translator for model '" + m.name() + "'");
            }
            initial.put(m.name(), Deployment.of(v));
        }
        this.snapshot = new Snapshot(Map.copyOf(initial), router);
    }

    /** Where a (non-null) request whose record has key {@code key} goes; a version returned is counted as in use. */
    public Route route(TranslationRequest r, byte[] key) {
        while (true) {
            Snapshot s = snapshot;
            ModelRouter.Route to = s.router.route(r);
            if (to.rejected()) {
                return new Route(null, to.reason(), to.message());
            }
            ModelVersion v = s.deployments.get(to.model().name()).pick(bucket(key, r.getId()));
            if (v.acquire()) {
                return new Route(v, null, null);
            }
            // it was unloaded after this snapshot was replaced: the next read sees the new one
        }
    }

    /** The canary's hash bucket, 0..99: of the record's key, or of the request's id when the key is empty. */
    static int bucket(byte[] key, String id) {
        byte[] b = key != null && key.length > 0 ? key : id.getBytes(StandardCharsets.UTF_8);
        return Utils.toPositive(Utils.murmur2(b)) % 100;
    }

    /**
     * Serves a model with these versions from now on (a new name adds a model). Versions the model had and no longer
     * names are retired: unloaded once the requests routed to them are forwarded and their batches are done.
     */
    public synchronized void apply(Deployment d) {
        Snapshot before = snapshot;
        batcher.add(d.stable());
        if (d.candidate() != null) {
            batcher.add(d.candidate());
        }
        batcher.shadow(d.stable(), d.shadow() ? d.candidate() : null);
        Map<String, Deployment> next = new LinkedHashMap<>(before.deployments);
        Deployment old = next.put(d.name(), d);
        List<ModelInfo> infos = new ArrayList<>();
        before.router.models().forEach(m -> infos.add(next.get(m.name()).stable().info()));
        if (old == null) {
            infos.add(d.stable().info());
        }
        boolean canaryStarts = d.candidate() != null && !d.shadow() && (old == null || old.candidate() != d.candidate()
                || old.shadow() || old.canaryPercent() != d.canaryPercent());
        if (canaryStarts) {
            // before the first request can reach it
            events.canaryStarted(d.name(), d.candidate().version());
        }
        snapshot = new Snapshot(Map.copyOf(next), new ModelRouter(infos, defaultModel, strictLanguages));
        if (old != null) {
            for (ModelVersion v : new ModelVersion[] {old.stable(), old.candidate()}) {
                if (v != null && v != d.stable() && v != d.candidate()) {
                    v.retire(() -> batcher.remove(v, () -> unload.accept(v)));
                }
            }
        }
    }

    /** The deployments now, in configuration order (models added later last). */
    public List<Deployment> deployments() {
        Snapshot s = snapshot;
        List<Deployment> out = new ArrayList<>();
        s.router.models().forEach(m -> out.add(s.deployments.get(m.name())));
        return out;
    }

    /** The deployment of one model, or null. */
    public Deployment deployment(String name) {
        return snapshot.deployments.get(name);
    }

    /** The model names served. */
    public Set<String> names() {
        return snapshot.deployments.keySet();
    }

    /** Who routes requests to models by name and language, now. */
    public ModelRouter router() {
        return snapshot.router;
    }

    public Batcher batcher() {
        return batcher;
    }
}
