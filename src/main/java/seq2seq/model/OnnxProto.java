package seq2seq.model;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Just enough protobuf writing for the small ONNX graphs built in Java (field numbers are those of onnx.proto). */
final class OnnxProto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

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
