package dev.netboot.bootp;

import static dev.netboot.net.ScriptedLink.MS;
import static dev.netboot.net.ScriptedLink.SEC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.net.Frames;
import dev.netboot.net.NetConfig;
import dev.netboot.net.NetStack;
import dev.netboot.net.ScriptedLink;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.BootpOptions;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The BOOTP client as timelines (RFC 951, RFC 1542, options of RFC 2132). */
class BootpClientTest {
    static final MacAddress OUR_MAC = MacAddress.parse("02:00:00:00:00:01");
    static final MacAddress OTHER_MAC = MacAddress.parse("02:00:00:00:00:02");
    static final MacAddress SERVER_MAC = MacAddress.parse("02:00:00:00:00:05");
    static final Ipv4Address SERVER_IP = Ipv4Address.parse("10.0.0.5");
    static final Ipv4Address YIADDR = Ipv4Address.parse("10.0.0.2");

    /** 1 s doubling to 16 s, no jitter, give up after 60 s. */
    static final BootpConfig NO_JITTER = new BootpConfig(1 * SEC, 16 * SEC, 0, 60 * SEC);

    final ScriptedLink link = new ScriptedLink(OUR_MAC);
    final NetStack net = new NetStack(link, NetConfig.DEFAULTS);
    BootpClient client;

    BootpClient client(BootpConfig config, long seed) {
        client = new BootpClient(net, config, new SplittableRandom(seed));
        return client;
    }

    void poll(long now) {
        net.poll(now);
        client.poll(now);
    }

    void deliver(long at, BootpMessage reply) {
        deliverRaw(at, Frames.bootp(reply));
    }

    void deliverRaw(long at, byte[] payload) {
        // RFC 1542 3.1.1: with the BROADCAST flag set the server answers to 255.255.255.255 and ff:ff:..:ff.
        link.deliver(at, Frames.udp(SERVER_MAC, MacAddress.BROADCAST, SERVER_IP, BootpMessage.SERVER_PORT,
                Ipv4Address.BROADCAST, BootpMessage.CLIENT_PORT, payload));
        poll(at);
    }

    /** Takes the one frame sent at {@code at}, checks everything but xid and secs, and returns the request. */
    BootpMessage expectRequest(long at) {
        Frames.Udp u = link.takeOne(at).asUdp();
        assertEquals(MacAddress.BROADCAST, u.ethDst());
        assertEquals(OUR_MAC, u.ethSrc());
        assertEquals(Ipv4Address.ANY, u.srcIp());
        assertEquals(Ipv4Address.BROADCAST, u.dstIp());
        assertEquals(68, u.srcPort());
        assertEquals(67, u.dstPort());
        assertEquals(300, u.payload().length);                        // RFC 1542 2.1: at least 300 octets
        // chaddr is 16 octets: ours, then zeros.
        assertArrayEquals(OUR_MAC.toBytes(), java.util.Arrays.copyOfRange(u.payload(), 28, 34));
        assertArrayEquals(new byte[10], java.util.Arrays.copyOfRange(u.payload(), 34, 44));
        BootpMessage m = u.bootp();
        assertEquals(BootpMessage.BOOTREQUEST, m.op());
        assertEquals(1, m.htype());
        assertEquals(6, m.hlen());
        assertEquals(0, m.hops());
        assertEquals(BootpMessage.FLAG_BROADCAST, m.flags());          // RFC 1542 3.1.1: we cannot take unicast yet
        assertEquals(Ipv4Address.ANY, m.ciaddr());
        assertEquals(Ipv4Address.ANY, m.yiaddr());
        assertEquals(Ipv4Address.ANY, m.siaddr());
        assertEquals(Ipv4Address.ANY, m.giaddr());
        assertEquals(OUR_MAC, m.chaddr());
        return m;
    }

