package seq2seq.service;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import seq2seq.service.config.AppConfig;

import java.util.Map;
import java.util.Properties;
import java.util.Set;

/** Plain producer and consumer properties from the application's configuration (brokers, security, ...). */
public final class ClientProps {
    private ClientProps() {
    }

    public static Properties producer(AppConfig config) {
        return pick(config, ProducerConfig.configNames(), "producer.");
    }

    public static Properties consumer(AppConfig config) {
        return pick(config, ConsumerConfig.configNames(), "consumer.");
    }

    public static Properties admin(AppConfig config) {
        return pick(config, org.apache.kafka.clients.admin.AdminClientConfig.configNames(), "admin.");
    }

    /** the Streams settings a client of this kind understands, then its own prefixed ones */
    private static Properties pick(AppConfig config, Set<String> names, String prefix) {
        Properties p = new Properties();
        Map<String, Object> all = config.kafkaStreams();
        all.forEach((k, v) -> {
            if (names.contains(k) && !k.startsWith("transaction")) {
                p.put(k, v);
            }
        });
        all.forEach((k, v) -> {
            if (k.startsWith(prefix) && names.contains(k.substring(prefix.length()))) {
                p.put(k.substring(prefix.length()), v);
            }
        });
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        return p;
    }
}
