package seq2seq.app;

import java.util.List;

/** The subcommands; each lives in its own class. */
final class Commands {
    private Commands() {
    }

    static List<Object> all() {
        return List.of(
                new TranslateCommand(),
                new DemoCommand(),
                new RunCommand(),
                new ProduceCommand(),
                new ConsumeCommand(),
                new EvalCommand(),
                new BenchCommand());
    }
}
