package seq2seq.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a script of src/test/node (installing its packages first when node_modules is missing) and reads its JSON lines. */
final class NodeScript {
    static final Path DIR = Path.of("src/test/node").toAbsolutePath();

    private NodeScript() {
    }

    static synchronized void ensureInstalled() throws IOException, InterruptedException {
        if (Files.isDirectory(DIR.resolve("node_modules/@huggingface/transformers"))) {
            return;
        }
        ProcessBuilder pb = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(DIR.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("ONNXRUNTIME_NODE_INSTALL", "skip");
        run(pb, 300, "npm ci");
    }

    /** JSON objects the script prints, one per stdout line. */
    static List<JsonNode> run(String script, long timeoutSeconds, String... args) throws IOException, InterruptedException {
        ensureInstalled();
        List<String> cmd = new ArrayList<>(List.of("node", script));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("node-out", ".jsonl");
        Path err = Files.createTempFile("node-err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(DIR.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            run(pb, timeoutSeconds, "node " + script + " (stderr: " + err + ")");
            ObjectMapper json = new ObjectMapper();
            List<JsonNode> rows = new ArrayList<>();
            for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    rows.add(json.readTree(line));
                }
            }
            return rows;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static void run(ProcessBuilder pb, long timeoutSeconds, String what) throws IOException, InterruptedException {
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(what + " did not finish in " + timeoutSeconds + " s");
        }
        if (p.exitValue() != 0) {
            String detail = pb.redirectError().file() != null ? Files.readString(pb.redirectError().file().toPath()) : "";
            throw new IllegalStateException(what + " exited with " + p.exitValue() + "\n" + detail);
        }
    }
}
