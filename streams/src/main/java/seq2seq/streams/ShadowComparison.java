package seq2seq.streams;

import seq2seq.generation.Translation;
import seq2seq.quality.Chrf;

import java.util.List;

/**
 * Compares a shadow version's outputs with the primary's for one mirrored batch, segment by segment as the shadow's
 * results arrive, and reports each comparison. The shadow's outputs go nowhere else.
 */
final class ShadowComparison {
    /** the version in the shadow */
    private final ModelVersion shadow;
    /** what the primary produced, by the mirrored job's ticket */
    private final List<Translation> primary;
    private final PipelineEvents events;

    ShadowComparison(ModelVersion shadow, List<Translation> primary, PipelineEvents events) {
        this.shadow = shadow;
        this.primary = primary;
        this.events = events;
    }

    /** One shadow result; a segment either side failed on is not compared. */
    void accept(Batcher.Done d) {
        Translation p = primary.get((int) d.ticket());
        Translation s = d.translation();
        if (p.failed() || s.failed()) {
            return;
        }
        events.shadowCompared(shadow.name(), shadow.version(), p.text().equals(s.text()), Chrf.CHRF.sentence(s.text(), p.text()));
    }
}
