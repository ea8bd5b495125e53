package seq2seq.streams;

import java.time.Duration;
import java.util.Set;

/**
 * What the topology needs to know, already validated (the application's configuration builds it).
 *
 * @param requestsTopic         input topic (TranslationRequest)
 * @param translationsTopic     output topic (TranslationResult)
 * @param failuresTopic         dead-letter topic (TranslationFailure)
 * @param maxTextChars          hard cap on a request's text; longer ones are dead-lettered as TOO_LONG
 * @param maxSegmentChars       sentences longer than this are cut at whitespace before translation
 * @param maxBeams              largest num_beams a request may ask for
 * @param maxNewTokens          largest max_new_tokens a request may ask for
 * @param batchMaxSize          a task hands its waiting segments to the batcher when this many have gathered ...
 * @param batchMaxTokens        ... or their estimated tokens reach this ...
 * @param batchLinger           ... or the oldest has waited this long (wall clock)
 * @param batchLatencyTarget    with a positive value, the p99 latency the batcher aims for: it then chooses the batch
 *                              size (at most batchMaxSize) and the linger (at most batchLinger) itself
 *                              ({@link LatencyTarget}); zero: the fixed settings above
 * @param maxPending            a task holding this many buffered requests waits for results before taking more
 * @param maxBlock              longest such wait at a time (it happens inside an open transaction: keep it well
 *                              under transaction.timeout.ms)
 * @param tick                  how often a task looks for results and lingering segments (wall clock)
 * @param memoryEnabled         look up and store translations in the translation memory
 * @param memoryMaxEntries      memory entries kept per partition; the oldest go first
 * @param memoryMaxAge          memory entries older than this are dropped
 * @param memoryCleanupInterval how often the memory is trimmed (wall clock)
 * @param repartitionByContent  route requests through a repartition topic keyed by text, so each distinct text is
 *                              translated and remembered on one partition (costs the per-partition arrival order)
 * @param sourceLanguages       source_lang values accepted (empty: any well-formed code); others are UNSUPPORTED_LANGUAGE
 * @param targetLanguages       target_lang values accepted, likewise
 * @param headers               names of the request's headers copied to its result or dead letter ({@value #TRACEPARENT}
 *                              is always copied)
 */
