package dev.slm.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.fixtures.FixtureModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufReaderTest {
    @TempDir
    Path tmp;

    @Test
    void readsTheFixtureModelsHeader() {
        GgufFile f = GgufReader.read(FixtureModel.path());
        assertEquals(3, f.version());
        assertEquals("llama", f.architecture());
        assertEquals(2048L, f.contextLength().orElseThrow());
        assertEquals(5L, f.blockCount().orElseThrow());
        assertEquals(64L, f.embeddingLength().orElseThrow());
        assertEquals(8L, f.headCount().orElseThrow());
        assertEquals(4L, f.headCountKv().orElseThrow());
        assertEquals(512L, f.vocabularySize().orElseThrow());
        assertEquals(48, f.tensors().size());
        assertEquals("F32", f.quantization());
        assertTrue(f.addsBosToken(), "SentencePiece models get a BOS token");
        assertFalse(f.chatTemplate().isPresent());
        // 260K parameters, all F32: the tensor data is almost the whole file.
        assertTrue(f.parameterCount() > 250_000 && f.parameterCount() < 300_000, "params " + f.parameterCount());
        assertEquals(f.parameterCount() * 4, f.tensorBytes());
        assertTrue(f.dataOffset() + f.tensorBytes() <= FixtureModel.SIZE);
    }

    @Test
    void rejectsAFileThatIsNotGguf() throws IOException {
        Path text = Files.writeString(tmp.resolve("notes.gguf"), "this is plain text, not a model at all");
        GgufException e = assertThrows(GgufException.class, () -> GgufReader.read(text));
        assertTrue(e.getMessage().contains("is not a GGUF model"), e.getMessage());
    }

    @Test
    void rejectsAnEmptyFile() throws IOException {
        Path empty = Files.createFile(tmp.resolve("empty.gguf"));
        GgufException e = assertThrows(GgufException.class, () -> GgufReader.read(empty));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void rejectsAFileCutInItsTensorData() throws IOException {
        Path cut = truncatedCopy(FixtureModel.SIZE - 1000);
        GgufException e = assertThrows(GgufException.class, () -> GgufReader.read(cut));
        assertTrue(e.getMessage().contains("is truncated"), e.getMessage());
        assertTrue(e.getMessage().contains(String.valueOf(FixtureModel.SIZE - 1000)), e.getMessage());
    }

    @Test
    void rejectsAFileCutInItsHeader() throws IOException {
        Path cut = truncatedCopy(3000);
        GgufException e = assertThrows(GgufException.class, () -> GgufReader.read(cut));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void rejectsImplausibleCountsWithoutAllocatingThem() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put("GGUF".getBytes()).putInt(3).putLong(Long.MAX_VALUE / 2).putLong(1);
        Path bogus = Files.write(tmp.resolve("bogus.gguf"), b.array());
        GgufException e = assertThrows(GgufException.class, () -> GgufReader.read(bogus));
        assertTrue(e.getMessage().contains("is truncated or corrupt"), e.getMessage());
    }

    @Test
    void rejectsUnsupportedVersions() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put("GGUF".getBytes()).putInt(99);
        Path future = Files.write(tmp.resolve("future.gguf"), b.array());
        GgufException e = assertThrows(GgufException.class, () -> GgufReader.read(future));
        assertTrue(e.getMessage().contains("unsupported GGUF version 99"), e.getMessage());
    }

    @Test
    void namesMissingFilesAndDirectories() {
        GgufException missing = assertThrows(GgufException.class, () -> GgufReader.read(tmp.resolve("nope.gguf")));
        assertTrue(missing.getMessage().startsWith("model file not found"), missing.getMessage());
        GgufException dir = assertThrows(GgufException.class, () -> GgufReader.read(tmp));
        assertTrue(dir.getMessage().contains("is a directory"), dir.getMessage());
    }

    /** llama.cpp aborts the process (exit 134) on these values; the header check names the key instead. */
    @Test
    void rejectsHyperParametersThatCrashLlamaCpp() throws IOException {
        Path noLayers = patched("llama.block_count", b -> b.putInt(0));
        assertOneLine(noLayers, "llama.block_count is 0");
        for (float eps : new float[] {Float.NaN, -1e-5f, Float.POSITIVE_INFINITY}) {
            Path bad = patched("llama.attention.layer_norm_rms_epsilon", b -> b.putFloat(eps));
            assertOneLine(bad, "llama.attention.layer_norm_rms_epsilon is " + eps);
        }
    }

    @Test
    void rejectsTensorShapesWhoseSizeOverflows() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        b.put("GGUF".getBytes()).putInt(3).putLong(1).putLong(0);
        b.putLong(1).put((byte) 'w').putInt(4);
        for (int d = 0; d < 4; d++) {
            b.putLong(1L << 40);
        }
        b.putInt(0).putLong(0); // F32, offset 0
        Path huge = Files.write(tmp.resolve("huge.gguf"), b.array());
        assertOneLine(huge, "whose product overflows");
    }

    @Test
    void rejectsAFifoWithoutOpeningIt() throws Exception {
        Path fifo = tmp.resolve("model.gguf");
        org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo");
        GgufException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5),
                () -> assertThrows(GgufException.class, () -> GgufReader.read(fifo)));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    private static void assertOneLine(Path file, String expected) {
        GgufException e = assertThrows(GgufException.class, () -> GgufReader.read(file));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    /** A copy of the fixture with the value of metadata {@code key} overwritten by {@code write}. */
    private Path patched(String key, java.util.function.Consumer<ByteBuffer> write) throws IOException {
        byte[] all = Files.readAllBytes(FixtureModel.path());
        byte[] name = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int at = indexOf(all, name);
        assertTrue(at > 0, key + " is in the fixture");
        write.accept(ByteBuffer.wrap(all, at + name.length + 4, 8).order(ByteOrder.LITTLE_ENDIAN));
        return Files.write(tmp.resolve("patched-" + key + "-" + System.nanoTime() + ".gguf"), all);
    }

    private static int indexOf(byte[] all, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= all.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (all[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private Path truncatedCopy(long length) throws IOException {
        byte[] all = Files.readAllBytes(FixtureModel.path());
        return Files.write(tmp.resolve("cut-" + length + ".gguf"), Arrays.copyOf(all, (int) length));
    }
}
