package seq2seq.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: `seq2seq-streams <command>`. */
@Command(name = "seq2seq-streams",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
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
        CommandLine cl = new CommandLine(new Main());
        // UTF-8 whatever the locale says (translations are not ASCII)
        cl.setOut(new java.io.PrintWriter(new java.io.OutputStreamWriter(System.out, java.nio.charset.StandardCharsets.UTF_8), true));
        cl.setErr(new java.io.PrintWriter(new java.io.OutputStreamWriter(System.err, java.nio.charset.StandardCharsets.UTF_8), true));
        for (Object sub : Commands.all()) {
            cl.addSubcommand(sub);
        }
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof seq2seq.app.config.ConfigException) {
                line.getErr().println(e.getMessage());
                return 2;
            }
            throw e;
        });
        return cl;
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.err);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"seq2seq-streams " + (v == null ? "dev" : v)};
        }
    }
}
