package seq2seq.model;

import ai.djl.sentencepiece.SpProcessor;
import ai.djl.sentencepiece.SpTokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One SentencePiece model: text to pieces and SentencePiece ids through SentencePiece itself (DJL's JNI binding),
 * and pieces back to text as SentencePiece's DecodePieces does. The model is parsed here first
 * ({@link SentencePieceModel}) so that a bad file fails naming its field, and for the decoder's piece types.
 * Thread-safe (SentencePiece's encoding is const).
 */
final class SentencePieceEncoder implements AutoCloseable {
    /** SentencePiece's "▁" (its escaped space) */
    static final String META = "\u2581";
    private final SpTokenizer sp;
    private final SpProcessor processor;
    private final SentencePieceModel model;
    /** "&lt;0xE2&gt;" -> 0xE2 for the model's BYTE pieces */
    private final Map<String, Integer> bytePieces = new HashMap<>();
    /** CONTROL pieces decode to nothing */
    private final Map<String, Boolean> controlPieces = new HashMap<>();

    private SentencePieceEncoder(SpTokenizer sp, SentencePieceModel model) {
        this.sp = sp;
        this.processor = sp.getProcessor();
        this.model = model;
        for (SentencePieceModel.Piece p : model.pieces) {
            if (p.type() == SentencePieceModel.BYTE && p.piece().matches("<0x[0-9A-Fa-f]{2}>")) {
                bytePieces.put(p.piece(), Integer.parseInt(p.piece().substring(3, 5), 16));
            } else if (p.type() == SentencePieceModel.CONTROL) {
                controlPieces.put(p.piece(), true);
            }
        }
    }

    static SentencePieceEncoder load(Path bundle, String file) {
        byte[] data = SentencePieceModel.bytes(bundle, file);
        SentencePieceModel m = SentencePieceModel.parse(bundle, file, data);
        try {
            return new SentencePieceEncoder(new SpTokenizer(data), m);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new BundleException(bundle, file, "SentencePiece cannot load the model: " + e.getMessage(), e);
        }
    }

    SentencePieceModel model() {
        return model;
    }

    /** SentencePiece's pieces for text (unknown stretches as their text, as encode(out_type=str) gives them). */
    String[] pieces(String text) {
        return processor.tokenize(text);
    }

    /** SentencePiece's ids for text, without special tokens. */
    long[] ids(String text) {
        int[] ids = processor.encode(text);
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }

    /** SentencePiece's DecodePieces: pieces joined, "▁" as space, the dummy prefix's space removed, bytes as UTF-8. */
    String decodePieces(List<String> pieces) {
        return decodePieces(pieces, java.util.Set.of());
    }

    /** As {@link #decodePieces(List)}, the pieces at the indexes in {@code literal} put in as they are (copied text). */
    String decodePieces(List<String> pieces, java.util.Set<Integer> literal) {
        StringBuilder out = new StringBuilder();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean atStart = true;
        for (int i = 0; i < pieces.size(); i++) {
            String p = pieces.get(i);
            if (literal.contains(i)) {
                flush(bytes, out);
                out.append(p);
                atStart = false;
                continue;
            }
            Integer b = bytePieces.get(p);
            if (b != null) {
                bytes.write(b);
                atStart = false;
                continue;
            }
            flush(bytes, out);
            if (controlPieces.containsKey(p)) {
                continue;
            }
            String s = p.replace(META, " ");
            if (atStart && (model.addDummyPrefix || model.removeExtraWhitespaces) && s.startsWith(" ")) {
                s = s.substring(1);
            }
            atStart = false;
            out.append(s);
        }
        flush(bytes, out);
        return out.toString();
    }

    private static void flush(ByteArrayOutputStream bytes, StringBuilder out) {
        if (bytes.size() > 0) {
            out.append(new String(bytes.toByteArray(), StandardCharsets.UTF_8)); // invalid bytes become U+FFFD, as in SentencePiece
            bytes.reset();
        }
    }

    @Override
    public void close() {
        sp.close();
    }
}