    /** The reply every test starts from; tests change single fields with {@link Reply} copies. */
    record Reply(int op, int htype, int hlen, int xid, Ipv4Address yiaddr, Ipv4Address siaddr, MacAddress chaddr,
                 String file, Map<Integer, byte[]> options) {
        Reply withOp(int v) { return new Reply(v, htype, hlen, xid, yiaddr, siaddr, chaddr, file, options); }
        Reply withHtype(int v) { return new Reply(op, v, hlen, xid, yiaddr, siaddr, chaddr, file, options); }
        Reply withXid(int v) { return new Reply(op, htype, hlen, v, yiaddr, siaddr, chaddr, file, options); }
        Reply withYiaddr(String v) { return new Reply(op, htype, hlen, xid, Ipv4Address.parse(v), siaddr, chaddr, file, options); }
        Reply withSiaddr(Ipv4Address v) { return new Reply(op, htype, hlen, xid, yiaddr, v, chaddr, file, options); }
        Reply withChaddr(MacAddress v) { return new Reply(op, htype, hlen, xid, yiaddr, siaddr, v, file, options); }
        Reply withFile(String v) { return new Reply(op, htype, hlen, xid, yiaddr, siaddr, chaddr, v, options); }

        Reply withOption(int code, byte[] value) {
            Map<Integer, byte[]> o = new LinkedHashMap<>(options);
            if (value == null) {
                o.remove(code);
            } else {
                o.put(code, value);
            }
            return new Reply(op, htype, hlen, xid, yiaddr, siaddr, chaddr, file, o);
        }

        BootpMessage message() {
            return new BootpMessage(op, htype, hlen, 0, xid, 0, BootpMessage.FLAG_BROADCAST, Ipv4Address.ANY, yiaddr,
                    siaddr, Ipv4Address.ANY, chaddr, "", file, new BootpOptions(options));
        }
    }

