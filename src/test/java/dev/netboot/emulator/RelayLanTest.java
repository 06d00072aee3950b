package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.device.BootObserver;
import dev.netboot.device.BootReport;
import dev.netboot.device.BootSequence;
import dev.netboot.device.ConfigException;
import dev.netboot.flash.SimulatedNorFlash;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.BootpOptions;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay topology of emulator/relay.scenario, end to end: board on 10.0.1.0/24, router 10.0.1.1 /
 * 10.0.0.254 relaying BOOTP (RFC 1542) to the server 10.0.0.1 and forwarding TFTP. Both segments have
 * a 100 µs one-way latency.
 */
class RelayLanTest {
    static final long L = 100_000L;
    static final Scenario RELAY = ScenarioFile.load(Path.of("emulator/relay.scenario"));
    /** The relay scenario with a BOOTP-only server: the raw BOOTREQUESTs below are answered. */
    static final Scenario RELAY_BOOTP = RELAY.withDhcp(DhcpSettings.DEFAULTS.withAnswers(DhcpSettings.Answers.BOOTP));
    static final Ipv4Address ROUTER_C = Ipv4Address.parse("10.0.1.1");
    static final MacAddress ROUTER_C_MAC = MacAddress.parse("02:00:00:00:01:01");
    static final Ipv4Address SERVER = Ipv4Address.parse("10.0.0.1");
    static final MacAddress CLIENT = MacAddress.parse("02:00:00:00:01:42");

    @TempDir
    Path dir;

    static BootpMessage request(MacAddress mac, int flags, int hops, Ipv4Address giaddr) {
        return new BootpMessage(BootpMessage.BOOTREQUEST, 1, 6, hops, 0x0b00f001, 0, flags, Ipv4Address.ANY, Ipv4Address.ANY,
                Ipv4Address.ANY, giaddr, mac, "", "", BootpOptions.NONE);
    }

    static BootpMessage parse(TestClient.Rx rx) {
        return BootpMessage.parse(ByteBuffer.wrap(rx.payload()), 0, rx.payload().length);
    }

    @Test
    void relayScenarioFileIsTheDocumentedTopology() {
        assertEquals(Scenario.Relay.DEFAULT, RELAY.relay());
        assertEquals(Ipv4Address.parse("10.0.0.254"), RELAY.serverGateway());
        BootpServerConfig.Subnet s = RELAY.bootpConfig().relayedSubnets().getFirst();
        assertEquals(new BootpServerConfig.Subnet(Ipv4Address.parse("10.0.1.42"), Ipv4Address.parse("10.0.1.57"),
                Ipv4Address.parse("255.255.255.0"), ROUTER_C), s);
        assertNull(Scenario.DEFAULT.relay());
        assertEquals(Scenario.DEFAULT.gateway(), Scenario.DEFAULT.serverGateway());
        assertTrue(Scenario.DEFAULT.bootpConfig().relayedSubnets().isEmpty());
    }

