package seq2seq.tools.eval;

import seq2seq.quality.PyText;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The translation-memory baseline: for a source, the target of the memory pair whose source is most similar by
 * character 3-gram Dice similarity (the way localization tools fuzzy-match). An inverted index from 3-gram to
 * pairs makes a look-up one pass over the postings of the query's 3-grams. Ties go to the earliest pair. Same
 * definition as training/tm_baseline.py.
 */
public final class TranslationMemory {
    /** target side, by pair index */
    private final List<String> targets;
    /** distinct 3-grams of each memory source, by pair index */
    private final int[] sizes;
    /** 3-gram to the pairs whose source has it, ascending */
    private final Map<String, int[]> postings;

    private TranslationMemory(List<String> targets, int[] sizes, Map<String, int[]> postings) {
        this.targets = targets;
        this.sizes = sizes;
        this.postings = postings;
    }

    /** Indexes the pairs (sources.get(i), targets.get(i)). */
    public static TranslationMemory build(List<String> sources, List<String> targets) {
        if (sources.size() != targets.size()) {
            throw new IllegalArgumentException("translation memory: " + sources.size() + " sources but "
                    + targets.size() + " targets");
        }
        Map<String, int[]> growing = new HashMap<>(); // postings with the used length in slot 0
        int[] sizes = new int[sources.size()];
        for (int i = 0; i < sources.size(); i++) {
            Set<String> grams = trigrams(sources.get(i));
            sizes[i] = grams.size();
            for (String g : grams) {
                int[] p = growing.get(g);
                if (p == null) {
                    p = new int[4];
                } else if (p[0] + 1 == p.length) {
                    p = Arrays.copyOf(p, p.length * 2);
                }
                p[++p[0]] = i;
                growing.put(g, p);
            }
        }
        Map<String, int[]> postings = new HashMap<>(growing.size() * 2);
        growing.forEach((g, p) -> postings.put(g, Arrays.copyOfRange(p, 1, p[0] + 1)));
        return new TranslationMemory(List.copyOf(targets), sizes, postings);
    }

    /** Distinct character 3-grams of the lower-cased, space-normalised text padded with a space each side. */
    static Set<String> trigrams(String text) {
        String t = " " + String.join(" ", PyText.split(PyText.lower(text))) + " ";
        int[] cp = t.codePoints().toArray();
        Set<String> grams = new LinkedHashSet<>();
        for (int i = 0; i + 3 <= cp.length; i++) {
            grams.add(new String(cp, i, 3));
        }
        if (grams.isEmpty()) {
            grams.add(t);
        }
        return grams;
    }

    /**
     * The closest pair of each source.
     *
     * @return per source, the pair index (-1 when no pair shares a 3-gram) and its similarity
     */
    public List<Match> lookup(List<String> sources) {
        int[] shared = new int[sizes.length];
        List<Match> out = new ArrayList<>(sources.size());
        for (String s : sources) {
            Set<String> grams = trigrams(s);
            List<int[]> lists = new ArrayList<>();
            for (String g : grams) {
                int[] p = postings.get(g);
                if (p != null) {
                    lists.add(p);
                    for (int i : p) {
                        shared[i]++;
                    }
                }
            }
            int best = -1;
            double bestDice = -1;
            for (int[] p : lists) {
                for (int i : p) {
                    if (shared[i] == 0) {
                        continue; // already scored and reset
                    }
                    double dice = 2.0 * shared[i] / (sizes[i] + grams.size());
                    if (dice > bestDice || (dice == bestDice && i < best)) {
                        bestDice = dice;
                        best = i;
                    }
                    shared[i] = 0;
                }
            }
            out.add(best < 0 ? new Match(-1, 0.0, "") : new Match(best, bestDice, targets.get(best)));
        }
        return out;
    }

    /** The memory's translation of each source ("" where nothing matches). */
    public List<String> translate(List<String> sources) {
        return lookup(sources).stream().map(Match::target).toList();
    }

    /**
     * @param index       memory pair, or -1
     * @param similarity  Dice similarity of the 3-gram sets, 0-1
     * @param target      the pair's target text ("" when none)
     */
    public record Match(int index, double similarity, String target) {
    }
}
