package seq2seq.service.rollout;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import seq2seq.avro.ModelDeployment;
import seq2seq.service.ConfigOption;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * `models`: rolls model versions out through the control topic that every instance follows. Each command writes the
 * model's whole wanted state (so the latest record is enough), reading the previous one for what it keeps.
 */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"Deploys, promotes, rolls back and lists model versions on every instance, through the control"
                + " topic (models.control.topic) the instances follow.",
                "A folder must be readable at the same path on every instance (a shared volume or an image)."},
        subcommands = {ModelsCommand.Deploy.class, ModelsCommand.Promote.class, ModelsCommand.Rollback.class,
                ModelsCommand.ListModels.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:written (or listed)", "1:the brokers or the topic failed", "2:bad arguments, or nothing to promote or roll back"})
public final class ModelsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    /** The control topic of the configuration, created if missing (writing needs it). */
    static ControlTopic topic(ConfigOption config) {
        ControlTopic t = ControlTopic.of(config.load()).orElseThrow(() -> new IllegalArgumentException(
                "models.control.topic is empty: rollout through Kafka is off in this configuration"));
        t.create();
        return t;
    }

    static String requestedBy() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "unknown-host";
        }
        return System.getProperty("user.name", "unknown") + "@" + host;
    }

    /** The folder a new stable version replaces: the latest record's stable folder (null: the configured one). */
    static String stableDir(ModelDeployment latest) {
        if (latest == null) {
            return null;
        }
        return latest.getCanaryPercent() >= 100 && !latest.getShadow() ? latest.getDir() : latest.getPreviousDir();
    }

    static String describe(ModelDeployment d) {
        String dir = d.getDir() == null ? "(configured folder)" : d.getDir();
        String prev = d.getPreviousDir() == null ? "(configured folder)" : d.getPreviousDir();
        if (d.getShadow()) {
            return "stable " + prev + ", shadow " + dir;
        }
        if (d.getCanaryPercent() < 100) {
            return "stable " + prev + ", canary " + d.getCanaryPercent() + " % " + dir;
        }
        return "stable " + dir + (d.getPreviousDir() == null ? "" : " (rollback to " + prev + ")");
    }

    private static ModelDeployment.Builder record(String name) {
        return ModelDeployment.newBuilder().setName(name).setRequestedAt(Instant.now()).setRequestedBy(requestedBy());
    }

    @Command(name = "deploy", mixinStandardHelpOptions = true,
            description = {"Serves NAME from DIR on every instance: all requests at once, or a canary share, or in the shadow.",
                    "The version serving now stays as the one to roll back to (and serves the rest of a canary)."})
    static final class Deploy implements java.util.concurrent.Callable<Integer> {
        @Mixin
        ConfigOption config;
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "NAME", description = "The served model's name.")
        String name;
        @Parameters(index = "1", paramLabel = "DIR", description = "The new version's bundle folder, at this path on every instance.")
        Path dir;
        @Option(names = "--canary", paramLabel = "P", description = "Send P %% of requests (by key hash) to the new version. Default: 100.")
        int canary = 100;
        @Option(names = "--shadow", description = "Run the new version on a copy of the traffic; publish agreement, emit nothing of it.")
        boolean shadow;
        @Option(names = "--version", paramLabel = "HASH", description = "Refuse the bundle unless its content hash is HASH.")
        String version;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            if (canary < 0 || canary > 100) {
                spec.commandLine().getErr().println("--canary must be 0..100, got " + canary);
                return 2;
            }
            if (!Files.isDirectory(dir)) {
                spec.commandLine().getErr().println("warning: " + dir + " is not a folder here; the instances must see it");
            }
            ControlTopic topic = topic(config);
            ModelDeployment latest = topic.readAll().get(name);
            ModelDeployment d = record(name).setDir(dir.toAbsolutePath().normalize().toString()).setVersion(version)
                    .setCanaryPercent(shadow ? 0 : canary).setShadow(shadow).setPreviousDir(stableDir(latest)).build();
            topic.write(d);
            out.println("deployed " + name + ": " + describe(d));
            return 0;
        }
    }

    /** What promote and rollback share: read NAME's latest deployment and write the one that follows from it. */
    abstract static class FollowUp implements java.util.concurrent.Callable<Integer> {
        @Mixin
        ConfigOption config;
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        /** the deployment to write after {@code latest} (null when there is none), or null when there is nothing to do */
        abstract ModelDeployment next(ModelDeployment latest);

        /** why there is nothing to do, after "model NAME " */
        abstract String refusal();

        /** what was done, before " NAME: " */
        abstract String done();

        @Override
        public Integer call() {
            ControlTopic topic = topic(config);
            ModelDeployment d = next(topic.readAll().get(name));
            if (d == null) {
                spec.commandLine().getErr().println("model " + name + " " + refusal());
                return 2;
            }
            topic.write(d);
            spec.commandLine().getOut().println(done() + " " + name + ": " + describe(d));
            return 0;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "Makes NAME's canary or shadow version take every request; the old one stays to roll back to.")
    static final class Promote extends FollowUp {
        @Override
        ModelDeployment next(ModelDeployment latest) {
            if (latest == null || (latest.getCanaryPercent() >= 100 && !latest.getShadow())) {
                return null;
            }
            return record(name).setDir(latest.getDir()).setVersion(latest.getVersion()).setCanaryPercent(100)
                    .setShadow(false).setPreviousDir(latest.getPreviousDir()).build();
        }

        @Override
        String refusal() {
            return "has no canary or shadow version to promote";
        }

        @Override
        String done() {
            return "promoted";
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Returns NAME to the version it served before the latest deploy (the configured folder if none).")
    static final class Rollback extends FollowUp {
        @Override
        ModelDeployment next(ModelDeployment latest) {
            if (latest == null) {
                return null;
            }
            return record(name).setDir(latest.getPreviousDir()).setCanaryPercent(100).setShadow(false)
                    .setPreviousDir(null).build();
        }

        @Override
        String refusal() {
            return "has no deployment to roll back";
        }

        @Override
        String done() {
            return "rolled back";
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"Prints each model's latest deployment from the control topic, and with --ops what each instance serves."})
    static final class ListModels implements java.util.concurrent.Callable<Integer> {
        @Mixin
        ConfigOption config;
        @Spec
        CommandSpec spec;
        @Option(names = "--ops", split = ",", paramLabel = "URL",
                description = "Operations endpoints of the instances (http://host:port), comma-separated: prints their /models.")
        List<URI> ops = List.of();

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            ControlTopic topic = ControlTopic.of(config.load()).orElseThrow(() -> new IllegalArgumentException(
                    "models.control.topic is empty: rollout through Kafka is off in this configuration"));
            Map<String, ModelDeployment> all = topic.exists() ? topic.readAll() : Map.of();
            out.println("control topic " + topic.name() + ": " + all.size() + " model deployment(s)");
            all.forEach((n, d) -> out.println("  " + n + ": " + describe(d) + "  (requested " + d.getRequestedAt()
                    + (d.getRequestedBy() == null ? "" : " by " + d.getRequestedBy()) + ")"));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            int failed = 0;
            for (URI base : ops) {
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/models"))
                            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                    out.println(base + ": " + r.body().strip());
                } catch (java.io.IOException e) {
                    out.println(base + ": unreachable (" + e.getMessage() + ")");
                    failed++;
                }
            }
            return failed == 0 ? 0 : 1;
        }
    }
}
