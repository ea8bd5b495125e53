package seq2seq.generation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where ONNX Runtime takes its working memory from (each session's CPU arena, or the C allocator) changes nothing
 * of what the engine computes: greedy and beam outputs and scores are the same either way.
 */
class CpuArenaTest {

    @Test
    @Timeout(300)
    void withoutTheArenaTheOutputsAreTheSame() {
        assertTrue(EngineOptions.defaults().cpuArena(), "on by default (bench/report-rollout-rss.md)");
        List<TranslationTask> tasks = new ArrayList<>();
        List<String> lines = TestModels.parityInputs();
        for (int i = 0; i < lines.size(); i++) {
            tasks.add(new TranslationTask(lines.get(i), null, null, i % 2 == 0 ? 4 : 1, null));
        }
        EngineOptions o = EngineOptions.builder().intraOpThreads(1).build();
        try (Engine arena = Engine.load(TestModels.tiny(), o.toBuilder().cpuArena(true).build());
             Engine none = Engine.load(TestModels.tiny(), o.toBuilder().cpuArena(false).build())) {
            List<DetailedTranslation> a = arena.translateDetailed(tasks);
            List<DetailedTranslation> b = none.translateDetailed(tasks);
            for (int i = 0; i < tasks.size(); i++) {
                String what = "task " + i + ": " + tasks.get(i).text();
                assertEquals(null, b.get(i).translation().error(), what);
                assertArrayEquals(a.get(i).outputIds(), b.get(i).outputIds(), what);
                assertEquals(a.get(i).translation().score(), b.get(i).translation().score(), what);
            }
        }
    }
}
