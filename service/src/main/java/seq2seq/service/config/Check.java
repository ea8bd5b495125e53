package seq2seq.service.config;

import java.util.Arrays;
import java.util.List;

/** Validates one property's text; returns null when it is fine, else what is wrong (without the property's name). */
@FunctionalInterface
public interface Check {
    String problem(String value);

    Check ANY = v -> null;

    Check NOT_BLANK = v -> v.isBlank() ? "must not be empty" : null;

    Check BOOLEAN = v -> v.equals("true") || v.equals("false") ? null : "must be true or false, got '" + v + "'";

    static Check intRange(long min, long max) {
        return v -> {
            long n;
            try {
                n = Long.parseLong(v.strip());
            } catch (NumberFormatException e) {
                return "must be a whole number, got '" + v + "'";
            }
            return n < min || n > max ? "must be between " + min + " and " + max + ", got " + n : null;
        };
    }

    /** a decimal number from {@code min} to {@code max} (infinite: no upper bound) */
    static Check number(double min, double max) {
        String range = Double.isInfinite(max) ? ">= " + min : "between " + min + " and " + max;
        return v -> {
            try {
                double n = Double.parseDouble(v.strip());
                return n >= min && n <= max ? null : "must be a number " + range + ", got '" + v + "'";
            } catch (NumberFormatException e) {
                return "must be a number " + range + ", got '" + v + "'";
            }
        };
    }

    static Check oneOf(String... choices) {
        List<String> allowed = Arrays.asList(choices);
        return v -> allowed.contains(v.strip()) ? null : "must be one of " + String.join(", ", allowed) + ", got '" + v + "'";
    }
}
