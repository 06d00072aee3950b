package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netboot.emulator.Scenario;
import dev.netboot.emulator.TftpSession;
import dev.netboot.emulator.WireServers;
import dev.netboot.net.Frames;
import dev.netboot.net.ScriptedLink;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpPacket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ServeSessions}: serve's look at the server's sessions asks a session for its figures while it runs, and keeps
 * the figures it ended with, so a poll costs the sessions running, not every one the run has seen.
 */
class ServeSessionsTest {
    static final MacAddress SERVER_MAC = MacAddress.parse("02:00:00:00:00:01");
    static final MacAddress CLIENT_MAC = MacAddress.parse("02:aa:00:00:00:11");
    final Ipv4Address server = Scenario.DEFAULT.serverIp();
    final Ipv4Address client = Ipv4Address.parse("10.0.0.50");
    final ScriptedLink link = new ScriptedLink(SERVER_MAC);
    final WireServers servers = WireServers.start(link, SERVER_MAC, Scenario.DEFAULT);
    long now = ScriptedLink.SEC;

    /** Delivers {@code f} from the client, runs the server a few ms (ARP answered); returns the server's TFTP ports that spoke to it. */
    List<Integer> send(byte[] f) {
        List<Integer> tids = new ArrayList<>();
        for (int ms = 0; ms < 5 && f != null; ms++) {
            link.deliver(now, f);
            servers.poll(now);
            f = null;
            for (ScriptedLink.Tx tx : link.takeTx()) {
                Frames.Frame x = tx.decode();
                if (x instanceof Frames.Arp a && a.arp().tpa().equals(client)) {
                    f = Frames.arpReply(CLIENT_MAC, client, SERVER_MAC, server);
                } else if (x instanceof Frames.Udp u && u.dstIp().equals(client) && u.srcPort() != 67) {
                    tids.add(u.srcPort());
                }
            }
            now += ScriptedLink.MS;
        }
        return tids;
    }

    byte[] udp(int srcPort, int dstPort, TftpPacket p) {
        return Frames.udp(CLIENT_MAC, SERVER_MAC, client, srcPort, server, dstPort, Frames.tftp(p));
    }

    @Test
    void aSessionIsAskedWhileItRunsAndKeepsTheFiguresItEndedWith() {
        servers.tftp().serve("boot.img", new byte[3000]);
        ServeSessions seen = new ServeSessions();
        assertEquals(List.of(), seen.refresh(servers.tftp()));
        int tid = send(udp(40000, 69, new TftpPacket.Rrq("boot.img", "octet", List.of()))).getFirst();
        List<TftpSession.Stats> all = seen.refresh(servers.tftp());
        assertEquals(1, all.size());
        assertEquals(List.of(0), seen.live());
        assertEquals(null, all.getFirst().end());
        assertEquals(0, all.getFirst().blocksAcked());
        send(udp(40000, tid, new TftpPacket.Ack(1)));
        assertEquals(1, seen.refresh(servers.tftp()).getFirst().blocksAcked(), "a running session is asked again");
        send(udp(40000, tid, new TftpPacket.Error(0, "bye")));
        all = seen.refresh(servers.tftp());
        assertEquals(TftpSession.End.CLIENT_ERROR, all.getFirst().end());
        assertEquals(List.of(), seen.live());
        assertEquals(List.of(0), seen.ended(), "seen to end at this look");
        // A second request: a session of its own, index 1, running; the first keeps what it ended with.
        int tid2 = send(udp(40001, 69, new TftpPacket.Rrq("boot.img", "octet", List.of()))).getFirst();
        all = seen.refresh(servers.tftp());
        assertEquals(2, all.size());
        assertEquals(List.of(1), seen.live());
        assertEquals(TftpSession.End.CLIENT_ERROR, all.get(0).end());
        assertEquals(1, all.get(0).blocksAcked());
        assertEquals(40001, all.get(1).clientPort());
        assertEquals(List.of(), servers.tftp().sessions(), "the server let go of the sessions serve took");
        // The first's client dropped from serve's table: its figures go now; the second's, running, once it ends.
        seen.forget(0);
        seen.forget(1);
        all = seen.refresh(servers.tftp());
        assertEquals(null, all.get(0));
        assertEquals(40001, all.get(1).clientPort());
        send(udp(40001, tid2, new TftpPacket.Error(0, "bye")));
        all = seen.refresh(servers.tftp());
        assertEquals(List.of(), seen.live());
        assertEquals(null, all.get(1));
    }
}
