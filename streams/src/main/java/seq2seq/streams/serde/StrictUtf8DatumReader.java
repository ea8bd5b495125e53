package seq2seq.streams.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.ResolvingDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.util.Utf8;

/**
 * A specific-record reader that refuses strings which are not valid UTF-8. Avro itself decodes malformed bytes to
 * U+FFFD without a word, so a lone surrogate written by another client (avsc writes {@code ED A0 80}) would be
 * translated as mangled text; refusing it lets the pipeline dead-letter the record with its raw bytes instead.
 * The error names the field path (e.g. {@code attributes}, {@code options.model}) and the offending bytes.
 */
public final class StrictUtf8DatumReader<T> extends SpecificDatumReader<T> {

    /** A string field held bytes that are not UTF-8; the message names the field and the bytes. */
    public static final class InvalidUtf8Exception extends AvroRuntimeException {
        private final String field;
        private final String detail;

        InvalidUtf8Exception(String field, String detail) {
            super((field.isEmpty() ? "a string" : "field '" + field + "'") + " is not valid UTF-8: " + detail);
            this.field = field;
            this.detail = detail;
        }

        /** Dotted path of the field, empty when not inside a record. */
        public String field() {
            return field;
        }

        InvalidUtf8Exception within(String outer) {
            return new InvalidUtf8Exception(field.isEmpty() ? outer : outer + "." + field, detail);
        }
    }

    /** one reporting (not replacing) decoder per thread; decode(ByteBuffer) resets it */
    private static final ThreadLocal<CharsetDecoder> STRICT_DECODER = ThreadLocal.withInitial(() -> StandardCharsets.UTF_8
            .newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));

    public StrictUtf8DatumReader(Schema writer, Schema reader, Class<?> type) {
        super(writer, reader, slowReaderModel(type));
    }

    /**
     * The generated class's data model with Avro's "fast reader" turned off: the fast reader decodes strings on its
     * own path and would skip the strict check below. Logical-type conversions are carried over.
     */
    private static SpecificData slowReaderModel(Class<?> type) {
        SpecificData model = new SpecificData(type.getClassLoader());
        SpecificData.getForClass(type).getConversions().forEach(model::addLogicalTypeConversion);
        model.setFastReaderEnabled(false);
        return model;
    }

    @Override
    protected void readField(Object record, Schema.Field field, Object oldDatum, ResolvingDecoder in, Object state)
            throws IOException {
        try {
            super.readField(record, field, oldDatum, in, state);
        } catch (InvalidUtf8Exception e) {
            throw e.within(field.name());
        }
    }

    @Override
    protected Object readString(Object old, Schema expected, Decoder in) throws IOException {
        Class<?> stringClass = findStringClass(expected);
        Utf8 raw = in.readString(null);
        String text = decodeStrictly(raw);
        if (stringClass == String.class) {
            return text;
        }
        if (stringClass == CharSequence.class) {
            return raw;
        }
        return newInstanceFromString(stringClass, text);
    }

    @Override
    protected Object readString(Object old, Decoder in) throws IOException {
        Utf8 raw = in.readString(old instanceof Utf8 u ? u : null);
        decodeStrictly(raw);
        return raw;
    }

    /** Decodes with a decoder that reports, not replaces, malformed input (surrogates, overlong forms, bad bytes). */
    static String decodeStrictly(Utf8 raw) {
        CharsetDecoder decoder = STRICT_DECODER.get();
        ByteBuffer bytes = ByteBuffer.wrap(raw.getBytes(), 0, raw.getByteLength());
        try {
            return decoder.decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidUtf8Exception("", describeFirstBadSequence(raw));
        }
    }

    private static String describeFirstBadSequence(Utf8 raw) {
        byte[] b = raw.getBytes();
        int n = raw.getByteLength();
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b, 0, n);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(n + 1);
        var result = decoder.decode(in, out, true);
        int at = in.position();
        int len = result.isError() ? Math.max(1, result.length()) : 1;
        StringBuilder hex = new StringBuilder();
        for (int i = at; i < Math.min(n, at + Math.max(len, 3)); i++) {
            hex.append(hex.isEmpty() ? "" : " ").append(String.format("%02X", b[i] & 0xff));
        }
        return "bytes " + hex + " at byte " + at + " of " + n;
    }
}
