package dev.netboot.tftp;

/** Thrown by a {@link TftpSink} to stop a transfer; carries the TFTP error code to send the server. */
public final class TftpSinkException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** Error code of a failure after which nothing is sent to the server: the board is, in effect, off. */
    public static final int SILENT = -1;
    private final int errorCode;
    private final String serverMessage;

    /**
     * Creates the exception.
     *
     * @param errorCode RFC 1350 error code for the server, e.g. 3 "disk full or allocation exceeded", or
     *                  {@link #SILENT} when the board can no longer say anything (its power was cut)
     * @param message   what went wrong locally; also sent to the server as the error message
     */
    public TftpSinkException(int errorCode, String message, Throwable cause) {
        this(errorCode, message, message, cause);
    }

    /**
     * Creates the exception with words of its own for the server: what went wrong locally may name local files and
     * folders, which are no business of the server's (a host's {@code tftp get} into a full disk).
     *
     * @param serverMessage the ERROR packet's message
     */
    public TftpSinkException(int errorCode, String message, String serverMessage, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
        this.serverMessage = serverMessage;
    }

    /** Returns the TFTP error code sent to the server. */
    public int errorCode() {
        return errorCode;
    }

    /** Returns the message sent to the server in the ERROR packet: the local message unless one was given for it. */
    public String serverMessage() {
        return serverMessage;
    }
}
