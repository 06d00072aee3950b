package dev.netboot.net;

import static dev.netboot.net.ScriptedLink.MS;
import static dev.netboot.net.ScriptedLink.SEC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.wire.Checksum;
import dev.netboot.wire.IgmpPacket;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Joining a multicast group as RFC 1112 level 2 and RFC 2236 (IGMPv2) say, as timelines on a scripted link: the
 * report on joining and its repeat, group traffic taken and other groups' dropped, answers to queries within their
 * Max Resp Time, report suppression, and the leave.
 */
class NetStackMulticastTest {
    static final MacAddress OUR_MAC = MacAddress.parse("02:00:00:00:00:01");
    static final MacAddress SERVER_MAC = MacAddress.parse("02:00:00:00:00:05");
    static final MacAddress OTHER_MAC = MacAddress.parse("02:00:00:00:00:09");
    static final Ipv4Address OUR_IP = Ipv4Address.parse("10.0.0.42");
    static final Ipv4Address SERVER_IP = Ipv4Address.parse("10.0.0.1");
    static final Ipv4Address GROUP = Ipv4Address.parse("239.255.0.1");
    static final Ipv4Address OTHER_GROUP = Ipv4Address.parse("239.255.0.2");
    static final MacAddress GROUP_MAC = MacAddress.parse("01:00:5e:7f:00:01");

    ScriptedLink link;
    NetStack net;
    NetStackTest.Recorder rec;

    @BeforeEach
    void setUp() {
        link = new ScriptedLink(OUR_MAC);
        net = new NetStack(link, NetStackTest.CONFIG);
        net.configure(OUR_IP, Ipv4Address.parse("255.255.255.0"), SERVER_IP);
        rec = new NetStackTest.Recorder();
        net.bind(1758, rec);
    }

    /** The whole frame of an IGMP message of ours, as RFC 2236 and RFC 1112 have it, byte by byte. */
    static byte[] igmpFrame(int type, Ipv4Address group, Ipv4Address dst, int ident) {
        ByteBuffer b = ByteBuffer.allocate(14 + 24 + 8);
        MacAddress.ofMulticast(dst).write(b, 0);
        OUR_MAC.write(b, 6);
        b.putShort(12, (short) 0x0800);
        Ipv4Packet.emitWithRouterAlert(b, 14, 8, Ipv4Packet.PROTO_IGMP, OUR_IP.value(), dst.value(), 1, ident);
        new IgmpPacket(type, 0, group).emit(b, 38);
        return b.array();
    }

