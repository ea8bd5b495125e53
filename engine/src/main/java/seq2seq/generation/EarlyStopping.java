package seq2seq.generation;

/** When beam search stops for an input (Hugging Face's early_stopping values). */
public enum EarlyStopping {
    /** as soon as num_beams hypotheses are finished */
    TRUE,
    /** when no live beam can beat the worst finished hypothesis at the current length (the heuristic) */
    FALSE,
    /** when no live beam can beat it even at the maximum length (the exact rule, for length_penalty > 0) */
    NEVER;

    public static EarlyStopping parse(String s) {
        return switch (s) {
            case "true" -> TRUE;
            case "false" -> FALSE;
            case "never" -> NEVER;
            default -> throw new IllegalArgumentException("early_stopping: expected true, false or never, found " + s);
        };
    }
}
