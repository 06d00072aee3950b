package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.BootpOptions;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Timelines of the emulated BOOTP server, in virtual time; expected values from RFC 951/1542/2132 and Scenario.DEFAULT. */
class BootpServerTest {
    /** The default LAN with its server host speaking BOOTP only (emulator/bootp.scenario). */
    private static final Scenario SC = Scenario.DEFAULT.withDhcp(DhcpSettings.DEFAULTS.withAnswers(DhcpSettings.Answers.BOOTP));
    private static final long L = SC.latencyNanos();
    private static final MacAddress CLIENT = MacAddress.parse("02:00:00:00:00:42");
    private static final int XID = 0x1234abcd;

    private static byte[] request(MacAddress mac, int htype, int flags) {
        BootpMessage m = new BootpMessage(BootpMessage.BOOTREQUEST, htype, 6, 0, XID, 3, flags, Ipv4Address.ANY,
                Ipv4Address.ANY, Ipv4Address.ANY, Ipv4Address.ANY, mac, "", "", BootpOptions.NONE);
        byte[] b = new byte[m.encodedLength()];
        m.emit(ByteBuffer.wrap(b), 0);
        return b;
    }

    private record Setup(EmulatedLan lan, TestClient client) {
    }

    private static Setup setup(Scenario sc, MacAddress mac) {
        EmulatedLan lan = EmulatedLan.of(sc);
        TestClient c = lan.simulation().add(new TestClient(lan.segment(), mac).listen(BootpMessage.CLIENT_PORT));
        return new Setup(lan, c);
    }

    private static TestClient.Rx exchange(Setup s, MacAddress mac, int flags) {
        s.client().send(s.lan().simulation().now(), BootpMessage.CLIENT_PORT, Ipv4Address.BROADCAST, BootpMessage.SERVER_PORT,
                request(mac, 1, flags));
        return s.client().next(s.lan().simulation());
    }

    private static BootpMessage parse(TestClient.Rx rx) {
        return BootpMessage.parse(ByteBuffer.wrap(rx.payload()), 0, rx.payload().length);
    }

    @Test
    void broadcastFlagGetsABroadcastReplyWithEveryFieldFromTheScenario() {
        Setup s = setup(SC, CLIENT);
        TestClient.Rx rx = exchange(s, CLIENT, BootpMessage.FLAG_BROADCAST);
        assertEquals(2 * L, rx.at()); // request at L, reply sent at once, on the wire for L
        assertEquals(MacAddress.BROADCAST, rx.dstMac());
        assertEquals(Ipv4Address.BROADCAST, rx.dst());
        assertEquals(Ipv4Address.parse("10.0.0.1"), rx.src());
        assertEquals(67, rx.srcPort());
        assertEquals(300, rx.payload().length); // RFC 1542 section 2.1 minimum

        BootpMessage r = parse(rx);
        assertEquals(BootpMessage.BOOTREPLY, r.op());
        assertEquals(1, r.htype());
        assertEquals(6, r.hlen());
        assertEquals(0, r.hops());
        assertEquals(XID, r.xid());
        assertEquals(BootpMessage.FLAG_BROADCAST, r.flags());
        assertEquals(Ipv4Address.ANY, r.ciaddr());
        assertEquals(Ipv4Address.parse("10.0.0.42"), r.yiaddr());
        assertEquals(Ipv4Address.parse("10.0.0.1"), r.siaddr());
        assertEquals(Ipv4Address.ANY, r.giaddr());
        assertEquals(CLIENT, r.chaddr());
        assertEquals("", r.sname());
        assertEquals("boot.img", r.file());

        // The options area, byte for byte (RFC 2132): cookie, 1, 3, 6, 66, 67, End, then zero padding.
        byte[] expected = HexFormat.of().parseHex(String.join("",
                "63825363",                 // magic cookie 99.130.83.99
                "0104ffffff00",             // 1 Subnet Mask 255.255.255.0
                "03040a000001",             // 3 Router 10.0.0.1
                "06040a000001",             // 6 DNS 10.0.0.1
                "4208" + hex("10.0.0.1"),   // 66 TFTP server name "10.0.0.1"
                "4308" + hex("boot.img"),   // 67 Bootfile name "boot.img"
                "ff"));                     // End
        assertArrayEquals(expected, Arrays.copyOfRange(rx.payload(), 236, 236 + expected.length));
        for (int i = 236 + expected.length; i < 300; i++) {
            assertEquals(0, rx.payload()[i], "padding at " + i);
        }
        assertEquals(new BootpServer.Stats(1, 1, 0, 0, 0, 0, 0, 0), s.lan().bootp().stats());
    }