    static byte[] query(int maxRespTenths, Ipv4Address group) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8);
        MacAddress.ofMulticast(IgmpPacket.ALL_SYSTEMS).write(b, 0);
        SERVER_MAC.write(b, 6);
        b.putShort(12, (short) 0x0800);
        Ipv4Packet.emit(b, 14, 8, Ipv4Packet.PROTO_IGMP, SERVER_IP.value(), IgmpPacket.ALL_SYSTEMS.value(), 1, 7);
        new IgmpPacket(IgmpPacket.QUERY, maxRespTenths, group).emit(b, 34);
        return b.array();
    }

    /** Returns the bytes of the single frame sent, checking it was sent at {@code at}. */
    byte[] one(long at) {
        List<ScriptedLink.Tx> tx = link.takeTx();
        assertEquals(1, tx.size(), "frames sent");
        assertEquals(at, tx.get(0).at());
        return tx.get(0).bytes();
    }

    void deliver(long at, byte[] frame) {
        link.deliver(at, frame);
        net.poll(at);
    }

    @Test
    void joiningReportsAtOnceAndOnceMoreAfterTheUnsolicitedReportInterval() {
        assertTrue(net.joinGroup(1 * SEC, GROUP));
        List<ScriptedLink.Tx> tx = link.takeTx();
        assertEquals(1, tx.size());
        // 01:00:5e:7f:00:01, IPv4 with Router Alert, TTL 1, to the group, IGMP report: exactly these bytes.
        assertArrayEquals(igmpFrame(IgmpPacket.V2_REPORT, GROUP, GROUP, 0), tx.get(0).bytes());
        assertEquals("01005e7f0001" + "020000000001" + "0800" + "46000020",
                HexFormat.of().formatHex(tx.get(0).bytes(), 0, 18));
        assertEquals(11 * SEC, net.pollAt()); // RFC 2236 8.10: Unsolicited Report Interval, 10 s
        net.poll(11 * SEC - 1);
        link.expectNoTx();
        net.poll(11 * SEC);
        assertArrayEquals(igmpFrame(IgmpPacket.V2_REPORT, GROUP, GROUP, 1), one(11 * SEC));
        assertEquals(Long.MAX_VALUE, net.pollAt());
        assertTrue(net.joinGroup(12 * SEC, GROUP)); // already in: nothing more
        link.expectNoTx();
    }

    @Test
    void takesItsGroupsDatagramsAndDropsOtherGroups() {
        byte[] toGroup = NetStackTest.udpToUs(GROUP, 1758, new byte[] {1, 2, 3});
        GROUP_MAC.write(ByteBuffer.wrap(toGroup), 0);
        deliver(1 * MS, toGroup);
        assertEquals(0, rec.datagrams.size()); // not joined yet: another station's traffic
        net.joinGroup(2 * MS, GROUP);
        link.takeTx();
        deliver(3 * MS, toGroup);
        assertEquals(1, rec.datagrams.size());
        assertEquals(GROUP, rec.datagrams.get(0).dst());
        byte[] toOther = NetStackTest.udpToUs(OTHER_GROUP, 1758, new byte[] {4});
        MacAddress.ofMulticast(OTHER_GROUP).write(ByteBuffer.wrap(toOther), 0);
        deliver(4 * MS, toOther);
        // 239.255.0.2 in the frame of our group's MAC (two groups that share the low 23 bits would): dropped at IP.
        byte[] sharedMac = NetStackTest.udpToUs(OTHER_GROUP, 1758, new byte[] {5});
        GROUP_MAC.write(ByteBuffer.wrap(sharedMac), 0);
        deliver(5 * MS, sharedMac);
        assertEquals(1, rec.datagrams.size());
        net.leaveGroup(6 * MS, GROUP);
        link.takeTx();
        deliver(7 * MS, toGroup);
        assertEquals(1, rec.datagrams.size());
    }

    @Test
    void aQueryIsAnsweredWithinItsMaxRespTimeAndAnotherMembersReportSilencesOurs() {
        net.joinGroup(0, GROUP);
        link.takeTx();
        deliver(1 * SEC, query(20, Ipv4Address.ANY)); // general query, 2 s
        long at = net.pollAt();
        assertTrue(at >= 1 * SEC && at < 3 * SEC, "report due at " + at);
        net.poll(at);
        assertArrayEquals(igmpFrame(IgmpPacket.V2_REPORT, GROUP, GROUP, 1), one(at));
        // A group-specific query for another group asks nothing of us.
        deliver(4 * SEC, query(20, OTHER_GROUP));
        assertEquals(Long.MAX_VALUE, net.pollAt());
        // Asked again; another member reports first: ours is cancelled, and with it our duty to send the leave.
        deliver(5 * SEC, query(100, GROUP));
        assertTrue(net.pollAt() < 15 * SEC);
        ByteBuffer other = ByteBuffer.wrap(igmpFrame(IgmpPacket.V2_REPORT, GROUP, GROUP, 9));
        OTHER_MAC.write(other, 6);
        other.putInt(14 + 12, Ipv4Address.parse("10.0.0.43").value());
        other.putShort(14 + 10, (short) 0);
        other.putShort(14 + 10, (short) Checksum.of(other, 14, 24));
        deliver(5 * SEC + 1, other.array());
        assertEquals(Long.MAX_VALUE, net.pollAt());
        net.leaveGroup(6 * SEC, GROUP);
        link.expectNoTx();
    }

    @Test
    void leavingAfterReportingSendsALeaveToAllRouters() {
        net.joinGroup(0, GROUP);
        link.takeTx();
        net.leaveGroup(1 * SEC, GROUP);
        assertArrayEquals(igmpFrame(IgmpPacket.LEAVE, GROUP, IgmpPacket.ALL_ROUTERS, 1), one(1 * SEC));
        assertFalse(net.isMember(GROUP));
        assertEquals(Long.MAX_VALUE, net.pollAt());
    }

    @Test
    void joiningNeedsAnAddressARealGroupAndRoom() {
        NetStack bare = new NetStack(new ScriptedLink(OUR_MAC), NetStackTest.CONFIG);
        assertFalse(bare.joinGroup(0, GROUP)); // no address to report from yet
        assertThrows(IllegalArgumentException.class, () -> net.joinGroup(0, SERVER_IP));
        assertThrows(IllegalArgumentException.class, () -> net.joinGroup(0, IgmpPacket.ALL_SYSTEMS));
        for (int i = 0; i < NetStack.MAX_GROUPS; i++) {
            assertTrue(net.joinGroup(0, new Ipv4Address(GROUP.value() + i)));
        }
        assertFalse(net.joinGroup(0, new Ipv4Address(GROUP.value() + NetStack.MAX_GROUPS)));
    }

    @Test
    void datagramsToAGroupGoToItsEthernetAddressWithTtlOne() {
        net.sendUdp(0, 1234, GROUP, 1758, 3, NetStackTest.bytes(new byte[] {7, 8, 9}));
        byte[] f = one(0);
        assertEquals("01005e7f0001", HexFormat.of().formatHex(f, 0, 6)); // no ARP: RFC 1112 6.4
        assertEquals(1, f[14 + 8]);                                      // TTL 1: RFC 1112 6.1
    }
}
