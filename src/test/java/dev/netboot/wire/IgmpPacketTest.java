package dev.netboot.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * RFC 2236 IGMPv2 messages. Checksums worked out by hand: the one's complement of the one's complement sum of the
 * 16-bit words, e.g. for the report 0x1600 + 0xefff + 0x0001 = 0x10600, folded 0x0601, complemented 0xf9fe.
 */
class IgmpPacketTest {
    static final Ipv4Address GROUP = Ipv4Address.parse("239.255.0.1");

    static final byte[] REPORT = HexFormat.of().parseHex(
            "16"            // type: Version 2 Membership Report
            + "00"          // max resp time: unused in a report
            + "f9fe"        // checksum
            + "efff0001");  // group 239.255.0.1

    static final byte[] GENERAL_QUERY = HexFormat.of().parseHex(
            "11"            // type: Membership Query
            + "64"          // max resp time: 100 tenths, 10 s
            + "ee9b"        // checksum: ~0x1164
            + "00000000");  // group 0: a General Query

    static final byte[] LEAVE = HexFormat.of().parseHex("1700" + "f8fe" + "efff0001");

    @Test
    void parsesAndEmitsTheThreeMessagesAHostMeets() {
        assertEquals(new IgmpPacket(IgmpPacket.V2_REPORT, 0, GROUP), IgmpPacket.parse(ByteBuffer.wrap(REPORT), 0, 8, true));
        IgmpPacket q = IgmpPacket.parse(ByteBuffer.wrap(GENERAL_QUERY), 0, 8, true);
        assertEquals(new IgmpPacket(IgmpPacket.QUERY, 100, Ipv4Address.ANY), q);
        assertEquals(10_000_000_000L, q.maxResponseNanos());
        assertEquals(new IgmpPacket(IgmpPacket.LEAVE, 0, GROUP), IgmpPacket.parse(ByteBuffer.wrap(LEAVE), 0, 8, true));
        for (byte[] golden : new byte[][] {REPORT, GENERAL_QUERY, LEAVE}) {
            ByteBuffer b = ByteBuffer.allocate(8);
            IgmpPacket.parse(ByteBuffer.wrap(golden), 0, 8, true).emit(b, 0);
            assertArrayEquals(golden, b.array());
        }
    }

    @Test
    void aVersionOneQueryMeansTenSecondsAndAVersionThreeQueryIsAVersionTwoOne() {
        // RFC 2236 section 4: a Max Resp Time of 0 is a version 1 query, answered within 10 s.
        ByteBuffer v1 = ByteBuffer.allocate(8);
        new IgmpPacket(IgmpPacket.QUERY, 0, Ipv4Address.ANY).emit(v1, 0);
        assertEquals(10_000_000_000L, IgmpPacket.parse(v1, 0, 8, true).maxResponseNanos());
        // RFC 3376 query: 12 bytes (resv/S/QRV, QQIC, number of sources 0); the checksum covers all of them.
        ByteBuffer v3 = ByteBuffer.wrap(HexFormat.of().parseHex("1164" + "0000" + "00000000" + "027d0000"));
        v3.putShort(2, (short) Checksum.of(v3, 0, 12));
        IgmpPacket q = IgmpPacket.parse(v3, 0, 12, true);
        assertEquals(IgmpPacket.QUERY, q.type());
        assertEquals(10_000_000_000L, q.maxResponseNanos());
    }

    @Test
    void shortOrDamagedMessagesAreRefused() {
        for (int n = 0; n < 8; n++) {
            int len = n;
            assertThrows(MalformedPacketException.class, () -> IgmpPacket.parse(ByteBuffer.wrap(REPORT), 0, len, true));
        }
        byte[] bad = REPORT.clone();
        bad[7] ^= 1;
        MalformedPacketException e = assertThrows(MalformedPacketException.class, () -> IgmpPacket.parse(ByteBuffer.wrap(bad), 0, 8, true));
        assertTrue(e.getMessage().startsWith("IGMP checksum: 0xf9fe"), e.getMessage());
        assertEquals(new IgmpPacket(IgmpPacket.V2_REPORT, 0, Ipv4Address.parse("239.255.0.0")),
                IgmpPacket.parse(ByteBuffer.wrap(bad), 0, 8, false));
        assertThrows(MalformedPacketException.class, () -> IgmpPacket.parse(ByteBuffer.wrap(REPORT), 0, 12, true));
    }

    @Test
    void theRouterAlertHeaderAndTheGroupsEthernetAddress() {
        // A report from 10.0.0.42 to its group: IHL 6, total 24 + 8, DF clear, TTL 1, protocol 2, checksum 0x2aae
        // (0x4600+0x0020+0x0102+0x0a00+0x002a+0xefff+0x0001+0x9404 = 0x1d550, folded 0xd551), option 94 04 00 00.
        ByteBuffer b = ByteBuffer.allocate(24);
        Ipv4Packet.emitWithRouterAlert(b, 0, 8, Ipv4Packet.PROTO_IGMP, Ipv4Address.parse("10.0.0.42").value(), GROUP.value(), 1, 0);
        assertArrayEquals(HexFormat.of().parseHex("46000020" + "00000000" + "01022aae" + "0a00002a" + "efff0001" + "94040000"),
                b.array());
        // RFC 1112 6.4: 01:00:5e and the low 23 bits; 239.255.0.1 and 224.127.0.1 share 01:00:5e:7f:00:01.
        assertEquals(MacAddress.parse("01:00:5e:7f:00:01"), MacAddress.ofMulticast(GROUP));
        assertEquals(MacAddress.parse("01:00:5e:7f:00:01"), MacAddress.ofMulticast(Ipv4Address.parse("224.127.0.1")));
        assertEquals(MacAddress.parse("01:00:5e:00:00:01"), MacAddress.ofMulticast(IgmpPacket.ALL_SYSTEMS));
        assertTrue(GROUP.isMulticast() && !Ipv4Address.parse("240.0.0.1").isMulticast() && !Ipv4Address.parse("223.255.255.255").isMulticast());
    }
}
