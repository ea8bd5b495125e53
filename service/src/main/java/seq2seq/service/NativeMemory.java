package seq2seq.service;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the native memory an unloaded model version freed back to the operating system. Its ONNX Runtime sessions
 * free their memory into the C allocator when they close, and glibc keeps freed pages resident; the JVM frees the
 * direct buffers of the version's tensors only when it collects them. So: a collection, then glibc's
 * {@code malloc_trim(0)}, which returns every free page of every arena (bench/report-rollout-rss.md).
 */
final class NativeMemory {
    private static final Logger log = LoggerFactory.getLogger(NativeMemory.class);

    private NativeMemory() {
    }

    /** A full collection, then malloc_trim where the C library has it (glibc); elsewhere the collection only. */
    static void release() {
        System.gc();
        Function trim;
        try {
            trim = NativeLibrary.getInstance("c").getFunction("malloc_trim");
        } catch (UnsatisfiedLinkError e) {
            log.debug("no malloc_trim in this C library: freed native memory stays with the allocator", e);
            return;
        }
        trim.invokeInt(new Object[] {0});
    }
}
