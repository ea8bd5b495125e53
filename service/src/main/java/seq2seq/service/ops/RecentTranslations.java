package seq2seq.service.ops;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The last few translations, newest first, for the status page. */
final class RecentTranslations {
    /** longest text kept per entry (the page shows a glimpse, not the document) */
    private static final int MAX_CHARS = 200;

    /**
     * @param id         request id
     * @param source     source text (cut to {@value #MAX_CHARS} characters)
     * @param text       translation (cut likewise)
     * @param latencyMs  end-to-end latency from the request's created_at
     * @param cached     answered from the translation memory
     * @param atMillis   when it was forwarded
     */
    record Entry(String id, String source, String text, long latencyMs, boolean cached, long atMillis) {
    }

    /** how many are kept */
    private final int capacity;
    /** newest first */
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();

    RecentTranslations(int capacity) {
        this.capacity = capacity;
    }

    synchronized void add(String id, String source, String text, long latencyMs, boolean cached, long atMillis) {
        if (capacity == 0) {
            return;
        }
        entries.addFirst(new Entry(id, cut(source), cut(text), latencyMs, cached, atMillis));
        while (entries.size() > capacity) {
            entries.removeLast();
        }
    }

    synchronized List<Entry> newestFirst() {
        return new ArrayList<>(entries);
    }

    private static String cut(String s) {
        if (s == null || s.length() <= MAX_CHARS) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(MAX_CHARS - 1)) ? MAX_CHARS - 1 : MAX_CHARS;
        return s.substring(0, end) + "…";
    }
}
