package dev.slm.cli;

import dev.slm.store.ModelStore;
import dev.slm.store.ModelVerification;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Hash stored models again and check them against the hash they were stored under.",
            "A damaged file is deleted (pull it again). Exit code 1 when any model fails."})
final class VerifyCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "NAME", description = "Models to check (default: all).")
    List<String> names;

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() {
        ModelStore models = store.store();
        List<String> targets = names == null || names.isEmpty() ? models.manifestNames() : names;
        if (targets.isEmpty()) {
            System.err.println("no models in " + models.root() + " to verify");
            return ExitCodes.OK;
        }
        ModelVerification verification = new ModelVerification(models);
        boolean allOk = true;
        for (String name : targets) {
            System.err.println("verifying " + name + "...");
            ModelVerification.Result r = verification.verify(name);
            System.out.println((r.ok() ? "ok      " : "FAILED  ") + r.name() + ": " + r.detail());
            allOk &= r.ok();
        }
        return allOk ? ExitCodes.OK : ExitCodes.FAILURE;
    }
}
