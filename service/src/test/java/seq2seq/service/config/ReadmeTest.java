package seq2seq.service.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The README's configuration table is the one the code generates, so the documentation cannot drift from it. */
class ReadmeTest {
    @Test
    void readmeHasTheCurrentConfigurationTable() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        assertTrue(readme.contains(Settings.markdownTable().strip()),
                "README.md's configuration table differs from Settings.markdownTable(): regenerate it");
    }

    @Test
    void readmeStartsWithTheTwoCommands() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int demo = readme.indexOf("java -jar target/seq2seq-streams.jar demo");
        int test = readme.indexOf("mvn -B verify");
        assertTrue(demo > 0 && demo < 1500 && test > demo && test < 1500, "the demo and test commands open the README");
        assertTrue(Files.readString(Path.of(".ci/run")).contains("\nmvn -B verify\n"), ".ci/run runs the README's test command");
    }
}
