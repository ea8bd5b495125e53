package seq2seq.streams.state;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Memory entries keep what the model could not read; entries of the format before (version 1) still read. */
class MemoryEntrySerdeTest {
    private final MemoryEntrySerde serde = new MemoryEntrySerde();

    @Test
    void unknownSpansRoundTrip() {
        MemoryEntry e = new MemoryEntry("Hallo 😀", 5, 4, false, -0.5f, 123L, 2, List.of("😀", "你好"));
        MemoryEntry back = serde.deserializer().deserialize("t", serde.serializer().serialize("t", e));
        assertEquals(e, back);
        assertTrue(back.reportsUnknowns());
    }

    @Test
    void aVersionOneEntryReadsWithoutSpans() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(buf)) {
            out.writeByte(1);
            byte[] text = "Hallo".getBytes(StandardCharsets.UTF_8);
            out.writeInt(text.length);
            out.write(text);
            out.writeInt(3);
            out.writeInt(2);
            out.writeBoolean(true);
            out.writeBoolean(false);
            out.writeFloat(0f);
            out.writeLong(99L);
        }
        MemoryEntry e = serde.deserializer().deserialize("t", buf.toByteArray());
        assertEquals("Hallo", e.text());
        assertEquals(3, e.inputTokens());
        assertTrue(e.truncated());
        assertNull(e.score());
        assertEquals(99L, e.storedAt());
        assertNull(e.unknownSpans());
        assertFalse(e.reportsUnknowns(), "the memory treats it as a miss");
    }
}
