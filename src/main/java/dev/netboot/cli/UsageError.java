package dev.netboot.cli;

/**
 * A command line that parsed but cannot be run: a bad option value, a missing file, a profile or
 * scenario that does not load. Its message is the one line shown after {@code "netboot: "}; the exit
 * status is {@link Main#EXIT_USAGE}.
 */
final class UsageError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageError(String message) {
        super(message, null, false, false);
    }
}
