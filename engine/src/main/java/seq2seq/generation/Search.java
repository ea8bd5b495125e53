package seq2seq.generation;

import java.util.List;

/** A search strategy: drives a {@link StepDecoder} until every input has its hypotheses. */
public interface Search {

    /** Hypotheses per input (the decoder's rows at the start), best first. */
    List<List<Hypothesis>> run(StepDecoder decoder);

    /** Greedy for one beam, beam search otherwise. */
    static Search of(GenerationOptions options, int decoderStart, int eos) {
        List<LogitsProcessor> processors = LogitsProcessor.of(options, eos);
        return options.numBeams() == 1
                ? new GreedySearch(options, processors, decoderStart, eos)
                : new BeamSearch(options, processors, decoderStart, eos);
    }
}
