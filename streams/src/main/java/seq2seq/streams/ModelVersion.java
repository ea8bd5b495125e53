package seq2seq.streams;

import seq2seq.generation.ModelInfo;
import seq2seq.generation.Translator;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded version of a served model: its translator (under the served name) and how many buffered requests were
 * routed to it. A request keeps the version it was routed to until its outcome is forwarded, so a request buffered
 * across a switch is translated by one version only. Once retired, the version is unloaded when the last such
 * request is gone ({@link #retire}).
 */
public final class ModelVersion {
    /** the version's translator, under the served name */
    private final Translator translator;
    /** buffered requests routed here; -1 once unloaded (then nothing more can be routed here) */
    private final AtomicInteger requests = new AtomicInteger();
    /** what to run once retired and unused: hand the lane back, then close the engine */
    private volatile Runnable whenUnused;
    /** so {@code whenUnused} runs once */
    private final AtomicBoolean unloaded = new AtomicBoolean();

    public ModelVersion(Translator translator) {
        this.translator = translator;
    }

    public Translator translator() {
        return translator;
    }

    public ModelInfo info() {
        return translator.modelInfo();
    }

    /** The served name. */
    public String name() {
        return translator.modelInfo().name();
    }

    /** The content hash of its bundle. */
    public String version() {
        return translator.modelInfo().version();
    }

    /** Counts one more request routed here; false once this version is unloaded (route again). */
    boolean acquire() {
        while (true) {
            int n = requests.get();
            if (n < 0) {
                return false;
            }
            if (requests.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** The request routed here has left (forwarded, or its task closed). */
    void release() {
        if (requests.decrementAndGet() == 0 && whenUnused != null) {
            unloadIfUnused();
        }
    }

    /** Requests routed here and not yet forwarded. */
    public int requestsInUse() {
        return Math.max(0, requests.get());
    }

    /** Whether it was retired and has been handed to {@code whenUnused}. */
    public boolean unloaded() {
        return unloaded.get();
    }

    /**
     * No new request comes here from now on (the caller has stopped routing to it); {@code whenUnused} runs once no
     * routed request remains, here or on the thread that releases the last one.
     */
    void retire(Runnable whenUnused) {
        this.whenUnused = whenUnused;
        unloadIfUnused();
    }

    private void unloadIfUnused() {
        if (requests.compareAndSet(0, -1) && unloaded.compareAndSet(false, true)) {
            whenUnused.run();
        }
    }

    @Override
    public String toString() {
        return name() + "@" + version();
    }
}
