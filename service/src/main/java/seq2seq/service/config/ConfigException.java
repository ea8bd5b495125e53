package seq2seq.service.config;

import java.util.List;

/** The configuration cannot be used; {@link #problems()} has one line per bad value. */
public final class ConfigException extends RuntimeException {
    /** one message per problem, each naming the property */
    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super("invalid configuration:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
