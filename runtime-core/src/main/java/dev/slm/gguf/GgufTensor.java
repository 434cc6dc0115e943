package dev.slm.gguf;

import java.util.Arrays;

/** One tensor's description from the GGUF header: where its data lies and how big it is. */
public record GgufTensor(String name, long[] shape, GgmlType type, long offset) {

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long byteSize() {
        return type.bytesFor(elementCount());
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + " " + type;
    }
}
