package seq2seq.tools;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import seq2seq.avro.TranslationRequest;
import seq2seq.generation.Engine;
import seq2seq.generation.EngineOptions;
import seq2seq.generation.ModelInfo;
import seq2seq.generation.Translation;
import seq2seq.generation.TranslationTask;
import seq2seq.generation.Translator;
import seq2seq.service.PipelineService;
import seq2seq.service.Topics;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.streams.PipelineEvents;
import seq2seq.streams.SerdeFactory;
import seq2seq.streams.StoreNames;
import seq2seq.streams.state.Envelope;
import seq2seq.tools.embedded.EmbeddedKafka;
import seq2seq.tools.embedded.EmbeddedRegistry;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Back-pressure and restore against a real broker, with the engine held back on command. While the engine is stuck
 * for longer than the transaction timeout: a partition whose buffer holds {@code batch.max.pending} requests takes
 * at most one more per {@code batch.max.block.ms} (each waits that long for room first, inside the transaction, so
 * the wait is capped), no transaction times out and no stream thread is replaced. An instance reopened on the same
 * state folder translates again exactly the requests its buffer held (and the ones it had not read), each once.
 */
@Timeout(300)
class BackPressureRestoreTest {
    private static final int MAX_PENDING = 5;
    private static final Duration MAX_BLOCK = Duration.ofMillis(500);
    /** longer than the pipeline's transaction timeout (10 s): a wait inside a transaction would break it */
    private static final Duration HELD = Duration.ofSeconds(13);

    @TempDir
    Path dir;

    /** The real engine behind a gate: batches wait (off the stream thread) until the gate opens. */
    static final class GatedTranslator implements Translator {
        private final Engine engine;
        private final ExecutorService worker = Executors.newSingleThreadExecutor();
        private volatile CompletableFuture<Void> gate = new CompletableFuture<>();
        /** text → times the engine translated it */
        final Map<String, AtomicInteger> translated = new ConcurrentHashMap<>();

        GatedTranslator(Engine engine, boolean open) {
            this.engine = engine;
            if (open) {
                gate.complete(null);
            }
        }

        void open() {
            gate.complete(null);
        }

        void close(boolean andOpen) {
            if (andOpen) {
                open();
            }
            worker.shutdown();
        }

        @Override
        public List<Translation> translate(List<TranslationTask> tasks) {
            gate.join();
            List<Translation> out = engine.translate(tasks);
            tasks.forEach(t -> translated.computeIfAbsent(t.text(), k -> new AtomicInteger()).incrementAndGet());
            return out;
        }

        @Override
        public CompletableFuture<List<Translation>> submit(List<TranslationTask> tasks) {
            return CompletableFuture.supplyAsync(() -> translate(tasks), worker);
        }

        @Override
        public ModelInfo modelInfo() {
            return engine.modelInfo();
        }

        @Override
        public void close() {
            close(true);
        }
    }

