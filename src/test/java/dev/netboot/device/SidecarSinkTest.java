package dev.netboot.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.netboot.tftp.TftpSinkException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A sidecar never takes more RAM than its limit: refused by its announced size, or by the block that would overflow. */
class SidecarSinkTest {
    static byte[] counting(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    @Test
    void takesUpToItsLimitInPieces() {
        SidecarSink s = new SidecarSink(64, "signature", "a raw Ed25519 signature");
        s.begin(64);
        byte[] sig = counting(64);
        s.write(ByteBuffer.wrap(sig), 0, 40);
        s.write(ByteBuffer.wrap(sig), 40, 24);
        assertArrayEquals(sig, s.bytes());
        assertEquals(64, s.length());
    }

    @Test
    void anAnnouncedSizeOverTheLimitIsRefusedBeforeAnyByte() {
        SidecarSink s = new SidecarSink(64, "signature", "a raw Ed25519 signature");
        TftpSinkException e = assertThrows(TftpSinkException.class, () -> s.begin(65));
        assertEquals(3, e.errorCode());                                         // RFC 1350: 3, disk full or allocation exceeded
        assertEquals("signature of 65 bytes (expected: at most 64, a raw Ed25519 signature)", e.getMessage());
    }

    @Test
    void theBlockThatWouldOverflowIsRefusedAndNothingOfItKept() {
        SidecarSink s = new SidecarSink(1024, "digest file", "one sha256sum line");
        s.begin(-1);                                                            // no tsize: only the bytes can tell
        byte[] b = counting(1025);
        s.write(ByteBuffer.wrap(b), 0, 512);
        s.write(ByteBuffer.wrap(b), 512, 512);
        TftpSinkException e = assertThrows(TftpSinkException.class, () -> s.write(ByteBuffer.wrap(b), 1024, 1));
        assertEquals(3, e.errorCode());
        assertEquals("digest file longer than 1024 bytes (expected: one sha256sum line)", e.getMessage());
        assertArrayEquals(Arrays.copyOf(b, 1024), s.bytes());
    }
}
