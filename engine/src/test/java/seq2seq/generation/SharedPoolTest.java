package seq2seq.generation;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Several engines on one worker pool (one instance serving several models): none closes the pool it does not own. */
class SharedPoolTest {
    @Test
    void enginesShareOnePoolAndClosingOneLeavesItRunning() {
        List<TranslationTask> tasks = List.of(TranslationTask.of("The cat sleeps."), TranslationTask.of("Good morning."));
        List<Translation> alone;
        try (Engine own = Engine.load(TestModels.tiny(), EngineOptions.builder().intraOpThreads(1).build())) {
            alone = own.translate(tasks);
        }
        try (WorkerPool pool = new WorkerPool(2, "shared-test")) {
            Engine a = Engine.load(TestModels.tiny(), EngineOptions.builder().intraOpThreads(1).build(), pool);
            Engine b = Engine.load(TestModels.tiny(), EngineOptions.builder().intraOpThreads(1).build(), pool);
            assertEquals(2, a.parallelism(), "the shared pool's workers");
            assertEquals(2, b.parallelism());
            assertEquals(texts(alone), texts(WorkerPool.join(a.submit(tasks))));
            a.close();
            List<Translation> fromB = WorkerPool.join(b.submit(tasks));
            assertEquals(texts(alone), texts(fromB), "the pool still runs b's batches after a closed");
            fromB.forEach(t -> assertNull(t.error()));
            b.close();
            assertEquals(7, pool.call(() -> 7), "the pool outlives its engines: its owner closes it");
        }
    }

    private static List<String> texts(List<Translation> out) {
        return out.stream().map(Translation::text).toList();
    }
}
