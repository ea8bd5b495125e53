package seq2seq.streams;

import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import seq2seq.avro.TranslationOptions;
import seq2seq.avro.TranslationRequest;
import seq2seq.generation.ModelInfo;
import seq2seq.generation.Translation;
import seq2seq.model.UnknownSpan;
import seq2seq.streams.state.MemoryEntry;
import seq2seq.streams.state.MemoryKey;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One partition's translation memory: the key of a segment (model name and version, languages, options, text), look-ups
 * that the metrics count, what a finished translation leaves there, and trimming to the age and size caps.
 */
final class PartitionMemory {
    private static final Logger log = LoggerFactory.getLogger(PartitionMemory.class);

    private final KeyValueStore<byte[], MemoryEntry> store;
    private final PipelineSettings settings;
    private final PipelineEvents events;

    PartitionMemory(KeyValueStore<byte[], MemoryEntry> store, PipelineSettings settings, PipelineEvents events) {
        this.store = store;
        this.settings = settings;
        this.events = events;
    }

    /**
     * The key of {@code segment} of request {@code r} translated by {@code model}: its name and version key every
     * entry, so the memory never answers with another model's output, nor with an older version's.
     */
    static byte[] key(ModelInfo model, TranslationRequest r, String segment) {
        TranslationOptions o = r.getOptions();
        Integer beams = o == null ? null : o.getNumBeams();
        Integer maxNewTokens = o == null ? null : o.getMaxNewTokens();
        // copying is the default, whose keys stay those of before it existed; without it the text differs
        return copiesUnknowns(r)
                ? MemoryKey.of(model.name(), model.version(), r.getSourceLang(), r.getTargetLang(), beams, maxNewTokens, segment)
                : MemoryKey.of(model.name(), model.version(), r.getSourceLang(), r.getTargetLang(), beams, maxNewTokens, segment,
                        "copy_unknowns=false");
    }

    /** Whether a request's translation copies what the model cannot read (options.copy_unknowns, true when unset). */
    static boolean copiesUnknowns(TranslationRequest r) {
        TranslationOptions o = r.getOptions();
        return o == null || o.getCopyUnknowns() == null || o.getCopyUnknowns();
    }

    /**
     * The remembered translation, or null; counted as a hit or a miss. An entry from a build that did not record what
     * the model could not read is a miss: its text may have lost it without a word.
     */
    MemoryEntry lookup(byte[] key) {
        MemoryEntry hit = store.get(key);
        if (hit != null && !hit.reportsUnknowns()) {
            hit = null;
        }
        events.memoryLookup(hit != null);
        return hit;
    }

    /** Remembers a translation the engine made (a failed one is not remembered). */
    void remember(byte[] key, Translation tr, long now) {
        if (!tr.failed()) {
            store.put(key, new MemoryEntry(tr.text(), tr.inputTokens(), tr.outputTokens(), tr.truncated(), tr.score(), now,
                    tr.unknownPieces(), tr.unknownSpans().stream().map(UnknownSpan::text).toList()));
        }
    }

    /** Drops memory entries past their age, then the oldest ones beyond the entry cap. */
    void trim(long now, Object task) {
        long cutoff = now - settings.memoryMaxAge().toMillis();
        List<Map.Entry<Long, byte[]>> kept = new ArrayList<>();
        List<byte[]> expired = new ArrayList<>();
        try (KeyValueIterator<byte[], MemoryEntry> it = store.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                if (kv.value.storedAt() < cutoff) {
                    expired.add(kv.key);
                } else {
                    kept.add(Map.entry(kv.value.storedAt(), kv.key));
                }
            }
        }
        expired.forEach(store::delete);
        long excess = kept.size() - settings.memoryMaxEntries();
        if (excess > 0) {
            kept.sort(Map.Entry.comparingByKey());
            for (int i = 0; i < excess; i++) {
                store.delete(kept.get(i).getValue());
            }
        }
        if (!expired.isEmpty() || excess > 0) {
            log.debug("task {}: memory trimmed by {} expired and {} over the cap", task, expired.size(), Math.max(0, excess));
        }
    }
}
