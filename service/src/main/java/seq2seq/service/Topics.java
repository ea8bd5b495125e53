package seq2seq.service;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.ConfigException;
import seq2seq.service.config.Settings;
import seq2seq.streams.PipelineSettings;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The pipeline's three topics: checked by `run` at start-up and created there when {@code topics.create} is on (or by
 * demo and the tests).
 */
public final class Topics {
    private Topics() {
    }

    /**
     * Makes sure the configuration's three topics exist: creates the missing ones when {@code topics.create} is true,
     * else throws a {@link ConfigException} naming each and the command that creates it.
     *
     * @return the topics created (empty when all were there)
     */
    public static List<String> ensure(AppConfig config) {
        PipelineSettings s = config.pipeline();
        List<String> wanted = List.of(s.requestsTopic(), s.translationsTopic(), s.failuresTopic());
        Properties props = ClientProps.admin(config);
        int partitions = config.getInt(Settings.TOPICS_PARTITIONS);
        int replication = config.getInt(Settings.TOPICS_REPLICATION);
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            List<String> missing = wanted.stream().filter(t -> !existing.contains(t)).toList();
            if (missing.isEmpty()) {
                return List.of();
            }
            if (!config.getBoolean(Settings.TOPICS_CREATE)) {
                StringBuilder m = new StringBuilder("missing topic(s) " + missing + " on " + config.get(Settings.BOOTSTRAP_SERVERS)
                        + ": create them, e.g.");
                for (String t : missing) {
                    m.append("\n  kafka-topics.sh --bootstrap-server ").append(config.get(Settings.BOOTSTRAP_SERVERS))
                            .append(" --create --topic ").append(t).append(" --partitions ").append(partitions)
                            .append(replication > 0 ? " --replication-factor " + replication : "");
                }
                m.append("\nor start with ").append(Settings.TOPICS_CREATE.name()).append("=true (")
                        .append(Settings.TOPICS_CREATE.envVar()).append("=true) to let this instance create them");
                throw new ConfigException(List.of(m.toString()));
            }
            for (String t : missing) {
                NewTopic topic = new NewTopic(t, Optional.of(partitions),
                        replication > 0 ? Optional.of((short) replication) : Optional.empty());
                try {
                    admin.createTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) { // another instance made it first
                        throw new IllegalStateException("cannot create topic " + t + ": " + e.getCause(), e.getCause());
                    }
                }
            }
            return missing;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list the topics on " + config.get(Settings.BOOTSTRAP_SERVERS) + ": "
                    + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the brokers at " + config.get(Settings.BOOTSTRAP_SERVERS)
                    + " did not answer within 60 s (listing topics)", e);
        }
    }

    public static void create(String bootstrapServers, PipelineSettings s, int partitions, short replication) {
        create(bootstrapServers, List.of(s.requestsTopic(), s.translationsTopic(), s.failuresTopic()), partitions, replication);
    }

    /** Creates the named topics; ones that exist already are kept as they are. */
    public static void create(String bootstrapServers, List<String> names, int partitions, short replication) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            for (String name : names) {
                try {
                    admin.createTopics(List.of(new NewTopic(name, partitions, replication))).all().get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("creating topics on " + bootstrapServers + " took over 60 s", e);
        }
    }
}
