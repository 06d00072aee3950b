package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.emulator.TftpSession;
import dev.netboot.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

/**
 * How serve tells a transfer the server gave up on, by what the client had acknowledged: nothing at all (the server's
 * answers, from a port of their own, RFC 1350 section 4, may never reach it), some blocks, or all but the last.
 */
class ServeTransferTest {
    static final long SIZE = 300_000; // 586 blocks of 512: 585 full and a short last one

    static TftpSession.Stats gaveUp(long blocksAcked, long dataSent) {
        return new TftpSession.Stats(50000, Ipv4Address.parse("192.0.2.101"), 40000, "boot.img", 512, 1, blocksAcked, dataSent,
                20, 0, 0, 0, TftpSession.End.GAVE_UP, SIZE);
    }

    static String json(TftpSession.Stats s) {
        ServeTransfer t = new ServeTransfer("boot.img", 0);
        t.last = s;
        t.endAt = 1;
        return t.json(2).toString();
    }

    @Test
    void anOackNeverAcknowledgedSaysSoAndWhyAClientMayHearNothing() {
        // Options asked for: the OACK went 21 times, no ACK 0 came, no DATA was sent (RFC 2347).
        String end = ServeTransfer.end(gaveUp(0, 0));
        assertTrue(end.startsWith("gave up: its OACK was never acknowledged, after every retry"), end);
        assertTrue(end.contains("firewall or NAT in front of the client that lets only port 69 through"), end);
        assertTrue(json(gaveUp(0, 0)).contains("\"end\":\"gave-up\""));
    }

    @Test
    void noBlockAcknowledgedSaysSoAndWhyAClientMayHearNothing() {
        // No options: DATA 1 went at once and 20 times again, never acknowledged.
        String end = ServeTransfer.end(gaveUp(0, 21));
        assertTrue(end.startsWith("gave up: no block acknowledged, after every retry"), end);
        assertTrue(end.contains("firewall or NAT"), end);
    }

    @Test
    void aClientThatAcknowledgedBlocksAndFellSilentIsNotToldAboutFirewalls() {
        assertEquals("gave up (no ACK after every retry)", ServeTransfer.end(gaveUp(100, 121)));
        // Every block but the last acknowledged: the client may have it all (its final ACK lost).
        String end = ServeTransfer.end(gaveUp(585, 606));
        assertTrue(end.startsWith("every block sent, the last never acknowledged"), end);
        assertTrue(json(gaveUp(585, 606)).contains("\"end\":\"last-ack-missing\""));
    }
}
