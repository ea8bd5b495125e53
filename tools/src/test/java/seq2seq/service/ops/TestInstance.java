package seq2seq.service.ops;

import org.apache.kafka.streams.KafkaStreams;
import seq2seq.service.PipelineService;
import seq2seq.service.config.AppConfig;
import seq2seq.generation.Translator;

import java.time.Duration;
import java.util.List;

/** One pipeline instance with its operations endpoints, wired as {@code run} wires them (the engine is shared and not closed here). */
final class TestInstance implements AutoCloseable {
    /** metrics, readiness, endpoints */
    final Operations ops;
    /** the pipeline */
    final PipelineService service;

    TestInstance(AppConfig config, Translator engine) {
        this(config, engine, (now, before) -> {
        });
    }

    /** @param listener told of each Kafka Streams state change, on the thread that makes it */
    TestInstance(AppConfig config, Translator engine, KafkaStreams.StateListener listener) {
        this(config, List.of(engine), listener);
    }

    /** Several models (the first is the default unless models.default says otherwise). */
    TestInstance(AppConfig config, List<Translator> models, KafkaStreams.StateListener listener) {
        this.ops = Operations.start(config);
        models.forEach(m -> ops.modelLoaded(m.modelInfo()));
        this.service = new PipelineService(config, models, ops.events());
        ops.attach(service.streams(), service.batcher()::queued);
        service.streams().setStateListener(listener);
        service.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + ops.port() + path;
    }

    @Override
    public void close() {
        ops.stopping();
        service.closeAndLeaveGroup(Duration.ofSeconds(30));
        ops.close();
    }
}
