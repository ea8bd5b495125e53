package seq2seq.service.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Debian's Chromium, headless, one run per call with a fresh profile: the rendered DOM or a screenshot of a page. */
final class HeadlessChromium {
    /** the browser (override with -Dchromium=PATH) */
    static final Path BINARY = Path.of(System.getProperty("chromium", "/usr/bin/chromium"));

    private HeadlessChromium() {
    }

    static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /** The DOM after the page ran for {@code budgetMs} of virtual time (timers fire, fetches complete). */
    static String dumpDom(String url, int budgetMs) throws IOException, InterruptedException {
        return run(List.of("--virtual-time-budget=" + budgetMs, "--dump-dom", url));
    }

    /** Saves a PNG of the page after {@code budgetMs} of virtual time. */
    static void screenshot(String url, Path png, int budgetMs) throws IOException, InterruptedException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.deleteIfExists(png);
        run(List.of("--virtual-time-budget=" + budgetMs, "--window-size=1280,900",
                "--screenshot=" + png.toAbsolutePath(), url));
        if (!Files.isRegularFile(png) || Files.size(png) == 0) {
            throw new IOException("Chromium wrote no screenshot to " + png);
        }
    }

    private static String run(List<String> args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("chromium-profile-");
        List<String> cmd = new ArrayList<>(List.of(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile));
        cmd.addAll(args);
        Path out = Files.createTempFile("chromium-", ".out");
        Path err = Files.createTempFile("chromium-", ".log");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                throw new IOException("Chromium did not finish within 90 s: " + cmd);
            }
        } finally {
            p.destroyForcibly();
        }
        if (p.exitValue() != 0) {
            throw new IOException("Chromium exited " + p.exitValue() + ": " + cmd + "\n" + Files.readString(err));
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }
}
