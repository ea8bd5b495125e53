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

/** Binary form of a {@link MemoryEntry} in the translation-memory store and its changelog (version byte first). */
public final class MemoryEntrySerde implements Serde<MemoryEntry> {
    private static final byte VERSION = 1;

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
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return buf.toByteArray();
    }

    private static MemoryEntry read(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new IllegalStateException("stored memory entry has version " + version + ", this build reads " + VERSION);
            }
            String text = new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
            int inputTokens = in.readInt();
            int outputTokens = in.readInt();
            boolean truncated = in.readBoolean();
            boolean hasScore = in.readBoolean();
            float score = in.readFloat();
            return new MemoryEntry(text, inputTokens, outputTokens, truncated, hasScore ? score : null, in.readLong());
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read a stored memory entry: " + ex.getMessage(), ex);
        }
    }
}
