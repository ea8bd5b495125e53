package seq2seq.model;

/** How the decoder of an Optimum export is stored. */
public enum DecoderLayout {
    /** onnx/decoder_model_merged.onnx: one graph, an If on the bool input use_cache_branch */
    MERGED,
    /** onnx/decoder_model.onnx for the first step, onnx/decoder_with_past_model.onnx for the rest */
    SEPARATE,
    /**
     * SEPARATE when the folder has the pair, else MERGED: ONNX Runtime runs the pair faster (docs/engine.md, "Decoder
     * layouts"), because inside the If it neither pre-packs the outer graph's weights nor skips the with-past
     * branch's copies of the cross-attention cache
     */
    AUTO
}
