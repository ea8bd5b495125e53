package seq2seq.generation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Batch workers (EngineOptions.workers) cut a call's batches and run them at once; with fp32 weights a sentence's
 * output does not depend on its batch, so the results equal one worker's, in input order.
 */
class BatchWorkersTest {

    @Test
    @Timeout(300)
    void twoWorkersGiveOneWorkersResultsInInputOrder() {
        List<String> lines = TestModels.parityInputs();
        List<TranslationTask> tasks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            // greedy and beam tasks mixed (two search-settings groups), and inputs with nothing to translate
            tasks.add(new TranslationTask(lines.get(i), null, null, i % 3 == 0 ? 4 : 1, null));
        }
        tasks.add(7, TranslationTask.of(""));
        tasks.add(20, TranslationTask.of(" \u00a0 "));
        try (Engine one = Engine.load(TestModels.tiny(), EngineOptions.builder().intraOpThreads(1).build());
             Engine two = Engine.load(TestModels.tiny(), EngineOptions.builder().intraOpThreads(1).workers(2).build())) {
            List<DetailedTranslation> a = one.translateDetailed(tasks);
            List<DetailedTranslation> b = two.translateDetailed(tasks);
            assertEquals(tasks.size(), b.size());
            for (int i = 0; i < tasks.size(); i++) {
                String what = "task " + i + ": " + tasks.get(i).text();
                assertArrayEquals(a.get(i).outputIds(), b.get(i).outputIds(), what);
                assertEquals(a.get(i).translation().text(), b.get(i).translation().text(), what);
                assertEquals(a.get(i).translation().score(), b.get(i).translation().score(), what);
                assertEquals(null, b.get(i).translation().error(), what);
            }
            assertEquals("", b.get(7).translation().text());
            // one group that fits one batch: cut in two, one per worker
            List<TranslationTask> greedy = lines.stream().map(s -> new TranslationTask(s, null, null, 1, null)).toList();
            List<Translation> c = one.translate(greedy);
            List<Translation> d = two.translate(greedy);
            for (int i = 0; i < greedy.size(); i++) {
                assertEquals(c.get(i).text(), d.get(i).text(), "greedy line " + (i + 1));
                assertEquals(c.get(i).score(), d.get(i).score(), "greedy line " + (i + 1));
            }
            // a call with one task runs it on the caller's thread
            assertEquals(a.get(0).translation().text(), two.translate(List.of(tasks.get(0))).get(0).text());
        }
    }

    @Test
    void workersMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> EngineOptions.builder().workers(0).build());
    }

    @Test
    void zeroWorkersFillTheCores() {
        int cores = Runtime.getRuntime().availableProcessors();
        EngineOptions perCore = EngineOptions.builder().workersOnCores(0, null).build();
        assertEquals(cores, perCore.workers());
        assertEquals(1, perCore.intraOpThreads());
        EngineOptions twoThreads = EngineOptions.builder().workersOnCores(0, 2).build();
        assertEquals(Math.max(1, cores / 2), twoThreads.workers());
        assertEquals(2, twoThreads.intraOpThreads());
        EngineOptions one = EngineOptions.builder().workersOnCores(1, null).build();
        assertEquals(1, one.workers());
        assertEquals(cores, one.intraOpThreads());
        assertThrows(IllegalArgumentException.class, () -> EngineOptions.builder().workersOnCores(-1, null).build());
        assertThrows(IllegalArgumentException.class, () -> EngineOptions.builder().workersOnCores(0, 0).build());
    }
}
