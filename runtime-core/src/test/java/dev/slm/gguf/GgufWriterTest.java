package dev.slm.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufWriterTest {
    @TempDir
    Path tmp;

    @Test
    void whatIsWrittenReadsBackThroughGgufReader() throws IOException {
        Path file = tmp.resolve("m.gguf");
        byte[] q8 = new byte[2 * 34];
        q8[0] = 0x3c; // an f16 scale byte; content is opaque to the reader
        new GgufWriter()
                .putString("general.architecture", "llama")
                .putU32("llama.block_count", 3)
                .putI32("some.signed", -7)
                .putF32("llama.rope.freq_base", 10000f)
                .putBool("tokenizer.ggml.add_bos_token", false)
                .putStrings("tokenizer.ggml.tokens", List.of("<unk>", "a", "\u2581b"))
                .putF32s("tokenizer.ggml.scores", new float[] {0f, -1f, -2f})
                .putI32s("tokenizer.ggml.token_type", new int[] {2, 1, 1})
                .addTensor("norm.weight", GgmlType.F32, new long[] {5}, out -> out.write(new byte[20]))
                .addTensor("w.weight", GgmlType.Q8_0, new long[] {32, 2}, out -> out.write(q8))
                .write(file);
        GgufFile f = GgufReader.read(file);
        assertEquals(3, f.version());
        assertEquals("llama", f.architecture());
        assertEquals(3L, f.blockCount().orElseThrow());
        assertEquals(-7L, f.integer("some.signed").orElseThrow());
        assertEquals(10000f, (Float) f.metadata().get("llama.rope.freq_base"));
        assertFalse(f.addsBosToken());
        assertEquals(3L, f.vocabularySize().orElseThrow());
        GgufArray tokens = (GgufArray) f.metadata().get("tokenizer.ggml.tokens");
        assertEquals(List.of("<unk>", "a", "\u2581b"), tokens.values());
        assertEquals(List.of(0f, -1f, -2f), ((GgufArray) f.metadata().get("tokenizer.ggml.scores")).values());
        assertEquals(List.of(2L, 1L, 1L), ((GgufArray) f.metadata().get("tokenizer.ggml.token_type")).values());

        assertEquals(2, f.tensors().size());
        GgufTensor norm = f.tensors().get(0);
        GgufTensor w = f.tensors().get(1);
        assertEquals("norm.weight", norm.name());
        assertEquals(GgmlType.F32, norm.type());
        assertEquals(0, norm.offset());
        assertArrayEquals(new long[] {32, 2}, w.shape());
        assertEquals(GgmlType.Q8_0, w.type());
        assertEquals(32, w.offset(), "each tensor starts aligned to 32 bytes");
        assertEquals(0, f.dataOffset() % GgufWriter.ALIGNMENT);
        assertEquals(f.dataOffset() + 32 + 68 + 28, f.fileSize(), "data padded to the alignment");

        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x3c, data.get((int) (f.dataOffset() + w.offset())), "tensor bytes land at their offset");
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void aTensorWritingTheWrongNumberOfBytesLeavesNoFile() {
        Path file = tmp.resolve("bad.gguf");
        GgufWriter w = new GgufWriter().putString("general.architecture", "llama")
                .addTensor("t", GgmlType.F32, new long[] {4}, out -> out.write(new byte[15]));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.write(file));
        assertTrue(e.getMessage().contains("wrote 15 bytes, not 16"), e.getMessage());
        assertFalse(Files.exists(file));
        assertEquals(0, IntStream.of(tmp.toFile().list().length).sum(), "the temp file is removed");
    }

    @Test
    void rowsMustBeWholeBlocksAndNamesUnique() {
        GgufWriter w = new GgufWriter();
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("q", GgmlType.Q4_0, new long[] {31, 2}, out -> { }));
        w.putU32("k", 1);
        assertThrows(IllegalArgumentException.class, () -> w.putU32("k", 2));
        assertThrows(IllegalArgumentException.class, () -> w.putU32("big", 1L << 32));
    }
}
