package seq2seq.tools;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import seq2seq.service.ops.GracefulShutdown;
import seq2seq.tools.embedded.EmbeddedKafka;
import seq2seq.tools.embedded.EmbeddedRegistry;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * `registry`: the embedded schema registry as a process of its own, so that several instances (`run`, each in its
 * own process) and the tools can share one registry in development and tests without Confluent's server.
 */
@Command(name = "registry", mixinStandardHelpOptions = true,
        description = {"Runs the embedded schema registry (Confluent Schema Registry's REST API) until stopped, for",
                "development and tests with several instances. It keeps its schemas in the compacted topic _schemas",
                "of its broker, so ids survive a restart and registries on one cluster share them.",
                "Prints its URL as the first line of standard output (then, with --embedded-broker, the broker's",
                "bootstrap servers); SIGTERM or Ctrl-C stops it with exit 0. It listens on 127.0.0.1 only."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped by SIGTERM or Ctrl-C", "1:the broker or the port could not be used",
                "2:bad arguments"})
public final class RegistryCommand implements Callable<Integer> {
    /** how long closing may take after a signal before the process is halted */
    private static final Duration GRACE = Duration.ofSeconds(30);

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap", defaultValue = "localhost:9092", paramLabel = "HOST:PORT",
            description = "Kafka brokers that hold the registry's _schemas topic (default: ${DEFAULT-VALUE})")
    String bootstrap;

    @Option(names = "--port", defaultValue = "8081",
            description = "port to listen on; 0 = any free port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--embedded-broker",
            description = "start an in-process KRaft broker for _schemas instead of using --bootstrap; it is gone when the registry stops")
    boolean embeddedBroker;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65_535) {
            spec.commandLine().getErr().println("--port must be 0..65535, got " + port);
            return 2;
        }
        GracefulShutdown shutdown = GracefulShutdown.install(GRACE);
        PrintWriter out = spec.commandLine().getOut();
        EmbeddedKafka kafka = embeddedBroker ? EmbeddedKafka.startQuietly(1) : null;
        try (EmbeddedRegistry registry = start(kafka == null ? bootstrap : kafka.bootstrapServers())) {
            if (registry == null) {
                return 1;
            }
            out.println(registry.url());
            if (kafka != null) {
                out.println(kafka.bootstrapServers());
            }
            out.flush();
            shutdown.await();
            return 0;
        } finally {
            if (kafka != null) {
                kafka.close();
            }
        }
    }

    /** The registry, or null after saying on stderr why it cannot start. */
    private EmbeddedRegistry start(String brokers) {
        try {
            return EmbeddedRegistry.start(brokers, port);
        } catch (IllegalStateException e) {
            spec.commandLine().getErr().println("cannot start the registry on port " + port + " with the broker(s) "
                    + brokers + ": " + e.getMessage());
            return null;
        }
    }
}
