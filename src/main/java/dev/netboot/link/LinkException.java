package dev.netboot.link;

/** A real link cannot be opened or used: no such interface, no privilege, the interface is down, or a system call failed. */
public final class LinkException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a one-line message that says what failed and why. */
    public LinkException(String message) {
        super(message);
    }
}