    @Test
    void aPartitionHoldsAtMostMaxPendingAndARestartReRunsExactlyItsBuffer() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(1);
             EmbeddedRegistry registry = EmbeddedRegistry.start(kafka.bootstrapServers());
             Engine engine = Engine.load(FailoverTest.TINY_MODEL, EngineOptions.defaults())) {
            AppConfig config = AppConfig.of(FailoverTest.sharedConfig(kafka, registry, "back-pressure-test")).with(Map.of(
                    "kafka.state.dir", dir.resolve("state").toString(),
                    Settings.BATCH_MAX_PENDING.name(), String.valueOf(MAX_PENDING),
                    Settings.BATCH_MAX_BLOCK.name(), String.valueOf(MAX_BLOCK.toMillis()),
                    Settings.BATCH_SIZE.name(), "2",
                    Settings.MEMORY_ENABLED.name(), "false"));
            Topics.create(kafka.bootstrapServers(), config.pipeline(), 1, (short) 1);
            String topic = config.pipeline().requestsTopic();
            Serializer<TranslationRequest> serializer = SerdeFactory.create(config.get(Settings.SERDE_CLASS),
                    TranslationRequest.class, config.serdes()).serializer();
            try (OutputReader out = new OutputReader(config, 1);
                 KafkaProducer<byte[], byte[]> producer = FailoverTest.producer(config)) {
                // 1. the engine held for longer than the transaction timeout, 30 requests waiting
                GatedTranslator first = new GatedTranslator(engine, false);
                List<KafkaStreams.State> states = new CopyOnWriteArrayList<>();
                PipelineService service = new PipelineService(config, first, PipelineEvents.NONE);
                service.streams().setStateListener((now, before) -> states.add(now));
                service.start();
                send(producer, serializer, topic, 0, 30);
                int maxBuffered = 0;
                long until = System.nanoTime() + HELD.toNanos();
                while (System.nanoTime() < until) {
                    maxBuffered = Math.max(maxBuffered, bufferedIds(service.streams()).size());
                    Thread.sleep(50);
                }
                long slowed = HELD.toMillis() / MAX_BLOCK.toMillis() + 1;
                assertTrue(maxBuffered >= MAX_PENDING, "the partition filled its buffer while the engine was held: " + maxBuffered);
                assertTrue(maxBuffered <= MAX_PENDING + slowed, "the buffer held " + maxBuffered + " requests: past "
                        + MAX_PENDING + ", at most one more per " + MAX_BLOCK.toMillis() + " ms (" + slowed + " in " + HELD + ")");
                first.open();
                assertTrue(out.await(() -> out.records() >= 30, Duration.ofSeconds(60)), "answered: " + out.records());
                assertEquals(KafkaStreams.State.RUNNING, service.streams().state());
                List<KafkaStreams.State> afterStart = states.subList(states.indexOf(KafkaStreams.State.RUNNING), states.size());
                assertEquals(List.of(KafkaStreams.State.RUNNING), afterStart,
                        "no rebalance after start-up (a fenced or replaced thread would cause one): " + states);

                // 2. held again with 10 more requests: the instance stops with a full buffer
                GatedTranslator second = new GatedTranslator(engine, false);
                service.close();
                first.close(true);
                service = new PipelineService(config, second, PipelineEvents.NONE);
                // the held batch finishes only once Kafka Streams has stopped: its results then go nowhere
                service.streams().setStateListener((now, before) -> {
                    if (now == KafkaStreams.State.NOT_RUNNING) {
                        second.open();
                    }
                });
                service.start();
                send(producer, serializer, topic, 30, 40);
                Set<String> buffered = new TreeSet<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (buffered.size() < MAX_PENDING && System.nanoTime() < deadline) { // full: the stop finds work in flight
                    Thread.sleep(50);
                    buffered = bufferedIds(service.streams());
                }
                assertTrue(buffered.size() >= MAX_PENDING, "buffered before the stop: " + buffered);
                service.close(); // the held batch is handed back; its results are never forwarded
                second.close(false);
                assertEquals(30, out.records(), "nothing of the held requests was forwarded");

                // 3. reopened on the same state folder: the buffer is translated again, then the rest, each once
                GatedTranslator third = new GatedTranslator(engine, true);
                try (PipelineService reopened = new PipelineService(config, third, PipelineEvents.NONE)) {
                    reopened.start();
                    assertTrue(out.await(() -> out.records() >= 40, Duration.ofSeconds(60)), "answered: " + out.records());
                    Thread.sleep(1_000); // a duplicate would arrive now
                    Map<String, Integer> translatedAgain = new TreeMap<>();
                    third.translated.forEach((text, n) -> translatedAgain.put(idOf(text), n.get()));
                    Set<String> expected = new TreeSet<>();
                    for (int i = 30; i < 40; i++) {
                        expected.add("r" + i);
                    }
                    assertEquals(expected, translatedAgain.keySet(), "the reopened instance translates the buffered and the unread requests");
                    assertTrue(translatedAgain.values().stream().allMatch(n -> n == 1), "each once: " + translatedAgain);
                    assertTrue(expected.containsAll(buffered));
                } finally {
                    third.close(true);
                }
                assertEquals(40, out.records(), "40 requests, 40 outputs");
                List<String> notOnce = new ArrayList<>();
                out.seen.forEach((id, n) -> {
                    if (n.get() != 1) {
                        notOnce.add(id + "=" + n.get());
                    }
                });
                assertEquals(List.of(), notOnce, "every request answered exactly once");
                System.out.printf("back-pressure: at most %d buffered (batch.max.pending %d, batch.max.block.ms %d) while the"
                        + " engine was held %d s; the reopened instance re-ran its buffer %s%n", maxBuffered, MAX_PENDING,
                        MAX_BLOCK.toMillis(), HELD.toSeconds(), buffered);
            }
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, Serializer<TranslationRequest> serializer,
                             String topic, int from, int to) {
        for (int i = from; i < to; i++) {
            String id = "r" + i;
            TranslationRequest r = TranslationRequest.newBuilder().setId(id).setText(textOf(id)).setAttributes(Map.of()).build();
            producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), serializer.serialize(topic, r)));
        }
        producer.flush();
    }

    private static String textOf(String id) {
        return "Request " + id + " is here.";
    }

    private static String idOf(String text) {
        return text.substring("Request ".length(), text.indexOf(" is here."));
    }

    /** The request ids in the batch buffer of the instance's task, read through interactive queries. */
    private static Set<String> bufferedIds(KafkaStreams streams) {
        Set<String> ids = new TreeSet<>();
        try {
            ReadOnlyKeyValueStore<Long, Envelope> buffer = streams.store(StoreQueryParameters.fromNameAndType(
                    StoreNames.BUFFER, QueryableStoreTypes.<Long, Envelope>keyValueStore()));
            try (KeyValueIterator<Long, Envelope> it = buffer.all()) {
                while (it.hasNext()) {
                    KeyValue<Long, Envelope> kv = it.next();
                    ids.add(kv.value.request().getId());
                }
            }
        } catch (org.apache.kafka.streams.errors.InvalidStateStoreException notYet) {
            // the task is not running yet
        }
        return ids;
    }
}
