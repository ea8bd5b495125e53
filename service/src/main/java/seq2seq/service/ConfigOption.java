package seq2seq.service;

import picocli.CommandLine.Option;
import seq2seq.service.config.AppConfig;

import java.nio.file.Path;

/** The {@code --config FILE} option shared by the commands that talk to Kafka; the environment overrides the file. */
public final class ConfigOption {
    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file (see the README's configuration table); S2S_* environment variables override it.")
    Path file;

    public AppConfig load() {
        return AppConfig.load(file, System.getenv());
    }
}
