package seq2seq.streams.registry;

/** A schema registry call failed; carries the HTTP status and the registry's own error code (e.g. 40401, 409). */
public final class SchemaRegistryException extends RuntimeException {
    private final int status;
    private final int errorCode;

    public SchemaRegistryException(String message, int status, int errorCode) {
        super(message);
        this.status = status;
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
        this.status = -1;
        this.errorCode = -1;
    }

    /** HTTP status, or -1 when the registry could not be reached. */
    public int status() {
        return status;
    }

    /** Whether the registry was down or failing (unreachable or 5xx) rather than answering about the request. */
    public boolean unavailable() {
        return status < 0 || status >= 500;
    }

    /** Confluent error code from the response body (40401 subject not found, 40403 schema not found, 409 incompatible…). */
    public int errorCode() {
        return errorCode;
    }
}
