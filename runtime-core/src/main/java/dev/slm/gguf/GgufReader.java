package dev.slm.gguf;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the header of a GGUF file (magic, version, metadata, tensor table) in pure Java.
 * It never trusts a length it reads: every count is checked against what the file can hold, so a
 * corrupt or truncated file gives a one-line {@link GgufException} instead of a native crash or an
 * out-of-memory error later in llama.cpp.
 */
public final class GgufReader {
    private static final int MAGIC = 0x46554747; // "GGUF" read little-endian
    private static final int MAX_STRING = 64 << 20;
    private static final int MAX_DIMS = 4;

    private final InputStream in;
    private final Path path;
    private final long fileSize;
    private long position;

    private GgufReader(InputStream in, Path path, long fileSize) {
        this.in = in;
        this.path = path;
        this.fileSize = fileSize;
    }

    /** Reads and validates the header of the GGUF file at {@code path}. */
    public static GgufFile read(Path path) {
        if (Files.isDirectory(path)) {
            throw new GgufException(path + " is a directory, not a model file: pass the .gguf file inside it");
        }
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            // Opening a FIFO blocks until someone writes to it, and a device never ends: never open them.
            throw new GgufException(path + " is not a regular file (a FIFO, device or socket): pass a .gguf file");
        }
        long size;
        try (InputStream raw = Files.newInputStream(path)) {
            size = Files.size(path);
            return new GgufReader(new BufferedInputStream(raw, 1 << 16), path, size).readFile();
        } catch (NoSuchFileException e) {
            throw new GgufException("model file not found: " + path + " (check the path, or pull the model first)");
        } catch (AccessDeniedException e) {
            throw new GgufException("cannot read " + path + ": permission denied (check the file's permissions)");
        } catch (IOException e) {
            throw new GgufException("cannot read " + path + ": " + e.getMessage());
        }
    }

    private GgufFile readFile() throws IOException {
        if (fileSize < 24) {
            throw notGguf(fileSize == 0 ? "the file is empty" : "the file is only " + fileSize + " bytes");
        }
        int magic = readInt();
        if (magic != MAGIC) {
            throw notGguf("it does not start with the GGUF magic bytes");
        }
        int version = readInt();
        if (version < 2 || version > 3) {
            throw new GgufException(path + ": unsupported GGUF version " + version
                    + " (slm reads versions 2 and 3; re-convert the model with a current llama.cpp)");
        }
        long tensorCount = readCount("tensor count", 8);
        long kvCount = readCount("metadata count", 12);
        Map<String, Object> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = readString();
            int type = readInt();
            metadata.put(key, readValue(type, key));
        }
        List<GgufTensor> tensors = new ArrayList<>((int) tensorCount);
        for (long i = 0; i < tensorCount; i++) {
            tensors.add(readTensor());
        }
        long alignment = metadata.get("general.alignment") instanceof Number n ? n.longValue() : 32;
        if (alignment <= 0 || Long.bitCount(alignment) != 1) {
            throw corrupt("general.alignment is " + alignment + ", not a power of two");
        }
        long dataOffset = Math.ceilDiv(position, alignment) * alignment;
        long needed = dataOffset;
        for (GgufTensor t : tensors) {
            try {
                needed = Math.max(needed, Math.addExact(Math.addExact(dataOffset, t.offset()), t.byteSize()));
            } catch (ArithmeticException e) {
                throw corrupt("tensor " + t.name() + " ends past any possible file size");
            }
        }
        HyperParameters.check(metadata, this::corrupt);
        if (needed > fileSize) {
            throw new GgufException(path + " is truncated: its tensors need " + needed + " bytes but the file has "
                    + fileSize + " (download it again; `slm verify` checks pulled models)");
        }
        return new GgufFile(path, fileSize, version, Collections.unmodifiableMap(metadata),
                List.copyOf(tensors), dataOffset);
    }

    private GgufTensor readTensor() throws IOException {
        String name = readString();
        int dims = readInt();
        if (dims < 1 || dims > MAX_DIMS) {
            throw corrupt("tensor " + name + " has " + dims + " dimensions");
        }
        long[] shape = new long[dims];
        for (int d = 0; d < dims; d++) {
            shape[d] = readLong();
            if (shape[d] <= 0 || shape[d] > (1L << 40)) {
                throw corrupt("tensor " + name + " has dimension " + shape[d]);
            }
        }
        int typeId = readInt();
        GgmlType type = GgmlType.byId(typeId);
        if (type == null) {
            throw new GgufException(path + ": tensor " + name + " uses ggml type " + typeId
                    + ", which this version of slm does not know (update slm or re-quantize the model)");
        }
        long offset = readLong();
        if (offset < 0) {
            throw corrupt("tensor " + name + " has a negative offset");
        }
        GgufTensor tensor = new GgufTensor(name, shape, type, offset);
        try {
            tensor.byteSize();
        } catch (ArithmeticException e) {
            throw corrupt("tensor " + name + " has dimensions " + java.util.Arrays.toString(shape) + " whose product overflows");
        }
        return tensor;
    }

    private Object readValue(int type, String key) throws IOException {
        return switch (type) {
            case 0 -> (long) readByte();
            case 1 -> (long) (byte) readByte();
            case 2 -> (long) (readShort() & 0xffff);
            case 3 -> (long) (short) readShort();
            case 4 -> readInt() & 0xffffffffL;
            case 5 -> (long) readInt();
            case 6 -> Float.intBitsToFloat(readInt());
            case 7 -> readByte() != 0;
            case 8 -> readString();
            case 9 -> readArray(key);
            case 10, 11 -> readLong();
            case 12 -> Double.longBitsToDouble(readLong());
            default -> throw corrupt("metadata key " + key + " has unknown value type " + type);
        };
    }

    private GgufArray readArray(String key) throws IOException {
        int elementType = readInt();
        if (elementType == 9) {
            throw corrupt("metadata key " + key + " nests arrays");
        }
        long length = readCount("length of " + key, 1);
        List<Object> values = length <= GgufArray.KEPT_VALUES ? new ArrayList<>((int) length) : null;
        for (long i = 0; i < length; i++) {
            Object v = readValue(elementType, key);
            if (values != null) {
                values.add(v);
            }
        }
        return new GgufArray(typeName(elementType), length, values == null ? null : List.copyOf(values));
    }

    private static String typeName(int type) {
        return switch (type) {
            case 0 -> "u8"; case 1 -> "i8"; case 2 -> "u16"; case 3 -> "i16"; case 4 -> "u32";
            case 5 -> "i32"; case 6 -> "f32"; case 7 -> "bool"; case 8 -> "str"; case 10 -> "u64";
            case 11 -> "i64"; case 12 -> "f64"; default -> "type" + type;
        };
    }

    /** A count that must be plausible: each counted item takes at least {@code minBytes} of the file. */
    private long readCount(String what, int minBytes) throws IOException {
        long n = readLong();
        if (n < 0 || n > (fileSize - position) / minBytes) {
            throw truncatedOrCorrupt(what + " is " + Long.toUnsignedString(n) + ", more than the file can hold");
        }
        return n;
    }

    private String readString() throws IOException {
        long len = readLong();
        if (len < 0 || len > MAX_STRING || len > fileSize - position) {
            throw truncatedOrCorrupt("a string claims " + Long.toUnsignedString(len) + " bytes");
        }
        byte[] bytes = readBytes((int) len);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw corrupt("a string is not valid UTF-8");
        }
    }

    private byte[] readBytes(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        position += b.length;
        if (b.length < n) {
            throw truncatedHeader();
        }
        return b;
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw truncatedHeader();
        }
        position++;
        return b;
    }

    private int readShort() throws IOException {
        byte[] b = readBytes(2);
        return (b[0] & 0xff) | (b[1] & 0xff) << 8;
    }

    private int readInt() throws IOException {
        byte[] b = readBytes(4);
        return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    }

    private long readLong() throws IOException {
        return (readInt() & 0xffffffffL) | ((long) readInt() << 32);
    }

    private GgufException notGguf(String why) {
        return new GgufException(path + " is not a GGUF model: " + why + " (pass a .gguf file)");
    }

    GgufException corrupt(String why) {
        return new GgufException(path + " is corrupt: " + why + " (download it again)");
    }

    /** A length past the end of the file: either the file was cut or the length is garbage. */
    private GgufException truncatedOrCorrupt(String why) {
        return new GgufException(path + " is truncated or corrupt: " + why + " (download it again)");
    }

    private GgufException truncatedHeader() {
        return new GgufException(path + " is truncated: the header ends early (download it again)");
    }
}
