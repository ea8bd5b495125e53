package seq2seq.tools.load;

import java.util.List;
import java.util.Map;

/**
 * One pipeline configuration's sweep.
 *
 * @param maxThroughput its own maximum sustainable throughput (backlog run), requests/s
 */
public record VariantResult(Variant variant, double maxThroughput, List<StepResult> steps) {
    /** the variant's label: its name, and its sweep number from the second sweep on */
    public String name() {
        return variant.label();
    }

    public Map<String, String> overrides() {
        return variant.overrides();
    }
}