    static byte[] ip(String... addresses) {
        ByteBuffer b = ByteBuffer.allocate(4 * addresses.length);
        for (String a : addresses) {
            b.putInt(Ipv4Address.parse(a).value());
        }
        return b.array();
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static Reply reply(int xid) {
        Map<Integer, byte[]> o = new LinkedHashMap<>();
        o.put(BootpOptions.SUBNET_MASK, ip("255.255.255.0"));
        o.put(BootpOptions.ROUTER, ip("10.0.0.1", "10.0.0.254"));
        o.put(BootpOptions.DNS, ip("10.0.0.53", "9.9.9.9"));
        o.put(BootpOptions.HOST_NAME, text("board7"));
        o.put(BootpOptions.BOOT_FILE_SIZE, new byte[] {0x01, 0x00});   // 256 blocks of 512
        return new Reply(BootpMessage.BOOTREPLY, 1, 6, xid, YIADDR, SERVER_IP, OUR_MAC, "boards/7/boot.img", o);
    }

    BootpLease bound() {
        BootpClient.State.Bound b = assertInstanceOf(BootpClient.State.Bound.class, client.state());
        return b.lease();
    }

    void assertRequesting() {
        assertInstanceOf(BootpClient.State.Requesting.class, client.state());
    }

    /** Starts at 0 and returns the xid of the first request. */
    int started() {
        client(NO_JITTER, 7);
        client.start(0);
        return expectRequest(0).xid();
    }

    // ---- requests and retransmission ----

    @Test
    void retransmitsWithTheSameXidExactlyAtEachBackoffDeadlineThenGivesUp() {
        client(NO_JITTER, 7);
        client.start(0);
        BootpMessage first = expectRequest(0);
        assertEquals(0, first.secs());
        int xid = first.xid();

        poll(999_999_999);
        link.expectNoTx();                                             // nothing before the deadline
        // Waits 1, 2, 4, 8, 16, 16 s (doubling, capped at 16): requests at 1, 3, 7, 15, 31, 47 s.
        long[] expected = {1, 3, 7, 15, 31, 47};
        for (long s : expected) {
            assertEquals(s * SEC, client.pollAt());
            poll(s * SEC - 1);
            link.expectNoTx();
            poll(s * SEC);
            BootpMessage m = expectRequest(s * SEC);
            assertEquals(xid, m.xid());                                // same transaction throughout
            assertEquals(s, m.secs());                                 // RFC 951: seconds since we began
        }
        // The next wait (16 s, to 63 s) runs past the 60 s budget: the client stops at 60 s.
        assertEquals(60 * SEC, client.pollAt());
        poll(60 * SEC - 1);
        assertRequesting();
        poll(60 * SEC);
        link.expectNoTx();
        BootpClient.State.Failed f = assertInstanceOf(BootpClient.State.Failed.class, client.state());
        assertEquals("BOOTP: no usable reply after 7 requests in 60.0 s", f.reason());
        assertEquals(Long.MAX_VALUE, client.pollAt());
        assertFalse(net.isBound(68));
    }

    @Test
    void jitterKeepsEachWaitWithinBoundsAndDiffersBySeed() {
        BootpConfig jittery = new BootpConfig(1 * SEC, 16 * SEC, 500 * MS, 60 * SEC);
        List<Long> a = schedule(jittery, 1);
        List<Long> b = schedule(jittery, 2);
        assertNotEquals(a, b);                                         // boards powered on together drift apart
        for (List<Long> times : List.of(a, b)) {
            assertEquals(0L, times.getFirst());
            for (int n = 0; n + 1 < times.size(); n++) {
                long wait = times.get(n + 1) - times.get(n);
                long base = Math.min(16 * SEC, SEC << n);
                assertTrue(wait >= base - 500 * MS && wait <= base + 500 * MS,
                        "wait " + n + " of " + wait + " ns outside " + base + " +/- 0.5 s in " + times);
            }
            assertTrue(times.getLast() < 60 * SEC);
        }
    }

    List<Long> schedule(BootpConfig config, long seed) {
        ScriptedLink l = new ScriptedLink(OUR_MAC);
        NetStack n = new NetStack(l, NetConfig.DEFAULTS);
        BootpClient c = new BootpClient(n, config, new SplittableRandom(seed));
        c.start(0);
        while (c.state() instanceof BootpClient.State.Requesting) {
            c.poll(c.pollAt());
        }
        List<Long> times = new ArrayList<>();
        l.takeTx().forEach(t -> times.add(t.at()));
        return times;
    }

    @Test
    void busyLinkIsRetriedOnTheNextPollWithoutAdvancingTheSchedule() {
        client(NO_JITTER, 7);
        link.setBusy(true);
        client.start(0);
        link.expectNoTx();
        assertEquals(0, client.pollAt());                              // still due
        link.setBusy(false);
        poll(5 * MS);
        assertEquals(0, expectRequest(5 * MS).secs());
        assertEquals(1 * SEC + 5 * MS, client.pollAt());
    }

    // ---- reply validation ----

    @Test
    void repliesForOthersAreIgnoredAndCounted() {
        int xid = started();
        deliver(100 * MS, reply(xid + 1).message());
        deliver(200 * MS, reply(xid).withChaddr(OTHER_MAC).message());
        deliver(300 * MS, reply(xid).withOp(BootpMessage.BOOTREQUEST).message());
        deliver(400 * MS, reply(xid).withHtype(6).message());
        deliverRaw(500 * MS, new byte[100]);
        assertRequesting();
        assertEquals(new BootpClient.Stats(1, 1, 1, 1, 1, 0), client.stats());
        link.expectNoTx();

        poll(1 * SEC);                                                 // the schedule is untouched
        expectRequest(1 * SEC);
        deliver(1500 * MS, reply(xid).message());
        assertEquals(YIADDR, bound().address());
        BootpClient.State.Bound b = (BootpClient.State.Bound) client.state();
        assertEquals(1500 * MS, b.at());
        assertEquals(2, b.requests());
        assertEquals(Long.MAX_VALUE, client.pollAt());
        assertFalse(net.isBound(68));
        poll(10 * SEC);
        link.expectNoTx();                                             // no retransmission once bound
    }

    @Test
    void giveUpMessageNamesTheLastRejectedReply() {
        int xid = started();
        deliver(100 * MS, reply(xid).withSiaddr(Ipv4Address.ANY).message());
        assertEquals(1, client.stats().unusable());
        while (client.state() instanceof BootpClient.State.Requesting) {
            poll(client.pollAt());
        }
        BootpClient.State.Failed f = assertInstanceOf(BootpClient.State.Failed.class, client.state());
        assertTrue(f.reason().contains("siaddr is 0.0.0.0 and there is no option 66"), f.reason());
    }

    // ---- the lease ----

    @Test
    void leaseCarriesEveryFieldOfTheReply() {
        int xid = started();
        deliver(40 * MS, reply(xid).message());
        assertEquals(new BootpLease(YIADDR, Ipv4Address.parse("255.255.255.0"), Ipv4Address.parse("10.0.0.1"),
                List.of(Ipv4Address.parse("10.0.0.1"), Ipv4Address.parse("10.0.0.254")), List.of(Ipv4Address.parse("10.0.0.53"), Ipv4Address.parse("9.9.9.9")), "board7", "",
                Ipv4Address.parse("10.0.0.255"), new BootTarget(SERVER_IP, "siaddr", "boards/7/boot.img", "file", ""), 256 * 512, SERVER_IP), bound());
    }

    @Test
    void withoutOption1TheMaskIsClassful() {
        assertEquals("255.0.0.0", maskFor("10.1.2.3"));
        assertEquals("255.255.0.0", maskFor("172.16.5.4"));
        assertEquals("255.255.255.0", maskFor("192.168.1.20"));
    }

    String maskFor(String yiaddr) {
        ScriptedLink l = new ScriptedLink(OUR_MAC);
        NetStack n = new NetStack(l, NetConfig.DEFAULTS);
        BootpClient c = new BootpClient(n, NO_JITTER, new SplittableRandom(3));
        c.start(0);
        int xid = Frames.decode(l.takeTx().getFirst().bytes()).asUdp().bootp().xid();
        l.deliver(1, Frames.udp(SERVER_MAC, MacAddress.BROADCAST, SERVER_IP, 67, Ipv4Address.BROADCAST, 68,
                Frames.bootp(reply(xid).withYiaddr(yiaddr).withOption(BootpOptions.SUBNET_MASK, null).message())));
        n.poll(1);
        return ((BootpClient.State.Bound) c.state()).lease().netmask().toString();
    }

    /**
     * Option 3 of a BOOTP reply lists routers "on the client's subnet ... in order of preference" (RFC 2132 section 3.5);
     * one that is not (another subnet's, the board's own address, the subnet's broadcast address) cannot be the next hop
     * (RFC 1122 section 3.3.1: "a gateway on a connected network"), so the gateway is the first that is one.
     */
    @Test
    void theGatewayIsTheFirstRouterOnTheBoardsSubnetThatIsNotTheBoard() {
        int xid = started();
        deliver(40 * MS, reply(xid).withOption(BootpOptions.ROUTER, ip("192.0.2.1", "10.0.0.2", "10.0.0.255", "10.0.0.254"))
                .message());
        assertEquals(Ipv4Address.parse("10.0.0.254"), bound().gateway());
        assertEquals(List.of(Ipv4Address.parse("192.0.2.1"), YIADDR, Ipv4Address.parse("10.0.0.255"),
                Ipv4Address.parse("10.0.0.254")), bound().routers());
    }

    /**
     * Options 3 and 6 with no value, as kea-dhcp4 sends them when its configuration gives "routers" or
     * "domain-name-servers" an empty "data": none given, not a reply to drop (the board dropped every offer from such a
     * server and failed, "BOOTP option 3 length: 0").
     */
    @Test
    void emptyRouterAndDnsOptionsGiveNone() {
        int xid = started();
        deliver(40 * MS, reply(xid).withOption(BootpOptions.ROUTER, new byte[0]).withOption(BootpOptions.DNS, new byte[0])
                .message());
        assertEquals(Ipv4Address.ANY, bound().gateway());
        assertEquals(List.of(), bound().routers());
        assertEquals(List.of(), bound().dns());
    }

    @Test
    void withoutRoutersOrDnsTheLeaseSaysSo() {
        int xid = started();
        deliver(40 * MS, reply(xid).withOption(BootpOptions.ROUTER, null).withOption(BootpOptions.DNS, null)
                .withOption(BootpOptions.BOOT_FILE_SIZE, null).message());
        assertEquals(Ipv4Address.ANY, bound().gateway());
        assertEquals(List.of(), bound().dns());
        assertEquals(-1, bound().bootFileSize());
    }

    @Test
    void serverFromOption66WhenSiaddrIsZero() {
        int xid = started();
        deliver(40 * MS, reply(xid).withSiaddr(Ipv4Address.ANY)
                .withOption(BootpOptions.TFTP_SERVER_NAME, text("10.0.0.9\0")).message());
        assertEquals(Ipv4Address.parse("10.0.0.9"), bound().server());
        assertEquals(SERVER_IP, bound().bootpServer());
    }

    @Test
    void siaddrWinsOverOption66() {
        int xid = started();
        deliver(40 * MS, reply(xid).withOption(BootpOptions.TFTP_SERVER_NAME, text("10.0.0.9")).message());
        assertEquals(SERVER_IP, bound().server());
    }

    @Test
    void option66HostNameIsUnusable() {
        int xid = started();
        deliver(40 * MS, reply(xid).withSiaddr(Ipv4Address.ANY)
                .withOption(BootpOptions.TFTP_SERVER_NAME, text("tftp.example")).message());
        assertRequesting();
        assertEquals(1, client.stats().unusable());
    }

    @Test
    void fileFromOption67WhenTheFileFieldIsEmpty() {
        int xid = started();
        deliver(40 * MS, reply(xid).withFile("").withOption(BootpOptions.BOOTFILE_NAME, text("from/option67.img")).message());
        assertEquals("from/option67.img", bound().bootFile());
    }

    @Test
    void fileFieldWinsOverOption67() {
        int xid = started();
        deliver(40 * MS, reply(xid).withOption(BootpOptions.BOOTFILE_NAME, text("from/option67.img")).message());
        assertEquals("boards/7/boot.img", bound().bootFile());
    }

    @Test
    void noBootFileAnywhereIsUnusable() {
        int xid = started();
        deliver(40 * MS, reply(xid).withFile("").message());
        assertRequesting();
        assertEquals(1, client.stats().unusable());
    }

    @Test
    void overloadedFileFieldCarriesOption67() {
        int xid = started();
        // RFC 2132 9.3: option 52 value 1 says the 'file' field holds options; 67 lives there.
        byte[] payload = Frames.bootp(reply(xid).withFile("").withOption(BootpOptions.OVERLOAD, new byte[] {1}).message());
        byte[] name = text("overloaded/boot.img");
        int file = 108;
        payload[file] = (byte) BootpOptions.BOOTFILE_NAME;
        payload[file + 1] = (byte) name.length;
        System.arraycopy(name, 0, payload, file + 2, name.length);
        payload[file + 2 + name.length] = (byte) BootpOptions.END;
        deliverRaw(40 * MS, payload);
        assertEquals("overloaded/boot.img", bound().bootFile());
    }

    @Test
    void lateReplyToAnEarlierRequestStillCounts() {
        int xid = started();
        poll(1 * SEC);
        expectRequest(1 * SEC);
        poll(3 * SEC);
        expectRequest(3 * SEC);
        // The server answered the first request slowly; the xid is the same, so it is ours.
        deliver(3500 * MS, reply(xid).message());
        assertEquals(YIADDR, bound().address());
    }
}
