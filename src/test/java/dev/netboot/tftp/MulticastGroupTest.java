package dev.netboot.tftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.net.PayloadWriter;
import dev.netboot.net.SendResult;
import dev.netboot.net.UdpHandler;
import dev.netboot.net.UdpTransport;
import dev.netboot.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A multicast read's membership on its own (RFC 2090): the client joins the group the OACK names and listens on its
 * port, leaves both at the end, and a membership it cannot have (no group left in the stack, the port taken on the
 * board) is refused in one line, leaving nothing joined or bound behind.
 */
class MulticastGroupTest {
    private static final Ipv4Address GROUP = Ipv4Address.parse("239.255.0.1");
    private static final int OWN_PORT = 50_000;
    private static final UdpHandler GROUP_DATA = (now, srcIp, srcPort, dstIp, buf, off, len) -> { };

    /** A stack that records what it was asked, with room for {@code room} groups. */
    private static final class Stack implements UdpTransport {
        final Map<Integer, UdpHandler> bound = new HashMap<>();
        final List<Ipv4Address> joined = new ArrayList<>();
        final List<String> calls = new ArrayList<>();
        final int room;

        Stack(int room) {
            this.room = room;
        }

        @Override public void bind(int port, UdpHandler handler) { bound.put(port, handler); calls.add("bind " + port); }
        @Override public void unbind(int port) { bound.remove(port); calls.add("unbind " + port); }
        @Override public boolean isBound(int port) { return bound.containsKey(port); }
        @Override public int maxUdpPayload() { return 1472; }
        @Override public SendResult sendUdp(long now, int srcPort, Ipv4Address dst, int dstPort, int len, PayloadWriter w) {
            throw new AssertionError("a membership sends nothing itself");
        }
        @Override public boolean joinGroup(long now, Ipv4Address group) {
            calls.add("join " + group);
            if (joined.size() == room) {
                return false;
            }
            joined.add(group);
            return true;
        }
        @Override public void leaveGroup(long now, Ipv4Address group) { joined.remove(group); calls.add("leave " + group); }
    }

    @Test
    void joinsTheGroupListensOnItsPortAndLeavesBothOnceAtTheEnd() {
        Stack net = new Stack(1);
        MulticastGroup g = new MulticastGroup(GROUP_DATA);
        assertNull(g.join(net, 0, GROUP, 1758, OWN_PORT));
        assertEquals(List.of(GROUP), net.joined);
        assertEquals(GROUP_DATA, net.bound.get(1758));
        assertEquals("239.255.0.1:1758", g.toString());
        g.leave(5);
        g.leave(6); // the transfer's end and the dally's both leave: once is what the stack sees
        assertEquals(List.of("join 239.255.0.1", "bind 1758", "unbind 1758", "leave 239.255.0.1"), net.calls);
        assertEquals(GROUP, g.address(), "the group stays known for the transfer's statistics");
    }

    @Test
    void aGroupOnTheTransfersOwnPortBindsNothingMoreAndUnbindsNothing() {
        Stack net = new Stack(1);
        net.bind(OWN_PORT, GROUP_DATA); // the transfer's own port, bound by the client before its RRQ
        net.calls.clear();
        MulticastGroup g = new MulticastGroup(GROUP_DATA);
        assertNull(g.join(net, 0, GROUP, OWN_PORT, OWN_PORT));
        g.leave(5);
        assertEquals(List.of("join 239.255.0.1", "leave 239.255.0.1"), net.calls);
        assertTrue(net.isBound(OWN_PORT));
    }

    @Test
    void aStackWithNoGroupLeftIsRefusedInOneLineNamingTheGroup() {
        Stack net = new Stack(0);
        MulticastGroup g = new MulticastGroup(GROUP_DATA);
        assertEquals("cannot join multicast group 239.255.0.1 (the network stack is in as many groups as it can be)",
                g.join(net, 0, GROUP, 1758, OWN_PORT));
        g.leave(5);
        assertEquals(List.of("join 239.255.0.1"), net.calls, "nothing was bound, so nothing is left");
    }

    @Test
    void aGroupPortTakenOnTheBoardIsRefusedAndTheGroupNeverJoined() {
        Stack net = new Stack(1);
        net.bind(1758, (now, srcIp, srcPort, dstIp, buf, off, len) -> { }); // another transfer listens there
        net.calls.clear();
        MulticastGroup g = new MulticastGroup(GROUP_DATA);
        assertEquals("the multicast group's port 1758 is taken on this board", g.join(net, 0, GROUP, 1758, OWN_PORT));
        assertEquals(List.of(), net.joined);
        g.leave(5);
        assertEquals(List.of(), net.calls, "no report and Leave for a group whose DATA it cannot take; the other transfer keeps its port");
    }

    @Test
    void anOackNamesThisGroupWhenItRepeatsGroupAndPortOrLeavesThemEmpty() {
        MulticastGroup g = new MulticastGroup(GROUP_DATA);
        g.join(new Stack(1), 0, GROUP, 1758, OWN_PORT);
        assertTrue(g.named(MulticastOption.parse("239.255.0.1,1758,0")));
        assertTrue(g.named(MulticastOption.parse(",,1")));
        assertFalse(g.named(MulticastOption.parse("239.255.0.2,1758,0")));
        assertFalse(g.named(MulticastOption.parse("239.255.0.1,1759,0")));
    }
}
