package seq2seq.streams.state;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Key of the translation memory: SHA-256 of everything that decides a segment's translation (model version,
 * languages, decoding options, normalised text), so a new model version never serves an old answer.
 */
public final class MemoryKey {
    private MemoryKey() {
    }

    /** @param parts the deciding values, null allowed (hashed as a distinct marker) */
    public static byte[] of(Object... parts) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
        for (Object part : parts) {
            if (part == null) {
                sha.update((byte) 0);
            } else {
                byte[] b = part.toString().getBytes(StandardCharsets.UTF_8);
                sha.update((byte) 1);
                sha.update(new byte[] {(byte) (b.length >>> 24), (byte) (b.length >>> 16), (byte) (b.length >>> 8), (byte) b.length});
                sha.update(b);
            }
        }
        return Arrays.copyOf(sha.digest(), 20); // 160 bits: collisions are out of reach, keys stay short
    }
}
