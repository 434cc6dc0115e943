package dev.slm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** packaging/systemd/slm.service: the directives the service relies on, and systemd's own verdict. */
class SystemdUnitTest {
    private static final Path UNIT = Path.of("../packaging/systemd/slm.service").toAbsolutePath().normalize();

    @Test
    void unitHasTheHardeningAndLifecycleSettings() throws IOException {
        List<String> lines = Files.readAllLines(UNIT).stream().map(String::strip).toList();
        for (String directive : List.of("Type=notify", "User=slm", "Restart=on-failure", "NoNewPrivileges=yes",
                "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "StateDirectory=slm", "KillMode=mixed",
                "OOMPolicy=continue", "ExecStart=/opt/slm/bin/slm serve --config /etc/slm/slm.conf")) {
            assertTrue(lines.contains(directive), "missing " + directive);
        }
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("MemoryMax=")), "a memory limit");
    }

    /** Issue 14: the unit must read slm.env, agree with it, stop looping on a broken config, and be confined. */
    @Test
    void unitReadsItsEnvironmentStopsOnABrokenConfigAndIsConfined() throws IOException {
        List<String> lines = Files.readAllLines(UNIT).stream().map(String::strip).toList();
        for (String directive : List.of("EnvironmentFile=-/etc/slm/slm.env", "Environment=SLM_HOME=/var/lib/slm",
                "RestartPreventExitStatus=78", "StartLimitBurst=5", "SystemCallFilter=@system-service",
                "PrivateUsers=yes", "PrivateMounts=yes", "RemoveIPC=yes")) {
            assertTrue(lines.contains(directive), "missing " + directive);
        }
        List<String> env = Files.readAllLines(UNIT.resolveSibling("../etc/slm.env").normalize());
        for (String line : lines) {
            if (line.startsWith("Environment=SLM_")) {
                String setting = line.substring("Environment=".length());
                assertTrue(env.contains(setting), "slm.env disagrees with the unit's " + setting);
            }
        }
    }

    @Test
    void systemdAnalyzeSecurityRatesTheUnitAtMost1Point5(@TempDir Path dir) throws Exception {
        assumeTrue(ExternalTool.available("systemd-analyze", "--version"), "systemd-analyze is not installed");
        Path slm = dir.resolve("slm");
        Files.writeString(slm, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(slm, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path unit = dir.resolve("slm.service");
        Files.writeString(unit, Files.readString(UNIT).replace("/opt/slm/bin/slm", slm.toString()));
        ExternalTool security = ExternalTool.run(dir, 60, "systemd-analyze", "security", "--offline=true", unit.toString());
        assumeTrue(security.exitCode() == 0 || security.stdout().contains("Overall exposure level"),
                "this systemd-analyze cannot rate units offline (needs systemd 250+): " + security.tail());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Overall exposure level for slm.service: (\\d+\\.\\d)")
                .matcher(security.stdout());
        assertTrue(m.find(), security.tail());
        assertTrue(Double.parseDouble(m.group(1)) <= 1.5, "exposure " + m.group(1) + " (3.0 before issue 14)");
    }

    @Test
    void systemdAnalyzeVerifiesTheUnit(@TempDir Path dir) throws Exception {
        assumeTrue(ExternalTool.available("systemd-analyze", "--version"),
                "systemd-analyze is not installed (apt-get install systemd): the unit is not verified by systemd here");
        // verify insists that ExecStart exists; stand in for /opt/slm/bin/slm with an executable of the same name.
        Path slm = dir.resolve("slm");
        Files.writeString(slm, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(slm, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path unit = dir.resolve("slm.service");
        Files.writeString(unit, Files.readString(UNIT).replace("/opt/slm/bin/slm", slm.toString()));
        ExternalTool verify = ExternalTool.run(dir, 60, "systemd-analyze", "verify", unit.toString());
        assertEquals(0, verify.exitCode(), verify.tail());
        assertEquals("", verify.stdout() + verify.stderr(), "no warnings");
    }
}
