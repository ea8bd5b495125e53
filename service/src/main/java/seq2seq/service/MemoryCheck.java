package seq2seq.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Whether there is room to load one more model version next to the ones serving: the memory the kernel says is
 * available (and, in a container, what its cgroup limit leaves) against the bundle's files times a headroom.
 * Conservative on purpose: the bundle's files include weights the chosen dtype does not load.
 */
final class MemoryCheck {
    private MemoryCheck() {
    }

    /** Throws, with both figures, when {@code dir}'s files times {@code headroom} exceed the memory available. */
    static void require(Path dir, double headroom) {
        long needed = (long) (bundleBytes(dir) * headroom);
        long available = availableBytes();
        if (available >= 0 && needed > available) {
            throw new IllegalStateException("not enough memory to load the bundle in " + dir + ": it needs about "
                    + mib(needed) + " MiB (its files times models.load.headroom " + headroom + "), " + mib(available)
                    + " MiB are available");
        }
    }

    /** The size of every file under {@code dir}. */
    static long bundleBytes(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("model folder " + dir + " does not exist or is not a folder");
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read model folder " + dir + ": " + e.getMessage(), e);
        }
    }

    /** MemAvailable, lowered to what the cgroup limit leaves; -1 when neither is known (not Linux). */
    static long availableBytes() {
        long available = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    available = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        long limit = readLong(Path.of("/sys/fs/cgroup/memory.max"));
        long used = readLong(Path.of("/sys/fs/cgroup/memory.current"));
        if (limit > 0 && used >= 0) {
            available = available < 0 ? limit - used : Math.min(available, limit - used);
        }
        return available;
    }

    private static long readLong(Path p) {
        try {
            List<String> lines = Files.readAllLines(p);
            return lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).strip());
        } catch (IOException | NumberFormatException e) {
            return -1; // absent, or "max"
        }
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }
}
