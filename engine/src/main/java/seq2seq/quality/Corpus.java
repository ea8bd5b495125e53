package seq2seq.quality;

import java.util.ArrayList;
import java.util.List;

/** Lines up hypotheses with their references the way sacreBLEU does, with errors that name the line. */
final class Corpus {
    private Corpus() {
    }

    /**
     * The references of each segment: one list per hypothesis, empty references left out (sacreBLEU allows a
     * varying number of references per segment this way), a segment left with none is an error.
     *
     * @param refStreams one list of lines per reference set, each as long as the hypotheses
     */
    static List<List<String>> segmentReferences(List<String> hyps, List<List<String>> refStreams) {
        if (refStreams.isEmpty()) {
            throw new IllegalArgumentException("no reference set given");
        }
        for (int s = 0; s < refStreams.size(); s++) {
            if (refStreams.get(s).size() != hyps.size()) {
                throw new IllegalArgumentException("reference set " + (s + 1) + " has " + refStreams.get(s).size()
                        + " lines but there are " + hyps.size() + " hypotheses");
            }
        }
        List<List<String>> out = new ArrayList<>(hyps.size());
        for (int i = 0; i < hyps.size(); i++) {
            if (hyps.get(i) == null) {
                throw new IllegalArgumentException("hypothesis " + (i + 1) + " is null");
            }
            List<String> refs = new ArrayList<>(refStreams.size());
            for (List<String> stream : refStreams) {
                String r = stream.get(i);
                if (r != null && !r.isEmpty()) {
                    refs.add(r);
                }
            }
            if (refs.isEmpty()) {
                throw new IllegalArgumentException("line " + (i + 1) + ": empty reference (sacreBLEU refuses those too)");
            }
            out.add(refs);
        }
        return out;
    }

    /** Element-wise sum into the first array. */
    static void add(long[] into, long[] stats) {
        for (int k = 0; k < into.length; k++) {
            into[k] += stats[k];
        }
    }
}
