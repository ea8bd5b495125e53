package seq2seq.app;

import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import seq2seq.app.config.AppConfig;
import seq2seq.generation.Engine;
import seq2seq.streams.PipelineEvents;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** `run`: the production service against external brokers and a schema registry. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs the translation pipeline against a Kafka cluster and a schema registry until stopped.",
                "Start more instances with the same kafka.application.id to share the partitions."})
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() throws Exception {
        AppConfig c = config.load();
        log.info("configuration: {}", c.explicitValues());
        CountDownLatch stopped = new CountDownLatch(1);
        try (Engine engine = EngineLoader.load(c);
             PipelineService service = new PipelineService(c, engine, PipelineEvents.NONE)) {
            log.info("model {} version {}", engine.modelInfo().name(), engine.modelInfo().version());
            service.streams().setStateListener((now, before) -> {
                log.info("Kafka Streams: {} -> {}", before, now);
                if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                    stopped.countDown();
                }
            });
            Thread hook = new Thread(() -> {
                log.info("stopping: closing Kafka Streams (commits what is done)");
                service.close(Duration.ofSeconds(30));
                stopped.countDown();
            }, "shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            service.start();
            stopped.await();
            return service.streams().state() == KafkaStreams.State.ERROR ? 1 : 0;
        }
    }
}
