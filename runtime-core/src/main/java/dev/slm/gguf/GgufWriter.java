package dev.slm.gguf;

import dev.slm.SlmException;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a GGUF version 3 file: metadata, tensor table, tensor data, the layout {@link GgufReader}
 * reads and llama.cpp loads. Tensor data is streamed by the caller (a model of a gigabyte is never
 * held in memory), and the file appears under its name only once complete (temp file + rename).
 */
public final class GgufWriter {
    /** llama.cpp's default, used when general.alignment is absent. */
    public static final int ALIGNMENT = 32;

    private static final int U32 = 4;
    private static final int I32 = 5;
    private static final int F32 = 6;
    private static final int BOOL = 7;
    private static final int STRING = 8;
    private static final int ARRAY = 9;

    /** Writes the bytes of one tensor; exactly {@link GgmlType#bytesFor} of its element count. */
    @FunctionalInterface
    public interface TensorData {
        void writeTo(OutputStream out) throws IOException;
    }

    private record Value(int type, Object value) {
    }

    private record Tensor(String name, GgmlType type, long[] shape, TensorData data) {
        long bytes() {
            return type.bytesFor(Arrays.stream(shape).reduce(1, Math::multiplyExact));
        }
    }

    private final Map<String, Value> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();

    public GgufWriter putString(String key, String value) {
        return put(key, STRING, value);
    }

    public GgufWriter putU32(String key, long value) {
        if (value < 0 || value > 0xffffffffL) {
            throw new IllegalArgumentException(key + ": " + value + " does not fit in a u32");
        }
        return put(key, U32, value);
    }

    public GgufWriter putI32(String key, int value) {
        return put(key, I32, value);
    }

    public GgufWriter putF32(String key, float value) {
        return put(key, F32, value);
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, BOOL, value);
    }

    public GgufWriter putStrings(String key, List<String> values) {
        return put(key, ARRAY, new Object[] {STRING, List.copyOf(values)});
    }

    public GgufWriter putF32s(String key, float[] values) {
        return put(key, ARRAY, new Object[] {F32, values.clone()});
    }

    public GgufWriter putI32s(String key, int[] values) {
        return put(key, ARRAY, new Object[] {I32, values.clone()});
    }

    private GgufWriter put(String key, int type, Object value) {
        if (metadata.putIfAbsent(key, new Value(type, value)) != null) {
            throw new IllegalArgumentException("metadata key " + key + " given twice");
        }
        return this;
    }

    /** Adds a tensor; {@code shape} is in GGUF order (the fastest-varying dimension first). */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, TensorData data) {
        if (shape.length < 1 || shape.length > 4) {
            throw new IllegalArgumentException("tensor " + name + " has " + shape.length + " dimensions (1 to 4 allowed)");
        }
        if (shape[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor " + name + ": a row of " + shape[0] + " is not a whole number of "
                    + type + " blocks (" + type.blockSize() + ")");
        }
        if (tensors.stream().anyMatch(t -> t.name.equals(name))) {
            throw new IllegalArgumentException("tensor " + name + " given twice");
        }
        tensors.add(new Tensor(name, type, shape.clone(), data));
        return this;
    }

    /** Writes the file; on failure nothing is left under {@code target}. */
    public void write(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName() + "-", ".part");
            try (CountingStream out = new CountingStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20))) {
                writeTo(out);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new SlmException("cannot write " + target + ": " + e.getMessage());
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the temp file is hidden and named as such; nothing more can be done
                }
            }
        }
    }

    private void writeTo(CountingStream out) throws IOException {
        out.write(bytes(4).put("GGUF".getBytes(StandardCharsets.US_ASCII)).array());
        out.write(bytes(4).putInt(3).array());
        out.write(bytes(8).putLong(tensors.size()).array());
        out.write(bytes(8).putLong(metadata.size()).array());
        for (Map.Entry<String, Value> e : metadata.entrySet()) {
            writeString(out, e.getKey());
            out.write(bytes(4).putInt(e.getValue().type()).array());
            writeValue(out, e.getValue().type(), e.getValue().value());
        }
        long offset = 0;
        for (Tensor t : tensors) {
            writeString(out, t.name);
            out.write(bytes(4).putInt(t.shape.length).array());
            ByteBuffer dims = bytes(8 * t.shape.length);
            for (long d : t.shape) {
                dims.putLong(d);
            }
            out.write(dims.array());
            out.write(bytes(4).putInt(t.type.id()).array());
            out.write(bytes(8).putLong(offset).array());
            offset = align(offset + t.bytes());
        }
        pad(out);
        for (Tensor t : tensors) {
            long start = out.count;
            t.data.writeTo(out);
            if (out.count - start != t.bytes()) {
                throw new IllegalStateException("tensor " + t.name + " wrote " + (out.count - start) + " bytes, not "
                        + t.bytes());
            }
            pad(out);
        }
    }

    @SuppressWarnings("unchecked")
    private static void writeValue(OutputStream out, int type, Object value) throws IOException {
        switch (type) {
            case U32 -> out.write(bytes(4).putInt((int) (long) (Long) value).array());
            case I32 -> out.write(bytes(4).putInt((Integer) value).array());
            case F32 -> out.write(bytes(4).putFloat((Float) value).array());
            case BOOL -> out.write((Boolean) value ? 1 : 0);
            case STRING -> writeString(out, (String) value);
            case ARRAY -> {
                Object[] typed = (Object[]) value;
                int elementType = (Integer) typed[0];
                out.write(bytes(4).putInt(elementType).array());
                switch (elementType) {
                    case STRING -> {
                        List<String> strings = (List<String>) typed[1];
                        out.write(bytes(8).putLong(strings.size()).array());
                        for (String s : strings) {
                            writeString(out, s);
                        }
                    }
                    case F32 -> {
                        float[] floats = (float[]) typed[1];
                        ByteBuffer b = bytes(8 + 4 * floats.length).putLong(floats.length);
                        for (float f : floats) {
                            b.putFloat(f);
                        }
                        out.write(b.array());
                    }
                    case I32 -> {
                        int[] ints = (int[]) typed[1];
                        ByteBuffer b = bytes(8 + 4 * ints.length).putLong(ints.length);
                        for (int i : ints) {
                            b.putInt(i);
                        }
                        out.write(b.array());
                    }
                    default -> throw new IllegalStateException("array of type " + elementType);
                }
            }
            default -> throw new IllegalStateException("value type " + type);
        }
    }

    private static void writeString(OutputStream out, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.write(bytes(8).putLong(utf8.length).array());
        out.write(utf8);
    }

    private static void pad(CountingStream out) throws IOException {
        out.write(new byte[(int) (align(out.count) - out.count)]);
    }

    private static long align(long n) {
        return Math.ceilDiv(n, ALIGNMENT) * ALIGNMENT;
    }

    private static ByteBuffer bytes(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Knows how far into the file it is, for alignment padding and tensor size checks. */
    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
