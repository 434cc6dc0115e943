package dev.slm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "stop", mixinStandardHelpOptions = true,
        description = "Unload a model from the local `slm serve` now (its running requests fail); the next request loads it again.")
final class StopCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "The model, as the server names it (`slm ps`).")
    String model;

    @Mixin
    LocalServerOptions server;

    @Override
    public Integer call() {
        String body = new ObjectMapper().createObjectNode().put("model", model).toString();
        JsonNode answer = server.call("POST", "/admin/stop", body);
        System.out.println(answer.path("unloaded").asBoolean() ? "stopped " + model : model + " was not loaded");
        return ExitCodes.OK;
    }
}
