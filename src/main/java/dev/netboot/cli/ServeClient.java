package dev.netboot.cli;

import dev.netboot.emulator.TftpMulticastSession;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One of {@code netboot serve}'s clients, known by its MAC (or, behind a relay agent, by the address leased to it): what it
 * was told by DHCP/BOOTP, and the files it asked for, each a {@link ServeTransfer} ({@link ServeClients} follows them).
 */
final class ServeClient {
    final MacAddress mac;
    final long firstSeen;
    Ipv4Address address;
    String how = "none";
    int dhcpRequests;
    int dhcpReplies;
    final List<ServeTransfer> transfers = new ArrayList<>(); // in the order asked for: a file served and asked again is another
    ServeTransfer asked; // the file asked for last
    String sentError; // the last ERROR the client sent
    final Set<Integer> errorsSaid = new HashSet<>(); // the codes of the server's ERRORs to it already said on a line
    boolean malformedSaid; // a DHCP/BOOTP message of its that did not parse was said
    final List<Integer> ips = new ArrayList<>(1); // the addresses it is known at ({@link ServeClientTable#at})

    ServeClient(MacAddress mac, long firstSeen) {
        this.mac = mac;
        this.firstSeen = firstSeen;
    }

    /** Starts a transfer of {@code file}, asked for at {@code now}: the one asked for last. */
    ServeTransfer ask(String file, long now) {
        asked = new ServeTransfer(file, now);
        transfers.add(asked);
        return asked;
    }

    /** Returns the transfer of {@code file} asked for last, or null. */
    ServeTransfer current(String file) {
        for (int i = transfers.size() - 1; i >= 0; i--) {
            if (transfers.get(i).file.equals(file)) {
                return transfers.get(i);
            }
        }
        return null;
    }

    /** Returns whether one of the client's transfers is (or was) member {@code i} of multicast transfer {@code m}. */
    boolean holds(TftpMulticastSession m, int i) {
        for (ServeTransfer t : transfers) {
            if (t.multicast == m && t.member == i) {
                return true;
            }
        }
        return false;
    }

    /** Returns the main transfer: the first that started, else the file asked for last; null when it asked for none. */
    ServeTransfer main() {
        for (ServeTransfer t : transfers) {
            if (t.started()) {
                return t;
            }
        }
        return asked;
    }

    /** Returns whether the main transfer is over, and not because the server gave up on the client. */
    boolean finished() {
        ServeTransfer m = main();
        return m != null && m.endAt >= 0 && !m.givenUp();
    }

    /** Returns whether one of its transfers runs: started and not over. */
    boolean running() {
        for (ServeTransfer t : transfers) {
            if (t.started() && t.endAt < 0) {
                return true;
            }
        }
        return false;
    }

    /** Returns whether the server gave up on the client's main transfer: the client fell silent (and may come back). */
    boolean givenUp() {
        ServeTransfer m = main();
        return m != null && m.givenUp();
    }
}
