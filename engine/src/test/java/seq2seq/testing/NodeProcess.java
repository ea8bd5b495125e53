package seq2seq.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Runs a Node script of testdata/node (the reference peers: transformers.js, Confluent's JS clients), installing the
 * packages first when node_modules is missing, feeding stdin lines and reading the JSON lines it prints.
 */
public final class NodeProcess {
    public static final Path DIR = Path.of("testdata/node").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    private NodeProcess() {
    }

    public static synchronized void ensureInstalled() throws IOException, InterruptedException {
        if (Files.isDirectory(DIR.resolve("node_modules/kafkajs"))
                && Files.isDirectory(DIR.resolve("node_modules/@confluentinc/schemaregistry"))
                && Files.isDirectory(DIR.resolve("node_modules/@huggingface/transformers"))) {
            return;
        }
        ProcessBuilder pb = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(DIR.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("ONNXRUNTIME_NODE_INSTALL", "skip");
        Process p = pb.start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("npm ci in " + DIR + " did not finish in 300 s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("npm ci in " + DIR + " failed with exit code " + p.exitValue());
        }
    }

    /** Runs `node script args…` with the given stdin lines; returns the JSON objects it printed, one per line. */
    public static List<JsonNode> run(String script, List<String> stdin, long timeoutSeconds, String... args)
            throws IOException, InterruptedException {
        ensureInstalled();
        List<String> cmd = new ArrayList<>(List.of("node", script));
        cmd.addAll(List.of(args));
        Path in = Files.createTempFile("node-in", ".jsonl");
        Path out = Files.createTempFile("node-out", ".jsonl");
        Path err = Files.createTempFile("node-err", ".txt");
        try {
            Files.write(in, stdin, StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(cmd).directory(DIR.toFile()).redirectInput(in.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s; stderr:\n"
                        + Files.readString(err));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " exited with " + p.exitValue() + "; stderr:\n"
                        + Files.readString(err));
            }
            List<JsonNode> rows = new ArrayList<>();
            for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    rows.add(JSON.readTree(line));
                }
            }
            return rows;
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
