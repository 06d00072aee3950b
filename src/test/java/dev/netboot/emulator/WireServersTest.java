package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.net.Frames;
import dev.netboot.net.ScriptedLink;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpPacket;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link WireServers}, the server host {@code netboot serve} puts on a real interface, driven frame by frame over a
 * scripted link.
 */
class WireServersTest {
    static final MacAddress SERVER_MAC = MacAddress.parse("02:00:00:00:00:01");
    static final MacAddress CLIENT_MAC = MacAddress.parse("02:00:00:00:00:42");
    static final Ipv4Address SERVER = Ipv4Address.parse("10.0.0.1");
    static final Ipv4Address CLIENT = Ipv4Address.parse("10.0.0.50");

    @Test
    void aWriteRequestIsRefusedWithAccessViolationAndNothingIsKept() {
        // On a real wire nobody reads what an upload would leave in the server's memory: a client told "done"
        // would have lost its file, and an upload without end would fill the heap. RFC 1350: ERROR 2, access violation.
        ScriptedLink link = new ScriptedLink(SERVER_MAC);
        WireServers servers = WireServers.start(link, SERVER_MAC, Scenario.DEFAULT);
        byte[] wrq = Frames.tftp(new TftpPacket.Wrq("crash.log", "octet", List.of()));
        link.deliver(0, Frames.udp(CLIENT_MAC, SERVER_MAC, CLIENT, 40000, SERVER, 69, wrq));
        TftpPacket answer = null;
        for (long now = 0; now < ScriptedLink.SEC && answer == null; now += ScriptedLink.MS) {
            servers.poll(now);
            for (ScriptedLink.Tx tx : link.takeTx()) {
                Frames.Frame f = tx.decode();
                if (f instanceof Frames.Arp a && a.arp().tpa().equals(CLIENT)) {
                    link.deliver(now, Frames.arpReply(CLIENT_MAC, CLIENT, SERVER_MAC, SERVER));
                } else if (f instanceof Frames.Udp u && u.dstPort() == 40000) {
                    answer = u.tftp();
                }
            }
        }
        TftpPacket.Error e = assertInstanceOf(TftpPacket.Error.class, answer, String.valueOf(answer));
        assertEquals(2, e.code(), e.toString());
        assertTrue(servers.tftp().uploads().isEmpty());
        assertTrue(servers.tftp().uploadSessions().isEmpty());
    }
}
