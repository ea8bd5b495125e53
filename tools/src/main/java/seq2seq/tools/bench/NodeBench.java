package seq2seq.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Runs the same configurations through transformers.js (testdata/node/bench.mjs) in a Node child process. */
public final class NodeBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private NodeBench() {
    }

    /** Installs the Node packages (npm ci, ONNX Runtime's GPU download skipped) where node_modules is missing. */
    public static void install(Path nodeDir, long timeoutSeconds) {
        if (Files.isDirectory(nodeDir.resolve("node_modules/@huggingface/transformers"))) {
            return;
        }
        System.err.println("bench: installing transformers.js (npm ci in " + nodeDir + ")");
        ProcessBuilder pb = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(nodeDir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("ONNXRUNTIME_NODE_INSTALL", "skip");
        int rc = waitFor(pb, timeoutSeconds, "npm ci");
        if (rc != 0) {
            throw new IllegalStateException("npm ci in " + nodeDir + " exited with " + rc);
        }
    }

    /**
     * Times greedy search for each batch size, the sentences of each as the Java side takes them.
     *
     * @param sentences  per batch size, the sentences to time (a multiple of it)
     */
    public static List<Measurement> run(Path nodeDir, Path bundle, String model, String dtype, Path inputs,
                                        Integer maxNewTokens, int[] batches, int[] sentences, long timeoutSeconds) {
        List<String> plan = new ArrayList<>();
        for (int i = 0; i < batches.length; i++) {
            plan.add(batches[i] + ":" + sentences[i]);
        }
        List<String> cmd = List.of("node", nodeDir.resolve("bench.mjs").toAbsolutePath().toString(),
                bundle.toAbsolutePath().toString(), dtype, inputs.toAbsolutePath().toString(),
                maxNewTokens == null ? "default" : maxNewTokens.toString(), String.join(",", plan));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(nodeDir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
        List<Measurement> out = new ArrayList<>();
        try {
            Process p = pb.start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    if (!line.startsWith("{")) {
                        continue; // library chatter
                    }
                    JsonNode j = JSON.readTree(line);
                    out.add(new Measurement("transformers.js", model, dtype, 1, j.get("batch").asInt(), j.get("sentences").asInt(),
                            j.get("sourceTokens").asLong(), j.get("outputTokens").asLong(), j.get("seconds").asDouble(), j.get("rss").asLong()));
                }
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("transformers.js bench did not finish in " + timeoutSeconds + " s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("transformers.js bench exited with " + p.exitValue() + ": "
                        + cmd.stream().collect(Collectors.joining(" ")));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run node: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return out;
    }

    private static int waitFor(ProcessBuilder pb, long timeoutSeconds, String what) {
        try {
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(what + " did not finish in " + timeoutSeconds + " s");
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
