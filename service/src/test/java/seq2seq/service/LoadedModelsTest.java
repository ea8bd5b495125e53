package seq2seq.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import seq2seq.generation.ModelInfo;
import seq2seq.generation.TranslationTask;
import seq2seq.model.BundleException;
import seq2seq.service.config.AppConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The models of one instance, loaded at once on the shared workers (testdata/models/tiny under two names). */
@Timeout(120)
class LoadedModelsTest {
    private static final String TINY = "testdata/models/tiny";

    @TempDir
    Path dir;

    @Test
    void everyConfiguredModelLoadsUnderItsNameInNameOrder() {
        AppConfig c = AppConfig.of(Map.of("models.b.dir", TINY, "models.a.dir", TINY, "models.default", "b",
                "batch.workers", "2"));
        try (LoadedModels models = LoadedModels.load(c)) {
            assertEquals(List.of("a", "b"), models.infos().stream().map(ModelInfo::name).toList());
            assertEquals(2, models.engines().size());
            for (var t : models.translators()) {
                assertFalse(t.translate(List.of(TranslationTask.of("Hello."))).get(0).failed(), t.modelInfo().name());
            }
        }
    }

    @Test
    void aModelThatFailsToLoadFailsTheLoadNamingItsFolder() throws Exception {
        Path broken = Files.createDirectory(dir.resolve("broken"));
        Files.writeString(broken.resolve("config.json"), "{");
        AppConfig c = AppConfig.of(Map.of("models.good.dir", TINY, "models.broken.dir", broken.toString(),
                "models.default", "good", "batch.workers", "2"));
        BundleException e = assertThrows(BundleException.class, () -> LoadedModels.load(c));
        assertTrue(e.getMessage().contains(broken.toString()), e.getMessage());
    }
}
