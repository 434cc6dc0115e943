package dev.slm.download;

import dev.slm.catalog.Catalog;
import dev.slm.store.BlobLock;
import dev.slm.store.DiskSpace;
import dev.slm.store.ModelStore;
import java.nio.file.Path;

/**
 * A second slm process for the tests: {@code pull STORE LOCKFILE NAME} pulls like {@code slm pull};
 * {@code hold-lock LOCKFILE} takes a blob lock and keeps it until killed.
 */
public final class PullProcess {
    private PullProcess() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("hold-lock")) {
            try (BlobLock lock = BlobLock.acquire(Path.of(args[1]), line -> { })) {
                System.out.println("locked");
                System.out.flush();
                Thread.sleep(120_000);
            }
            return;
        }
        ModelStore store = ModelStore.at(Path.of(args[1]));
        var entry = Catalog.read(Path.of(args[2]), false).find(args[3]).orElseThrow();
        try (Downloader downloader = new Downloader(DownloaderTest.fastSettings(), DiskSpace.SYSTEM)) {
            var result = new ModelPuller(store, downloader).pull(entry, ProgressReporter.to(System.out, false));
            System.out.println("pulled downloaded=" + result.downloaded());
        }
    }
}
