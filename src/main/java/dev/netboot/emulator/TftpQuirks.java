package dev.netboot.emulator;

import java.util.Objects;

/**
 * How the emulated TFTP server misbehaves: the servers a board meets in the wild (issue 10), each switched on
 * by a scenario {@code [tftp]} key. Every random choice comes from the scenario's seed ({@code Seeds.random(seed,
 * "tftp-quirks")}), so a run repeats exactly. Times are virtual nanoseconds; block numbers count from 1 past
 * 65535 (block 65536 is the 65536th DATA, whatever its wire number).
 *
 * @param wrapToOne           number the block after 65535 as 1, not 0, unless the client negotiates tftpd-hpa's
 *                            {@code rollover} option: no option says so
 * @param sendTwice           send every packet (OACK, DATA, ERROR) twice
 * @param shuffle             hand each window's blocks over in a random order (RFC 7440 windows out of order)
 * @param junk                probability, before each DATA, of a malformed packet from the transfer ID: one byte, a
 *                            DATA of 3 bytes, an unknown opcode, an OACK after the transfer started, or an ERROR
 *                            too short for its code
 * @param stranger            probability, before each DATA, of a plausible DATA (the right block number and length,
 *                            wrong bytes) from a stranger: another port of the server host, or the same port of
 *                            another host
 * @param oack                what is wrong with the OACK the server answers options with
 * @param oversize            probability that a full DATA block carries 4 bytes more than the negotiated block size (when the
 *                            link's MTU carries them: not at 1468-byte blocks on Ethernet)
 * @param tsizeLie            bytes added to the {@code tsize} announced on a read (negative: fewer); 0 tells the truth
 * @param stopAfter           go silent for good after sending this many blocks (0: never)
 * @param errorAfter          after this many blocks, send ERROR 0 with {@code errorText} instead of the next, and end (0: never)
 * @param errorText           the words of that ERROR
 * @param errorWithoutNul     send that ERROR without its terminating NUL (some servers do)
 * @param sorcerersApprentice resend the current DATA for every duplicate ACK, the bug RFC 1123 section 4.2.3.1 forbids
 * @param stallAt             before sending this block for the first time, stop for {@code stall}: send nothing,
 *                            and answer the ACKs that came meanwhile only when it is over (0: never)
 * @param stall               how long the server stalls
 * @param restartWindows      recover from a hole as RFC 7440 plainly says and atftpd 0.8 does (measured): every ACK short of
 *                            the window's end, a duplicate one included, restarts the window from the block after it;
 *                            not a misbehaviour, but not the emulator's default either, which resends the missing
 *                            block alone while the client shows it kept what followed (see {@link TftpSession})
 */
public record TftpQuirks(boolean wrapToOne, boolean sendTwice, boolean shuffle, double junk, double stranger, Oack oack,
                         double oversize, long tsizeLie, long stopAfter, long errorAfter, String errorText,
                         boolean errorWithoutNul, boolean sorcerersApprentice, long stallAt, long stall,
                         boolean restartWindows) {
    /** What is wrong with an OACK. */
    public enum Oack {
        /** Nothing. */
        NONE,
        /** {@code blksize} larger than the client asked (RFC 2348 lets the server answer only smaller). */
        RANGE,
        /** {@code blksize} whose value is not a number. */
        NUMBER,
        /** An option the client never asked for (RFC 2347: the server must not). */
        UNASKED
    }

    /** A well-behaved server. */
    public static final TftpQuirks NONE = new TftpQuirks(false, false, false, 0, 0, Oack.NONE, 0, 0, 0, 0,
            "Disk read failure", false, false, 0, 0, false);

    /** Checks the ranges. */
    public TftpQuirks {
        Objects.requireNonNull(oack, "oack");
        Objects.requireNonNull(errorText, "errorText");
        if (!(junk >= 0 && junk <= 1) || !(stranger >= 0 && stranger <= 1) || !(oversize >= 0 && oversize <= 1)
                || stopAfter < 0 || errorAfter < 0 || stallAt < 0 || stall < 0 || errorText.length() > 200
                || errorText.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("TFTP quirks: junk " + junk + ", stranger " + stranger + ", oversize " + oversize
                    + ", stop-after " + stopAfter + ", error-after " + errorAfter + ", stall-at " + stallAt + ", stall " + stall
                    + " ns (expected: probabilities 0..1, counts and times >= 0, an error text of at most 200 characters)");
        }
    }

    /**
     * Returns whether the server misbehaves at all: any component but the error text differs from {@link #NONE}'s, as
     * the record's {@code equals} compares them (doubles by {@link Double#compare}). Written out rather than
     * {@code !equals(NONE.withErrorText(errorText))}: the record's {@code equals} bootstrap spins method-handle classes
     * the AOT cache does not keep, on every emulated boot's start (issue 11); {@code TftpQuirksTest} checks each component.
     */
    public boolean any() {
        return wrapToOne || sendTwice || shuffle || Double.compare(junk, 0) != 0 || Double.compare(stranger, 0) != 0
                || oack != Oack.NONE || Double.compare(oversize, 0) != 0 || tsizeLie != 0 || stopAfter != 0 || errorAfter != 0
                || errorWithoutNul || sorcerersApprentice || stallAt != 0 || stall != 0 || restartWindows;
    }

    /** Returns these quirks wrapping to 1 after 65535 (unless negotiated) or not. */
    public TftpQuirks withWrapToOne(boolean on) {
        return new TftpQuirks(on, sendTwice, shuffle, junk, stranger, oack, oversize, tsizeLie, stopAfter, errorAfter,
                errorText, errorWithoutNul, sorcerersApprentice, stallAt, stall, restartWindows);
    }

    /** Returns these quirks with the Sorcerer's Apprentice bug or without. */
    public TftpQuirks withSorcerersApprentice(boolean on) {
        return new TftpQuirks(wrapToOne, sendTwice, shuffle, junk, stranger, oack, oversize, tsizeLie, stopAfter, errorAfter,
                errorText, errorWithoutNul, on, stallAt, stall, restartWindows);
    }

    /** Returns these quirks sending the ERROR of {@code errorAfter} with these words. */
    public TftpQuirks withErrorText(String text) {
        return new TftpQuirks(wrapToOne, sendTwice, shuffle, junk, stranger, oack, oversize, tsizeLie, stopAfter, errorAfter,
                text, errorWithoutNul, sorcerersApprentice, stallAt, stall, restartWindows);
    }

    /** Returns these quirks restarting the window on every ACK short of its end (RFC 7440's plain recovery) or not. */
    public TftpQuirks withRestartWindows(boolean on) {
        return new TftpQuirks(wrapToOne, sendTwice, shuffle, junk, stranger, oack, oversize, tsizeLie, stopAfter, errorAfter,
                errorText, errorWithoutNul, sorcerersApprentice, stallAt, stall, on);
    }
}