    @Test
    void relaySectionDerivesRouterAndClientFromTheSubnetAndRejectsBadTopologies() {
        Scenario.Relay r = ScenarioFile.parse("[relay]\nclient-subnet = 192.168.7.0/25\n", "t.scenario").relay();
        assertEquals(Ipv4Address.parse("192.168.7.1"), r.routerClientIp());
        assertEquals(Ipv4Address.parse("192.168.7.42"), r.clientIp());
        assertEquals(Ipv4Address.parse("255.255.255.128"), r.clientNetmask());
        assertEquals(Scenario.Relay.DEFAULT, ScenarioFile.parse("[relay]\n", "t.scenario").relay());
        // Each bad line, and a fragment of the message it must produce.
        for (List<String> bad : List.of(
                List.of("client-subnet = 10.0.1.5/24", "host bits set"),
                List.of("client-subnet = 10.0.1.0", "is not a subnet"),
                List.of("client-subnet = 10.0.0.0/16", "overlaps the server's"),
                List.of("router-server-address = 10.0.9.254", "another host of the server's subnet"),
                List.of("router-server-address = 10.0.0.1", "another host of the server's subnet"),
                List.of("client-address = 10.0.1.255", "not a host address of the client subnet"),
                List.of("router-mac-server = 02:00:00:00:00:01", "share MAC"),
                List.of("max-hops = 17", "max-hops"),
                List.of("gateway = 10.0.1.1", "gateway"))) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> ScenarioFile.parse("[relay]\n" + bad.get(0) + "\n", "t.scenario"), bad.get(0));
            assertTrue(e.getMessage().contains("t.scenario") && e.getMessage().contains(bad.get(1)), e.getMessage());
        }
    }

    @Test
    void bootpThroughTheRelayGivesAnAddressOfTheRelayedSubnetWithTheRelayAsRouter() {
        EmulatedLan lan = EmulatedLan.of(RELAY_BOOTP);
        TestClient c = lan.simulation().add(new TestClient(lan.clientSegment(), CLIENT).listen(68));
        c.send(0, 68, Ipv4Address.BROADCAST, 67, RawStation.bytes(request(CLIENT, 0, 0, Ipv4Address.ANY)));
        TestClient.Rx rx = c.next(lan.simulation());
        // Relay at L; its ARP for the server at L..3L; request at the server at 4L (which learned the
        // router's MAC from that ARP); reply at the router at 5L, at the client at 6L.
        assertEquals(6 * L, rx.at());
        assertEquals(CLIENT, rx.dstMac(), "RFC 1542 4.1.2: BROADCAST clear, unicast to chaddr");
        assertEquals(Ipv4Address.parse("10.0.1.42"), rx.dst());
        assertEquals(ROUTER_C, rx.src());
        assertEquals(67, rx.srcPort());
        BootpMessage r = parse(rx);
        assertEquals(BootpMessage.BOOTREPLY, r.op());
        assertEquals(Ipv4Address.parse("10.0.1.42"), r.yiaddr());
        assertEquals(ROUTER_C, r.giaddr(), "the relay filled giaddr with its client-side address");
        assertEquals(1, r.hops(), "one relay hop, echoed by the server");
        assertEquals(SERVER, r.siaddr());
        assertEquals(List.of(Ipv4Address.parse("255.255.255.0")), r.options().addresses(BootpOptions.SUBNET_MASK));
        assertEquals(List.of(ROUTER_C), r.options().addresses(BootpOptions.ROUTER), "option 3: the relay, the board's gateway");

        // A second board sets the BROADCAST flag: the next address, delivered as a broadcast.
        MacAddress other = MacAddress.parse("02:00:00:00:01:43");
        c.send(lan.simulation().now(), 68, Ipv4Address.BROADCAST, 67,
                RawStation.bytes(request(other, BootpMessage.FLAG_BROADCAST, 0, Ipv4Address.ANY)));
        TestClient.Rx rx2 = c.next(lan.simulation());
        assertEquals(MacAddress.BROADCAST, rx2.dstMac());
        assertEquals(Ipv4Address.BROADCAST, rx2.dst());
        assertEquals(Ipv4Address.parse("10.0.1.43"), parse(rx2).yiaddr());

        assertEquals(new BootpServer.Stats(2, 2, 0, 0, 0, 0, 2, 0), lan.bootp().stats());
        assertEquals(2, lan.router().stats().relayedRequests());
        assertEquals(2, lan.router().stats().relayedReplies());
    }

    @Test
    void serverIgnoresARelayedRequestFromASubnetItDoesNotServe() {
        EmulatedLan lan = EmulatedLan.of(RELAY_BOOTP);
        TestClient c = lan.simulation().add(new TestClient(lan.clientSegment(), CLIENT).listen(68));
        // Relayed once already by an agent on 10.0.7.0/24: the router keeps that giaddr (RFC 1542 4.1.1).
        c.send(0, 68, Ipv4Address.BROADCAST, 67, RawStation.bytes(request(CLIENT, 0, 1, Ipv4Address.parse("10.0.7.1"))));
        lan.simulation().runFor(1_000_000_000L);
        assertTrue(c.received.isEmpty());
        assertEquals(1, lan.router().stats().relayedRequests());
        assertEquals(1, lan.bootp().stats().unknownSubnet());
        assertEquals(0, lan.bootp().stats().replies());
    }

    @Test
    void boardBootsThroughTheRouterAndTftpCrossesItWithTheRoutersMac() throws Exception {
        byte[] img = EmulatedBootTest.image(20_000);
        EmulatedLan lan = EmulatedLan.of(RELAY);
        lan.tftp().serve(RELAY.servedFile(), img);
        RawStation clientTap = lan.simulation().add(new RawStation(lan.clientSegment(), MacAddress.parse("02:00:00:00:0e:01")));
        RawStation serverTap = lan.simulation().add(new RawStation(lan.segment(), MacAddress.parse("02:00:00:00:0e:02")));
        var flash = SimulatedNorFlash.inMemory(EmulatedBootTest.PROFILE.flash());
        BootSequence boot = EmulatedBoot.addBoard(lan, EmulatedBootTest.PROFILE, flash, new BootObserver() {
        });
        boot.start(0);
        lan.simulation().run(boot::finished, 600_000_000_000L).orThrow();
        lan.simulation().runFor(10_000_000L); // lets the last ACK reach the router and the server

        BootReport rep = assertInstanceOf(BootSequence.State.Done.class, boot.state()).report();
        assertEquals(Ipv4Address.parse("10.0.1.42"), rep.address());
        assertEquals(ROUTER_C, rep.gateway());
        assertEquals(SERVER, rep.server());
        assertEquals(img.length, rep.bytes());
        byte[] back = new byte[img.length];
        flash.read(EmulatedBootTest.PROFILE.slot(0).offset(), back, 0, back.length);
        assertArrayEquals(img, back);

        // On the board's segment, every TFTP datagram from the board goes to the router's MAC with the
        // server's IP, and every one to the board comes from the router's MAC with the server's IP.
        MacAddress board = EmulatedBootTest.PROFILE.mac();
        int fromBoard = 0, toBoard = 0;
        for (RawStation.Frame f : clientTap.heard(EthernetFrame.TYPE_IPV4)) {
            boolean bootp = f.udp().dstPort() == 67 || f.udp().dstPort() == 68;
            if (bootp) {
                continue;
            }
            if (f.src().equals(board)) {
                fromBoard++;
                assertEquals(ROUTER_C_MAC, f.dst());
                assertEquals(SERVER.value(), f.ip().dst());
            } else {
                toBoard++;
                assertEquals(ROUTER_C_MAC, f.src());
                assertEquals(board, f.dst());
                assertEquals(SERVER.value(), f.ip().src());
                assertEquals(63, f.ip().ttl(), "the server's TTL 64, less the router's hop");
            }
        }
        // The default profile negotiates blksize 1468 (MTU 1500 - 20 - 8 - 4) and windowsize 8 (RFC 2348, RFC 7440):
        // 20,000 bytes are 13 full blocks and a short 14th; the board sends the RRQ, ACK 0 for the OACK, and one
        // ACK per window (blocks 8 and 14); the server sends the OACK and 14 DATA.
        int blocks = 20_000 / 1468 + 1;
        int windows = (blocks + 7) / 8;
        // Then the board asks for boot.img.sha256 (one RRQ), which the server has not: one ERROR 1.
        assertEquals(1 + 1 + windows + 1, fromBoard, "RRQ, ACK 0, one ACK per window, nothing lost; the digest's RRQ");
        assertEquals(1 + blocks + 1, toBoard);
        // On the server's segment, the board's datagrams arrive from the board's address with one hop taken.
        long tftpOnServerSide = serverTap.heard(EthernetFrame.TYPE_IPV4).stream()
                .filter(f -> f.ip().src() == rep.address().value()).peek(f -> assertEquals(63, f.ip().ttl())).count();
        assertEquals(fromBoard, tftpOnServerSide);
        Router.Stats rs = lan.router().stats();
        assertEquals(fromBoard + toBoard, rs.forwarded());
        assertEquals(0, rs.ttlExpired() + rs.noRoute() + rs.arpFailed() + rs.queueFull() + rs.malformed());
    }

    @Test
    void lossyRelayStillBootsAndTheImageIsExact() throws Exception {
        byte[] img = EmulatedBootTest.image(50_001);
        EmulatedBootTest.Outcome o = EmulatedBootTest.boot(RELAY.withLoss(0.1).withSeed(5), img);
        BootReport rep = assertInstanceOf(BootSequence.State.Done.class, o.boot().state()).report();
        assertEquals(img.length, rep.bytes());
        byte[] back = new byte[img.length];
        o.flash().read(EmulatedBootTest.PROFILE.slot(0).offset(), back, 0, back.length);
        assertArrayEquals(img, back);
        assertTrue(rep.retransmissions() > 0);
        assertTrue(o.lan().framesLost() > o.lan().segment().stats().droppedByLoss(), "both segments lose frames");
    }

    byte[] capture(Scenario sc, String name) throws Exception {
        Path pcap = dir.resolve(name);
        EmulatedBoot.Result r = EmulatedBoot.run(new EmulatedBoot.Config(sc, EmulatedBootTest.PROFILE,
                EmulatedBootTest.image(8_000), SimulatedNorFlash.inMemory(EmulatedBootTest.PROFILE.flash()), pcap,
                new BootObserver() {
                }));
        assertInstanceOf(BootSequence.State.Done.class, r.state());
        return Files.readAllBytes(pcap);
    }

    @Test
    void sameSeedGivesTheSameCaptureOfBothSegments() throws Exception {
        Scenario sc = RELAY.withLoss(0.1).withSeed(9);
        byte[] first = capture(sc, "a.pcap");
        assertArrayEquals(first, capture(sc, "b.pcap"));
        assertFalse(java.util.Arrays.equals(first, capture(sc.withSeed(10), "c.pcap")));
        // Both segments are in it: the relayed request leaves the router from its server-side MAC.
        byte[] serverSideMac = Scenario.Relay.DEFAULT.routerServerMac().toBytes();
        byte[] clientSideMac = Scenario.Relay.DEFAULT.routerClientMac().toBytes();
        assertTrue(indexOf(first, serverSideMac) > 0 && indexOf(first, clientSideMac) > 0);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
