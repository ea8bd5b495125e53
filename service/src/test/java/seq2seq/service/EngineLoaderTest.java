package seq2seq.service;

import org.junit.jupiter.api.Test;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.ConfigException;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine options an instance's configuration gives its models. */
class EngineLoaderTest {

    @Test
    void engineCpuArenaReachesTheEngineOffByDefault() {
        assertTrue(EngineLoader.options(AppConfig.of(Map.of()), "fp32").cpuArena());
        assertFalse(EngineLoader.options(AppConfig.of(Map.of("engine.cpu.arena", "false")), "q8").cpuArena());
        ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.of(Map.of("engine.cpu.arena", "sometimes")));
        assertTrue(e.getMessage().contains("engine.cpu.arena"), e.getMessage());
    }
}
