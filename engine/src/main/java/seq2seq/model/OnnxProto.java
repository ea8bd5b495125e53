package seq2seq.model;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Just enough protobuf writing for the small ONNX graphs built in Java (field numbers are those of onnx.proto). */
final class OnnxProto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** The bytes of a ModelProto around the graph: IR version 8, the default opset 13. */
    static byte[] model(OnnxProto graph) {
        return new OnnxProto()
                .varint(1, 8)
                .string(2, "seq2seq-streams")
                .message(7, graph)
                .message(8, new OnnxProto().string(1, "").varint(2, 13))
                .bytes();
    }

    OnnxProto varint(int field, long v) {
        raw((long) field << 3);
        raw(v);
        return this;
    }

    OnnxProto string(int field, String s) {
        return bytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    OnnxProto message(int field, OnnxProto m) {
        return bytes(field, m.bytes());
    }

    private OnnxProto bytes(int field, byte[] b) {
        raw(((long) field << 3) | 2);
        raw(b.length);
        out.writeBytes(b);
        return this;
    }

    private void raw(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
