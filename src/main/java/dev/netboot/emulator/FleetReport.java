package dev.netboot.emulator;

import dev.netboot.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The figures of a {@link FleetBoot} run. Times are virtual nanoseconds from the first power-up, except
 * {@code wallNanos}. Percentiles are nearest-rank over the boards that booted.
 *
 * @param boards              boards in the fleet
 * @param booted              boards whose image is in flash, verified and committed
 * @param failures            why the others failed: the failure with numbers and addresses taken out, and how many
 *                            boards failed so, most first; boards still busy when the budget ran out as "unfinished"
 * @param lastBooted          when the last board booted, -1 when none did
 * @param p50                 per-board boot time (power-up to committed), median
 * @param p95                 95th percentile
 * @param p99                 99th percentile
 * @param max                 the slowest board's
 * @param serverFrames        TFTP DATA frames the servers sent (the server host and any other TFTP hosts), to boards
 *                            or to groups, first or again: the image on the wire
 * @param serverBytes         bytes of those frames (Ethernet, IPv4, UDP and TFTP headers and the block)
 * @param serverResentFrames  of {@code serverFrames}, DATA of a block the transfer had sent before, sent again
 * @param serverResentBytes   bytes of those
 * @param serverOverheadFrames every other frame the servers' ports sent: DHCP, ARP, OACK, ERROR
 * @param serverOverheadBytes bytes of those
 * @param imageBytes          the image's size
 * @param boardRetransmissions packets the boards sent again: DHCP requests, TFTP retransmissions and re-ACKs
 * @param dhcpRetransmissions of those, the DHCP/BOOTP requests sent again
 * @param serverRetransmissions DATA (or OACK) the TFTP servers sent again
 * @param leaseCollisions     boards that ended with an address another board also has
 * @param declines            addresses boards found in use and declined (RFC 5227 probe answered)
 * @param firstRequests       when the boards sent their first DHCP (or BOOTP) request: min, median, max
 * @param tftpRequests        when the boards first asked for the image: min, median, max (-1 each when none did)
 * @param peakTransfers       most transfers one TFTP server ran at once
 * @param requestsWaited      requests that waited for a transfer to end ({@link TftpServerLimits.WhenFull#WAIT})
 * @param requestsDropped     requests a TFTP server dropped (over its limit, or its queue full)
 * @param requestsBusy        requests answered "Server busy"
 * @param linkBitsPerSecond   each server port's link rate (0: infinite)
 * @param serverLinks         server ports sending the image (the server host and the scenario's other TFTP hosts)
 * @param samples             the servers' bytes and the boards booted every {@link FleetBoot#SAMPLE_NANOS}
 * @param multicast           the multicast side: boards whose image came by multicast, their turns as master client,
 *                            the blocks they dropped for want of room (flash busy), and the servers' multicast
 *                            transfers, DATA sent to groups and times a master changed; null when no board got a
 *                            multicast transfer
 * @param simulatedNanos      virtual time at the end
 * @param frames              frames put on every segment
 * @param polls               node polls the simulation made
 * @param wallNanos           wall time of the run
 */
public record FleetReport(int boards, int booted, Map<String, Integer> failures, long lastBooted, long p50, long p95, long p99,
                          long max, long serverFrames, long serverBytes, long serverResentFrames, long serverResentBytes,
                          long serverOverheadFrames, long serverOverheadBytes, long imageBytes, long boardRetransmissions,
                          long dhcpRetransmissions, long serverRetransmissions, int leaseCollisions, long declines,
                          long[] firstRequests, long[] tftpRequests, long peakTransfers, long requestsWaited,
                          long requestsDropped, long requestsBusy, long linkBitsPerSecond, int serverLinks, List<FleetBoot.Sample> samples,
                          Multicast multicast, long simulatedNanos, long frames, long polls, long wallNanos) {
    /**
     * The multicast side of a run.
     *
     * @param boards        boards whose transfer was a multicast one
     * @param masterTurns   times boards were made master client, summed
     * @param sinkDrops     blocks boards dropped because their flash buffer was full, summed
     * @param transfers     multicast transfers the servers started
     * @param groupData     DATA the servers sent to groups
     * @param groupBytes    bytes of those DATA frames (headers included, as {@code serverBytes} counts)
     * @param masterChanges times a server made another client master
     * @param resentData    of {@code groupData}, DATA of a block the group had been sent before
     * @param resentBytes   bytes of those
     * @param timeoutData   of {@code resentData}, DATA sent again because the master's ACK did not come in time
     * @param timeoutBytes  bytes of those
     * @param rewinds       times a board that joined late was made master to take the stream back to block 1
     * @param rewound       blocks the streams were so taken back, in all
     * @param repairs       times a board that lost a block (and said which) was made master to have it again at once
     * @param repaired      blocks the streams were so taken back, in all
     */
    public record Multicast(int boards, long masterTurns, long sinkDrops, long transfers, long groupData, long groupBytes,
                            long masterChanges, long resentData, long resentBytes, long timeoutData, long timeoutBytes,
                            long rewinds, long rewound, long repairs, long repaired) {
    }

    /** What a failure's words have that differs from board to board: hex (an offset), a MAC, a number or an address. */
    private static final Pattern NUMBERS = Pattern.compile("0x[0-9a-fA-F]+|[0-9a-f]{2}(:[0-9a-f]{2}){5}|[0-9]+(\\.[0-9]+)*");

    /** Returns the boards that failed. */
    public int failed() {
        return boards - booted;
    }

    /**
     * Returns the share (0..1) of the servers' links in use, on the wire (padding, FCS, preamble and gap counted), over
     * the samples from the one of the first TFTP request to the last in which they sent anything; -1 on an infinitely
     * fast link or when no board asked for the image.
     */
    public double linkUse() {
        int first = -1;
        int last = -1;
        long bytes = 0;
        for (int i = 0; i < samples.size(); i++) {
            if (first < 0 && tftpRequests[0] >= 0 && samples.get(i).at() > tftpRequests[0]) {
                first = i;
            }
            if (samples.get(i).bytes() > 0) {
                last = i;
            }
        }
        if (last < first) {
            first = -1;
        }
        if (linkBitsPerSecond == 0 || first < 0) {
            return -1;
        }
        for (int i = first; i <= last; i++) {
            bytes += samples.get(i).wireBytes();
        }
        long start = first == 0 ? 0 : samples.get(first - 1).at();
        return use(bytes, samples.get(last).at() - start);
    }

    /** Returns the highest share of the servers' links in use in one sample; -1 on an infinitely fast link. */
    public double peakLinkUse() {
        if (linkBitsPerSecond == 0) {
            return -1;
        }
        double peak = 0;
        long before = 0;
        for (FleetBoot.Sample s : samples) {
            peak = Math.max(peak, use(s.wireBytes(), s.at() - before));
            before = s.at();
        }
        return peak;
    }

    /** Returns the share of the servers' links {@code bytes} on the wire take over {@code nanos}. */
    double use(long bytes, long nanos) {
        // Frames are counted when handed to the port, a frame or two before they are on the wire: at most 100%.
        return nanos <= 0 ? 0 : Math.min(1, bytes * 8e9 / ((double) linkBitsPerSecond * serverLinks * nanos));
    }

    /** Returns the wall time the emulator spent per frame put on a wire, in nanoseconds. */
    public double wallNanosPerFrame() {
        return frames == 0 ? 0 : (double) wallNanos / frames;
    }

    /**
     * Returns what the server knows of a board that failed without an address: "no DHCP offer: the pool of N addresses
     * was exhausted; " when the DHCP server left its last request unanswered for want of an address (and offered it
     * none since), else "". The board itself only saw silence.
     */
    private static String poolExhausted(FleetBoot.Run run, FleetBoard b) {
        DhcpServer d = run.lan().dhcp();
        if (b.lease != null || d == null || !d.refusedForPool(b.mac)) {
            return "";
        }
        return String.format(java.util.Locale.ROOT, "no DHCP offer: the server's pool of %,d addresses was exhausted; the board: ",
                d.poolSize());
    }

    static FleetReport of(FleetBoot.Run run) {
        List<FleetBoard> boards = run.boards();
        List<Long> times = new ArrayList<>();
        Map<String, Integer> failures = new LinkedHashMap<>();
        Map<Ipv4Address, Integer> addresses = new HashMap<>();
        long last = -1;
        long boardRetx = 0;
        long dhcpRetx = 0;
        long declines = 0;
        long[] first = new long[boards.size()];
        List<Long> rrq = new ArrayList<>();
        for (FleetBoard b : boards) {
            first[b.index] = b.powerAt;
            boardRetx += b.boot.retransmissions();
            dhcpRetx += b.boot.lease().retransmissions();
            declines += b.boot.lease().conflicts();
            if (b.requestedAt >= 0) {
                rrq.add(b.requestedAt);
            }
            if (b.report != null) {
                times.add(b.endedAt - b.powerAt);
                last = Math.max(last, b.endedAt);
            } else {
                String why = b.failure == null ? "unfinished: still " + stateName(b) + " when the run ended"
                        : b.failure.stage() + ": " + poolExhausted(run, b) + NUMBERS.matcher(b.failure.message()).replaceAll("N");
                failures.merge(why, 1, Integer::sum);
            }
            if (b.lease != null && b.endedAt >= 0 && b.report != null) {
                addresses.merge(b.lease.address(), 1, Integer::sum);
            }
        }
        int collisions = 0;
        for (int n : addresses.values()) {
            if (n > 1) {
                collisions += n;
            }
        }
        Map<String, Integer> sorted = new LinkedHashMap<>();
        failures.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).forEach(e -> sorted.put(e.getKey(), e.getValue()));
        long[] t = times.stream().mapToLong(Long::longValue).sorted().toArray();
        long allFrames = run.lan().server().port().framesSent();
        long allBytes = run.lan().server().port().bytesSent();
        for (ServerHost h : run.lan().tftpHosts()) {
            allFrames += h.port().framesSent();
            allBytes += h.port().bytesSent();
        }
        long dataFrames = 0;
        long dataBytes = 0;
        long resentFrames = 0;
        long resentBytes = 0;
        long serverRetx = 0;
        int mcBoards = 0;
        long turns = 0;
        long drops = 0;
        for (FleetBoard b : boards) {
            var m = b.boot.tftp().multicast();
            if (m != null) {
                mcBoards++;
                turns += m.masterTurns();
                drops += m.sinkDrops();
            }
        }
        long mcTransfers = 0;
        long groupData = 0;
        long groupBytes = 0;
        long changes = 0;
        long[] mc = new long[8];
        long peak = 0;
        long waited = 0;
        long dropped = 0;
        long busy = 0;
        for (TftpServer s : run.lan().tftpServers()) {
            for (TftpSession session : s.sessions()) {
                TftpSession.Stats ss = session.stats();
                serverRetx += ss.retransmissions();
                dataFrames += ss.dataSent();
                dataBytes += session.dataBytes();
                resentFrames += session.resentFrames();
                resentBytes += session.resentBytes();
            }
            for (TftpMulticastSession m : s.multicastSessions()) {
                TftpMulticastSession.Stats ms = m.stats();
                serverRetx += ms.retransmissions();
                mcTransfers++;
                groupData += ms.dataSent();
                groupBytes += ms.dataBytes();
                changes += ms.masterChanges();
                mc[0] += ms.resentData();
                mc[1] += ms.resentBytes();
                mc[2] += ms.timeoutData();
                mc[3] += ms.timeoutBytes();
                mc[4] += ms.rewinds();
                mc[5] += ms.rewound();
                mc[6] += ms.repairs();
                mc[7] += ms.repaired();
            }
            TftpServer.Stats st = s.stats();
            peak = Math.max(peak, st.peakActive());
            waited += st.waited();
            dropped += st.dropped();
            busy += st.busy();
        }
        long frames = 0;
        for (EthernetSegment s : run.lan().segments()) {
            frames += s.stats().framesSent();
        }
        Arrays.sort(first);
        long[] r = rrq.stream().mapToLong(Long::longValue).sorted().toArray();
        return new FleetReport(boards.size(), t.length, sorted, last, rank(t, 50), rank(t, 95), rank(t, 99),
                t.length == 0 ? -1 : t[t.length - 1], dataFrames + groupData, dataBytes + groupBytes, resentFrames + mc[0],
                resentBytes + mc[1], allFrames - dataFrames - groupData, allBytes - dataBytes - groupBytes,
                run.config().image().size(), boardRetx,
                dhcpRetx, serverRetx, collisions, declines, spread(first), spread(r), peak, waited, dropped, busy,
                run.lan().scenario().link().bitsPerSecond(), 1 + run.lan().tftpHosts().size(), List.copyOf(run.samples()),
                mcBoards == 0 && mcTransfers == 0 ? null : new Multicast(mcBoards, turns, drops, mcTransfers, groupData, groupBytes, changes,
                        mc[0], mc[1], mc[2], mc[3], mc[4], mc[5], mc[6], mc[7]),
                run.end(), frames,
                run.lan().simulation().polls(), run.wallNanos());
    }

    private static String stateName(FleetBoard b) {
        return b.boot.state().getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    /** Returns the nearest-rank {@code p}th percentile of sorted {@code v}, -1 when empty. */
    static long rank(long[] v, int p) {
        if (v.length == 0) {
            return -1;
        }
        int k = (int) Math.ceil(p / 100.0 * v.length);
        return v[Math.max(0, k - 1)];
    }

    private static long[] spread(long[] sorted) {
        return sorted.length == 0 ? new long[] {-1, -1, -1} : new long[] {sorted[0], rank(sorted, 50), sorted[sorted.length - 1]};
    }
}
