package seq2seq.service;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;

/** Entry point of the service jar: `run`, what operators deploy. The tools jar has every other command. */
@Command(name = "seq2seq-streams-service",
        mixinStandardHelpOptions = true,
        versionProvider = Cli.Version.class,
        description = "Real-time sequence-to-sequence inference (translation) on Kafka Streams: the service.",
        subcommands = {CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:runtime failure", "2:bad arguments or configuration"})
public final class ServiceMain implements Runnable {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return Cli.of(new ServiceMain(), List.of(new RunCommand(), new seq2seq.service.rollout.ModelsCommand()));
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.err);
    }
}
