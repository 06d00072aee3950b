package dev.netboot.device;

import dev.netboot.tftp.TftpClient;
import dev.netboot.tftp.TftpConfig;
import dev.netboot.tftp.TftpFailure;

/**
 * The board's fallback from a failed RFC 2090 multicast transfer to a plain one (README, "Multicast (RFC 2090)"), as
 * PXE's MTFTP clients fall back to TFTP: when the image's multicast transfer failed mid-way in a way a plain request
 * could mend (a passive wait that ended, a master's retries unanswered, the server's ERROR, its transfer port gone),
 * the board asks the same server for the image again by an ordinary RRQ, with the options a boot without multicast
 * asks, into a fresh slot update (the partial write discarded, never marked bootable; the target erased again), once
 * a boot; so is a multicast request the server refused with ERROR 0 (atftpd 0.8 so refuses a file of more than
 * 65535 blocks, which a multicast transfer cannot number but a plain one carries, its block numbers wrapping) or an
 * OACK offering multicast for such an image. A failure of the board's own (flash, power:
 * {@link TftpFailure.Kind#LOCAL}) or a server that broke the protocol is not retried. This class holds the rule; the {@link BootSequence} starts the transfer again.
 */
final class UnicastRetry {
    private boolean used;
    private TftpClient retry; // the client that asks again

    /**
     * Returns whether the transfer of {@code client} that failed with {@code f} is to be asked again by unicast,
     * counting it when so: no retry was made yet, and multicast was refused before any block (an image of more than
     * 65535 blocks, say: a plain transfer's numbers wrap) or ran and failed in a way a plain request could mend.
     */
    boolean take(TftpClient client, TftpFailure f) {
        if (used) {
            return false;
        }
        used = client.multicastRefused() || client.ranMulticast() && switch (f.kind()) {
            case TIMEOUT, SERVER_ERROR, UNREACHABLE -> true;
            case LOCAL, PROTOCOL -> false;
        };
        return used;
    }

    /** Returns whether the image is being (or was) asked for again by unicast. */
    boolean used() {
        return used;
    }

    /** {@code client} asks for the image: after {@link #take}, again by unicast. */
    void started(TftpClient client) {
        if (used) {
            retry = client;
        }
    }

    /**
     * Returns {@code config} for the image's transfer: as it is before a retry; after it, without multicast
     * ({@link TftpConfig#withoutMulticast}: the options a profile without {@code multicast = yes} asks).
     */
    TftpConfig config(TftpConfig config) {
        return used ? config.withoutMulticast() : config;
    }

    /** Returns the line the board says when it asks again: what failed, and what it does now. */
    static String line(String file, TftpFailure f) {
        return f.message() + "; asking for " + file + " again by plain unicast, the partial image discarded";
    }

    /** Returns {@code message}, why {@code client}'s transfer failed, saying so when it was the retry's. */
    String failed(TftpClient client, String message) {
        return client == retry ? message + " (the plain request after the multicast transfer failed)" : message;
    }
}
