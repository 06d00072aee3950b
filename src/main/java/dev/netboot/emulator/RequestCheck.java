package dev.netboot.emulator;

import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.util.List;
import java.util.Locale;

/**
 * What the {@link TftpServer} answers a request with before any transfer starts (RFC 1350 section 5: an ERROR, and
 * no connection): its mode, its file, its options (RFC 2347: ERROR 8 when the server refuses to negotiate). A request
 * that passes gets the file to send, its form, and the options left to negotiate.
 */
final class RequestCheck {
    private RequestCheck() {
    }

    /** What the request comes to. */
    sealed interface Verdict {
    }

    /** Why a request was refused: the server counts each apart. */
    enum Reason { BAD_MODE, ACCESS, NOT_FOUND, OPTIONS }

    /** Refused with ERROR {@code code}. */
    record Refused(Reason reason, int code, String message) implements Verdict {
    }

    /**
     * Served: {@code content} is the file to send (null for a write), in netascii form if {@code netascii}, with
     * {@code options} still to negotiate.
     */
    record Accepted(ServedFile content, boolean netascii, List<TftpPacket.Option> options) implements Verdict {
    }

    static Verdict check(TftpServerConfig config, ServedFiles files, String name, String requestMode,
                         List<TftpPacket.Option> options, boolean write) {
        String mode = requestMode.toLowerCase(Locale.ROOT);
        if (!mode.equals("octet") && !mode.equals("netascii")) {
            return new Refused(Reason.BAD_MODE, TftpWire.ERR_NOT_DEFINED, "Unsupported mode '" + requestMode + "' (octet or netascii)");
        }
        // RFC 1350: in netascii LF goes as CR LF and CR as CR NUL; the client turns them back. Served as octet, a
        // netascii client (tftp-hpa's default) wrote a file missing bytes and said nothing.
        boolean netascii = !write && mode.equals("netascii");
        ServedFile content;
        try {
            content = write ? null : files.read(name);
        } catch (ServedFiles.Refused e) {
            return new Refused(Reason.ACCESS, e.code(), e.getMessage());
        }
        if (!write && content == null) {
            return new Refused(Reason.NOT_FOUND, TftpWire.ERR_FILE_NOT_FOUND, "File not found");
        }
        if (netascii) {
            // tsize is left out: the file's size is not what goes, and the netascii form's is known only once its last
            // block is made (tftpd-hpa 5.2 refuses the request with ERROR 8; RFC 2347 lets a server leave out what it
            // does not support, and curl, which always asks for tsize, gets its file). Multicast too (tftpd-hpa has
            // none): its clients ask for any block of the file, which netascii cannot say where it starts.
            options = options.stream().filter(o -> !o.name().equals("tsize") && !o.name().equals("multicast")).toList();
        }
        if (!options.isEmpty() && config.options() == TftpServerConfig.Options.REFUSE) {
            return new Refused(Reason.OPTIONS, TftpWire.ERR_OPTIONS, "Option negotiation refused");
        }
        return new Accepted(content, netascii, options);
    }
}
