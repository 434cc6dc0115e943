package dev.slm.download;

/** Why one mirror cannot deliver the file: the next mirror is tried, and all reasons end in the message. */
final class MirrorFailure extends Exception {
    MirrorFailure(String reason) {
        super(reason, null, false, false);
    }
}
