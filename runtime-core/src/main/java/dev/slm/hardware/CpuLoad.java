package dev.slm.hardware;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A reading of how busy this machine's CPUs are and how much of that is this process, from Linux's
 * {@code /proc/stat} (every CPU's busy and idle time) and {@code /proc/self/stat} (this process's),
 * both counted in clock ticks. Two readings tell what the other processes took in between: the CPU
 * time slm's threads could not have.
 *
 * @param busyTicks all CPUs' non-idle time: user, nice, system, irq, softirq, and steal (time the
 *                  hypervisor gave another guest, which a waiting thread loses just the same)
 * @param allTicks  the same plus idle and iowait: elapsed time times the number of CPUs
 * @param selfTicks this process's user and system time
 * @param cpus      the CPUs /proc/stat lists (online ones)
 */
public record CpuLoad(long busyTicks, long allTicks, long selfTicks, int cpus) {

    /** A reading now; empty where there is no /proc (macOS, Windows) or it cannot be read. */
    public static Optional<CpuLoad> now() {
        try {
            return Optional.of(parse(Files.readString(Path.of("/proc/stat")), Files.readString(Path.of("/proc/self/stat"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** @throws IllegalArgumentException when either text is not what Linux writes */
    static CpuLoad parse(String procStat, String selfStat) {
        long busy = -1;
        long all = -1;
        int cpus = 0;
        for (String line : procStat.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f[0].equals("cpu") && f.length >= 8) {
                // user nice system idle iowait irq softirq [steal guest guest_nice]; guest time is inside user
                long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
                busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3])
                        + Long.parseLong(f[6]) + Long.parseLong(f[7]) + (f.length > 8 ? Long.parseLong(f[8]) : 0);
                all = busy + idle;
            } else if (f[0].matches("cpu\\d+")) {
                cpus++;
            }
        }
        // The command name in field 2 may hold spaces and parentheses: the fields that follow start after the last ')'.
        int close = selfStat.lastIndexOf(')');
        if (busy < 0 || cpus == 0 || close < 0) {
            throw new IllegalArgumentException("not /proc/stat and /proc/self/stat");
        }
        String[] f = selfStat.substring(close + 1).trim().split("\\s+");
        // fields 3.. of proc(5): state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime
        long self = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return new CpuLoad(busy, all, self, cpus);
    }

    /**
     * CPUs' worth of time (0 to {@link #cpus()}) that other processes, and the hypervisor's other guests,
     * kept busy between {@code earlier} and this reading.
     */
    public double othersBusyCpusSince(CpuLoad earlier) {
        long elapsed = allTicks - earlier.allTicks;
        if (elapsed <= 0) {
            return 0;
        }
        double others = (double) ((busyTicks - earlier.busyTicks) - (selfTicks - earlier.selfTicks)) / elapsed * cpus;
        return Math.max(0, Math.min(cpus, others));
    }
}
