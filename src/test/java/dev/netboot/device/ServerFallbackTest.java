package dev.netboot.device;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.dhcp.Lease;
import dev.netboot.tftp.TftpFailure;
import org.junit.jupiter.api.Test;

/**
 * The rule of README's "Another server's offer", case by case: a boot could not start when no block came and the
 * server said ERROR 1 (file not found) or 2 (access violation), RFC 1350's codes for a file it will not give, or
 * never answered, or could not be reached; a DHCP lease may then be given up for another offer, twice a boot.
 */
class ServerFallbackTest {
    private static TftpFailure error(int code) {
        return new TftpFailure(TftpFailure.Kind.SERVER_ERROR, code, "ERROR " + code);
    }

    @Test
    void aFileTheServerWillNotGiveBeforeAnyBlockMeansTheBootCouldNotStart() {
        assertTrue(ServerFallback.couldNotStart(error(1), 0));
        assertTrue(ServerFallback.couldNotStart(error(2), 0));
        assertFalse(ServerFallback.couldNotStart(error(1), 1)); // a block came: the server has the file
        assertFalse(ServerFallback.couldNotStart(error(0), 0)); // "not defined": the server's own trouble
        assertFalse(ServerFallback.couldNotStart(error(3), 0)); // disk full
        assertFalse(ServerFallback.couldNotStart(error(8), 0)); // options refused: the client asks again without
    }

    @Test
    void silenceOrNoRouteBeforeAnyBlockMeansTheBootCouldNotStartButALocalOrProtocolFailureDoesNot() {
        assertTrue(ServerFallback.couldNotStart(new TftpFailure(TftpFailure.Kind.TIMEOUT, -1, "no answer"), 0));
        assertTrue(ServerFallback.couldNotStart(new TftpFailure(TftpFailure.Kind.UNREACHABLE, -1, "ARP"), 0));
        assertFalse(ServerFallback.couldNotStart(new TftpFailure(TftpFailure.Kind.TIMEOUT, -1, "no answer"), 40));
        assertFalse(ServerFallback.couldNotStart(new TftpFailure(TftpFailure.Kind.LOCAL, 3, "image too large"), 0));
        assertFalse(ServerFallback.couldNotStart(new TftpFailure(TftpFailure.Kind.PROTOCOL, 8, "bad OACK"), 0));
    }

    @Test
    void aDhcpLeaseIsGivenUpForAnotherOfferTwiceABootAtMost() {
        ServerFallback f = new ServerFallback();
        assertFalse(f.giveUp(Lease.Source.DHCP, false)); // no other server offered: nothing to fall back to
        assertTrue(f.giveUp(Lease.Source.DHCP, true));
        assertTrue(f.giveUp(Lease.Source.DHCP, true));
        assertFalse(f.giveUp(Lease.Source.DHCP, true));
    }

    @Test
    void aBootpBindingIsNeverGivenUp() {
        assertFalse(new ServerFallback().giveUp(Lease.Source.BOOTP, true));
    }
}
