package seq2seq.model;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The parts of a SentencePiece ModelProto (sentencepiece_model.proto) that decide how text is split, read from the
 * protobuf wire format directly: pieces (piece, score, type), trainer_spec (model_type, byte_fallback, special ids,
 * split options) and normalizer_spec (precompiled_charsmap, add_dummy_prefix, remove_extra_whitespaces,
 * escape_whitespaces). Unknown fields are skipped, as protobuf does.
 */
final class SentencePieceModel {
    /** ModelProto.SentencePiece.Type */
    static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5, BYTE = 6;
    /** TrainerSpec.ModelType */
    static final int UNIGRAM = 1, BPE = 2, WORD = 3, CHAR = 4;

    record Piece(String piece, float score, int type) {
    }

    final List<Piece> pieces = new ArrayList<>();
    int modelType = UNIGRAM;
    boolean byteFallback;
    int unkId = 0, bosId = 1, eosId = 2, padId = -1;
    boolean splitByWhitespace = true, treatWhitespaceAsSuffix, splitDigits;
    String normalizerName = "";
    byte[] precompiledCharsmap = new byte[0];
    boolean addDummyPrefix = true, removeExtraWhitespaces = true, escapeWhitespaces = true;

    /** Reads and checks bundle/file; every defect is a BundleException naming the file and the field. */
    static SentencePieceModel read(Path bundle, String file) {
        return parse(bundle, file, bytes(bundle, file));
    }

    static byte[] bytes(Path bundle, String file) {
        Path path = bundle.resolve(file);
        if (!Files.isRegularFile(path)) {
            throw new BundleException(bundle, file, "file is missing");
        }
        byte[] data;
        try {
            data = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new BundleException(bundle, file, "cannot read: " + e.getMessage(), e);
        }
        return data;
    }

    static SentencePieceModel parse(Path bundle, String file, byte[] data) {
        if (data.length == 0) {
            throw new BundleException(bundle, file, "empty file (expected a SentencePiece model)");
        }
        SentencePieceModel m = new SentencePieceModel();
        Reader r = new Reader(bundle, file, data, 0, data.length, "ModelProto");
        while (r.more()) {
            int key = r.key();
            switch (key) {
                case (1 << 3) | 2 -> m.pieces.add(piece(r.sub("pieces[" + m.pieces.size() + "]")));
                case (2 << 3) | 2 -> m.trainerSpec(r.sub("trainer_spec"));
                case (3 << 3) | 2 -> m.normalizerSpec(r.sub("normalizer_spec"));
                default -> r.skip(key);
            }
        }
        m.check(bundle, file);
        return m;
    }

    private static Piece piece(Reader r) {
        String piece = null;
        float score = 0;
        int type = NORMAL;
        while (r.more()) {
            int key = r.key();
            switch (key) {
                case (1 << 3) | 2 -> piece = r.string("piece");
                case (2 << 3) | 5 -> score = Float.intBitsToFloat(r.fixed32());
                case (3 << 3) -> type = (int) r.varint();
                default -> r.skip(key);
            }
        }
        if (piece == null || piece.isEmpty()) {
            throw r.error("piece", "missing or empty");
        }
        if (type < NORMAL || type > BYTE) {
            throw r.error("type", "unknown piece type " + type);
        }
        return new Piece(piece, score, type);
    }

    private void trainerSpec(Reader r) {
        while (r.more()) {
            int key = r.key();
            switch (key) {
                case (3 << 3) -> modelType = (int) r.varint();
                case (22 << 3) -> splitByWhitespace = r.varint() != 0;
                case (24 << 3) -> treatWhitespaceAsSuffix = r.varint() != 0;
                case (25 << 3) -> splitDigits = r.varint() != 0;
                case (35 << 3) -> byteFallback = r.varint() != 0;
                case (40 << 3) -> unkId = (int) r.varint();
                case (41 << 3) -> bosId = (int) r.varint();
                case (42 << 3) -> eosId = (int) r.varint();
                case (43 << 3) -> padId = (int) r.varint();
                default -> r.skip(key);
            }
        }
    }

