package seq2seq.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The language pairs a model serves: a list of pairs ({@code en-de,en-fr}), or any of some sources to any of some
 * targets (a multilingual bundle's language tokens), or unknown ({@link #ANY}: any pair, as far as anyone knows).
 * A null language in a question matches any (a request that names no target gets the model's default).
 */
public final class LanguagePairs {
    /** nothing is known: every pair is taken to be served */
    public static final LanguagePairs ANY = new LanguagePairs(null, Set.of(), Set.of());

    /** the explicit pairs (source, target), or null when the model serves sources × targets */
    private final Set<List<String>> pairs;
    /** sources and targets: with {@code pairs}, their sides; otherwise every combination is served */
    private final Set<String> sources;
    private final Set<String> targets;

    private LanguagePairs(Set<List<String>> pairs, Set<String> sources, Set<String> targets) {
        this.pairs = pairs;
        this.sources = sources;
        this.targets = targets;
    }

    /** Every listed pair, each {@code source-target} (or {@code source:target} when a code itself has a '-'). */
    public static LanguagePairs parse(String list) {
        Set<List<String>> pairs = new LinkedHashSet<>();
        for (String item : list.split(",")) {
            if (item.isBlank()) {
                continue;
            }
            List<String> pair = parsePair(item.strip());
            if (pair == null) {
                throw new IllegalArgumentException("'" + item.strip() + "' is not a language pair (source-target, e.g. en-de,"
                        + " or source:target when a code has a '-', e.g. en:pt-BR)");
            }
            pairs.add(pair);
        }
        return of(pairs);
    }

    /** source and target of one pair, or null when it is not one */
    private static List<String> parsePair(String item) {
        String[] parts = item.contains(":") ? item.split(":", -1) : item.split("-", -1);
        if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
            return null;
        }
        return List.of(parts[0].strip(), parts[1].strip());
    }

    /** Exactly these (source, target) pairs; none at all is {@link #ANY}. */
    public static LanguagePairs of(Collection<List<String>> pairs) {
        if (pairs.isEmpty()) {
            return ANY;
        }
        Set<List<String>> p = new LinkedHashSet<>(pairs);
        Set<String> s = new LinkedHashSet<>();
        Set<String> t = new LinkedHashSet<>();
        p.forEach(pair -> {
            s.add(pair.get(0));
            t.add(pair.get(1));
        });
        return new LanguagePairs(Set.copyOf(p), Set.copyOf(s), Set.copyOf(t));
    }

    /** Any of {@code sources} to any of {@code targets} (a multilingual model); both empty is {@link #ANY}. */
    public static LanguagePairs cross(Collection<String> sources, Collection<String> targets) {
        if (sources.isEmpty() && targets.isEmpty()) {
            return ANY;
        }
        return new LanguagePairs(null, Set.copyOf(sources), Set.copyOf(targets));
    }

    /** Whether anything is known (false: {@link #ANY}). */
    public boolean known() {
        return this != ANY;
    }

    /** Whether the model can produce {@code target} (null: its default, always). */
    public boolean produces(String target) {
        return target == null || !known() || targets.isEmpty() || targets.contains(target);
    }

    /** Whether it translates {@code source} to {@code target}; a null side matches any. */
    public boolean serves(String source, String target) {
        if (!known()) {
            return true;
        }
        if (pairs == null) {
            return (source == null || sources.isEmpty() || sources.contains(source)) && produces(target);
        }
        for (List<String> p : pairs) {
            if ((source == null || p.get(0).equals(source)) && (target == null || p.get(1).equals(target))) {
                return true;
            }
        }
        return false;
    }

    /** The target languages it produces (empty: unknown). */
    public Set<String> targets() {
        return targets;
    }

    /** The source languages it reads (empty: unknown). */
    public Set<String> sources() {
        return sources;
    }

    /** For messages and the status page: {@code en-de, en-fr}, {@code 100 sources -> 100 targets}, or {@code any}. */
    @Override
    public String toString() {
        if (!known()) {
            return "any";
        }
        if (pairs != null) {
            List<String> out = new ArrayList<>();
            new TreeSet<>(pairs.stream().map(p -> p.get(0) + (p.get(0).contains("-") || p.get(1).contains("-") ? ":" : "-")
                    + p.get(1)).toList()).forEach(out::add);
            return String.join(", ", out);
        }
        return side(sources) + " -> " + side(targets);
    }

    private static String side(Set<String> codes) {
        if (codes.isEmpty()) {
            return "any";
        }
        return codes.size() <= 8 ? String.join("|", new TreeSet<>(codes)) : codes.size() + " languages";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LanguagePairs l && java.util.Objects.equals(pairs, l.pairs) && sources.equals(l.sources)
                && targets.equals(l.targets);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(pairs, sources, targets);
    }
}