public record PipelineSettings(String requestsTopic, String translationsTopic, String failuresTopic,
                               int maxTextChars, int maxSegmentChars, int maxBeams, int maxNewTokens,
                               int batchMaxSize, int batchMaxTokens, Duration batchLinger, Duration batchLatencyTarget,
                               int maxPending, Duration maxBlock, Duration tick,
                               boolean memoryEnabled, long memoryMaxEntries, Duration memoryMaxAge,
                               Duration memoryCleanupInterval, boolean repartitionByContent,
                               Set<String> sourceLanguages, Set<String> targetLanguages, Set<String> headers) {
    /** the W3C trace context header: a result continues its request's trace */
    public static final String TRACEPARENT = "traceparent";
    /** what a language code may look like (BCP 47 tags, NLLB's "deu_Latn", M2M100's codes) */
    public static final java.util.regex.Pattern LANGUAGE_CODE = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,16}");

    public PipelineSettings {
        sourceLanguages = Set.copyOf(sourceLanguages);
        targetLanguages = Set.copyOf(targetLanguages);
        Set<String> h = new java.util.TreeSet<>(headers);
        h.add(TRACEPARENT);
        headers = Set.copyOf(h);
    }

    /** The defaults the configuration documents. */
    public static PipelineSettings defaults() {
        return new PipelineSettings("translation-requests", "translations", "translation-failures",
                10_000, 400, 8, 512,
                32, 2048, Duration.ofMillis(20), Duration.ZERO,
                256, Duration.ofSeconds(2), Duration.ofMillis(5),
                true, 100_000, Duration.ofDays(7), Duration.ofMinutes(1), false, Set.of(), Set.of(),
                Set.of("tracestate", "x-correlation-id"));
    }

    public PipelineSettings withTopics(String requests, String translations, String failures) {
        return new PipelineSettings(requests, translations, failures, maxTextChars, maxSegmentChars, maxBeams, maxNewTokens,
                batchMaxSize, batchMaxTokens, batchLinger, batchLatencyTarget, maxPending, maxBlock, tick, memoryEnabled, memoryMaxEntries,
                memoryMaxAge, memoryCleanupInterval, repartitionByContent, sourceLanguages, targetLanguages, headers);
    }

    public PipelineSettings withBatching(int size, int tokens, Duration linger) {
        return new PipelineSettings(requestsTopic, translationsTopic, failuresTopic, maxTextChars, maxSegmentChars, maxBeams,
                maxNewTokens, size, tokens, linger, batchLatencyTarget, maxPending, maxBlock, tick, memoryEnabled, memoryMaxEntries,
                memoryMaxAge, memoryCleanupInterval, repartitionByContent, sourceLanguages, targetLanguages, headers);
    }

    /** With a latency target (zero: off). */
    public PipelineSettings withLatencyTarget(Duration target) {
        return new PipelineSettings(requestsTopic, translationsTopic, failuresTopic, maxTextChars, maxSegmentChars, maxBeams,
                maxNewTokens, batchMaxSize, batchMaxTokens, batchLinger, target, maxPending, maxBlock, tick, memoryEnabled,
                memoryMaxEntries, memoryMaxAge, memoryCleanupInterval, repartitionByContent, sourceLanguages, targetLanguages, headers);
    }

    /** Whether the batcher keeps a latency target instead of fixed settings. */
    public boolean hasLatencyTarget() {
        return batchLatencyTarget.toNanos() > 0;
    }

    public PipelineSettings withLimits(int maxTextChars, int maxSegmentChars) {
        return new PipelineSettings(requestsTopic, translationsTopic, failuresTopic, maxTextChars, maxSegmentChars, maxBeams,
                maxNewTokens, batchMaxSize, batchMaxTokens, batchLinger, batchLatencyTarget, maxPending, maxBlock, tick, memoryEnabled,
                memoryMaxEntries, memoryMaxAge, memoryCleanupInterval, repartitionByContent, sourceLanguages, targetLanguages, headers);
    }

    public PipelineSettings withMemory(boolean enabled, long maxEntries, Duration maxAge) {
        return new PipelineSettings(requestsTopic, translationsTopic, failuresTopic, maxTextChars, maxSegmentChars, maxBeams,
                maxNewTokens, batchMaxSize, batchMaxTokens, batchLinger, batchLatencyTarget, maxPending, maxBlock, tick, enabled, maxEntries,
                maxAge, memoryCleanupInterval, repartitionByContent, sourceLanguages, targetLanguages, headers);
    }

    public PipelineSettings withRepartitionByContent(boolean on) {
        return new PipelineSettings(requestsTopic, translationsTopic, failuresTopic, maxTextChars, maxSegmentChars, maxBeams,
                maxNewTokens, batchMaxSize, batchMaxTokens, batchLinger, batchLatencyTarget, maxPending, maxBlock, tick, memoryEnabled,
                memoryMaxEntries, memoryMaxAge, memoryCleanupInterval, on, sourceLanguages, targetLanguages, headers);
    }

    public PipelineSettings withHeaders(Set<String> copied) {
        return new PipelineSettings(requestsTopic, translationsTopic, failuresTopic, maxTextChars, maxSegmentChars, maxBeams,
                maxNewTokens, batchMaxSize, batchMaxTokens, batchLinger, batchLatencyTarget, maxPending, maxBlock, tick, memoryEnabled,
                memoryMaxEntries, memoryMaxAge, memoryCleanupInterval, repartitionByContent, sourceLanguages,
                targetLanguages, copied);
    }

    public PipelineSettings withLanguages(Set<String> source, Set<String> target) {
        return new PipelineSettings(requestsTopic, translationsTopic, failuresTopic, maxTextChars, maxSegmentChars, maxBeams,
                maxNewTokens, batchMaxSize, batchMaxTokens, batchLinger, batchLatencyTarget, maxPending, maxBlock, tick, memoryEnabled,
                memoryMaxEntries, memoryMaxAge, memoryCleanupInterval, repartitionByContent, source, target, headers);
    }
}
