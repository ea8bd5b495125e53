package seq2seq.service;

import picocli.CommandLine;
import seq2seq.service.config.ConfigException;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** What every entry point's command line shares: UTF-8 output, exit code 2 for bad configuration, the version. */
public final class Cli {
    private Cli() {
    }

    /** The command line of {@code root} with {@code subcommands} registered; tests drive it in-process. */
    public static CommandLine of(Object root, List<Object> subcommands) {
        CommandLine cl = new CommandLine(root);
        // UTF-8 whatever the locale says (translations are not ASCII)
        cl.setOut(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
        for (Object sub : subcommands) {
            cl.addSubcommand(sub);
        }
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof ConfigException) {
                line.getErr().println(e.getMessage());
                return 2;
            }
            throw e;
        });
        return cl;
    }

    /** The release version from the jar's manifest ("dev" when run from classes, as in the tests). */
    public static String version() {
        String v = Cli.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** `--version` of every entry point. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"seq2seq-streams " + version()};
        }
    }
}
