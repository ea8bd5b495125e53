package seq2seq.streams;

import seq2seq.avro.TranslationRequest;
import seq2seq.avro.TranslationResult;
import seq2seq.generation.ModelInfo;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A request's result from its segments' translations: the text put back together with the source's spacing, the
 * token counts summed, the score averaged, cached only when every segment came from the memory, the spans the model
 * could not read listed in order.
 */
final class ResultAssembler {
    private ResultAssembler() {
    }

    /**
     * The result of a complete request whose segments all succeeded, produced at {@code now} (epoch ms), naming the
     * model and version that translated it (its memory hits are that model's and version's too: see the memory key).
     */
    static TranslationResult assemble(PendingRequest p, long now) {
        ModelInfo model = p.model;
        TranslationRequest r = p.env.request();
        List<String> texts = new ArrayList<>(p.pieces.length);
        int in = 0;
        int out = 0;
        boolean truncated = false;
        boolean cached = p.pieces.length > 0;
        double scoreSum = 0;
        boolean allScored = p.pieces.length > 0;
        int unknownPieces = 0;
        List<String> unknownSpans = new ArrayList<>();
        for (Piece piece : p.pieces) {
            unknownPieces += piece.unknownPieces();
            unknownSpans.addAll(piece.unknownSpans());
            texts.add(piece.text());
            in += piece.inputTokens();
            out += piece.outputTokens();
            truncated |= piece.truncated();
            cached &= piece.fromMemory();
            allScored &= piece.score() != null;
            scoreSum += piece.score() == null ? 0 : piece.score();
        }
        Instant created = r.getCreatedAt() != null ? r.getCreatedAt() : Instant.ofEpochMilli(p.env.timestamp());
        return TranslationResult.newBuilder()
                .setId(r.getId())
                .setText(p.split.reassemble(texts))
                .setSourceText(r.getText())
                .setSourceLang(r.getSourceLang())
                .setTargetLang(r.getTargetLang())
                .setModel(model.name())
                .setModelVersion(model.version())
                .setCached(cached)
                .setTruncated(truncated)
                .setSegments(p.pieces.length)
                .setInputTokens(in)
                .setOutputTokens(out)
                .setScore(allScored ? (float) (scoreSum / p.pieces.length) : null)
                .setAttributes(r.getAttributes())
                .setCreatedAt(created)
                .setProducedAt(Instant.ofEpochMilli(now))
                .setLatencyMs(Math.max(0, now - created.toEpochMilli()))
                .setUnknownPieces(unknownPieces)
                .setUnknownSpans(unknownSpans)
                .build();
    }
}
