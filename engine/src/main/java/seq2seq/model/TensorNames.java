package seq2seq.model;

/**
 * The tensor names of an Optimum seq2seq export (encoder, decoder, KV cache), which every check and every run of the
 * graphs uses: {@code past_key_values.L.decoder.key} in, {@code present.L.decoder.key} out, and so on.
 */
final class TensorNames {
    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String LAST_HIDDEN = "last_hidden_state";
    static final String ENC_HIDDEN = "encoder_hidden_states";
    static final String ENC_MASK = "encoder_attention_mask";
    static final String USE_CACHE = "use_cache_branch";
    static final String LOGITS = "logits";

    /** per layer: past self-attention key, value (2 per layer, layer-major) */
    final String[] selfPast;
    final String[] selfPresent;
    /** per layer: past cross-attention key, value */
    final String[] crossPast;
    final String[] crossPresent;

    TensorNames(int layers) {
        selfPast = new String[2 * layers];
        selfPresent = new String[2 * layers];
        crossPast = new String[2 * layers];
        crossPresent = new String[2 * layers];
        for (int l = 0; l < layers; l++) {
            for (int kv = 0; kv < 2; kv++) {
                String part = kv == 0 ? "key" : "value";
                selfPast[2 * l + kv] = "past_key_values." + l + ".decoder." + part;
                selfPresent[2 * l + kv] = "present." + l + ".decoder." + part;
                crossPast[2 * l + kv] = "past_key_values." + l + ".encoder." + part;
                crossPresent[2 * l + kv] = "present." + l + ".encoder." + part;
            }
        }
    }
}
