package dev.netboot.emulator;

import java.io.ByteArrayOutputStream;

/**
 * RFC 1350's netascii, by its rule (RFC 764's NVT), written for the tests apart from the server's {@link NetasciiBlocks}:
 * each LF goes as CR LF, each CR as CR NUL, every other byte as it is (what tftpd-hpa sends). The reference the
 * server's blocks and the real clients' results are held to.
 */
public final class NetasciiRule {
    private NetasciiRule() {
    }

    /** Returns the netascii form of {@code raw}. */
    public static byte[] of(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte x : raw) {
            if (x == '\n') {
                out.write('\r');
                out.write('\n');
            } else if (x == '\r') {
                out.write('\r');
                out.write(0);
            } else {
                out.write(x);
            }
        }
        return out.toByteArray();
    }
}
