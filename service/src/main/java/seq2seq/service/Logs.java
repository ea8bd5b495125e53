package seq2seq.service;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Log levels set from code, for commands whose output is meant for people rather than log collectors. */
public final class Logs {
    private Logs() {
    }

    /** The demo prints what happens itself; only problems are logged (unless S2S_LOG_LEVEL asks for more). */
    public static void quietForDemo() {
        if (System.getenv("S2S_LOG_LEVEL") != null) {
            return;
        }
        level(org.slf4j.Logger.ROOT_LOGGER_NAME, Level.WARN);
        level("org.apache.kafka", Level.ERROR);
        level("kafka", Level.ERROR);
        level("seq2seq.streams.DeadLetterHandler", Level.ERROR); // the demo shows its dead letters itself
    }

    private static void level(String logger, Level level) {
        if (LoggerFactory.getLogger(logger) instanceof Logger l) {
            l.setLevel(level);
        }
    }
}
