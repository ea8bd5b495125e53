package seq2seq.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Floating-point operations of an encoder-decoder Transformer from its config.json dimensions, counting the weight
 * matrix products (2 per multiply-add); attention score products are left out (under 1% at these lengths).
 *
 * @param dModel     hidden size
 * @param encLayers  encoder layers
 * @param decLayers  decoder layers
 * @param encFfn     encoder feed-forward size
 * @param decFfn     decoder feed-forward size
 * @param vocab      output vocabulary
 */
public record ModelCost(int dModel, int encLayers, int decLayers, int encFfn, int decFfn, int vocab) {

    /** Reads the Marian/BART names (T5's d_ff/num_layers as fallbacks). */
    public static ModelCost of(Path bundle) {
        Path file = bundle.resolve("config.json");
        JsonNode c;
        try {
            c = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        int d = c.path("d_model").asInt();
        int ff = c.path("d_ff").asInt(4 * d);
        int layers = c.path("num_layers").asInt(0);
        if (d <= 0 || !c.has("vocab_size")) {
            throw new IllegalArgumentException(file + ": needs d_model and vocab_size to estimate FLOPs");
        }
        return new ModelCost(d, c.path("encoder_layers").asInt(layers), c.path("decoder_layers").asInt(c.path("num_decoder_layers").asInt(layers)),
                c.path("encoder_ffn_dim").asInt(ff), c.path("decoder_ffn_dim").asInt(ff), c.path("vocab_size").asInt());
    }

    /** Per source token: the encoder layers (4 d^2 attention + 2 d ffn) and the decoder's cross-attention keys/values (2 d^2 per layer). */
    public double encoderFlopsPerSourceToken() {
        double d = dModel;
        return 2 * (encLayers * (4 * d * d + 2 * d * encFfn) + decLayers * 2 * d * d);
    }

    /** Per decoder row and step: self-attention (4 d^2), cross-attention query and output (2 d^2), ffn, output layer. */
    public double decoderFlopsPerRowStep() {
        double d = dModel;
        return 2 * (decLayers * (6 * d * d + 2 * d * decFfn) + d * vocab);
    }

    /** Per generated token: beams decoder rows per step, plus the encoder's share at the measured source/output ratio. */
    public double flopsPerOutputToken(int beams, double sourceTokensPerOutputToken) {
        return beams * decoderFlopsPerRowStep() + sourceTokensPerOutputToken * encoderFlopsPerSourceToken();
    }
}
