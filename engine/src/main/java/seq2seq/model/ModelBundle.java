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
 * A model folder in the Hugging Face / Optimum layout, checked file by file when it is opened:
 * config.json, generation_config.json (optional), tokenizer.json, tokenizer_config.json,
 * onnx/encoder_model.onnx and the merged decoder or the decoder pair, with the dtype's suffix.
 */
public final class ModelBundle {
    static final String TOKENIZER = "tokenizer.json";
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
    /** onnx/encoder_model*.onnx */
    public final Path encoderFile;
    /** onnx/decoder_model_merged*.onnx, or onnx/decoder_model*.onnx (first step) for the separate layout */
    public final Path decoderFile;
    /** onnx/decoder_with_past_model*.onnx for the separate layout; null for the merged one */
    public final Path decoderWithPastFile;

    private ModelBundle(Path dir, Dtype dtype, DecoderLayout layout, ModelConfig config, GenerationDefaults generation,
                        int maxInputTokens, Path encoderFile, Path decoderFile, Path decoderWithPastFile) {
        this.dir = dir;
        this.dtype = dtype;
        this.layout = layout;
        this.config = config;
        this.generation = generation;
        this.maxInputTokens = maxInputTokens;
        this.encoderFile = encoderFile;
        this.decoderFile = decoderFile;
        this.decoderWithPastFile = decoderWithPastFile;
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
        requireFile(dir, TOKENIZER);
        JsonFile tokenizerConfig = JsonFile.read(dir, TOKENIZER_CONFIG);

        Path encoder = requireFile(dir, "onnx/" + dtype.fileName("encoder_model"));
        Path merged = dir.resolve("onnx/" + dtype.fileName("decoder_model_merged"));
        Path first = dir.resolve("onnx/" + dtype.fileName("decoder_model"));
        Path withPast = dir.resolve("onnx/" + dtype.fileName("decoder_with_past_model"));
        DecoderLayout layout = wanted;
        if (layout == DecoderLayout.AUTO) {
            if (Files.isRegularFile(first) && Files.isRegularFile(withPast)) {
                layout = DecoderLayout.SEPARATE;
            } else if (Files.isRegularFile(merged)) {
                layout = DecoderLayout.MERGED;
            } else if (Files.isRegularFile(first) || Files.isRegularFile(withPast)) {
                layout = DecoderLayout.SEPARATE; // half a pair: the check below names the missing file
            } else {
                throw new BundleException(dir, "onnx/" + dtype.fileName("decoder_model_merged"),
                        "file is missing (and so is the pair " + first.getFileName() + " + " + withPast.getFileName() + ")");
            }
        }
        Path decoder;
        Path decoderWithPast = null;
        if (layout == DecoderLayout.MERGED) {
            decoder = requireFile(dir, "onnx/" + dtype.fileName("decoder_model_merged"));
        } else {
            decoder = requireFile(dir, "onnx/" + dtype.fileName("decoder_model"));
            decoderWithPast = requireFile(dir, "onnx/" + dtype.fileName("decoder_with_past_model"));
        }
        int maxInput = maxInputTokens(tokenizerConfig, config);
        return new ModelBundle(dir, dtype, layout, config, generation, maxInput, encoder, decoder, decoderWithPast);
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

    public Path tokenizerFile() {
        return dir.resolve(TOKENIZER);
    }

    /** The bundle's folder name. */
    public String name() {
        return dir.getFileName().toString();
    }

    /** The files the outputs depend on: configs, tokenizer and the chosen ONNX graphs. */
    public List<Path> contentFiles() {
        List<Path> files = new ArrayList<>();
        for (String f : new String[] {ModelConfig.FILE, GenerationDefaults.FILE, TOKENIZER, TOKENIZER_CONFIG}) {
            if (Files.exists(dir.resolve(f))) {
                files.add(dir.resolve(f));
            }
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
