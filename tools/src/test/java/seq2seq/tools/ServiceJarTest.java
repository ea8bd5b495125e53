package seq2seq.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The artifact operators deploy, as the service module packaged it (the reactor builds it before these tests): small,
 * with no broker, test kit or Scala inside, and a version it can tell.
 */
@Timeout(120)
class ServiceJarTest {
    static final Path JAR = Path.of("service/target/seq2seq-streams-service.jar");
    /** the ceiling for the service jar with one platform's natives */
    static final long MAX_BYTES = 80L << 20;

    @Test
    void isSmallAndCarriesNoBrokerTestKitOrScala() throws IOException {
        assertTrue(Files.isRegularFile(JAR), JAR + " is built by the service module (mvn package)");
        long size = Files.size(JAR);
        assertTrue(size <= MAX_BYTES, JAR + " is " + (size >> 20) + " MiB, over " + (MAX_BYTES >> 20));
        try (JarFile jar = new JarFile(JAR.toFile())) {
            List<String> forbidden = jar.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("kafka/server/") || n.startsWith("kafka/testkit/") || n.startsWith("scala/")
                            || n.startsWith("org/apache/kafka/common/test/") || n.startsWith("seq2seq/tools/"))
                    .limit(5).toList();
            assertEquals(List.of(), forbidden, "broker, test kit, Scala or tools classes in the service jar");
            List<String> otherNatives = jar.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("ai/onnxruntime/native/") && !n.endsWith("/")
                            && !n.startsWith("ai/onnxruntime/native/linux-x64/"))
                    .limit(5).toList();
            assertEquals(List.of(), otherNatives, "ONNX Runtime natives of other platforms");
            assertTrue(jar.getEntry("ai/onnxruntime/native/linux-x64/libonnxruntime.so") != null, "ONNX Runtime for linux-x86_64");
            assertTrue(jar.getEntry("librocksdbjni-linux64.so") != null, "RocksDB for linux-x86_64");
            List<String> otherDjl = jar.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("native/lib/") && !n.endsWith("/") && !n.endsWith(".properties")
                            && !n.startsWith("native/lib/linux-x86_64/"))
                    .limit(5).toList();
            assertEquals(List.of(), otherDjl, "tokenizers / SentencePiece natives of other platforms");
            assertTrue(jar.getEntry("native/lib/linux-x86_64/libsentencepiece_native.so") != null, "SentencePiece for linux-x86_64");
            assertTrue(jar.getEntry("seq2seq/service/ServiceMain.class") != null, "the entry point");
        }
    }

    @Test
    void printsTheReleaseVersionFromItsManifest() throws Exception {
        String expected;
        try (JarFile jar = new JarFile(JAR.toFile())) {
            expected = jar.getManifest().getMainAttributes().getValue("Implementation-Version");
        }
        assertTrue(expected != null && !expected.isBlank(), "the manifest names the version");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "--version").redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "--version did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.exitValue(), out);
        assertEquals("seq2seq-streams " + expected, out);
    }
}
