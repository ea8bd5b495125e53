package seq2seq.streams;

import seq2seq.generation.ModelInfo;
import seq2seq.generation.Translation;
import seq2seq.generation.TranslationTask;
import seq2seq.generation.Translator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** THROWAWAY until the engine lands: upper-cases the text. */
final class StandInTranslator implements Translator {
    private volatile boolean closed;

    @Override
    public List<Translation> translate(List<TranslationTask> tasks) {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        List<Translation> out = new ArrayList<>();
        for (TranslationTask t : tasks) {
            out.add(new Translation(t.text().toUpperCase(Locale.ROOT), t.text().length() / 4 + 1, t.text().length() / 4 + 1, false, -0.5f, 1000, null));
        }
        return out;
    }

    @Override
    public ModelInfo modelInfo() {
        return new ModelInfo("standin", "v1", 64);
    }

    @Override
    public void close() {
        closed = true;
    }
}
