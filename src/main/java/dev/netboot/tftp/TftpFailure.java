package dev.netboot.tftp;

/**
 * Why a transfer failed.
 *
 * @param kind      the class of failure
 * @param errorCode the TFTP error code involved (sent by the server, or sent by us), or -1
 * @param message   one line saying what failed and why
 */
public record TftpFailure(Kind kind, int errorCode, String message) {
    /** Classes of failure. */
    public enum Kind {
        /** The server sent an ERROR packet. */
        SERVER_ERROR,
        /** The peer stopped answering. */
        TIMEOUT,
        /** The sink refused the data (image too large, flash error). */
        LOCAL,
        /** The server broke the protocol (bad option value, unexpected packet). */
        PROTOCOL,
        /** The server's address could not be reached (ARP gave up, no route). */
        UNREACHABLE
    }
}
