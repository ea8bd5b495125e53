package seq2seq.streams.state;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary form of a {@link MemoryEntry} in the translation-memory store and its changelog (version byte first).
 * Version 2 adds the unknown pieces and spans; version 1 entries (changelogs written before) still read, without them.
 */
public final class MemoryEntrySerde implements Serde<MemoryEntry> {
    private static final byte VERSION = 2;
    /** entries without the unknown pieces and spans */
    private static final byte VERSION_1 = 1;

    @Override
    public Serializer<MemoryEntry> serializer() {
        return (topic, e) -> e == null ? null : write(e);
    }

    @Override
    public Deserializer<MemoryEntry> deserializer() {
        return (topic, bytes) -> bytes == null ? null : read(bytes);
    }

    private static byte[] write(MemoryEntry e) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(64 + e.text().length() * 2);
        try (DataOutputStream out = new DataOutputStream(buf)) {
            out.writeByte(VERSION);
            byte[] text = e.text().getBytes(StandardCharsets.UTF_8);
            out.writeInt(text.length);
            out.write(text);
            out.writeInt(e.inputTokens());
            out.writeInt(e.outputTokens());
            out.writeBoolean(e.truncated());
            out.writeBoolean(e.score() != null);
            out.writeFloat(e.score() == null ? 0f : e.score());
            out.writeLong(e.storedAt());
            out.writeInt(e.unknownPieces());
            List<String> spans = e.unknownSpans() == null ? List.of() : e.unknownSpans();
            out.writeInt(spans.size());
            for (String span : spans) {
                byte[] b = span.getBytes(StandardCharsets.UTF_8);
                out.writeInt(b.length);
                out.write(b);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return buf.toByteArray();
    }

    private static MemoryEntry read(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != VERSION && version != VERSION_1) {
                throw new IllegalStateException("stored memory entry has version " + version + ", this build reads "
                        + VERSION_1 + " and " + VERSION);
            }
            String text = new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
            int inputTokens = in.readInt();
            int outputTokens = in.readInt();
            boolean truncated = in.readBoolean();
            boolean hasScore = in.readBoolean();
            float score = in.readFloat();
            long storedAt = in.readLong();
            if (version == VERSION_1) {
                return new MemoryEntry(text, inputTokens, outputTokens, truncated, hasScore ? score : null, storedAt, 0, null);
            }
            int unknownPieces = in.readInt();
            int n = in.readInt();
            if (n < 0 || n > bytes.length) {
                throw new IOException("bad count of unknown spans: " + n);
            }
            List<String> spans = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                spans.add(new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8));
            }
            return new MemoryEntry(text, inputTokens, outputTokens, truncated, hasScore ? score : null, storedAt,
                    unknownPieces, List.copyOf(spans));
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read a stored memory entry: " + ex.getMessage(), ex);
        }
    }
}
