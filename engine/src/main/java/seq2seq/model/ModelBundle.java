package seq2seq.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A model folder as exporters write it, checked file by file when it is opened: config.json,
 * generation_config.json (optional), the tokenizer's files (tokenizer.json + tokenizer_config.json, or a
 * SentencePiece layout: see {@link TokenizerLayout}), seq2seq.json (optional, {@link TextHandling}), and
 * encoder_model.onnx with the merged decoder or the decoder pair (dtype suffix included) either under onnx/
 * (transformers.js) or at the top level (Optimum's output folder).
 */
public final class ModelBundle {
    static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    /** transformers.js writes this for "no limit" */
    private static final long NO_LIMIT = 1_000_000L;
    private static final int FALLBACK_MAX_INPUT = 512;

    /** the folder */
    public final Path dir;
    /** which weight variant was chosen */
    public final Dtype dtype;
    /** which decoder files are used (never AUTO) */
    public final DecoderLayout layout;
    /** architecture and special ids */
    public final ModelConfig config;
    /** the search settings the bundle ships */
    public final GenerationDefaults generation;
    /** the longest source, in tokens, the encoder accepts (longer input is truncated) */
    public final int maxInputTokens;
    /** which tokenizer files the folder has */
    public final TokenizerLayout tokenizerLayout;
    /** segmentation, input prefix, configured input limit (seq2seq.json and the family's defaults) */
    public final TextHandling text;
    /** tokenizer_config.json's tgt_lang (NLLB, M2M100: the default output language), or null */
    public final String targetLang;
    /** "onnx/" or "" (ONNX files at the top level) */
    public final String onnxDir;
    /** onnx/encoder_model*.onnx */
    public final Path encoderFile;
    /** onnx/decoder_model_merged*.onnx, or onnx/decoder_model*.onnx (first step) for the separate layout */
    public final Path decoderFile;
    /** onnx/decoder_with_past_model*.onnx for the separate layout; null for the merged one */
    public final Path decoderWithPastFile;
    /** the languages the bundle declares (tokenizer_config.json), or {@link LanguagePairs#ANY} */
    public final LanguagePairs languages;

    private ModelBundle(Path dir, Dtype dtype, DecoderLayout layout, ModelConfig config, GenerationDefaults generation,
                        int maxInputTokens, TokenizerLayout tokenizerLayout, TextHandling text, String targetLang,
                        String onnxDir, Path encoderFile, Path decoderFile, Path decoderWithPastFile,
                        LanguagePairs languages) {
        this.dir = dir;
        this.targetLang = targetLang;
        this.tokenizerLayout = tokenizerLayout;
        this.text = text;
        this.onnxDir = onnxDir;
        this.dtype = dtype;
        this.layout = layout;
        this.config = config;
        this.generation = generation;
        this.maxInputTokens = maxInputTokens;
        this.encoderFile = encoderFile;
        this.decoderFile = decoderFile;
        this.decoderWithPastFile = decoderWithPastFile;
        this.languages = languages;
    }

    /** Opens and checks the folder's files (not yet the ONNX graphs: {@link OnnxModel} does that). */
    public static ModelBundle open(Path dir, Dtype dtype, DecoderLayout wanted) {
        dir = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new BundleException(dir, ".", "not a folder");
        }
        JsonFile configJson = JsonFile.read(dir, ModelConfig.FILE);
        JsonFile generationJson = Files.exists(dir.resolve(GenerationDefaults.FILE))
                ? JsonFile.read(dir, GenerationDefaults.FILE)
                // older exports (opus-mt) keep the search settings in config.json
                : configJson;
        ModelConfig config = ModelConfig.read(configJson, generationJson);
        GenerationDefaults generation = GenerationDefaults.read(generationJson);
        TokenizerLayout tokenizerLayout = TokenizerLayout.detect(dir);
        // tokenizer.json exports always come with tokenizer_config.json; the slow tokenizers' files may lack it
        JsonFile tokenizerConfig = tokenizerLayout == TokenizerLayout.HF_JSON || Files.exists(dir.resolve(TOKENIZER_CONFIG))
                ? JsonFile.read(dir, TOKENIZER_CONFIG) : JsonFile.empty(dir, TOKENIZER_CONFIG);
        TextHandling text = TextHandling.read(dir, configJson);

        // transformers.js keeps the ONNX files in onnx/, Optimum writes them beside config.json
        String onnx = "onnx/";
        if (!Files.isRegularFile(dir.resolve(onnx + dtype.fileName("encoder_model")))
                && Files.isRegularFile(dir.resolve(dtype.fileName("encoder_model")))) {
            onnx = "";
        }
        if (!Files.isRegularFile(dir.resolve(onnx + dtype.fileName("encoder_model")))) {
            throw new BundleException(dir, onnx + dtype.fileName("encoder_model"), "file is missing (looked in onnx/ and at"
                    + " the top level, where optimum-cli export onnx writes it)");
        }
        Path encoder = dir.resolve(onnx + dtype.fileName("encoder_model"));
        Path merged = dir.resolve(onnx + dtype.fileName("decoder_model_merged"));
        Path first = dir.resolve(onnx + dtype.fileName("decoder_model"));
        Path withPast = dir.resolve(onnx + dtype.fileName("decoder_with_past_model"));
        DecoderLayout layout = wanted;
        if (layout == DecoderLayout.AUTO) {
            if (Files.isRegularFile(first) && Files.isRegularFile(withPast)) {
                layout = DecoderLayout.SEPARATE;
            } else if (Files.isRegularFile(merged)) {
                layout = DecoderLayout.MERGED;
            } else if (Files.isRegularFile(first) || Files.isRegularFile(withPast)) {
                layout = DecoderLayout.SEPARATE; // half a pair: the check below names the missing file
            } else {
                throw new BundleException(dir, onnx + dtype.fileName("decoder_model_merged"),
                        "file is missing (and so is the pair " + first.getFileName() + " + " + withPast.getFileName() + ")");
            }
        }
        Path decoder;
        Path decoderWithPast = null;
        if (layout == DecoderLayout.MERGED) {
            decoder = requireFile(dir, onnx + dtype.fileName("decoder_model_merged"));
        } else {
            decoder = requireFile(dir, onnx + dtype.fileName("decoder_model"));
            decoderWithPast = requireFile(dir, onnx + dtype.fileName("decoder_with_past_model"));
        }
        int maxInput = maxInputTokens(tokenizerConfig, config);
        if (text.maxInputTokens() != null) {
            if (config.maxPositions() != null && text.maxInputTokens() > config.maxPositions()) {
                throw new BundleException(dir, TextHandling.FILE, "field \"max_input_tokens\": " + text.maxInputTokens()
                        + " is more than the model's positions (" + ModelConfig.FILE + ": " + config.maxPositions() + ")");
            }
            maxInput = text.maxInputTokens();
        }
        return new ModelBundle(dir, dtype, layout, config, generation, maxInput, tokenizerLayout, text,
                tokenizerConfig.optionalText("tgt_lang"), onnx, encoder, decoder, decoderWithPast, languages(tokenizerConfig));
    }

    /** NLLB's language tokens ("deu_Latn") */
    private static final java.util.regex.Pattern NLLB_TOKEN = java.util.regex.Pattern.compile("[a-z]{3}_[A-Z][a-z]{3}");
    /** M2M100's language tokens ("__de__") */
    private static final java.util.regex.Pattern M2M_TOKEN = java.util.regex.Pattern.compile("__([a-z]{2,3}(?:_[A-Za-z]+)?)__");

    /**
     * The languages tokenizer_config.json declares: Marian's (opus-mt) {@code source_lang} and {@code target_lang},
     * else a multilingual tokenizer's language tokens (M2M100's "__de__", NLLB's "deu_Latn"), from any to any;
     * else nothing ({@link LanguagePairs#ANY}).
     */
    static LanguagePairs languages(JsonFile tokenizerConfig) {
        String source = tokenizerConfig.optionalText("source_lang");
        String target = tokenizerConfig.optionalText("target_lang");
        if (source != null && target != null && !source.isBlank() && !target.isBlank()) {
            return LanguagePairs.of(List.of(List.of(source.strip(), target.strip())));
        }
        List<String> codes = new ArrayList<>();
        var special = tokenizerConfig.root.get("additional_special_tokens");
        if (special != null && special.isArray()) {
            for (var t : special) {
                String token = t.isTextual() ? t.textValue() : t.path("content").asText("");
                java.util.regex.Matcher m = M2M_TOKEN.matcher(token);
                if (m.matches()) {
                    codes.add(m.group(1));
                } else if (NLLB_TOKEN.matcher(token).matches()) {
                    codes.add(token);
                }
            }
        }
        return codes.isEmpty() ? LanguagePairs.ANY : LanguagePairs.cross(codes, codes);
    }

    /** tokenizer_config.json's model_max_length where it is a real limit, else the position table's size. */
    private static int maxInputTokens(JsonFile tokenizerConfig, ModelConfig config) {
        Double declared = tokenizerConfig.optionalDouble("model_max_length");
        if (declared != null && declared >= 1 && declared < NO_LIMIT) {
            return declared.intValue();
        }
        return config.maxPositions() != null ? config.maxPositions() : FALLBACK_MAX_INPUT;
    }

    private static Path requireFile(Path dir, String file) {
        Path p = dir.resolve(file);
        if (!Files.isRegularFile(p)) {
            throw new BundleException(dir, file, "file is missing");
        }
        return p;
    }

    /** The bundle's folder name. */
    public String name() {
        return dir.getFileName().toString();
    }

    /** The files the outputs depend on: configs, the tokenizer's files of its layout, seq2seq.json, the ONNX graphs. */
    public List<Path> contentFiles() {
        List<Path> files = new ArrayList<>();
        for (String f : new String[] {ModelConfig.FILE, GenerationDefaults.FILE}) {
            if (Files.exists(dir.resolve(f))) {
                files.add(dir.resolve(f));
            }
        }
        for (String f : tokenizerLayout.files(dir)) {
            files.add(dir.resolve(f));
        }
        if (Files.exists(dir.resolve(TextHandling.FILE))) {
            files.add(dir.resolve(TextHandling.FILE));
        }
        files.add(encoderFile);
        files.add(decoderFile);
        if (decoderWithPastFile != null) {
            files.add(decoderWithPastFile);
        }
        return files;
    }

    /** SHA-256 over {@link #contentFiles()} (first 16 hex digits): changes whenever outputs may change. */
    public String contentHash() {
        return contentHash(dir, contentFiles());
    }

    /** SHA-256 over the files' names (relative to dir) and bytes, first 16 hex digits. */
    static String contentHash(Path dir, List<Path> files) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (Path f : files) {
                sha.update(dir.relativize(f).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                try (InputStream in = Files.newInputStream(f)) {
                    for (int n; (n = in.read(buf)) > 0; ) {
                        sha.update(buf, 0, n);
                    }
                }
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (IOException e) {
            throw new BundleException(dir, ".", "cannot read: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
