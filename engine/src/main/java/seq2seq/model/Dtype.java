package seq2seq.model;

import java.util.Locale;

/** Weight variants of an ONNX export, named and suffixed as transformers.js names them. */
public enum Dtype {
    FP32(""),
    FP16("_fp16"),
    Q8("_quantized"),
    INT8("_int8"),
    UINT8("_uint8"),
    Q4("_q4"),
    Q4F16("_q4f16"),
    BNB4("_bnb4");

    /** appended to the file name before ".onnx" */
    public final String suffix;

    Dtype(String suffix) {
        this.suffix = suffix;
    }

    /** Parses "fp32", "q8", ... (case-insensitive). */
    public static Dtype parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown dtype '" + name + "' (expected one of fp32, fp16, q8, int8, uint8, q4, q4f16, bnb4)");
        }
    }

    public String fileName(String base) {
        return base + suffix + ".onnx";
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
