package dev.netboot.bootp;

/** A BOOTP exchange that failed: no usable reply within the give-up budget, or a reply that cannot be used. */
public final class BootpException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a factual message. */
    public BootpException(String message) {
        super(message);
    }
}
