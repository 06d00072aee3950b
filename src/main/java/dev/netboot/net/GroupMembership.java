package dev.netboot.net;

import dev.netboot.link.Link;
import dev.netboot.wire.IgmpPacket;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.MalformedPacketException;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * A host's multicast groups (RFC 1112 level 2) and its IGMPv2 membership state in each (RFC 2236 section 6): the
 * instant of a pending report ({@link Long#MAX_VALUE}: none), and whether this host sent the last report heard for
 * the group (its "flag": then the Leave Group is this host's to send). Fixed arrays of {@link NetStack#MAX_GROUPS};
 * nothing is allocated after construction but the query delays' random source, once. The stack's joins, leaves and
 * IGMP messages come here; the stack sends the messages ({@link Sender}), and this class asks the link to pass a
 * group's Ethernet address up (and no longer).
 */
final class GroupMembership {
    /** Sends one IGMP message; false when the link had no room for it. */
    interface Sender {
        boolean sendIgmp(long now, int type, int group, int dstIp);
    }

    /** RFC 2236 section 8.10, Unsolicited Report Interval: when the report sent on joining is repeated. */
    static final long UNSOLICITED_REPORT_INTERVAL = 10_000_000_000L;
    private static final long ALL_SYSTEMS_MAC = MacAddress.multicastValue(IgmpPacket.ALL_SYSTEMS.value());

    private final Link link;
    private final long mac;
    private final boolean verifyChecksums;
    private final Sender sender;
    private final int[] groups;
    private final long[] reportAt;
    private final boolean[] lastReporter;
    private int count;
    private SplittableRandom random;
    private long reportsSent, queries;
    private long version; // moves with every join and leave: the groups are part of what the stack's receive checks read

    GroupMembership(Link link, long mac, int maxGroups, boolean verifyChecksums, Sender sender) {
        this.link = link;
        this.mac = mac;
        this.verifyChecksums = verifyChecksums;
        this.sender = sender;
        this.groups = new int[maxGroups];
        this.reportAt = new long[maxGroups];
        this.lastReporter = new boolean[maxGroups];
    }

    /** Returns how many groups the host is in. */
    int count() {
        return count;
    }

    /**
     * Adds {@code group} ({@link NetStack#joinGroup}), has the link pass its Ethernet address up and sends its first
     * Version 2 Membership Report (again after the Unsolicited Report Interval); false when the host is in as many
     * groups as it can be, or has no {@code address} to report from.
     *
     * @throws IllegalArgumentException when {@code group} is not a multicast address, or is 224.0.0.1
     */
    boolean join(long now, Ipv4Address group, int address) {
        int g = group.value();
        if (!group.isMulticast() || g == IgmpPacket.ALL_SYSTEMS.value()) {
            throw new IllegalArgumentException("group " + group + " (expected: a multicast address other than 224.0.0.1)");
        }
        if (isMember(g)) {
            return true;
        }
        if (count == groups.length || address == 0) {
            return false;
        }
        version++;
        link.joinMulticast(new MacAddress(MacAddress.multicastValue(g)));
        int i = count++;
        groups[i] = g;
        lastReporter[i] = false;
        reportAt[i] = now; // the next poll sends it if the link has no room now; the repeat follows
        if (report(now, g)) {
            lastReporter[i] = true;
            reportAt[i] = now + UNSOLICITED_REPORT_INTERVAL;
        }
        return true;
    }

    /**
     * Drops group {@code g}, if the host is in it, with a Leave Group to all-routers when this host's report was the
     * last heard (RFC 2236 section 3); the link stops passing its Ethernet address up unless another group has it.
     */
    void leave(long now, int g) {
        version++;
        for (int i = 0; i < count; i++) {
            if (groups[i] == g) {
                if (lastReporter[i]) {
                    sender.sendIgmp(now, IgmpPacket.LEAVE, g, IgmpPacket.ALL_ROUTERS.value());
                }
                count--;
                groups[i] = groups[count];
                reportAt[i] = reportAt[count];
                lastReporter[i] = lastReporter[count];
                long groupMac = MacAddress.multicastValue(g);
                if (!mapsMac(groupMac)) {
                    link.leaveMulticast(new MacAddress(groupMac));
                }
                return;
            }
        }
    }

    /** Returns whether a group the host is in has the Ethernet address {@code groupMac}. */
    boolean mapsMac(long groupMac) {
        for (int i = 0; i < count; i++) {
            if (MacAddress.multicastValue(groups[i]) == groupMac) {
                return true;
            }
        }
        return false;
    }

    /** Returns whether the host is in group {@code g}. */
    boolean isMember(int g) {
        for (int i = 0; i < count; i++) {
            if (groups[i] == g) {
                return true;
            }
        }
        return false;
    }

    /** Returns whether frames to group MAC {@code dst} are ours: a joined group's, or all-systems' while in any group. */
    boolean wantsMac(long dst) {
        if (count == 0 || (dst >>> 24) != 0x01005EL) {
            return false;
        }
        return dst == ALL_SYSTEMS_MAC || mapsMac(dst); // all-systems: queries, which a host in any group answers
    }

    /** Sends the reports that are due. */
    void poll(long now) {
        for (int i = 0; i < count; i++) {
            if (now >= reportAt[i] && report(now, groups[i])) {
                reportAt[i] = Long.MAX_VALUE;
                lastReporter[i] = true;
            }
        }
    }

    /** Returns the earliest pending report, or {@link Long#MAX_VALUE}. */
    long pollAt() {
        long at = Long.MAX_VALUE;
        for (int i = 0; i < count; i++) {
            at = Math.min(at, reportAt[i]);
        }
        return at;
    }

    /** Returns a number that moves with every join and leave (the stack's {@link ReceiveFilter#receiveState}). */
    long version() {
        return version;
    }

    /**
     * An IGMP message from {@code srcMac} (RFC 2236 section 6): a query schedules a report of each group it asks about
     * after a random delay up to its Max Response Time (or sooner, if one was due already); another member's report
     * for a group of ours cancels our pending report, and then its leave is not ours to send. Returns false, acting on
     * nothing, when the message is malformed (or its checksum wrong).
     */
    boolean onMessage(long now, ByteBuffer frame, int off, int len, long srcMac) {
        IgmpPacket p;
        try {
            p = IgmpPacket.parse(frame, off, len, verifyChecksums);
        } catch (MalformedPacketException e) {
            return false;
        }
        if (p.type() == IgmpPacket.QUERY) {
            queries++;
            int asked = p.group().value();
            for (int i = 0; i < count; i++) {
                if (asked == 0 || asked == groups[i]) {
                    if (random == null) {
                        random = new SplittableRandom(mac); // spreads the boards' answers: seeded by the MAC, repeatable
                    }
                    long at = now + random.nextLong(p.maxResponseNanos());
                    if (at < reportAt[i]) {
                        reportAt[i] = at;
                    }
                }
            }
        } else if (p.isReport()) {
            for (int i = 0; i < count; i++) {
                if (groups[i] == p.group().value() && srcMac != mac) {
                    reportAt[i] = Long.MAX_VALUE;
                    lastReporter[i] = false;
                }
            }
        }
        return true;
    }

    private boolean report(long now, int g) {
        boolean sent = sender.sendIgmp(now, IgmpPacket.V2_REPORT, g, g);
        if (sent) {
            reportsSent++;
        }
        return sent;
    }

    /** Returns the membership reports sent and the queries heard. */
    long[] counters() {
        return new long[] {reportsSent, queries};
    }
}
