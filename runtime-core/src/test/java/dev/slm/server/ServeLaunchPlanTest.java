package dev.slm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.engine.ModelOptions;
import dev.slm.fixtures.FixtureModel;
import dev.slm.gguf.GgmlType;
import dev.slm.gguf.GgufFile;
import dev.slm.gguf.GgufReader;
import dev.slm.hardware.RecordedMachine;
import dev.slm.profile.LaunchPlanner;
import dev.slm.profile.LaunchRequest;
import dev.slm.profile.ProfileCatalog;
import dev.slm.server.config.ConfigException;
import dev.slm.server.config.ConfigFile;
import dev.slm.server.config.ServerConfigBinder;
import dev.slm.server.local.LocalModels;
import java.util.HashMap;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * One launch path: `slm serve` opens a model with the same options as `slm run` on the same machine:
 * the hardware profile's threads, batch, flash attention, KV cache and GPU layers, and the same
 * context, planned by the same LaunchPlanner. (It used to take every logical processor, no flash
 * attention and no GPU unless gpu_layers was typed.)
 */
class ServeLaunchPlanTest {
    private static final GgufFile FIXTURE = GgufReader.read(FixtureModel.path());

    private static LaunchPlanner planner(String machine) {
        return new LaunchPlanner(RecordedMachine.facts(machine), ProfileCatalog.of(ProfileCatalog.packaged()), new HashMap<String, String>()::get);
    }

    private static ModelOptions served(LaunchPlanner planner, String modelKeys) {
        var config = ServerConfigBinder.bind(ConfigFile.parse("memory_budget = 64GiB\n[model.m]\npath = " + FixtureModel.path()
                + "\n" + modelKeys, "test.conf"));
        return LocalModels.plan(config, planner).getFirst().options();
    }

    /** What `slm run MODEL` asks for without flags (ModelOptionsMixin.request()), planned on that machine. */
    private static ModelOptions run(LaunchPlanner planner, LaunchRequest flags) {
        return planner.plan(FIXTURE, flags, ModelOptions.defaults()).options();
    }

    @ParameterizedTest
    @ValueSource(strings = {"nvidia-rtx4090", "jetson-orin-nano", "pi5", "container-cgroup2", "rk3588-service", "x86-vm"})
    void serveOpensTheModelAsRunDoes(String machine) {
        LaunchPlanner planner = planner(machine);
        assertEquals(run(planner, LaunchRequest.automatic()), served(planner, ""), machine);
    }

    @Test
    void theConfigsKeysAreRunsFlags() {
        LaunchPlanner planner = planner("nvidia-rtx4090");
        LaunchRequest flags = new LaunchRequest(Optional.of("cpu-x86_64"), 1024, 3, OptionalInt.of(128), OptionalInt.of(0),
                Optional.of(true), Optional.of(GgmlType.Q8_0));
        ModelOptions served = served(planner, "profile = cpu-x86_64\ncontext = 1024\nthreads = 3\nbatch = 128\ngpu_layers = 0\n"
                + "flash_attention = true\nkv_cache_type = q8_0\n");
        assertEquals(run(planner, flags), served);
        assertEquals(GgmlType.Q8_0, served.kvCacheType());
        assertTrue(served.flashAttention());
        assertEquals(3, served.threads());
    }

    @Test
    void aContainersQuotaAndAPisCoresDecideTheThreadsNotTheJvmsProcessorCount() {
        assertEquals(2, served(planner("container-cgroup2"), "").threads(), "cpu.max allows 1.5 CPUs");
        assertEquals(4, served(planner("rk3588-service"), "").threads(), "the four Cortex-A76, not the A55s");
        assertEquals(256, served(planner("pi5"), "").batchSize(), "the Pi profile's batch");
    }

    @Test
    void aBadKvCacheTypeIsAConfigError() {
        ConfigException e = assertThrows(ConfigException.class, () -> served(planner("x86-vm"), "kv_cache_type = q9\n"));
        assertTrue(e.getMessage().contains("kv_cache_type"), e.getMessage());
    }
}
