package seq2seq.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Which tokenizer files a model folder has; {@link #detect} names the missing file when it is none of them. */
public enum TokenizerLayout {
    /** tokenizer.json (fast tokenizer): Hugging Face tokenizers through DJL */
    HF_JSON,
    /** Marian / opus-mt: source.spm, target.spm, vocab.json (+ target_vocab.json with separate_vocabs) */
    MARIAN,
    /** M2M100: sentencepiece.bpe.model, vocab.json, language tokens __xx__ after the vocabulary */
    M2M100;

    static final String TOKENIZER_JSON = "tokenizer.json";
    static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    static final String SOURCE_SPM = "source.spm";
    static final String TARGET_SPM = "target.spm";
    static final String VOCAB = "vocab.json";
    static final String TARGET_VOCAB = "target_vocab.json";
    static final String M2M100_SPM = "sentencepiece.bpe.model";

    /** From the files present: tokenizer.json first, then the SentencePiece layouts. */
    public static TokenizerLayout detect(Path dir) {
        if (Files.isRegularFile(dir.resolve(TOKENIZER_JSON))) {
            return HF_JSON;
        }
        if (Files.isRegularFile(dir.resolve(M2M100_SPM))) {
            if (!Files.isRegularFile(dir.resolve(VOCAB))) {
                throw new BundleException(dir, VOCAB, "file is missing (" + M2M100_SPM + " without " + TOKENIZER_JSON
                        + " is read as M2M100, which needs " + VOCAB + "; NLLB models need their " + TOKENIZER_JSON + ")");
            }
            return M2M100;
        }
        if (Files.isRegularFile(dir.resolve(SOURCE_SPM)) || Files.isRegularFile(dir.resolve(TARGET_SPM))) {
            return MARIAN;
        }
        throw new BundleException(dir, TOKENIZER_JSON, "file is missing, and there is no SentencePiece layout instead ("
                + SOURCE_SPM + " + " + TARGET_SPM + " + " + VOCAB + " for Marian, " + M2M100_SPM + " + " + VOCAB
                + " for M2M100)");
    }

    /** The files this layout reads (those present), for ModelBundle's content hash. */
    public List<String> files(Path dir) {
        List<String> all = switch (this) {
            case HF_JSON -> List.of(TOKENIZER_JSON, TOKENIZER_CONFIG);
            case MARIAN -> List.of(SOURCE_SPM, TARGET_SPM, VOCAB, TARGET_VOCAB, TOKENIZER_CONFIG);
            case M2M100 -> List.of(M2M100_SPM, VOCAB, TOKENIZER_CONFIG);
        };
        return all.stream().filter(f -> Files.isRegularFile(dir.resolve(f))).toList();
    }
}
