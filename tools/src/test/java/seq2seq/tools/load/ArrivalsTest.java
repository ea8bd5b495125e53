package seq2seq.tools.load;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArrivalsTest {

    /** The schedule is a pure function of rate, duration and seed: nothing else goes in. */
    @Test
    void theScheduleIsAPureFunctionOfRateDurationAndSeed() {
        long[] a = Arrivals.poisson(50, 20, 7);
        assertArrayEquals(a, Arrivals.poisson(50, 20, 7));
        assertFalse(java.util.Arrays.equals(a, Arrivals.poisson(50, 20, 8)));
        for (int i = 1; i < a.length; i++) {
            assertTrue(a[i] >= a[i - 1], "ascending");
        }
        assertTrue(a[a.length - 1] < 20_000_000_000L, "inside the duration");
        assertTrue(a[0] >= 0);
        // a longer run starts with the same arrivals: the duration only cuts the sequence
        long[] longer = Arrivals.poisson(50, 40, 7);
        assertArrayEquals(a, java.util.Arrays.copyOf(longer, a.length));
        assertThrows(IllegalArgumentException.class, () -> Arrivals.poisson(0, 1, 1));
    }

    /** Exponential gaps: mean 1/rate, standard deviation 1/rate, count about rate × duration (fixed seed). */
    @Test
    void thePoissonGapsHaveTheRightMean() {
        double rate = 200;
        double seconds = 500;
        long[] a = Arrivals.poisson(rate, seconds, 42);
        int n = a.length;
        // count of a Poisson process: mean and variance rate × duration = 100 000, sd 316
        assertEquals(rate * seconds, n, 4 * Math.sqrt(rate * seconds));
        double sum = 0;
        double sumSq = 0;
        long prev = 0;
        for (long t : a) {
            double gap = (t - prev) / 1e9;
            sum += gap;
            sumSq += gap * gap;
            prev = t;
        }
        double mean = sum / n;
        double sd = Math.sqrt(sumSq / n - mean * mean);
        // the mean of n exponential gaps has relative sd 1/sqrt(n) = 0.3 %: 1.5 % is 5 sd
        assertEquals(1 / rate, mean, 0.015 / rate);
        assertEquals(1 / rate, sd, 0.03 / rate, "exponential: sd equals the mean");
        // memoryless: P(gap > mean) = 1/e
        long over = 0;
        prev = 0;
        for (long t : a) {
            if ((t - prev) / 1e9 > 1 / rate) {
                over++;
            }
            prev = t;
        }
        assertEquals(Math.exp(-1), over / (double) n, 0.01);
    }

    @Test
    void repeatsReuseKeyAndTextAndFreshSentencesNeverRepeat() {
        Mix mix = new Mix(List.of("a", "b", "c"), 0.3, "");
        List<Mix.Text> first = mix.step(1000, 1);
        long distinctKeys = first.stream().map(Mix.Text::key).distinct().count();
        assertEquals(0.7, distinctKeys / 1000.0, 0.05);
        first.forEach(t -> assertEquals(t.text(), first.stream().filter(u -> u.key().equals(t.key())).findFirst().orElseThrow().text()));
        List<Mix.Text> second = mix.step(100, 1);
        assertTrue(second.stream().noneMatch(t -> first.stream().anyMatch(u -> u.text().equals(t.text()))),
                "a later step's fresh sentences are new texts");
        assertNotEquals(first.get(0).text(), second.get(0).text());
        assertEquals(List.of("a", "b", "c", "a (1)"), new Mix(List.of("a", "b", "c"), 0, "").step(4, 1).stream().map(Mix.Text::text).toList());
    }
}
