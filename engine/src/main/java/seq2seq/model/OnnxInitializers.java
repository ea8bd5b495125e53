package seq2seq.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an ONNX file's main graph keeps as initializers, and which operators read each one: just enough of the
 * protobuf (field numbers of onnx.proto) to find the weight tables that several files of one export carry. The file
 * is read through a small window; tensor data is skipped and only its place in the file is kept.
 */
final class OnnxInitializers {
    /**
     * One initializer whose data is in the file itself (raw_data).
     *
     * @param name      the graph's name for it
     * @param dataType  ONNX TensorProto.DataType (1 float, 10 float16, ...)
     * @param dims      its shape
     * @param offset    where its raw bytes start in the file
     * @param length    how many raw bytes
     */
    record Tensor(String name, int dataType, long[] dims, long offset, long length) {
    }

    /** initializers with raw data in the file, by name */
    final Map<String, Tensor> tensors;
    /** for each name, the operator types of the main graph's nodes that take it as an input */
    final Map<String, Set<String>> readers;

    private OnnxInitializers(Map<String, Tensor> tensors, Map<String, Set<String>> readers) {
        this.tensors = tensors;
        this.readers = readers;
    }

    static OnnxInitializers read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Cursor c = new Cursor(ch);
            Map<String, Tensor> tensors = new HashMap<>();
            Map<String, Set<String>> readers = new HashMap<>();
            long end = ch.size();
            while (c.pos < end) {
                long tag = c.varint();
                if (tag >>> 3 == 7 && (tag & 7) == 2) { // ModelProto.graph
                    graph(c, c.end(c.varint()), tensors, readers);
                } else {
                    c.skip(tag);
                }
            }
            return new OnnxInitializers(tensors, readers);
        }
    }

    private static void graph(Cursor c, long end, Map<String, Tensor> tensors, Map<String, Set<String>> readers)
            throws IOException {
        while (c.pos < end) {
            long tag = c.varint();
            int field = (int) (tag >>> 3);
            if (field == 1 && (tag & 7) == 2) { // GraphProto.node
                long nodeEnd = c.end(c.varint());
                String op = null;
                List<String> inputs = new ArrayList<>();
                while (c.pos < nodeEnd) {
                    long t = c.varint();
                    int f = (int) (t >>> 3);
                    if (f == 1 && (t & 7) == 2) { // NodeProto.input
                        inputs.add(c.string());
                    } else if (f == 4 && (t & 7) == 2) { // NodeProto.op_type
                        op = c.string();
                    } else {
                        c.skip(t); // attributes, subgraphs included, are not this class's business
                    }
                }
                for (String in : inputs) {
                    readers.computeIfAbsent(in, k -> new HashSet<>()).add(op);
                }
            } else if (field == 5 && (tag & 7) == 2) { // GraphProto.initializer
                Tensor t = tensor(c, c.end(c.varint()));
                if (t != null) {
                    tensors.put(t.name, t);
                }
            } else {
                c.skip(tag);
            }
        }
    }

    /** A TensorProto; null unless its data is raw_data in this file. */
    private static Tensor tensor(Cursor c, long end) throws IOException {
        List<Long> dims = new ArrayList<>();
        int dataType = 0;
        String name = null;
        long offset = -1;
        long length = 0;
        boolean external = false;
        while (c.pos < end) {
            long t = c.varint();
            int f = (int) (t >>> 3);
            if (f == 1 && (t & 7) == 0) { // dims, one at a time
                dims.add(c.varint());
            } else if (f == 1 && (t & 7) == 2) { // dims, packed
                long e = c.end(c.varint());
                while (c.pos < e) {
                    dims.add(c.varint());
                }
            } else if (f == 2 && (t & 7) == 0) {
                dataType = (int) c.varint();
            } else if (f == 8 && (t & 7) == 2) {
                name = c.string();
            } else if (f == 9 && (t & 7) == 2) { // raw_data: remember where, do not read
                long e = c.end(c.varint());
                offset = c.pos;
                length = e - offset;
                c.pos = e;
            } else if (f == 14 && (t & 7) == 0) { // data_location: 1 = EXTERNAL
                external = c.varint() == 1;
            } else {
                c.skip(t);
            }
        }
        if (name == null || offset < 0 || external) {
            return null;
        }
        return new Tensor(name, dataType, dims.stream().mapToLong(Long::longValue).toArray(), offset, length);
    }

    /** A read position in the file with a 64 KiB window before it; skipping moves the position only. */
    private static final class Cursor {
        private final FileChannel ch;
        private final long size;
        private final ByteBuffer window = ByteBuffer.allocate(1 << 16);
        /** the file position of window[0] */
        private long windowStart = 0;
        long pos = 0;

        Cursor(FileChannel ch) throws IOException {
            this.ch = ch;
            this.size = ch.size();
            window.limit(0);
        }

        private int next() throws IOException {
            if (pos < windowStart || pos >= windowStart + window.limit()) {
                window.clear();
                windowStart = pos;
                if (ch.read(window, pos) <= 0) {
                    throw new IOException("unexpected end of file at byte " + pos);
                }
                window.flip();
            }
            return window.get((int) (pos++ - windowStart)) & 0xFF;
        }

        long varint() throws IOException {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = next();
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new IOException("malformed varint before byte " + pos);
        }

        /** The end of a field of n bytes that starts here; a length that runs past the file is an error, not a loop. */
        long end(long n) throws IOException {
            if (n < 0 || n > size - pos) {
                throw new IOException("a field of " + n + " bytes at byte " + pos + " runs past the end (" + size + " bytes)");
            }
            return pos + n;
        }

        String string() throws IOException {
            long n = end(varint()) - pos;
            if (n > 1 << 20) {
                throw new IOException("a name of " + n + " bytes at byte " + pos);
            }
            byte[] b = new byte[(int) n];
            for (int i = 0; i < n; i++) {
                b[i] = (byte) next();
            }
            return new String(b, StandardCharsets.UTF_8);
        }

        /** Skips the value of a field whose tag was just read. */
        void skip(long tag) throws IOException {
            switch ((int) (tag & 7)) {
                case 0 -> varint();
                case 1 -> pos = end(8);
                case 2 -> pos = end(varint());
                case 5 -> pos = end(4);
                default -> throw new IOException("unsupported protobuf wire type " + (tag & 7) + " before byte " + pos);
            }
        }
    }
}
