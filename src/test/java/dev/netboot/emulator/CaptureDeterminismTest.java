package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.link.PcapWriter;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.BootpOptions;
import dev.netboot.wire.DhcpMessageType;
import dev.netboot.wire.DhcpOption;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpPacket;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A short DHCP + TFTP exchange on a lossy segment, captured: one seed, one capture, byte for byte. */
class CaptureDeterminismTest {
    private static final MacAddress CLIENT = MacAddress.parse("02:00:00:00:00:42");

    /** Runs the exchange under {@code sc} for 30 s of virtual time and returns the capture. */
    private static byte[] capture(Scenario sc) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        EmulatedLan lan = EmulatedLan.of(sc);
        PcapWriter pcap = new PcapWriter(out);
        lan.segment().capture(pcap);
        byte[] image = new byte[3000];
        Arrays.fill(image, (byte) 0x5a);
        lan.tftp().serve(sc.servedFile(), image);
        TestClient c = lan.simulation().add(new TestClient(lan.segment(), CLIENT).listen(68).listen(2000));
        c.autoAck = true;
        BootpMessage req = new BootpMessage(1, 1, 6, 0, 0x01020304, 0, BootpMessage.FLAG_BROADCAST, Ipv4Address.ANY,
                Ipv4Address.ANY, Ipv4Address.ANY, Ipv4Address.ANY, CLIENT, "", "",
                BootpOptions.of(new DhcpOption.MessageType(DhcpMessageType.Known.DISCOVER)));
        byte[] b = new byte[req.encodedLength()];
        req.emit(ByteBuffer.wrap(b), 0);
        c.send(0, 68, Ipv4Address.BROADCAST, 67, b);
        lan.simulation().run(() -> !c.received.isEmpty(), 1_000_000_000L);
        if (!c.received.isEmpty()) {
            c.stack.configure(sc.clientIp(), sc.netmask(), sc.gateway());
        }
        // Retransmit the RRQ every 2 s, like a client would, whatever the loss did.
        for (int i = 0; i < 5; i++) {
            c.send(lan.simulation().now(), 2000, sc.serverIp(), 69, new TftpPacket.Rrq(sc.servedFile(), "octet", List.of()));
            lan.simulation().runFor(2_000_000_000L);
        }
        lan.simulation().runUntil(30_000_000_000L);
        pcap.close();
        return out.toByteArray();
    }

    @Test
    void sameSeedGivesAByteIdenticalCapture() throws Exception {
        Scenario sc = Scenario.DEFAULT.withSeed(7).withFaults(FaultPlan.loss(0.2));
        byte[] first = capture(sc);
        assertTrue(first.length > 24 + 10 * 60, "capture holds the exchange: " + first.length + " bytes");
        assertArrayEquals(first, capture(sc));
        // Left in target/ for Wireshark (GUIDE H10).
        Path out = Path.of("target", "emulator", "capture-seed7-loss20.pcap");
        Files.createDirectories(out.getParent());
        Files.write(out, first);
    }

    @Test
    void anotherSeedGivesAnotherCapture() {
        byte[] a = capture(Scenario.DEFAULT.withSeed(7).withFaults(FaultPlan.loss(0.2)));
        byte[] b = capture(Scenario.DEFAULT.withSeed(8).withFaults(FaultPlan.loss(0.2)));
        assertFalse(Arrays.equals(a, b));
    }

    @Test
    void losslessExchangeCompletesAndIsCapturedOnce() {
        EmulatedLan lan = EmulatedLan.of(Scenario.DEFAULT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcapWriter pcap = new PcapWriter(out);
        lan.segment().capture(pcap);
        lan.tftp().serve("boot.img", new byte[1300]);
        TestClient c = lan.simulation().add(new TestClient(lan.segment(), CLIENT).listen(2000));
        c.stack.configure(Scenario.DEFAULT.clientIp(), Scenario.DEFAULT.netmask(), Scenario.DEFAULT.gateway());
        c.autoAck = true;
        c.send(0, 2000, Scenario.DEFAULT.serverIp(), 69, new TftpPacket.Rrq("boot.img", "octet", List.of()));
        assertTrue(lan.simulation().run(() -> !lan.tftp().sessions().isEmpty() && lan.tftp().sessions().getFirst().ended(),
                60_000_000_000L).done());
        pcap.close();
        // ARP request + reply, RRQ, 3 x (DATA + ACK): 9 frames, each once.
        assertEquals(9, pcap.records());
        assertEquals(9, lan.segment().stats().framesSent());
    }
}
