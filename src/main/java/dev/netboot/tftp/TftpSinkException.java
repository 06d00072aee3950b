package dev.netboot.tftp;

/** Thrown by a {@link TftpSink} to stop a transfer; carries the TFTP error code to send the server. */
public final class TftpSinkException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** Error code of a failure after which nothing is sent to the server: the board is, in effect, off. */
    public static final int SILENT = -1;
    private final int errorCode;

    /**
     * Creates the exception.
     *
     * @param errorCode RFC 1350 error code for the server, e.g. 3 "disk full or allocation exceeded", or
     *                  {@link #SILENT} when the board can no longer say anything (its power was cut)
     * @param message   what went wrong locally; also sent to the server as the error message
     */
    public TftpSinkException(int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
    }

    /** Returns the TFTP error code sent to the server. */
    public int errorCode() {
        return errorCode;
    }
}
