package seq2seq.model;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Weight tables that several ONNX files of one export carry, loaded once and handed to each session as its
 * initializer. Optimum's layout gives the encoder, the decoder and the with-past decoder each a copy of the token
 * embedding (three copies of the base-size model's 32 000 × 512 table are 188 MiB; of NLLB's 256 206 × 1 024, 3 GiB).
 * Only tables that the graphs read with Gather (and Transpose, which ONNX Runtime folds into a constant of its own while
 * it optimises the graph) are shared: a MatMul weight is pre-packed into a per-session copy anyway. Bytes are compared,
 * not just names.
 */
final class SharedTables implements AutoCloseable {
    /**
     * Tables smaller than this stay per session: not worth a file comparison. (Small enough that the test model's
     * 1 000 × 32 embedding is shared, so that every test through it runs with a shared table.)
     */
    static final long MIN_BYTES = 64 << 10;
    private static final Set<String> TABLE_READERS = Set.of("Gather", "Transpose");

    /** one shared table: its tensor and the files whose graphs take it */
    private record Table(String name, OnnxTensor tensor, long bytes, List<Path> files) {
    }

    private final List<Table> tables;
    /** tables that several files hold but that stay per session, each with the reason */
    private final List<String> notShared;

    private SharedTables(List<Table> tables, List<String> notShared) {
        this.tables = tables;
        this.notShared = notShared;
    }

    static SharedTables none() {
        return new SharedTables(List.of(), List.of());
    }

    /**
     * The tables that at least two of {@code files} hold with identical bytes. A file that cannot be read shares
     * nothing (its session's own load reports the problem); a table that does not fit the JVM's direct memory (or a
     * Java buffer) stays per session and is listed in {@link #notShared()} with the reason.
     */
    static SharedTables find(OrtEnvironment env, List<Path> files) {
        return find(env, files, ByteBuffer::allocateDirect);
    }

