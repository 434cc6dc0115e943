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

    private Path truncatedCopy(long length) throws IOException {
        byte[] all = Files.readAllBytes(FixtureModel.path());
        return Files.write(tmp.resolve("cut-" + length + ".gguf"), Arrays.copyOf(all, (int) length));
    }
}
