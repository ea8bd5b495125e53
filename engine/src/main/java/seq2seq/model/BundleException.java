package seq2seq.model;

import java.nio.file.Path;

/** A model folder that cannot be used: the message names the folder, the file and the field at fault. */
public final class BundleException extends RuntimeException {

    /** the model folder */
    private final Path bundle;
    /** the file inside the folder, relative to it (e.g. "config.json", "onnx/encoder_model.onnx") */
    private final String file;

    public BundleException(Path bundle, String file, String reason) {
        this(bundle, file, reason, null);
    }

    public BundleException(Path bundle, String file, String reason, Throwable cause) {
        super("model bundle " + bundle + ": " + file + ": " + reason, cause);
        this.bundle = bundle;
        this.file = file;
    }

    public Path bundle() {
        return bundle;
    }

    public String file() {
        return file;
    }
}
