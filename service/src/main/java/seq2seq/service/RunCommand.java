package seq2seq.service;

import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.service.ops.GracefulShutdown;
import seq2seq.service.ops.Operations;
import seq2seq.service.rollout.ControlTopic;
import seq2seq.service.rollout.DeploymentFollower;
import seq2seq.service.rollout.FleetStatus;
import seq2seq.service.tracing.Tracing;
import seq2seq.generation.Engine;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * `run`: the production service against external brokers and a schema registry. The operations endpoints come up
 * first (live, not ready), then the model, then Kafka Streams. SIGTERM or Ctrl-C stops it cleanly with exit 0.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs the translation pipeline against a Kafka cluster and a schema registry until stopped.",
                "Start more instances with the same kafka.application.id to share the partitions.",
                "Operations endpoints (metrics, health, status page) listen on ops.port (default 8080)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped by SIGTERM or Ctrl-C after a clean close",
                "1:Kafka Streams failed or did not close in time, or the model could not be loaded",
                "2:bad arguments or configuration",
                "130:a second signal, or the close took longer than shutdown.timeout.ms + 10 s"})
public final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);
    /** how long after shutdown.timeout.ms the watchdog halts a stop that hangs */
    private static final Duration WATCHDOG_SLACK = Duration.ofSeconds(10);

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() throws Exception {
        AppConfig c = config.load();
        log.info("configuration: {}", c.explicitValues());
        Duration closeTimeout = c.getMillis(Settings.SHUTDOWN_TIMEOUT);
        List<String> created = Topics.ensure(c); // before the model loads: a missing topic is a quick, clear stop
        if (!created.isEmpty()) {
            log.info("created topic(s) {} ({} partitions each)", created, c.getInt(Settings.TOPICS_PARTITIONS));
        }
        GracefulShutdown shutdown = GracefulShutdown.install(closeTimeout.plus(WATCHDOG_SLACK));
        try (Operations ops = Operations.start(c);
             Tracing tracing = Tracing.start(c); // closed after the stream: sends the last spans
             LoadedModels models = LoadedModels.load(c)) {
            String defaultModel = c.defaultModel();
            models.infos().stream().sorted(java.util.Comparator.comparing(m -> !m.name().equals(defaultModel)))
                    .forEach(ops::modelLoaded); // the default first: the status page's headline model
            for (int i = 0; i < models.engines().size(); i++) {
                Engine engine = models.engines().get(i);
                var info = models.translators().get(i).modelInfo();
                log.info("model {} version {} from {} (languages {}; {} weights, {} decoder; tables loaded once for all its files: {})",
                        info.name(), info.version(), engine.bundle() == null ? engine.recurrentModel().manifest.dir : engine.bundle().dir,
                        info.languages(), engine.options().dtype(),
                        engine.bundle() == null ? "recurrent" : engine.bundle().layout.name().toLowerCase(java.util.Locale.ROOT),
                        engine.sharedTables());
                engine.tablesNotShared().forEach(t -> log.warn("model {}: weight table not shared: {}", info.name(), t));
            }
            log.info("{} model(s) on {} shared engine workers; default {}", models.engines().size(), models.workers(),
                    defaultModel);
            if (shutdown.isRequested()) {
                return 0;
            }
            if (tracing.enabled()) {
                log.info("tracing: spans of each request to {} as service {}", c.get(Settings.TRACING_ENDPOINT),
                        c.get(Settings.TRACING_SERVICE_NAME));
            }
            PipelineService service = new PipelineService(c, models, ops.events(), tracing.tracer());
            DeploymentFollower follower = followControlTopic(c, service, models);
            ops.attachModels(() -> FleetStatus.json(service.fleet(), follower, ops.metrics()));
            try {
                ops.attach(service.streams(), service.batcher()::queued);
                service.streams().setStateListener((now, before) -> {
                    log.info("Kafka Streams: {} -> {}", before, now);
                    if (now == KafkaStreams.State.ERROR) {
                        shutdown.request("Kafka Streams failed");
                    }
                });
                service.start();
                if (follower != null) {
                    follower.start();
                }
                shutdown.await();
                ops.stopping();
                if (follower != null) {
                    follower.close();
                }
                boolean failed = service.streams().state() == KafkaStreams.State.ERROR;
                log.info("stopping: closing Kafka Streams (commits what is done; buffered requests stay in the changelog)");
                if (!service.closeAndLeaveGroup(closeTimeout)) {
                    log.warn("Kafka Streams did not close within {} ms; uncommitted work is aborted and redone by the next owner",
                            closeTimeout.toMillis());
                    return 1;
                }
                log.info("stopped");
                return failed ? 1 : 0;
            } catch (RuntimeException | InterruptedException e) {
                if (follower != null) {
                    follower.close();
                }
                service.close(closeTimeout);
                throw e;
            }
        }
    }

    /**
     * The follower of the control topic, caught up (the versions deployed are loaded before the stream starts), or
     * null when {@code models.control.topic} is empty. With {@code topics.create} it creates the topic too.
     */
    private static DeploymentFollower followControlTopic(AppConfig c, PipelineService service, LoadedModels models) {
        var topic = ControlTopic.of(c);
        if (topic.isEmpty()) {
            return null;
        }
        if (c.getBoolean(Settings.TOPICS_CREATE) && topic.get().create()) {
            log.info("created the control topic {} (compacted, one partition)", topic.get().name());
        }
        DeploymentFollower follower = new DeploymentFollower(topic.get(), service.fleet(), models, c);
        follower.catchUp();
        return follower;
    }
}
