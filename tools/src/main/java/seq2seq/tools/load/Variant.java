package seq2seq.tools.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pipeline configuration that a load run sweeps: a name and configuration keys set on top of the pipeline's own
 * (e.g. {@code batch.linger.ms}, {@code batch.size}). Written {@code NAME} or {@code NAME:key=value,key=value};
 * {@code fixed} alone is the pipeline as configured (its fixed-size batcher). Several variants in one run are drawn
 * side by side in the report and the chart. With several sweeps of each ({@link #inTurns}), {@code sweep} numbers them.
 */
public record Variant(String name, Map<String, String> overrides, int sweep) {
    public Variant {
        if (name.isBlank() || !name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("variant name must be letters, digits, '.', '_' or '-', found '" + name + "'");
        }
        if (sweep < 1) {
            throw new IllegalArgumentException("sweep numbers start at 1, found " + sweep);
        }
        overrides = Map.copyOf(overrides);
    }

    public Variant(String name, Map<String, String> overrides) {
        this(name, overrides, 1);
    }

    /**
     * Each variant {@code sweeps} times, taken in turns (a, b, a, b, ...): a machine whose speed drifts then moves every
     * variant alike, and the spread between one variant's sweeps shows how far a single sweep can be trusted.
     */
    public static List<Variant> inTurns(List<Variant> variants, int sweeps) {
        if (sweeps < 1) {
            throw new IllegalArgumentException("--load-sweeps must be at least 1, found " + sweeps);
        }
        List<Variant> out = new ArrayList<>();
        for (int k = 1; k <= sweeps; k++) {
            for (Variant v : variants) {
                out.add(new Variant(v.name(), v.overrides(), k));
            }
        }
        return out;
    }

    /** the name, with " #k" from the second sweep on: what the report's headings and the chart's legend show */
    public String label() {
        return sweep == 1 ? name : name + " #" + sweep;
    }

    public static Variant parse(String spec) {
        int colon = spec.indexOf(':');
        if (colon < 0) {
            return new Variant(spec.trim(), Map.of());
        }
        Map<String, String> o = new LinkedHashMap<>();
        for (String kv : spec.substring(colon + 1).split(",")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("variant '" + spec + "': expected key=value, found '" + kv + "'");
            }
            o.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return new Variant(spec.substring(0, colon).trim(), new LinkedHashMap<>(o));
    }

    /** as written on the command line */
    public String spec() {
        if (overrides.isEmpty()) {
            return name;
        }
        StringBuilder b = new StringBuilder(name).append(':');
        new java.util.TreeMap<>(overrides).forEach((k, v) -> b.append(k).append('=').append(v).append(','));
        return b.substring(0, b.length() - 1);
    }
}
