package dev.netboot.cli;

import dev.netboot.emulator.TftpMulticastSession;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
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
    int filesNotListed; // transfers folded away (fold): the earliest over, past FILES
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

    /** The transfers a client keeps one by one; past them the earliest over is folded into a count ({@link #fold}). */
    static final int FILES = 64;

    /**
     * Past {@link #FILES} transfers, takes the earliest one that is over (or never started) and is neither the main one nor
     * the one asked for last out of the list, counts it, and returns it (the caller lets go of its sessions); else null.
     * A host asking for name after name (a TFTP scanner guessing file names) kept a transfer for each.
     */
    ServeTransfer fold() {
        if (transfers.size() <= FILES) {
            return null;
        }
        ServeTransfer main = main();
        for (int i = 0; i < transfers.size(); i++) {
            ServeTransfer t = transfers.get(i);
            if (t != main && t != asked && (t.endAt >= 0 || !t.started())) {
                transfers.remove(i);
                filesNotListed++;
                return t;
            }
        }
        return null;
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

    /**
     * Prints the client's summary line (address and how it was given, or {@code why} it has none when known, DHCP messages,
     * its main transfer) and one line more per other file it asked for.
     */
    void summary(PrintStream out, long now, String why) {
        ServeTransfer main = main();
        StringBuilder b = new StringBuilder("  ").append(mac).append("  ")
                .append(address != null ? address + " (" + how + ")" : why != null ? "no address (" + why + ")" : "no address")
                .append(String.format(Locale.ROOT, ", %d DHCP/BOOTP requests, %d replies", dhcpRequests, dhcpReplies));
        if (main == null) {
            b.append(", no transfer");
        } else {
            b.append(", ");
            main.describe(b, now);
        }
        out.println(Shown.text(b.toString())); // the file names clients asked for
        for (ServeTransfer t : transfers) {
            if (t != main) {
                out.println(Shown.text(t.describe(new StringBuilder("    then "), now).toString()));
            }
        }
        if (filesNotListed > 0) {
            out.println("    and " + filesNotListed + " more " + (filesNotListed == 1 ? "file" : "files") + " asked for, not listed (a client's "
                    + FILES + " listed)");
        }
    }

    /** Returns the client as {@code --json}'s {@code clients} lists it: see README, "A chaos boot server for real boards". */
    Json json(long now) {
        ServeTransfer main = main();
        Json j = Json.object().put("mac", mac.toString()).put("address", address == null ? null : address.toString())
                .put("how", how).put("dhcpRequests", dhcpRequests).put("dhcpReplies", dhcpReplies)
                .put("file", main == null ? null : main.file);
        j.put("refused", main == null ? null : main.refused);
        if (main == null || !main.seen()) {
            j.put("transfer", (String) null);
        } else {
            j.put("transfer", main.json(now));
        }
        List<String> later = new ArrayList<>();
        List<Json> all = new ArrayList<>();
        for (ServeTransfer t : transfers) {
            if (t != main) {
                later.add(t.file);
            }
            Json one = Json.object().put("file", t.file).put("refused", t.refused);
            all.add(!t.seen() ? one.put("transfer", (String) null) : one.put("transfer", t.json(now)));
        }
        return j.putArray("later", later).putArray("transfers", all).put("notListed", filesNotListed);
    }
}
