package seq2seq.streams;

/** The names of the topology's state stores: the topology creates them, the processor opens them, tests read them. */
public final class StoreNames {
    /** segment key → translation (changelogged) */
    public static final String MEMORY = "translation-memory";
    /** sequence number → request not yet forwarded (changelogged) */
    public static final String BUFFER = "batch-buffer";

    private StoreNames() {
    }
}
