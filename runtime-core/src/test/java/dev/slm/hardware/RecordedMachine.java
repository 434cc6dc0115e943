package dev.slm.hardware;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** A machine recorded under src/test/resources/machines/NAME (see README.md there), replayed by {@link MachineRecording}. */
public final class RecordedMachine {
    private RecordedMachine() {
    }

    public static MachineFactsSource source(String name) {
        return MachineRecording.source(directory(name));
    }

    public static MachineFacts facts(String name) {
        return MachineDetector.detect(source(name));
    }

    public static Path directory(String name) {
        URL url = RecordedMachine.class.getResource("/machines/" + name + "/machine.properties");
        if (url == null) {
            throw new IllegalArgumentException("no recorded machine " + name);
        }
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
