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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The batcher with a latency target on two engine workers: single jobs and bursts give the controller batches of
 * several sizes to learn from; once it decides, every job is still answered once, with its own translation, and no
 * batch is larger than the batch size.
 */
@Timeout(60)
class BatcherLatencyTargetTest {
    private static final int BATCH_SIZE = 16;

    /** A model whose batch of r rows takes about 2 + r ms on the pool, recording each batch's size. */
    private static Translator model(WorkerPool pool, List<Integer> sizes) {
        return new Translator() {
            @Override
            public List<Translation> translate(List<TranslationTask> tasks) {
                sizes.add(tasks.size());
                try {
                    Thread.sleep(2 + tasks.size());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return tasks.stream().map(t -> new Translation("t(" + t.text() + ")", 1, 1, false, null, 0, null)).toList();
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
                return new ModelInfo("m", "v1", 64);
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void withATargetEveryJobIsAnsweredOnceAndTheControllerDecides() throws Exception {
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        List<Integer> chosen = new CopyOnWriteArrayList<>();
        AtomicInteger predicted = new AtomicInteger();
        PipelineEvents events = new PipelineEvents() {
            @Override
            public void batchTargetChosen(String model, int maxSegments, long lingerNanos, boolean reachable) {
                chosen.add(maxSegments);
            }

            @Override
            public void batchPredicted(String model, long nanos) {
                predicted.incrementAndGet();
            }
        };
        try (WorkerPool pool = new WorkerPool(2, "target-test");
             Batcher batcher = new Batcher(List.of(model(pool, sizes)), BATCH_SIZE, 10_000, events,
                     new LatencyTarget(Duration.ofMillis(30), Duration.ZERO, BATCH_SIZE, Duration.ofMillis(5), events,
                             System::nanoTime))) {
            Batcher.Inbox inbox = batcher.newInbox();
            ModelVersion version = batcher.version("m");
            Map<Long, String> answers = new HashMap<>();
            long ticket = 0;
            for (int i = 0; i < LatencyTarget.MIN_SAMPLES; i++) { // one at a time: batches of one
                batcher.submit(List.of(job(version, ticket++, inbox)));
                take(inbox, 1, answers);
            }
            for (int burst = 0; burst < 20; burst++) { // bursts: whatever queued behind the running batches
                List<Batcher.Job> jobs = new ArrayList<>();
                for (int i = 0; i < 5 + 7 * (burst % 4); i++) {
                    jobs.add(job(version, ticket++, inbox));
                }
                batcher.submit(jobs);
                take(inbox, jobs.size(), answers);
            }
            assertEquals(ticket, answers.size(), "every job answered");
            answers.forEach((t, text) -> assertEquals("t(segment " + t + ".)", text, "ticket " + t + " got its own translation"));
            assertNull(inbox.poll(), "and none twice");
            assertFalse(chosen.isEmpty(), "the controller chose once it had learnt");
            assertTrue(predicted.get() > 0, "and predicted the batches after that");
            assertTrue(sizes.stream().allMatch(s -> s <= BATCH_SIZE), sizes.toString());
            assertTrue(chosen.stream().allMatch(s -> s >= 1 && s <= BATCH_SIZE), chosen.toString());
        }
    }

    private static Batcher.Job job(ModelVersion version, long ticket, Batcher.Inbox inbox) {
        return new Batcher.Job(ticket, version, TranslationTask.of("segment " + ticket + "."), inbox);
    }

    private static void take(Batcher.Inbox inbox, int n, Map<Long, String> answers) throws InterruptedException {
        for (int i = 0; i < n; i++) {
            Batcher.Done d = inbox.poll(Duration.ofSeconds(10));
            assertNotNull(d, "an answer within 10 s");
            assertNull(answers.put(d.ticket(), d.translation().text()), "ticket " + d.ticket() + " answered twice");
        }
    }
}
