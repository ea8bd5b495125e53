package seq2seq.model;

/**
 * What the engine needs from config.json (Hugging Face names; T5's names are read too).
 *
 * @param modelType            "marian", "t5", "bart", ... (informational)
 * @param dModel               hidden size of encoder output and decoder
 * @param decoderLayers        number of decoder layers: one self- and one cross-attention cache pair each
 * @param decoderHeads         attention heads per decoder layer
 * @param headDim              size of one head (T5's d_kv; otherwise d_model / heads)
 * @param vocabSize            rows of the output layer: the logits' last dimension
 * @param padTokenId           padding id (source padding, finished rows)
 * @param eosTokenId           end-of-sequence id: generation of a row stops here
 * @param decoderStartTokenId  first decoder input
 * @param maxPositions         the longest sequence the positions cover, or null when the model has no such limit
 */
public record ModelConfig(String modelType, int dModel, int decoderLayers, int decoderHeads, int headDim, int vocabSize,
                          int padTokenId, int eosTokenId, int decoderStartTokenId, Integer maxPositions) {

    static final String FILE = "config.json";

    /** Reads config.json; ids missing there are taken from generation_config.json as Hugging Face does. */
    static ModelConfig read(JsonFile config, JsonFile generation) {
        Boolean encDec = config.optionalBoolean("is_encoder_decoder");
        if (encDec == null) {
            throw config.error("is_encoder_decoder", "missing (this engine runs encoder-decoder models; set it to true)");
        }
        if (!encDec) {
            throw config.error("is_encoder_decoder", "is false: this engine runs encoder-decoder models only");
        }
        int dModel = config.requiredInt("d_model");
        int layers = firstInt(config, "decoder_layers", "num_decoder_layers", "num_layers");
        int heads = firstInt(config, "decoder_attention_heads", "num_heads");
        Integer dKv = config.optionalInt("d_kv");
        if (dKv == null && dModel % heads != 0) {
            throw config.error("d_model", dModel + " is not a multiple of " + heads + " heads (and no d_kv is given)");
        }
        int headDim = dKv != null ? dKv : dModel / heads;
        int vocab = config.requiredInt("vocab_size");
        int pad = idFrom(config, generation, "pad_token_id");
        int eos = idFrom(config, generation, "eos_token_id");
        int start = idFrom(config, generation, "decoder_start_token_id");
        Integer maxPos = config.optionalInt("max_position_embeddings");
        if (maxPos == null) {
            maxPos = config.optionalInt("n_positions");
        }
        positive(config, "d_model", dModel);
        positive(config, "decoder_layers", layers);
        positive(config, "decoder_attention_heads", heads);
        positive(config, "vocab_size", vocab);
        for (String f : new String[] {"pad_token_id", "eos_token_id", "decoder_start_token_id"}) {
            int id = f.equals("pad_token_id") ? pad : f.equals("eos_token_id") ? eos : start;
            if (id < 0 || id >= vocab) {
                throw config.error(f, id + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        return new ModelConfig(config.optionalText("model_type"), dModel, layers, heads, headDim, vocab, pad, eos, start, maxPos);
    }

    private static int firstInt(JsonFile f, String... names) {
        for (String n : names) {
            Integer v = f.optionalInt(n);
            if (v != null) {
                return v;
            }
        }
        throw f.error(names[0], "missing" + (names.length > 1 ? " (also looked for " + String.join(", ", java.util.Arrays.asList(names).subList(1, names.length)) + ")" : ""));
    }

    private static int idFrom(JsonFile config, JsonFile generation, String field) {
        Integer v = generation.optionalIntOrFirst(field);
        if (v == null) {
            v = config.optionalIntOrFirst(field);
        }
        if (v == null) {
            throw config.error(field, "missing (not in " + generation.file + " either)");
        }
        return v;
    }

    private static void positive(JsonFile f, String field, int v) {
        if (v <= 0) {
            throw f.error(field, "must be positive, found " + v);
        }
    }
}
