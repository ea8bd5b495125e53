package seq2seq.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * What {@link HfJsonTokenizer} needs of tokenizer.json beyond the native tokenizer: the model's unknown token (Unigram's
 * unk_id, BPE's, WordPiece's or WordLevel's unk_token) and the ids of the special added tokens. Read with a streaming
 * parser, since a large vocabulary (NLLB's is 256 k entries) would be a large tree to build for two facts.
 *
 * @param unknownId      the unknown token's id, or null when the model has none (byte-level BPE)
 * @param unknownContent its text, as decoding with special tokens kept writes it
 * @param specialIds     added tokens marked special
 */
record TokenizerJsonSpecials(Long unknownId, String unknownContent, Set<Long> specialIds) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static final TokenizerJsonSpecials NONE = new TokenizerJsonSpecials(null, null, Set.of());

    /**
     * Reads them from the file; a file it cannot read gives {@link #NONE} (the native tokenizer then reports what is
     * wrong with it, naming the file).
     */
    static TokenizerJsonSpecials read(Path file) {
        try {
            return scan(file);
        } catch (IOException | RuntimeException e) {
            return NONE;
        }
    }

    private static TokenizerJsonSpecials scan(Path file) throws IOException {
        String type = null;
        Long unkId = null;
        String unkToken = null;
        Set<Long> specials = new HashSet<>();
        java.util.Map<Long, String> addedContent = new java.util.HashMap<>();
        try (JsonParser p = JSON.getFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return NONE;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if ("added_tokens".equals(name) && p.currentToken() == JsonToken.START_ARRAY) {
                    for (JsonNode t : (JsonNode) JSON.readTree(p)) {
                        if (t.path("id").canConvertToLong()) {
                            addedContent.put(t.get("id").longValue(), t.path("content").asText());
                            if (t.path("special").asBoolean(false)) {
                                specials.add(t.get("id").longValue());
                            }
                        }
                    }
                } else if ("model".equals(name) && p.currentToken() == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String field = p.currentName();
                        JsonToken value = p.nextToken();
                        switch (field) {
                            case "type" -> type = p.getValueAsString();
                            case "unk_id" -> unkId = value == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : null;
                            case "unk_token" -> unkToken = value == JsonToken.VALUE_STRING ? p.getText() : null;
                            default -> p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        }
        if ("Unigram".equals(type)) {
            if (unkId == null) {
                return new TokenizerJsonSpecials(null, null, specials);
            }
            String content = addedContent.containsKey(unkId) ? addedContent.get(unkId) : unigramPiece(file, unkId);
            return new TokenizerJsonSpecials(unkId, content, specials);
        }
        if (unkToken == null) {
            return new TokenizerJsonSpecials(null, null, specials);
        }
        for (var e : addedContent.entrySet()) {
            if (e.getValue().equals(unkToken)) {
                return new TokenizerJsonSpecials(e.getKey(), unkToken, specials);
            }
        }
        Long id = vocabId(file, unkToken);
        return new TokenizerJsonSpecials(id, id == null ? null : unkToken, specials);
    }

    /** model.vocab[index][0] of a Unigram model: a second pass, for an unknown token that is not an added token. */
    private static String unigramPiece(Path file, long index) throws IOException {
        try (JsonParser p = toModelVocab(file)) {
            if (p == null || p.currentToken() != JsonToken.START_ARRAY) {
                return null;
            }
            for (long i = 0; p.nextToken() == JsonToken.START_ARRAY; i++) {
                if (i == index) {
                    p.nextToken();
                    return p.getValueAsString();
                }
                p.skipChildren();
            }
            return null;
        }
    }

    /** model.vocab[token] of a BPE, WordPiece or WordLevel model, for an unknown token that is not an added token. */
    private static Long vocabId(Path file, String token) throws IOException {
        try (JsonParser p = toModelVocab(file)) {
            if (p == null || p.currentToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String piece = p.currentName();
                JsonToken value = p.nextToken();
                if (piece.equals(token) && value == JsonToken.VALUE_NUMBER_INT) {
                    return p.getLongValue();
                }
                p.skipChildren();
            }
            return null;
        }
    }

    /** A parser standing on the start of model.vocab, or null when there is none. */
    private static JsonParser toModelVocab(Path file) throws IOException {
        JsonParser p = JSON.getFactory().createParser(file.toFile());
        try {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    if ("model".equals(name) && p.currentToken() == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String field = p.currentName();
                            p.nextToken();
                            if ("vocab".equals(field)) {
                                return p;
                            }
                            p.skipChildren();
                        }
                        break;
                    }
                    p.skipChildren();
                }
            }
        } catch (IOException | RuntimeException e) {
            p.close();
            throw e;
        }
        p.close();
        return null;
    }
}
