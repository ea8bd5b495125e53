package seq2seq.streams;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The {@link Batcher}'s lanes: one FIFO queue per model version served, and which of them the next batch comes from.
 * Whenever a worker frees, the next batch comes from the next lane, in round-robin order after the one that started a
 * batch last, that has queued work. So with k lanes waiting, each starts at least one batch in every k batches
 * started: a model with a large backlog cannot starve a quiet one, whose batch starts when the first worker frees
 * (within one batch time, with two models) instead of after the backlog. Within a lane, work stays first come first
 * served.
 * <p>
 * Not thread-safe: the batcher guards it, and every lane in it, with its lock.
 */
final class RoundRobinLanes {
    /** one model version's queue */
    static final class Lane {
        final ModelVersion version;
        /** what the tasks submitted for this version and no batch has taken yet */
        final ArrayDeque<Batcher.Job> queue = new ArrayDeque<>();
        /** batches of this lane running now */
        int running;
        /** the version each finished batch is run again on, for comparison only; null for none */
        ModelVersion shadow;
        /** set when the version is removed: runs once the last batch is done, after which the lane is gone */
        Runnable whenDrained;

        Lane(ModelVersion version) {
            this.version = version;
        }
    }

    /** a batch taken from a lane */
    record Taken(Lane lane, List<Batcher.Job> batch) {
    }

    /** the lanes, in round-robin order */
    private final List<Lane> lanes = new ArrayList<>();
    /** the same, by version */
    private final Map<ModelVersion, Lane> byVersion = new HashMap<>();
    /** the lane to look at first for the next batch */
    private int next;

    /** A lane for {@code version}, last in the round robin; false if it has one already. */
    boolean add(ModelVersion version) {
        if (byVersion.containsKey(version)) {
            return false;
        }
        Lane lane = new Lane(version);
        lanes.add(lane);
        byVersion.put(version, lane);
        return true;
    }

    /** the version's lane, or null */
    Lane get(ModelVersion version) {
        return byVersion.get(version);
    }

    /** whether {@code lane} is still the one its version is served by (not dropped) */
    boolean holds(Lane lane) {
        return byVersion.get(lane.version) == lane;
    }

    /** Removes the lane; the round robin goes on from where it was. */
    void drop(Lane lane) {
        int at = lanes.indexOf(lane);
        lanes.remove(at);
        byVersion.remove(lane.version);
        if (next > at) {
            next--;
        }
        next = lanes.isEmpty() ? 0 : next % lanes.size();
    }

    /**
     * The next batch: {@code take} applied to each lane in round-robin order until one gives a batch that is not
     * empty; null when none does.
     */
    Taken next(Function<Lane, List<Batcher.Job>> take) {
        for (int i = 0; i < lanes.size(); i++) {
            int at = (next + i) % lanes.size();
            List<Batcher.Job> batch = take.apply(lanes.get(at));
            if (!batch.isEmpty()) {
                next = (at + 1) % lanes.size();
                return new Taken(lanes.get(at), batch);
            }
        }
        return null;
    }

    /** the lanes, in round-robin order (a copy) */
    List<Lane> all() {
        return List.copyOf(lanes);
    }

    /** jobs queued in the lanes of the versions {@code which} accepts */
    int queued(Predicate<ModelVersion> which) {
        int n = 0;
        for (Lane l : lanes) {
            n += which.test(l.version) ? l.queue.size() : 0;
        }
        return n;
    }
}
