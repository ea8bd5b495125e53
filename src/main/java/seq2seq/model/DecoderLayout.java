package seq2seq.model;

/** How the decoder of an Optimum export is stored. */
public enum DecoderLayout {
    /** onnx/decoder_model_merged.onnx: one graph, an If on the bool input use_cache_branch */
    MERGED,
    /** onnx/decoder_model.onnx for the first step, onnx/decoder_with_past_model.onnx for the rest */
    SEPARATE,
    /** MERGED when the folder has it, else SEPARATE */
    AUTO
}