    private void normalizerSpec(Reader r) {
        while (r.more()) {
            int key = r.key();
            switch (key) {
                case (1 << 3) | 2 -> normalizerName = r.string("name");
                case (2 << 3) | 2 -> precompiledCharsmap = r.bytes("precompiled_charsmap");
                case (3 << 3) -> addDummyPrefix = r.varint() != 0;
                case (4 << 3) -> removeExtraWhitespaces = r.varint() != 0;
                case (5 << 3) -> escapeWhitespaces = r.varint() != 0;
                default -> r.skip(key);
            }
        }
    }

    private void check(Path bundle, String file) {
        if (pieces.isEmpty()) {
            throw new BundleException(bundle, file, "field \"pieces\": none (not a SentencePiece model?)");
        }
        if (modelType != UNIGRAM && modelType != BPE) {
            throw new BundleException(bundle, file, "field \"trainer_spec.model_type\": " + modelType
                    + " is not supported (only UNIGRAM=1 and BPE=2)");
        }
        if (unkId < 0 || unkId >= pieces.size() || pieces.get(unkId).type() != UNKNOWN) {
            throw new BundleException(bundle, file, "field \"trainer_spec.unk_id\": " + unkId
                    + " is not the id of the piece of type UNKNOWN");
        }
        if (treatWhitespaceAsSuffix) {
            throw new BundleException(bundle, file, "field \"trainer_spec.treat_whitespace_as_suffix\": not supported");
        }
        if (splitDigits) {
            throw new BundleException(bundle, file, "field \"trainer_spec.split_digits\": not supported");
        }
        if (!escapeWhitespaces) {
            throw new BundleException(bundle, file, "field \"normalizer_spec.escape_whitespaces\": false is not supported");
        }
    }

    /** Id of a special piece by trainer_spec id, or -1. */
    String pieceOrNull(int id) {
        return id >= 0 && id < pieces.size() ? pieces.get(id).piece() : null;
    }

    /** A bounded protobuf reader over data[pos, end) that names the message path in its errors. */
    private static final class Reader {
        final Path bundle;
        final String file;
        final byte[] data;
        final int end;
        final String where;
        int pos;

        Reader(Path bundle, String file, byte[] data, int pos, int end, String where) {
            this.bundle = bundle;
            this.file = file;
            this.data = data;
            this.pos = pos;
            this.end = end;
            this.where = where;
        }

        boolean more() {
            return pos < end;
        }

        BundleException error(String field, String reason) {
            return new BundleException(bundle, file, "field \"" + where + (field.isEmpty() ? "" : "." + field) + "\": "
                    + reason + " (not a valid SentencePiece model?)");
        }

        private BundleException truncated() {
            return error("", "truncated at byte " + pos + " of " + data.length);
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw truncated();
                }
                byte b = data[pos++];
                v |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return v;
                }
            }
            throw error("", "malformed varint at byte " + pos);
        }

        int key() {
            long k = varint();
            if ((k >>> 3) == 0 || k > Integer.MAX_VALUE) {
                throw error("", "invalid field key " + k + " at byte " + pos);
            }
            return (int) k;
        }

        int fixed32() {
            if (end - pos < 4) {
                throw truncated();
            }
            int v = (data[pos] & 0xFF) | (data[pos + 1] & 0xFF) << 8 | (data[pos + 2] & 0xFF) << 16 | (data[pos + 3] & 0xFF) << 24;
            pos += 4;
            return v;
        }

        private int length() {
            long n = varint();
            if (n < 0 || n > end - pos) {
                throw truncated();
            }
            return (int) n;
        }

        Reader sub(String name) {
            int n = length();
            Reader r = new Reader(bundle, file, data, pos, pos + n, where + "." + name);
            pos += n;
            return r;
        }

        byte[] bytes(String field) {
            int n = length();
            byte[] b = Arrays.copyOfRange(data, pos, pos + n);
            pos += n;
            return b;
        }

        String string(String field) {
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes(field))).toString();
            } catch (CharacterCodingException e) {
                throw error(field, "not UTF-8");
            }
        }

        void skip(int key) {
            switch (key & 7) {
                case 0 -> varint();
                case 1 -> {
                    if (end - pos < 8) {
                        throw truncated();
                    }
                    pos += 8;
                }
                case 2 -> {
                    int n = length(); // not pos += length(): Java reads pos before the call
                    pos += n;
                }
                case 5 -> fixed32();
                default -> throw error("", "unsupported wire type " + (key & 7) + " at byte " + pos);
            }
        }
    }
}
