package dev.netboot.device;

/**
 * The one exception for a config file (device profile, emulator scenario) that cannot be used.
 *
 * <p>Messages say where and what, in the form {@code "file:line: [section] key: problem (expected: X)"},
 * for example {@code "device-profiles/x.profile:12: [flash] erase-unit: '4KB' is not a size (expected: ...)"}.
 * They are meant to be shown to the user as they are, without a stack trace.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message that already names the file, section and key. */
    public ConfigException(String message) {
        super(message);
    }

    /** Creates the exception with a message and the lower-level cause (an I/O error, say). */
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
