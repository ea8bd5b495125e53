package seq2seq.streams;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import seq2seq.generation.ModelInfo;
import seq2seq.generation.Translation;
import seq2seq.generation.TranslationTask;
import seq2seq.generation.Translator;
import seq2seq.generation.WorkerPool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The batcher with several models on one shared worker pool: batches never mix models, and a model with a large
 * backlog does not starve a quiet one (round robin over the models with queued work whenever a worker frees).
 */
@Timeout(60)
class BatcherFairnessTest {
    /** engine time of one batch */
    private static final long BATCH_MS = 40;

    /** A model whose batches take {@link #BATCH_MS} on the shared pool, recording each batch it starts. */
    private static Translator model(String name, WorkerPool pool, List<String> started) {
        return new Translator() {
            @Override
            public List<Translation> translate(List<TranslationTask> tasks) {
                started.add(name + ":" + tasks.size());
                try {
                    Thread.sleep(BATCH_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return tasks.stream().map(t -> new Translation(name + "(" + t.text() + ")", 1, 1, false, null, 0, null)).toList();
            }

            @Override
            public CompletableFuture<List<Translation>> submit(List<TranslationTask> tasks) {
                return pool.submit(() -> translate(tasks));
            }

            @Override
            public int parallelism() {
                return pool.workers();
            }

            @Override
            public ModelInfo modelInfo() {
                return new ModelInfo(name, "v1", 64);
            }

            @Override
            public void close() {
            }
        };
    }

    private static List<Batcher.Job> jobs(Batcher batcher, String model, int n, Batcher.Inbox inbox, long firstTicket) {
        List<Batcher.Job> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Batcher.Job(firstTicket + i, batcher.version(model), TranslationTask.of(model + " segment " + i + "."), inbox));
        }
        return out;
    }

    @Test
    void aQuietModelsBatchRunsWithinOneBatchTimeNotAfterTheBacklog() throws Exception {
        List<String> started = new CopyOnWriteArrayList<>();
        try (WorkerPool pool = new WorkerPool(1, "fair-test");
             Batcher batcher = new Batcher(List.of(model("busy", pool, started), model("quiet", pool, started)),
                     2, 10_000, PipelineEvents.NONE)) {
            Batcher.Inbox busyInbox = batcher.newInbox();
            Batcher.Inbox quietInbox = batcher.newInbox();
            batcher.submit(jobs(batcher, "busy", 20, busyInbox, 0)); // 10 batches of 2: a 400 ms backlog
            Thread.sleep(BATCH_MS / 4); // the first busy batch is running
            assertEquals(18, batcher.queued("busy"));
            long t0 = System.nanoTime();
            batcher.submit(jobs(batcher, "quiet", 1, quietInbox, 100));
            Batcher.Done quiet = quietInbox.poll(Duration.ofSeconds(10));
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            assertNotNull(quiet);
            assertEquals("quiet(quiet segment 0.)", quiet.translation().text());
            System.out.printf("fairness: the quiet model's segment came back after %d ms behind a %d ms backlog "
                    + "(one batch = %d ms); batches started: %s%n", waitedMs, 10 * BATCH_MS, BATCH_MS, started);
            assertEquals(List.of("busy:2", "quiet:1"), started.subList(0, 2),
                    "the quiet model's batch is the next one started when the worker frees");
            assertTrue(waitedMs < 3 * BATCH_MS, "the quiet model waited " + waitedMs + " ms: at most the running batch and its own");
            for (int i = 0; i < 20; i++) {
                Batcher.Done d = busyInbox.poll(Duration.ofSeconds(10));
                assertNotNull(d, "the backlog finishes too");
                assertTrue(d.translation().text().startsWith("busy("), "batches never mix models: " + d.translation().text());
            }
            assertEquals(11, started.size());
            assertTrue(started.stream().allMatch(s -> s.equals("busy:2") || s.equals("quiet:1")), started.toString());
        }
    }

    @Test
    void modelsWithWorkTakeTurns() throws Exception {
        List<String> started = new CopyOnWriteArrayList<>();
        try (WorkerPool pool = new WorkerPool(1, "turns-test");
             Batcher batcher = new Batcher(List.of(model("a", pool, started), model("b", pool, started),
                     model("c", pool, started)), 1, 10_000, PipelineEvents.NONE)) {
            Batcher.Inbox inbox = batcher.newInbox();
            // a's first job takes the worker at once; the rest queue up while it runs
            List<Batcher.Job> all = new ArrayList<>(jobs(batcher, "a", 4, inbox, 0));
            all.addAll(jobs(batcher, "b", 2, inbox, 10));
            all.addAll(jobs(batcher, "c", 1, inbox, 20));
            batcher.submit(all);
            for (int i = 0; i < 7; i++) {
                assertNotNull(inbox.poll(Duration.ofSeconds(10)));
            }
            assertEquals(List.of("a:1", "b:1", "c:1", "a:1", "b:1", "a:1", "a:1"), started,
                    "round robin over the models that have queued work");
        }
    }

    @Test
    void aJobForAVersionNotServedIsRefused() {
        try (WorkerPool pool = new WorkerPool(1, "refuse-test");
             Batcher batcher = new Batcher(List.of(model("a", pool, new ArrayList<>())), 1, 10_000, PipelineEvents.NONE)) {
            Batcher.Inbox inbox = batcher.newInbox();
            ModelVersion other = new ModelVersion(model("zz", pool, new ArrayList<>()));
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> batcher.submit(List.of(new Batcher.Job(0, other, TranslationTask.of("x."), inbox))));
            assertTrue(e.getMessage().contains("zz@v1"), e.getMessage());
            assertEquals(0, batcher.queued());
        }
    }
}
