package seq2seq.tools.load;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpenLoopSenderTest {

    /**
     * A "pipeline" that answers 25 requests/s at most, offered 200/s: the sender still sends on schedule (it hands a
     * request over and never waits for the answer), and the backlog shows up as queueing on the pipeline's side.
     */
    @Test
    @Timeout(60)
    void aSlowPipelineDoesNotSlowTheSender() throws Exception {
        long[] offsets = Arrivals.poisson(200, 1.5, 3);
        ExecutorService pipeline = Executors.newSingleThreadExecutor();
        AtomicInteger answered = new AtomicInteger();
        List<Long> scheduled = new ArrayList<>();
        long start = System.nanoTime() + 20_000_000L;
        OpenLoopSender.Sent sent = OpenLoopSender.run(offsets, start, (i, at) -> {
            scheduled.add(at);
            pipeline.submit(() -> {
                try {
                    Thread.sleep(40);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                answered.incrementAndGet();
            });
        });
        long senderDone = System.nanoTime();
        int answeredWhenSenderDone = answered.get();
        pipeline.shutdownNow();
        pipeline.awaitTermination(5, TimeUnit.SECONDS);
        assertEquals(offsets.length, scheduled.size(), "every request sent");
        for (int i = 0; i < offsets.length; i++) {
            assertEquals(start + offsets[i], scheduled.get(i), "the scheduled time is the schedule's, not moved");
            assertTrue(sent.sentNanos()[i] >= start + offsets[i], "never early");
        }
        // the whole schedule went out in about its own length (a closed loop would need offsets.length × 40 ms ≈ 12 s)
        double took = (senderDone - start) / 1e9;
        assertTrue(took < 1.5 + 1.0, "sender took " + took + " s for a 1.5 s schedule");
        assertTrue(answeredWhenSenderDone < offsets.length / 2, "the pipeline lags: " + answeredWhenSenderDone + " of " + offsets.length);
        assertTrue(sent.latenessMicros().getValueAtPercentile(50) < 50_000, "median lateness " + sent.latenessMicros().getValueAtPercentile(50) + " µs");
    }

    /**
     * A sink that blocks once for 300 ms (a full producer buffer): the requests behind it go out late, keep their
     * scheduled times (latency counts from there) and the lateness is recorded; then the sender is back on schedule.
     */
    @Test
    @Timeout(60)
    void aBlockingSinkMakesLatenessNotAShiftedSchedule() {
        long[] offsets = new long[100];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = i * 10_000_000L; // 100/s, evenly
        }
        long start = System.nanoTime() + 20_000_000L;
        List<Long> scheduled = new ArrayList<>();
        OpenLoopSender.Sent sent = OpenLoopSender.run(offsets, start, (i, at) -> {
            scheduled.add(at);
            if (i == 10) {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        for (int i = 0; i < offsets.length; i++) {
            assertEquals(start + offsets[i], scheduled.get(i));
        }
        long lateMicros = sent.latenessMicros().getMaxValue();
        assertTrue(lateMicros >= 280_000, "lateness recorded: " + lateMicros + " µs");
        // request 11 was due 10 ms after 10 and went out ~290 ms late; by request 99 (due 890 ms after 10) it caught up
        assertTrue((sent.sentNanos()[11] - (start + offsets[11])) >= 280_000_000L);
        long lastLate = sent.sentNanos()[99] - (start + offsets[99]);
        assertTrue(lastLate < 150_000_000L, "back on schedule, last request " + lastLate / 1e6 + " ms late");
        // the sends after the block did not wait 10 ms each: the late ones went out back to back
        assertTrue(sent.sentNanos()[30] - sent.sentNanos()[11] < 150_000_000L);
    }
}
