package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.emulator.MulticastMember;
import dev.netboot.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

/**
 * Which multicast clients the server gave up on may have the file: those silent after acknowledging every block but the
 * last (a lost final ACK, RFC 1350), as a unicast session's "every block sent, the last never acknowledged".
 */
class ServeMulticastEndTest {
    static final Ipv4Address CLIENT = Ipv4Address.parse("192.0.2.50");

    static MulticastMember member(long acked, MulticastMember.Left left) {
        return new MulticastMember(CLIENT, 40000, acked, left);
    }

    @Test
    void aClientGivenUpAfterAcknowledgingEveryBlockButTheLastMayHaveTheFile() {
        // 300,000 bytes in 1428-byte blocks: 210 full blocks (299,880 bytes) and block 211 of 120 bytes.
        assertTrue(ServeMulticast.lastAckMissing(member(210, MulticastMember.Left.GIVEN_UP), 300_000, 1428));
        // 2,856 bytes are two full blocks and an empty block 3 (RFC 1350: the end is a block shorter than 512, or 0 bytes).
        assertTrue(ServeMulticast.lastAckMissing(member(2, MulticastMember.Left.GIVEN_UP), 2856, 1428));
    }

    @Test
    void aClientGivenUpEarlierOrServedOrThatSentAnErrorIsNot() {
        assertFalse(ServeMulticast.lastAckMissing(member(209, MulticastMember.Left.GIVEN_UP), 300_000, 1428));
        assertFalse(ServeMulticast.lastAckMissing(member(1, MulticastMember.Left.GIVEN_UP), 2856, 1428));
        assertFalse(ServeMulticast.lastAckMissing(member(211, MulticastMember.Left.SERVED), 300_000, 1428));
        assertFalse(ServeMulticast.lastAckMissing(member(210, MulticastMember.Left.ERROR), 300_000, 1428));
        assertFalse(ServeMulticast.lastAckMissing(member(210, null), 300_000, 1428));
    }
}
