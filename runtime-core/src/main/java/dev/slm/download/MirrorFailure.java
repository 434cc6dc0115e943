package dev.slm.download;

/** Why one mirror cannot deliver the file: the next mirror is tried, and all reasons end in the message. */
final class MirrorFailure extends Exception {
    private final boolean unreachable;

    MirrorFailure(String reason) {
        this(reason, false);
    }

    /** @param unreachable the host does not resolve or the network is down: retrying is pointless */
    MirrorFailure(String reason, boolean unreachable) {
        super(reason, null, false, false);
        this.unreachable = unreachable;
    }

    boolean unreachable() {
        return unreachable;
    }
}
