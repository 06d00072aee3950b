package dev.netboot.dhcp;

import dev.netboot.bootp.BootpConfig;
import dev.netboot.wire.Ipv4Address;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * How the servers asked for a lease refused it: the DHCPNAKs of one acquisition, and when discovery starts again after
 * each; and why the last reply to the DHCPREQUEST of the offer taken could not be used. RFC 2131 section 4.4.1: "If the client
 * receives a DHCPNAK message, the client restarts the configuration process"; the first restart goes at once (a lease
 * the server forgot, a request that crossed a pool change), each further one waits as an unanswered DHCPDISCOVER does
 * (section 4.1's backoff with the profile's timing: 1 s, 2 s, 4 s ... by default). A server that refuses every
 * DHCPREQUEST (ISC dhcpd "authoritative" on a subnet that is not the board's, or a hostile peer) would otherwise drive
 * a DISCOVER/REQUEST/NAK loop as fast as the wire goes: 634,117 DHCPDISCOVERs in 60 s were measured so; 8 with this.
 */
final class Refusals {
    /** Servers named in the give-up message, at most; more are counted. */
    private static final int NAMED = 3;

    private final Map<Ipv4Address, String> servers = new LinkedHashMap<>(); // server -> its last option 56, "" for none
    private int count;
    private boolean others;      // a DHCPNAK came from a server past the first NAMED
    private String ackProblem;   // why the requested server's last reply could not be used, or null

    /** Forgets the acquisition's refusals: a new one starts. */
    void clear() {
        servers.clear();
        count = 0;
        others = false;
    }

    /** Notes why a reply to the DHCPREQUEST could not be used ({@code null} when a new offer is requested). */
    void unusableAck(String why) {
        ackProblem = why;
    }

    /** Says what the requested {@code server} did not send: no DHCPACK at all, or none that could be used, and why. */
    String noAck(Ipv4Address server, String after) {
        return ackProblem == null ? "no DHCPACK from " + server + after
                : "no usable DHCPACK from " + server + after + " (last refused: " + ackProblem + ")";
    }

    /** Returns the DHCPNAKs since {@link #clear}. */
    int count() {
        return count;
    }

    /**
     * Notes a DHCPNAK from {@code server} with option 56's {@code text} ("" for none) at {@code now}; returns when
     * discovery starts again: at once after the first, after the backoff of the (n-1)th DHCPDISCOVER after the nth.
     */
    long refused(long now, Ipv4Address server, String text, BootpConfig retry, RandomGenerator random) {
        count++;
        if (servers.containsKey(server) || servers.size() < NAMED) {
            servers.put(server, text);
        } else {
            others = true;
        }
        return count == 1 ? now : now + Timing.backoff(retry, count - 2, random);
    }

    /**
     * Returns what refused the board, for the give-up message: "N DHCPREQUEST(s) refused with DHCPNAK by S (text)
     * and T (text)" (past three servers: "and other servers"), each server with the text of its last DHCPNAK (option 56, none when it sent none).
     */
    String describe() {
        StringBuilder b = new StringBuilder().append(count).append(count == 1 ? " DHCPREQUEST" : " DHCPREQUESTs")
                .append(" refused with DHCPNAK by ");
        int i = 0;
        for (Map.Entry<Ipv4Address, String> e : servers.entrySet()) {
            b.append(i == 0 ? "" : i == servers.size() - 1 && !others ? " and " : ", ").append(e.getKey());
            if (!e.getValue().isEmpty()) {
                b.append(" (").append(e.getValue()).append(')');
            }
            i++;
        }
        if (others) {
            b.append(" and other servers");
        }
        return b.toString();
    }
}
