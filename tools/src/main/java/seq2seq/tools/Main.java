package seq2seq.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import seq2seq.service.Cli;
import seq2seq.service.RunCommand;

import java.util.List;

/** Entry point of the tools jar: `seq2seq-streams <command>`, every command including the service's `run`. */
@Command(name = "seq2seq-streams",
        mixinStandardHelpOptions = true,
        versionProvider = Cli.Version.class,
        description = "Real-time sequence-to-sequence inference (translation) on Kafka Streams.",
        subcommands = {CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:runtime failure", "2:bad arguments or configuration"})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with every subcommand registered; tests drive it in-process. */
    public static CommandLine commandLine() {
        return Cli.of(new Main(), List.of(
                new TranslateCommand(),
                new DemoCommand(),
                new RunCommand(),
                new seq2seq.service.rollout.ModelsCommand(),
                new ProduceCommand(),
                new ConsumeCommand(),
                new EvalCommand(),
                new BenchCommand(),
                new RegistryCommand()));
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.err);
    }
}
