package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The server stall of {@link TftpQuirks#stallAt()}, on its own: when it begins, how long, and the ACKs it holds. */
class ServerStallTest {
    private static ServerStall stall(long at, long length) {
        TftpQuirks q = new TftpQuirks(false, false, false, 0, 0, TftpQuirks.Oack.NONE, 0, 0, 0, 0, "Disk read failure",
                false, false, at, length, false);
        return new ServerStall(new SessionQuirks(q, new SplittableRandom(1), null, null, 50_000, null, 0));
    }

    @Test
    void beginsOnceBeforeItsBlockFirstGoesOutAndLastsItsLength() {
        ServerStall s = stall(5, 300);
        assertFalse(s.begins(100, 4));
        assertFalse(s.on());
        assertTrue(s.begins(100, 5));
        assertTrue(s.on());
        assertEquals(400, s.until());
        s.end();
        assertFalse(s.on());
        assertFalse(s.begins(500, 5)); // once a session
        assertFalse(s.begins(500, 9));
    }

    @Test
    void holdsTheAcksThatComeMeanwhileInOrder() {
        ServerStall s = stall(1, 10);
        assertTrue(s.begins(0, 1));
        s.hold(3);
        s.hold(1);
        s.hold(3);
        s.end();
        assertEquals(3, s.nextHeld());
        assertEquals(1, s.nextHeld());
        assertEquals(3, s.nextHeld());
        assertFalse(s.hasHeld());
    }

    @Test
    void aWellBehavedServerNeverStalls() {
        assertFalse(new ServerStall(null).begins(0, 1));
        assertFalse(stall(0, 10).begins(0, 70_000));
    }
}
