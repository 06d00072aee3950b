package dev.netboot.emulator.timeline;

import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collects what a {@link TimelineSvg} draws: frames (each decoded with {@link WireFrame}, put on its sender's and
 * receiver's lanes, and marked as a retransmission when it repeats what its sender sent before), stage boundaries
 * and flash busy periods. Retransmissions are read from the frames themselves: a DATA block at or below the
 * highest one its session sent, an ACK at or below the highest one its client sent, a TFTP request its client sent
 * before, a DHCP request of the same type as the client's previous one. Block numbers are unwrapped past 65535.
 */
public final class TimelineRecorder {
    private final Map<Long, Integer> laneOf = new HashMap<>();
    private final List<TimelineSvg.Lane> lanes = new ArrayList<>();
    private final List<TimelineSvg.Message> messages = new ArrayList<>();
    private final List<TimelineSvg.Stage> stages = new ArrayList<>();
    private final List<TimelineSvg.Busy> busy = new ArrayList<>();
    private final Map<String, Long> highestData = new HashMap<>();
    private final Map<String, Long> highestAck = new HashMap<>();
    private final Set<String> requests = new HashSet<>();
    private final Map<Long, String> lastDhcp = new LinkedHashMap<>();
    private final int home;

    /** A recorder whose first lane is {@code home} (the board, or the server), labelled {@code label}. */
    public TimelineRecorder(MacAddress home, String label) {
        this.home = lane(home, label);
    }

    /** Returns the lane of {@code mac}, adding one labelled {@code label} when it has none. */
    public int lane(MacAddress mac, String label) {
        Integer l = laneOf.get(mac.value());
        if (l != null) {
            return l;
        }
        lanes.add(new TimelineSvg.Lane(mac.toString(), label));
        laneOf.put(mac.value(), lanes.size() - 1);
        return lanes.size() - 1;
    }

    /** Relabels the lane of {@code mac} (adding it if new): a client whose address became known. */
    public void label(MacAddress mac, String label) {
        int l = lane(mac, label);
        lanes.set(l, new TimelineSvg.Lane(mac.toString(), label));
    }

    /** Records a stage boundary. */
    public void stage(long time, String label) {
        stages.add(new TimelineSvg.Stage(time, label));
    }

    /** Records the flash of {@code mac}'s lane busy from {@code from} to {@code to}. */
    public void busy(MacAddress mac, long from, long to) {
        busy.add(new TimelineSvg.Busy(from, to, lane(mac, "host " + mac)));
    }

    /** Returns the frames recorded so far. */
    public int frames() {
        return messages.size();
    }

    /**
     * Records the frame {@code f[0..len)} sent at {@code time}, lost on its way when {@code lost}, and what a
     * fault stage did to it ({@code fault}, or null).
     */
    public void frame(long time, byte[] f, int len, boolean lost, String fault) {
        WireFrame w = WireFrame.of(f, len);
        int from = lane(w.src(), "host " + w.src());
        boolean broadcast = w.dst().isGroup();
        int to = broadcast ? (from == home ? (lanes.size() > 1 ? 1 : home) : home) : lane(w.dst(), "host " + w.dst());
        String session = null;
        long block = -1;
        boolean again = false;
        String label = w.label();
        switch (w.kind()) {
            case TFTP_DATA -> {
                session = session(w.srcIp(), w.srcPort(), w.dstIp(), w.dstPort());
                block = unwrap(highestData.getOrDefault(session, 0L), w.block());
                again = block <= highestData.getOrDefault(session, 0L);
                highestData.merge(session, block, Math::max);
                label = "DATA " + block;
            }
            case TFTP_ACK -> {
                session = session(w.dstIp(), w.dstPort(), w.srcIp(), w.srcPort());
                long prev = highestAck.getOrDefault(session, -1L);
                block = unwrap(Math.max(prev, 0), w.block());
                again = block <= prev;
                highestAck.merge(session, block, Math::max);
                label = "ACK " + block;
            }
            case TFTP_REQUEST -> again = !requests.add(w.srcIp() + ":" + w.srcPort() + " " + w.label());
            case DHCP_REQUEST -> {
                long who = w.chaddr() == null ? w.src().value() : w.chaddr().value();
                again = w.label().equals(lastDhcp.put(who, w.label()));
            }
            case DHCP_REPLY -> {
                if (w.yiaddr() != 0 && w.chaddr() != null && laneOf.containsKey(w.chaddr().value()) && laneOf.get(w.chaddr().value()) != home) {
                    label(w.chaddr(), "client " + w.chaddr() + " (" + new Ipv4Address(w.yiaddr()) + ")");
                }
                label = label + (w.yiaddr() != 0 ? " " + new Ipv4Address(w.yiaddr()) : "");
            }
            default -> {
            }
        }
        messages.add(new TimelineSvg.Message(time, from, to, label, w.kind(), session, block, broadcast, lost, again, fault));
    }

    private static String session(int serverIp, int serverPort, int clientIp, int clientPort) {
        return new Ipv4Address(serverIp) + ":" + serverPort + ">" + new Ipv4Address(clientIp) + ":" + clientPort;
    }

    /** Returns the 16-bit block {@code b} as the block number nearest {@code near}. */
    public static long unwrap(long near, long b) {
        long c = (near & ~0xFFFFL) | b;
        if (c + 0x8000 < near) {
            c += 0x10000;
        } else if (c > near + 0x8000 && c >= 0x10000) {
            c -= 0x10000;
        }
        return c;
    }

    /** Returns the messages recorded so far (for tests and summaries). */
    public List<TimelineSvg.Message> messages() {
        return List.copyOf(messages);
    }

    /** Returns the SVG document. */
    public String svg(String title) {
        List<TimelineSvg.Message> ms = new ArrayList<>(messages);
        ms.sort((a, b) -> Long.compare(a.time(), b.time())); // stable: equal times keep their order
        List<TimelineSvg.Stage> ss = new ArrayList<>(stages);
        ss.sort((a, b) -> Long.compare(a.time(), b.time()));
        return TimelineSvg.render(title, lanes, ms, ss, busy);
    }

    /** Writes the SVG document to {@code file}. */
    public void write(Path file, String title) throws IOException {
        Files.writeString(file, svg(title), StandardCharsets.UTF_8);
    }
}
