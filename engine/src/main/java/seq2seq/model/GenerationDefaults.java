package seq2seq.model;

import java.util.List;

/**
 * The search settings a bundle ships (generation_config.json, or config.json for older exports). Null: not set.
 *
 * @param maxLength           cap on the decoder sequence, decoder start token included
 * @param maxNewTokens        cap on generated tokens (wins over maxLength)
 * @param minLength           no EOS before the decoder sequence (start token included) is this long
 * @param numBeams            beam width; 1 is greedy
 * @param lengthPenalty       beam score = sum of log-probs / generated length ^ lengthPenalty
 * @param earlyStopping       "true", "false" or "never" (Hugging Face's beam stopping rule)
 * @param noRepeatNgramSize   ban any n-gram of this size from occurring twice
 * @param repetitionPenalty   divide (multiply, when negative) the scores of tokens already generated
 * @param badWordsIds         token sequences never to generate (opus-mt bans its pad id this way)
 * @param forcedBosTokenId    the first generated token (NLLB/M2M100: the target language)
 * @param forcedEosTokenId    the token forced when the maximum length is reached
 * @param numReturnSequences  hypotheses returned per input
 */
public record GenerationDefaults(Integer maxLength, Integer maxNewTokens, Integer minLength, Integer numBeams,
                                 Double lengthPenalty, String earlyStopping, Integer noRepeatNgramSize,
                                 Double repetitionPenalty, List<int[]> badWordsIds, Integer forcedBosTokenId,
                                 Integer forcedEosTokenId, Integer numReturnSequences) {

    static final String FILE = "generation_config.json";

    static GenerationDefaults read(JsonFile f) {
        String early = f.optionalText("early_stopping");
        if (early != null && !early.equals("true") && !early.equals("false") && !early.equals("never")) {
            throw f.error("early_stopping", "expected true, false or \"never\", found " + early);
        }
        return new GenerationDefaults(f.optionalInt("max_length"), f.optionalInt("max_new_tokens"),
                f.optionalInt("min_length"), f.optionalInt("num_beams"), f.optionalDouble("length_penalty"), early,
                f.optionalInt("no_repeat_ngram_size"), f.optionalDouble("repetition_penalty"),
                f.optionalIdLists("bad_words_ids"), f.optionalIntOrFirst("forced_bos_token_id"),
                f.optionalIntOrFirst("forced_eos_token_id"), f.optionalInt("num_return_sequences"));
    }
}