    private static String hex(String text) {
        return HexFormat.of().formatHex(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void withoutTheFlagTheReplyIsUnicastToYiaddrAtChaddrWithoutArp() {
        Setup s = setup(SC, CLIENT);
        TestClient.Rx rx = exchange(s, CLIENT, 0);
        assertEquals(2 * L, rx.at());
        assertEquals(CLIENT, rx.dstMac());
        assertEquals(Ipv4Address.parse("10.0.0.42"), rx.dst());
        assertEquals(0, parse(rx).flags());
        assertEquals(2, s.lan().segment().stats().framesSent()); // request and reply: no ARP
    }

    @Test
    void announcesServerAndFileWhereConfigured() {
        BootpMessage header = parse(exchange(setup(SC.withAnnounce(BootpServerConfig.Announce.HEADER), CLIENT), CLIENT, 0));
        assertEquals(Ipv4Address.parse("10.0.0.1"), header.siaddr());
        assertEquals("boot.img", header.file());
        assertFalse(header.options().has(BootpOptions.TFTP_SERVER_NAME));
        assertFalse(header.options().has(BootpOptions.BOOTFILE_NAME));

        BootpMessage opts = parse(exchange(setup(SC.withAnnounce(BootpServerConfig.Announce.OPTIONS), CLIENT), CLIENT, 0));
        assertEquals(Ipv4Address.ANY, opts.siaddr());
        assertEquals("", opts.file());
        assertEquals("10.0.0.1", opts.options().text(BootpOptions.TFTP_SERVER_NAME).orElseThrow());
        assertEquals("boot.img", opts.options().text(BootpOptions.BOOTFILE_NAME).orElseThrow());
        assertEquals(List.of(1, 3, 6, 66, 67), List.copyOf(opts.options().values().keySet()));
    }

    @Test
    void poolAllocatesInOrderOfFirstRequestAndRemembers() {
        Setup s = setup(SC, CLIENT);
        MacAddress other = MacAddress.parse("02:00:00:00:00:43");
        assertEquals(Ipv4Address.parse("10.0.0.42"), parse(exchange(s, CLIENT, BootpMessage.FLAG_BROADCAST)).yiaddr());
        assertEquals(Ipv4Address.parse("10.0.0.43"), parse(exchange(s, other, BootpMessage.FLAG_BROADCAST)).yiaddr());
        assertEquals(Ipv4Address.parse("10.0.0.42"), parse(exchange(s, CLIENT, BootpMessage.FLAG_BROADCAST)).yiaddr());
        assertEquals(2, s.lan().bootp().leases().size());
    }

    @Test
    void staticAddressAndHostNameWinOverThePool() {
        BootpServerConfig cfg = SC.bootpConfig().withStatic(CLIENT, Ipv4Address.parse("10.0.0.7"))
                .withHostname(CLIENT, "board-7");
        Simulation sim = new Simulation();
        EthernetSegment seg = sim.newSegment(L, FaultPlan.NONE, 1);
        ServerHost host = sim.add(new ServerHost(seg, SC.serverMac(), SC.serverIp(), SC.netmask(), SC.gateway()));
        host.startBootp(cfg);
        TestClient c = sim.add(new TestClient(seg, CLIENT).listen(68));
        c.send(0, 68, Ipv4Address.BROADCAST, 67, request(CLIENT, 1, 0));
        BootpMessage r = parse(c.next(sim));
        assertEquals(Ipv4Address.parse("10.0.0.7"), r.yiaddr());
        assertEquals("board-7", r.options().text(BootpOptions.HOST_NAME).orElseThrow());
        assertEquals(List.of(1, 3, 6, 12, 66, 67), List.copyOf(r.options().values().keySet()));
    }

    @Test
    void ignoresRepliesMalformedPacketsAndNonEthernetHardware() {
        Setup s = setup(SC, CLIENT);
        byte[] reply = request(CLIENT, 1, 0);
        reply[0] = BootpMessage.BOOTREPLY;
        s.client().send(0, 68, Ipv4Address.BROADCAST, 67, reply);
        s.client().send(0, 68, Ipv4Address.BROADCAST, 67, new byte[100]);         // shorter than the 236-byte fixed part
        s.client().send(0, 68, Ipv4Address.BROADCAST, 67, request(CLIENT, 6, 0));  // htype 6: IEEE 802
        s.lan().simulation().runFor(1_000_000_000L);
        assertTrue(s.client().received.isEmpty());
        assertEquals(new BootpServer.Stats(0, 0, 1, 1, 1, 0, 0, 0), s.lan().bootp().stats());
    }
}
