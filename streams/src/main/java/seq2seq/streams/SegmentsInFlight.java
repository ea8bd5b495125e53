package seq2seq.streams;

import seq2seq.avro.TranslationOptions;
import seq2seq.avro.TranslationRequest;
import seq2seq.generation.TranslationTask;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One partition's segments that wait for the engine: one ticket per distinct memory key (which includes the model and
 * its version, so a ticket is one version's; a repeated segment waits for the first one instead of being translated twice), the tickets not yet handed to the batcher, and who waits for each.
 * Rebuilt from the batch buffer after a restart, like everything else the processor holds in memory.
 */
final class SegmentsInFlight {
    /** segments being translated, by ticket */
    private final Map<Long, Ticket> tickets = new HashMap<>();
    /** the same, by memory key */
    private final Map<ByteBuffer, Ticket> byKey = new HashMap<>();
    /** tickets not yet handed to the batcher */
    private final List<Ticket> unsubmitted = new ArrayList<>();
    /** their estimated tokens */
    private int unsubmittedTokens;
    /** wall-clock ms when the oldest of them arrived */
    private long oldestUnsubmittedAt;
    private long nextTicket;

    /** A segment handed (or about to be handed) to the batcher, and the requests waiting for it. */
    static final class Ticket {
        final long id;
        /** memory key of the segment */
        final byte[] key;
        /** the model version that translates it */
        final ModelVersion version;
        /** what the engine is asked */
        final TranslationTask task;
        /** requests (and segment positions) that want this translation */
        final List<Waiter> waiters = new ArrayList<>(1);

        Ticket(long id, byte[] key, ModelVersion version, TranslationTask task) {
            this.id = id;
            this.version = version;
            this.key = Arrays.copyOf(key, key.length);
            this.task = task;
        }
    }

    /** Segment {@code index} of {@code request}. */
    record Waiter(PendingRequest request, int index) {
    }

    /** Segment {@code i} of {@code p} waits for a translation: it gets a ticket, or joins the one for the same key. */
    void want(PendingRequest p, int i, long now) {
        if (unsubmitted.isEmpty()) {
            oldestUnsubmittedAt = now;
        }
        ByteBuffer key = ByteBuffer.wrap(p.keys[i]);
        Ticket t = byKey.get(key);
        if (t == null) {
            TranslationRequest r = p.env.request();
            TranslationOptions o = r.getOptions();
            String text = p.split.segments().get(i);
            t = new Ticket(nextTicket++, p.keys[i], p.version, new TranslationTask(text, r.getSourceLang(), r.getTargetLang(),
                    o == null ? null : o.getNumBeams(), o == null ? null : o.getMaxNewTokens(),
                    PartitionMemory.copiesUnknowns(r)));
            tickets.put(t.id, t);
            byKey.put(key, t);
            unsubmitted.add(t);
            unsubmittedTokens += Batcher.estimateTokens(text);
        }
        t.waiters.add(new Waiter(p, i));
    }

    /**
     * Whether the waiting segments fill a batch (by count or by tokens): of the fixed size, or of the size the latency
     * target ({@code target}, null when none) chose for the oldest one's version.
     */
    boolean fillABatch(PipelineSettings settings, LatencyTarget target) {
        if (unsubmitted.isEmpty()) {
            return false;
        }
        int rows = target == null ? settings.batchMaxSize() : target.maxRows(unsubmitted.get(0).version);
        return unsubmitted.size() >= rows || unsubmittedTokens >= settings.batchMaxTokens();
    }

    /**
     * Whether the oldest waiting segment has lingered long enough at {@code now}: the fixed linger, or with a latency
     * target ({@code target}, null when none) the shortest it allows any of the versions waiting.
     */
    boolean lingered(PipelineSettings settings, LatencyTarget target, long now) {
        if (unsubmitted.isEmpty()) {
            return false;
        }
        long waited = now - oldestUnsubmittedAt;
        if (target == null) {
            return waited >= settings.batchLinger().toMillis();
        }
        ModelVersion asked = null;
        for (Ticket t : unsubmitted) {
            if (t.version != asked) { // the tickets of one version usually follow each other
                asked = t.version;
                if (waited >= target.lingerMillis(asked)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The jobs of every ticket not yet handed over, their results to go to {@code inbox}; none are left waiting. */
    List<Batcher.Job> takeJobs(Batcher.Inbox inbox) {
        List<Batcher.Job> jobs = new ArrayList<>(unsubmitted.size());
        for (Ticket t : unsubmitted) {
            jobs.add(new Batcher.Job(t.id, t.version, t.task, inbox));
        }
        unsubmitted.clear();
        unsubmittedTokens = 0;
        return jobs;
    }

    /** The ticket a result belongs to, no longer in flight; null when it is not (or no longer) this partition's. */
    Ticket finish(long ticket) {
        Ticket t = tickets.remove(ticket);
        if (t != null) {
            byKey.remove(ByteBuffer.wrap(t.key));
        }
        return t;
    }
}
