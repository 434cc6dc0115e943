package dev.slm.engine.llamacpp;

import dev.slm.SlmException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The libraries a shared object asks the dynamic linker for (its DT_NEEDED entries), read from the
 * file's section headers as {@code readelf -d} shows them. slm checks each of a GPU plug-in's before
 * ggml loads it: ggml's own loader fails silently in a release build, and dlerror would name only
 * the first missing library. Only 64-bit little-endian ELF (x86-64, aarch64) is read; the file is
 * not mapped (the CUDA plug-in is 159 MB), just the few parts needed.
 */
final class ElfNeeded {
    private static final int SHT_DYNAMIC = 6;
    private static final long DT_NEEDED = 1;

    private ElfNeeded() {
    }

    static List<String> of(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer header = read(ch, 0, 64);
            if (header.getInt(0) != 0x464c457f || header.get(4) != 2 || header.get(5) != 1) {
                throw new SlmException(file + " is not a 64-bit little-endian ELF shared object");
            }
            long shoff = header.getLong(0x28);
            int shentsize = Short.toUnsignedInt(header.getShort(0x3A));
            int shnum = Short.toUnsignedInt(header.getShort(0x3C));
            if (shentsize < 64 || shnum == 0 || shnum > 4096) {
                throw new SlmException(file + " has no readable section headers");
            }
            ByteBuffer sections = read(ch, shoff, shentsize * shnum);
            for (int i = 0; i < shnum; i++) {
                int s = i * shentsize;
                if (sections.getInt(s + 4) != SHT_DYNAMIC) {
                    continue;
                }
                int link = sections.getInt(s + 40);
                int l = link * shentsize;
                ByteBuffer strings = read(ch, sections.getLong(l + 24), (int) Math.min(sections.getLong(l + 32), 1 << 24));
                ByteBuffer dynamic = read(ch, sections.getLong(s + 24), (int) Math.min(sections.getLong(s + 32), 1 << 20));
                List<String> needed = new ArrayList<>();
                for (int d = 0; d + 16 <= dynamic.limit(); d += 16) {
                    long tag = dynamic.getLong(d);
                    if (tag == 0) {
                        break;
                    }
                    if (tag == DT_NEEDED) {
                        needed.add(cString(strings, (int) dynamic.getLong(d + 8)));
                    }
                }
                return needed;
            }
            return List.of();
        } catch (IOException | IndexOutOfBoundsException e) {
            throw new SlmException("cannot read the libraries " + file + " needs: " + e.getMessage());
        }
    }

    private static ByteBuffer read(FileChannel ch, long at, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                throw new IOException("the file ends early");
            }
        }
        return b.flip();
    }

    private static String cString(ByteBuffer b, int at) {
        int end = at;
        while (b.get(end) != 0) {
            end++;
        }
        return new String(b.array(), at, end - at, StandardCharsets.UTF_8);
    }
}
