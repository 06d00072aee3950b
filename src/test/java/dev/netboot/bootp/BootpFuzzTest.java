package dev.netboot.bootp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.netboot.net.Frames;
import dev.netboot.net.NetConfig;
import dev.netboot.net.NetStack;
import dev.netboot.net.ScriptedLink;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.BootpOptions;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.FuzzInput;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.UdpDatagram;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes the BOOTP client through a real {@link NetStack} (checksums not verified, so fuzzed frames reach
 * BOOTP: {@link NetConfig#verifyChecksums()}) with any sequence of frames: BOOTREPLYs built from the
 * fuzzer's choices (right or wrong xid, chaddr, hardware type, addresses, file, sname and options),
 * raw UDP payloads to port 68, raw frames, and the time between them.
 *
 * <p>Properties: nothing throws; {@code pollAt()} moves past now within a few polls; with the segment
 * silent the client is bound or has failed within its give-up time; and a lease is only ever taken from
 * a BOOTREPLY that was delivered for our transaction and our hardware address, with its address, server
 * and boot file read as RFC 951 and RFC 2132 say (checked by decoding the delivered frames independently).
 */
class BootpFuzzTest {
    static final long MS = ScriptedLink.MS;
    static final long SEC = ScriptedLink.SEC;
    static final MacAddress OUR_MAC = MacAddress.parse("02:00:00:00:00:01");
    static final MacAddress SERVER_MAC = MacAddress.parse("02:00:00:00:00:05");
    static final Ipv4Address SERVER_IP = Ipv4Address.parse("192.0.2.1");

    enum Op { WAIT, REPLY, PAYLOAD, FRAME }

    /** Seed scripts: a header, then operations, in {@link Run}'s reading order. */
    static final class Script {
        final FuzzInput.Script s = new FuzzInput.Script();

        /** 1 s initial timeout, no jitter, 60 s give-up. */
        Script header() {
            s.u8(0).u8(0).u8(59);
            return this;
        }

        Script waitMs(int ms) {
            s.u8(Op.WAIT.ordinal()).u8(0).u8(ms);
            return this;
        }

        /**
         * A good reply: op 2, htype 1/6, our xid and chaddr, yiaddr {@code 192.0.2.(yi)}, siaddr the server (or
         * 0 and option 66), file "boot.img" (or empty and option 67), a /24 mask.
         */
        Script reply(int yi, boolean inFields) {
            s.u8(Op.REPLY.ordinal());
            s.u8(0).u8(0).u8(0).u8(0);             // op, hw, xid, chaddr: as they should be
            s.u32(0xc0000200 | yi);                 // yiaddr
            s.u8(inFields ? 0 : 1);                 // siaddr: the server, or 0
            text(inFields ? "boot.img" : "").text(""); // file, sname
            List<byte[]> options = new ArrayList<>();
            options.add(option(BootpOptions.SUBNET_MASK, new byte[] {(byte) 255, (byte) 255, (byte) 255, 0}));
            if (!inFields) {
                options.add(option(BootpOptions.TFTP_SERVER_NAME, "192.0.2.1".getBytes(StandardCharsets.US_ASCII)));
                options.add(option(BootpOptions.BOOTFILE_NAME, "boot.img".getBytes(StandardCharsets.US_ASCII)));
            }
            s.u8(options.size());
            options.forEach(s::bytes);
            s.u8(0).u8(0);                          // broadcast frame, correct ports
            return this;
        }

        private Script text(String t) {
            s.u8(t.length()).bytes(t.getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        private static byte[] option(int code, byte[] value) {
            return ByteBuffer.allocate(2 + value.length).put((byte) code).put((byte) value.length).put(value).array();
        }

        byte[] build() {
            return s.build();
        }
    }

    static Stream<Arguments> seeds() {
        return Stream.of(
                new Script().header().waitMs(100).reply(42, true).waitMs(10).build(),
                new Script().header().waitMs(100).reply(43, false).waitMs(10).build(),
                new Script().header().waitMs(255).waitMs(255).waitMs(255).waitMs(255).waitMs(255).reply(44, true).build())
                .map(b -> arguments((Object) b));
    }

    /** The seeds are good exchanges: each ends bound to the address its reply gave. */
    @Test
    void seedsEndBound() {
        int[] yi = {42, 43, 44};
        List<Arguments> s = seeds().toList();
        for (int i = 0; i < s.size(); i++) {
            Run r = new Run(new FuzzInput((byte[]) s.get(i).get()[0]));
            r.run();
            BootpClient.State.Bound b = assertInstanceOf(BootpClient.State.Bound.class, r.client.state());
            assertEquals(new Ipv4Address(0xc0000200 | yi[i]), b.lease().address());
            assertEquals(SERVER_IP, b.lease().server());
            assertEquals("boot.img", b.lease().bootFile());
        }
    }

    @MethodSource("seeds")
    @FuzzTest
    void exchange(byte[] input) {
        new Run(new FuzzInput(input)).run();
    }

    /** One fuzzed exchange and its checks. */
    static final class Run {
        final FuzzInput in;
        final ScriptedLink link = new ScriptedLink(OUR_MAC);
        final NetStack net = new NetStack(link, new NetConfig(4, 300 * SEC, 500 * MS, 3, 64, false));
        final BootpConfig config;
        final BootpClient client;
        final List<BootpMessage> ours = new ArrayList<>(); // delivered BOOTREPLYs for our xid and chaddr
        long now = 1 * SEC;
        int xid;

        Run(FuzzInput in) {
            this.in = in;
            long initial = (1 + in.below(4)) * SEC;
            long jitter = in.below(2) == 0 ? 0 : initial / 2;
            long giveUp = (1 + in.below(120)) * SEC;
            config = new BootpConfig(initial, 16 * SEC, jitter, giveUp);
            client = new BootpClient(net, config, new SplittableRandom(3));
        }

        void run() {
            client.start(now);
            xid = ((BootpClient.State.Requesting) client.state()).xid();
            check();
            for (int steps = 0; in.more() && steps < 1_000; steps++) {
                switch (Op.values()[in.below(Op.values().length)]) {
                    case WAIT -> {
                        int scale = in.below(3);
                        now += in.u8() * (scale == 0 ? MS : scale == 1 ? 100 * MS : SEC);
                        pollUntilQuiet();
                    }
                    case REPLY -> deliver(reply());
                    case PAYLOAD -> deliver(frame(in.bytes(in.u16() % 600), in.bool(), in.bool()));
                    case FRAME -> deliver(in.bytes(in.u16() % 1600));
                }
                check();
            }
            silence();
        }

        /** A BOOTREPLY frame from the fuzzer's choices (see {@link Script#reply} for the layout). */
        byte[] reply() {
            int op = in.u8() == 0 ? BootpMessage.BOOTREPLY : in.u8();
            boolean ethernet = in.u8() == 0;
            int htype = ethernet ? 1 : in.u8();
            int hlen = ethernet ? 6 : in.u8();
            int x = in.u8() == 0 ? xid : in.u32();
            MacAddress chaddr = in.u8() == 0 ? OUR_MAC : new MacAddress(((long) in.u16() << 32) | (in.u32() & 0xFFFF_FFFFL));
            Ipv4Address yiaddr = new Ipv4Address(in.u32());
            Ipv4Address siaddr = switch (in.below(3)) {
                case 0 -> SERVER_IP;
                case 1 -> Ipv4Address.ANY;
                default -> new Ipv4Address(in.u32());
            };
            String file = text(in.bytes(in.u8() % 128));
            String sname = text(in.bytes(in.u8() % 64));
            Map<Integer, byte[]> options = new LinkedHashMap<>();
            int n = in.below(8);
            for (int i = 0; i < n; i++) {
                int code = in.u8();
                byte[] value = in.bytes(in.u8());
                if (code != BootpOptions.PAD && code != BootpOptions.END) {
                    options.merge(code, value, (a, b) -> a); // the record keeps one value per code
                }
            }
            BootpMessage m = new BootpMessage(op & 0xFF, htype, hlen, 0, x, 0, BootpMessage.FLAG_BROADCAST, Ipv4Address.ANY, yiaddr,
                    siaddr, Ipv4Address.ANY, chaddr, sname, file, new BootpOptions(options));
            byte[] payload = Frames.bootp(m);
            return frame(payload, in.bool(), in.bool());
        }

        /** Wraps a UDP payload in Ethernet and IPv4: broadcast or to our MAC, from port 67 to 68 or other ports. */
        byte[] frame(byte[] payload, boolean unicast, boolean otherPorts) {
            int src = otherPorts ? in.u16() : BootpMessage.SERVER_PORT;
            int dst = otherPorts ? in.u16() : BootpMessage.CLIENT_PORT;
            payload = payload.length > 1472 ? java.util.Arrays.copyOf(payload, 1472) : payload;
            return Frames.udp(SERVER_MAC, unicast ? OUR_MAC : MacAddress.BROADCAST, SERVER_IP, src,
                    unicast ? new Ipv4Address(0xc0000202) : Ipv4Address.BROADCAST, dst, payload);
        }

        void deliver(byte[] frame) {
            if (frame.length > 1514) {
                frame = java.util.Arrays.copyOf(frame, 1514);
            }
            record(frame);
            link.deliver(now, frame);
            net.poll(now);
            client.poll(now);
        }

        /** Decodes a delivered frame on its own and keeps it if it is a BOOTREPLY for our xid and chaddr. */
        void record(byte[] frame) {
            try {
                ByteBuffer b = ByteBuffer.wrap(frame);
                EthernetFrame eth = new EthernetFrame().wrap(b, frame.length);
                if (eth.etherType() != EthernetFrame.TYPE_IPV4) {
                    return;
                }
                Ipv4Packet ip = new Ipv4Packet().wrap(b, eth.payloadOffset(), eth.payloadLength(), false);
                if (ip.protocol() != Ipv4Packet.PROTO_UDP || ip.isFragment()) {
                    return;
                }
                UdpDatagram udp = new UdpDatagram().wrap(b, ip.payloadOffset(), ip.payloadLength(), ip.src(), ip.dst(), false);
                if (udp.dstPort() != BootpMessage.CLIENT_PORT) {
                    return;
                }
                BootpMessage m = BootpMessage.parse(b, udp.payloadOffset(), udp.payloadLength());
                if (m.op() == BootpMessage.BOOTREPLY && m.xid() == xid && m.chaddr().equals(OUR_MAC) && m.htype() == 1 && m.hlen() == 6) {
                    ours.add(m);
                }
            } catch (MalformedPacketException e) {
                // not a frame the client could take
            }
        }

        void pollUntilQuiet() {
            for (int i = 0; pollAt() <= now; i++) {
                if (i == 64) {
                    throw new AssertionError("no progress: pollAt() " + pollAt() + " at or before now " + now + " after 64 polls, "
                            + client.state());
                }
                net.poll(now);
                client.poll(now);
                check();
            }
        }

        long pollAt() {
            return Math.min(net.pollAt(), client.pollAt());
        }

        /** The segment falls silent: the client must be bound or give up within its budget. */
        void silence() {
            long start = now;
            for (int i = 0; pollAt() != Long.MAX_VALUE; i++) {
                if (i == 1_000 || pollAt() - start > config.giveUp() + config.maxTimeout() + SEC) {
                    throw new AssertionError("a silent segment did not end BOOTP: " + client.state() + " after " + (now - start) / MS + " ms");
                }
                now = Math.max(now, pollAt());
                net.poll(now);
                client.poll(now);
                check();
            }
            if (!(client.state() instanceof BootpClient.State.Bound || client.state() instanceof BootpClient.State.Failed)) {
                throw new AssertionError("BOOTP stopped without an end: " + client.state());
            }
            if (net.isBound(BootpMessage.CLIENT_PORT)) {
                throw new AssertionError("BOOTP ended but port 68 stays bound: " + client.state());
            }
        }

        void check() {
            link.takeTx().forEach(t -> {
                BootpMessage req = t.decode().asUdp().bootp();
                if (req.op() != BootpMessage.BOOTREQUEST || req.xid() != xid || !req.chaddr().equals(OUR_MAC)) {
                    throw new AssertionError("the client sent " + req);
                }
            });
            if (client.state() instanceof BootpClient.State.Bound b && ours.stream().noneMatch(m -> leaseFrom(m, b.lease()))) {
                throw new AssertionError("bound to " + b.lease() + ", which no delivered reply for xid " + xid + " gives");
            }
        }

        /**
         * Returns whether {@code lease} is what {@code m} says: its address is yiaddr; its file is the file field, else
         * option 67 (RFC 951, RFC 2132 section 9.5), byte for byte; its server is siaddr when that is set (RFC 951) and is not the
         * server identifier beside an option 150 or dotted option 66 naming another server, else one of the
         * servers the reply names elsewhere: option 150 (RFC 5859), option 66 or sname as a dotted address, or the
         * server identifier (option 54).
         */
        static boolean leaseFrom(BootpMessage m, BootpLease lease) {
            if (m.yiaddr().isAny() || !m.yiaddr().equals(lease.address()) || lease.netmask().prefixLength() < 0) {
                return false;
            }
            String file = m.file().isEmpty() ? m.options().text(BootpOptions.BOOTFILE_NAME).orElse("") : m.file();
            // The field's bytes (read one char per byte) are what the RRQ must carry: the lease's name encodes back to them.
            if (file.isEmpty() || !java.util.Arrays.equals(file.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                    dev.netboot.wire.TftpText.encode(lease.bootFile()))) {
                return false;
            }
            Ipv4Address server = lease.server();
            if (!m.siaddr().isAny() && server.equals(m.siaddr())) {
                return true;
            }
            if (!m.siaddr().isAny()) {
                // siaddr yields only when it is the DHCP server's own address and option 150 (else a dotted option 66)
                // names another server, which the board then took.
                Ipv4Address id = null;
                try {
                    id = m.options().address(54).orElse(null);
                } catch (MalformedPacketException e) {
                    // not an address
                }
                List<Ipv4Address> list = List.of();
                try {
                    list = m.options().addresses(150);
                } catch (MalformedPacketException e) {
                    // not a list of addresses: names no server
                }
                Ipv4Address opt = !list.isEmpty() ? list.getFirst() : m.options().text(BootpOptions.TFTP_SERVER_NAME).map(BootpFuzzTest::dotted).orElse(null);
                return m.siaddr().equals(id) && opt != null && server.equals(opt);
            }
            List<Ipv4Address> named = new ArrayList<>();
            try {
                named.addAll(m.options().addresses(150));
            } catch (MalformedPacketException e) {
                // not a list of addresses: names no server
            }
            m.options().text(BootpOptions.TFTP_SERVER_NAME).map(BootpFuzzTest::dotted).ifPresent(named::add);
            named.add(dotted(m.sname()));
            try {
                m.options().address(54).ifPresent(named::add);
            } catch (MalformedPacketException e) {
                // not an address
            }
            return !server.isAny() && named.contains(server);
        }
    }

    static Ipv4Address dotted(String s) {
        try {
            return Ipv4Address.parse(s);
        } catch (IllegalArgumentException e) {
            return Ipv4Address.ANY;
        }
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1).replace('\0', 'x');
    }
}