    /** As {@link #find(OrtEnvironment, List)}, with the shared copies' memory from {@code allocateDirect}. */
    static SharedTables find(OrtEnvironment env, List<Path> files, IntFunction<ByteBuffer> allocateDirect) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            return none(); // ONNX raw data is little-endian; ONNX Runtime reads the buffer in native order
        }
        Map<Path, OnnxInitializers> index = new LinkedHashMap<>();
        for (Path f : files) {
            try {
                index.put(f, OnnxInitializers.read(f));
            } catch (IOException | RuntimeException e) {
                // not this class's error to report
            }
        }
        Map<String, List<Path>> holders = new LinkedHashMap<>();
        index.forEach((file, init) -> init.tensors.values().forEach(t -> {
            Set<String> readers = init.readers.getOrDefault(t.name(), Set.of());
            if (t.length() >= MIN_BYTES && readers.contains("Gather") && TABLE_READERS.containsAll(readers)
                    && javaType(t.dataType()) != null) {
                holders.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(file);
            }
        }));
        List<Table> tables = new ArrayList<>();
        List<String> notShared = new ArrayList<>();
        try {
            for (Map.Entry<String, List<Path>> e : holders.entrySet()) {
                String name = e.getKey();
                List<Path> holdersOfIt = e.getValue();
                if (holdersOfIt.size() < 2) {
                    continue;
                }
                long length = index.get(holdersOfIt.get(0)).tensors.get(name).length();
                // said, not hidden: for NLLB's 1 GiB table a copy per session costs 2 GiB more
                String what = String.format(Locale.ROOT, "%s (%s, %d files): ", name, mib(length), holdersOfIt.size());
                if (length > Integer.MAX_VALUE) {
                    notShared.add(what + "over 2 GiB, more than a Java buffer holds, so each session loads its own copy");
                    continue;
                }
                ByteBuffer data;
                try {
                    data = allocateDirect.apply((int) length).order(ByteOrder.nativeOrder());
                } catch (OutOfMemoryError oom) {
                    notShared.add(what + "larger than the JVM's free direct memory (-XX:MaxDirectMemorySize, by "
                            + "default the -Xmx), so each session loads its own copy");
                    continue;
                }
                Table t = load(env, name, holdersOfIt, index, data);
                if (t != null) {
                    tables.add(t);
                }
            }
        } catch (IOException | OrtException e) {
            tables.forEach(t -> t.tensor.close());
            return none();
        }
        return new SharedTables(tables, notShared);
    }

    /**
     * The first holder's table read into {@code data}, as a tensor for every holder whose table has its type, shape
     * and bytes; null when no other holder's does.
     */
    private static Table load(OrtEnvironment env, String name, List<Path> holders, Map<Path, OnnxInitializers> index,
                              ByteBuffer data) throws IOException, OrtException {
        Path first = holders.get(0);
        OnnxInitializers.Tensor a = index.get(first).tensors.get(name);
        readFully(first, a.offset(), data);
        List<Path> same = new ArrayList<>(List.of(first));
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        for (Path other : holders.subList(1, holders.size())) {
            OnnxInitializers.Tensor b = index.get(other).tensors.get(name);
            if (a.dataType() == b.dataType() && Arrays.equals(a.dims(), b.dims()) && a.length() == b.length()
                    && sameBytes(data, other, b.offset(), chunk)) {
                same.add(other);
            }
        }
        if (same.size() < 2) {
            return null;
        }
        return new Table(name, OnnxTensor.createTensor(env, data, a.dims(), javaType(a.dataType())), a.length(), same);
    }

    /** Fills {@code data} from the file, starting at {@code offset}. */
    private static void readFully(Path file, long offset, ByteBuffer data) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (!fill(ch, offset, data)) {
                throw new IOException("unexpected end of " + file);
            }
        }
        data.flip();
    }

    /** Whether the file holds {@code data}'s bytes at {@code offset} (read a chunk at a time). */
    private static boolean sameBytes(ByteBuffer data, Path file, long offset, ByteBuffer chunk) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int done = 0; done < data.limit(); ) {
                chunk.clear().limit(Math.min(chunk.capacity(), data.limit() - done));
                if (!fill(ch, offset + done, chunk)) {
                    return false;
                }
                chunk.flip();
                if (!chunk.equals(data.slice(done, chunk.limit()))) {
                    return false;
                }
                done += chunk.limit();
            }
            return true;
        }
    }

    /** Reads the file from {@code offset} on until {@code buf} is full; false when the file ends first. */
    private static boolean fill(FileChannel ch, long offset, ByteBuffer buf) throws IOException {
        for (long at = offset; buf.hasRemaining(); ) {
            int n = ch.read(buf, at);
            if (n < 0) {
                return false;
            }
            at += n;
        }
        return true;
    }

    private static OnnxJavaType javaType(int onnxType) {
        return switch (onnxType) {
            case 1 -> OnnxJavaType.FLOAT;
            case 10 -> OnnxJavaType.FLOAT16;
            case 16 -> OnnxJavaType.BFLOAT16;
            case 11 -> OnnxJavaType.DOUBLE;
            case 7 -> OnnxJavaType.INT64;
            case 6 -> OnnxJavaType.INT32;
            case 3 -> OnnxJavaType.INT8;
            case 2 -> OnnxJavaType.UINT8;
            default -> null;
        };
    }

    /** Makes the session of {@code file} use the shared copies of its tables. */
    void addTo(OrtSession.SessionOptions options, Path file) throws OrtException {
        for (Table t : tables) {
            if (t.files.contains(file)) {
                options.addInitializer(t.name, t.tensor);
            }
        }
    }

    /** the names of the shared tables */
    List<String> names() {
        return tables.stream().map(Table::name).toList();
    }

    /** how many files hold the table {@code name} (0 when it is not shared) */
    int holders(String name) {
        return tables.stream().filter(t -> t.name.equals(name)).mapToInt(t -> t.files.size()).findFirst().orElse(0);
    }

    /** the tables that several files hold but each session loads itself, each with the reason */
    List<String> notShared() {
        return notShared;
    }

    /** What sharing saves: each shared table with its size and the number of files that hold it. */
    @Override
    public String toString() {
        if (tables.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        for (Table t : tables) {
            parts.add(String.format(Locale.ROOT, "%s (%s, %d files)", t.name, mib(t.bytes), t.files.size()));
        }
        return String.join(", ", parts);
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    /** Closes the tensors: only after every session that uses them is closed. */
    @Override
    public void close() {
        tables.forEach(t -> t.tensor.close());
    }
}
