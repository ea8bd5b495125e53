package seq2seq.streams.state;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import seq2seq.avro.TranslationRequest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.io.UncheckedIOException;

/** Binary form of an {@link Envelope} for the batch buffer and the optional repartition topic (version byte first). */
public final class EnvelopeSerde implements Serde<Envelope> {
    /** 2: with headers; 1 (without) is still read, so a buffer written before headers were kept restores */
    private static final byte VERSION = 2;
    /** the request part, in plain Avro so restoring the buffer needs no registry */
    private final AvroCodec<TranslationRequest> requests = new AvroCodec<>(TranslationRequest.class);

    @Override
    public Serializer<Envelope> serializer() {
        return (topic, e) -> e == null ? null : write(e);
    }

    @Override
    public Deserializer<Envelope> deserializer() {
        return (topic, bytes) -> bytes == null ? null : read(bytes);
    }

    private byte[] write(Envelope e) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(buf)) {
            out.writeByte(VERSION);
            writeBytes(out, e.key());
            writeBytes(out, e.rawValue());
            writeBytes(out, e.request() == null ? null : requests.encode(e.request()));
            out.writeUTF(e.topic());
            out.writeInt(e.partition());
            out.writeLong(e.offset());
            out.writeLong(e.timestamp());
            out.writeInt(e.headers().size());
            for (Header h : e.headers()) {
                out.writeUTF(h.key());
                writeBytes(out, h.value());
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return buf.toByteArray();
    }

    private Envelope read(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != 1 && version != VERSION) {
                throw new IllegalStateException("stored envelope has version " + version + ", this build reads 1 and " + VERSION);
            }
            byte[] key = readBytes(in);
            byte[] raw = readBytes(in);
            byte[] request = readBytes(in);
            String topic = in.readUTF();
            int partition = in.readInt();
            long offset = in.readLong();
            long timestamp = in.readLong();
            List<Header> headers = new ArrayList<>();
            if (version >= 2) {
                for (int n = in.readInt(); n > 0; n--) {
                    headers.add(new RecordHeader(in.readUTF(), readBytes(in)));
                }
            }
            return new Envelope(key, raw, request == null ? null : requests.decode(request), topic, partition, offset,
                    timestamp, headers);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read a stored envelope: " + ex.getMessage(), ex);
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b == null ? -1 : b.length);
        if (b != null) {
            out.write(b);
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        return n < 0 ? null : in.readNBytes(n);
    }
}
