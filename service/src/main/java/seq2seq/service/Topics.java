package seq2seq.service;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import seq2seq.streams.PipelineSettings;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Creates the pipeline's three topics (demo and tests; in production they are created by whoever runs Kafka). */
public final class Topics {
    private Topics() {
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
