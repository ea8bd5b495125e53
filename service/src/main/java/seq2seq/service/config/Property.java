package seq2seq.service.config;

import java.util.Locale;

/**
 * One documented configuration property.
 *
 * @param name          key in the properties file, e.g. {@code kafka.bootstrap.servers}
 * @param defaultValue  used when neither the file nor the environment sets it (null: no default, may stay unset)
 * @param meaning       one line for the README's table
 * @param check         validates a set value
 */
public record Property(String name, String defaultValue, String meaning, Check check) {
    /** environment variables that override properties start with this */
    public static final String ENV_PREFIX = "S2S_";

    /** The environment variable that overrides it: {@code kafka.bootstrap.servers} → {@code S2S_KAFKA_BOOTSTRAP_SERVERS}. */
    public String envVar() {
        return envVar(name);
    }

    /** Kafka images' convention: '.' → '_', '_' → '__', '-' → '___', upper case, with {@link #ENV_PREFIX}. */
    public static String envVar(String property) {
        return ENV_PREFIX + property.replace("_", "__").replace("-", "___").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /** The property an environment variable sets (the inverse of {@link #envVar(String)}), or null if it is not ours. */
    public static String propertyOf(String envVar) {
        if (!envVar.startsWith(ENV_PREFIX) || envVar.length() == ENV_PREFIX.length()) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        String s = envVar.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
        for (int i = 0; i < s.length(); ) {
            if (s.startsWith("___", i)) {
                out.append('-');
                i += 3;
            } else if (s.startsWith("__", i)) {
                out.append('_');
                i += 2;
            } else {
                out.append(s.charAt(i) == '_' ? '.' : s.charAt(i));
                i++;
            }
        }
        return out.toString();
    }
}
