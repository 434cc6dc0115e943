package dev.slm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slm.store.ByteSize;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "ps", mixinStandardHelpOptions = true,
        description = "List the models the local `slm serve` has loaded: memory, processor, requests, when they unload.")
final class PsCommand implements Callable<Integer> {
    @Mixin
    LocalServerOptions server;

    @Override
    public Integer call() {
        JsonNode answer = server.call("GET", "/admin/ps", null);
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("NAME", "SIZE", "PROCESSOR", "REQUESTS", "UNTIL"));
        for (JsonNode m : answer.path("models")) {
            int gpu = m.path("gpu_layers").asInt();
            long keep = m.path("keep_alive_seconds").asLong();
            long idle = m.path("idle_seconds").asLong();
            int active = m.path("active").asInt();
            String until = keep < 0 ? "forever" : active > 0 ? keep + " s after the last request"
                    : Math.max(0, keep - idle) + " s from now";
            rows.add(List.of(m.path("name").asText(), ByteSize.format(m.path("memory_bytes").asLong()),
                    gpu == 0 ? "CPU" : gpu < 0 ? "GPU" : "CPU/GPU (" + gpu + " layers)",
                    active + " running, " + m.path("queued").asInt() + " waiting", until));
        }
        int[] widths = new int[5];
        rows.forEach(r -> {
            for (int i = 0; i < r.size(); i++) {
                widths[i] = Math.max(widths[i], r.get(i).length());
            }
        });
        for (List<String> r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.size(); i++) {
                line.append(i == r.size() - 1 ? r.get(i) : String.format("%-" + (widths[i] + 3) + "s", r.get(i)));
            }
            System.out.println(line.toString().stripTrailing());
        }
        return ExitCodes.OK;
    }
}
