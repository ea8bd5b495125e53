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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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

    private SharedTables(List<Table> tables) {
        this.tables = tables;
    }

    static SharedTables none() {
        return new SharedTables(List.of());
    }

    /**
     * The tables that at least two of {@code files} hold with identical bytes. A file that cannot be read shares
     * nothing (its session's own load reports the problem); a table that does not fit the JVM's direct memory stays
     * per session.
     */
    static SharedTables find(OrtEnvironment env, List<Path> files) {
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
        try {
            for (Map.Entry<String, List<Path>> e : holders.entrySet()) {
                List<Path> same = sameBytes(e.getKey(), e.getValue(), index);
                if (same.size() >= 2) {
                    Table t = load(env, index.get(same.get(0)).tensors.get(e.getKey()), same);
                    if (t != null) {
                        tables.add(t);
                    }
                }
            }
        } catch (IOException | OrtException e) {
            tables.forEach(t -> t.tensor.close());
            return none();
        }
        return new SharedTables(tables);
    }

    /** The first holder and every other whose table has its type, shape and bytes. */
    private static List<Path> sameBytes(String name, List<Path> holders, Map<Path, OnnxInitializers> index) throws IOException {
        List<Path> same = new ArrayList<>();
        Path first = holders.get(0);
        OnnxInitializers.Tensor a = index.get(first).tensors.get(name);
        same.add(first);
        for (Path other : holders.subList(1, holders.size())) {
            OnnxInitializers.Tensor b = index.get(other).tensors.get(name);
            if (a.dataType() == b.dataType() && java.util.Arrays.equals(a.dims(), b.dims()) && a.length() == b.length()
                    && equalBytes(first, a.offset(), other, b.offset(), a.length())) {
                same.add(other);
            }
        }
        return same;
    }

    private static boolean equalBytes(Path fa, long oa, Path fb, long ob, long length) throws IOException {
        try (FileChannel ca = FileChannel.open(fa, StandardOpenOption.READ);
             FileChannel cb = FileChannel.open(fb, StandardOpenOption.READ)) {
            ByteBuffer ba = ByteBuffer.allocate(1 << 20);
            ByteBuffer bb = ByteBuffer.allocate(1 << 20);
            for (long done = 0; done < length; ) {
                int n = (int) Math.min(ba.capacity(), length - done);
                readFully(ca, ba, oa + done, n);
                readFully(cb, bb, ob + done, n);
                if (!ba.equals(bb)) {
                    return false;
                }
                done += n;
            }
            return true;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos, int n) throws IOException {
        buf.clear().limit(n);
        while (buf.hasRemaining()) {
            if (ch.read(buf, pos + buf.position()) < 0) {
                throw new IOException("unexpected end of file");
            }
        }
        buf.flip();
    }

    /** The table's bytes in native memory, as a tensor; null when the JVM's direct memory cannot take it. */
    private static Table load(OrtEnvironment env, OnnxInitializers.Tensor t, List<Path> files) throws IOException, OrtException {
        ByteBuffer data;
        try {
            data = ByteBuffer.allocateDirect(Math.toIntExact(t.length())).order(ByteOrder.nativeOrder());
        } catch (OutOfMemoryError | ArithmeticException e) {
            return null; // -XX:MaxDirectMemorySize (default: the heap's maximum) is too small: one copy per session
        }
        try (FileChannel ch = FileChannel.open(files.get(0), StandardOpenOption.READ)) {
            while (data.hasRemaining()) {
                if (ch.read(data, t.offset() + data.position()) < 0) {
                    throw new IOException("unexpected end of " + files.get(0));
                }
            }
        }
        data.flip();
        return new Table(t.name(), OnnxTensor.createTensor(env, data, t.dims(), javaType(t.dataType())), t.length(), files);
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

    /** What sharing saves, e.g. "m.embed.weight (62.5 MiB, 3 files)". */
    @Override
    public String toString() {
        if (tables.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        for (Table t : tables) {
            parts.add(String.format(Locale.ROOT, "%s (%.1f MiB, %d files)", t.name, t.bytes / 1048576.0, t.files.size()));
        }
        return String.join(", ", parts);
    }

    /** Closes the tensors: only after every session that uses them is closed. */
    @Override
    public void close() {
        tables.forEach(t -> t.tensor.close());
    }
}
