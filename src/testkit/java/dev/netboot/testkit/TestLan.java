package dev.netboot.testkit;

import dev.netboot.device.Board;
import dev.netboot.device.BootFailure;
import dev.netboot.device.BootObserver;
import dev.netboot.device.BootReport;
import dev.netboot.device.DeviceProfile;
import dev.netboot.device.RamBudget;
import dev.netboot.dhcp.Lease;
import dev.netboot.emulator.BootpServer;
import dev.netboot.emulator.DhcpServer;
import dev.netboot.emulator.EmulatedLan;
import dev.netboot.emulator.EmulatedPort;
import dev.netboot.emulator.ProxyDhcpServer;
import dev.netboot.emulator.Router;
import dev.netboot.emulator.Scenario;
import dev.netboot.emulator.Seeds;
import dev.netboot.emulator.SimNode;
import dev.netboot.emulator.Simulation;
import dev.netboot.emulator.TftpServer;
import dev.netboot.emulator.timeline.FlashBusyLog;
import dev.netboot.emulator.timeline.TimelineRecorder;
import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashTiming;
import dev.netboot.flash.Flashes;
import dev.netboot.flash.TimedFlash;
import dev.netboot.link.PcapWriter;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * An emulated LAN for one test: the network of a {@link Scenario} (its DHCP or BOOTP server, TFTP server, relay
 * router, other servers and hosts, faults) in virtual time, the boards put on it, and a capture of every frame.
 * {@link NetbootExtension} builds one per test and injects it; so it does the boards ({@link TestBoard}) and the
 * servers.
 *
 * <p>Boards get the LAN's profile unless given another, a simulated flash of that profile unless given one, and MAC
 * addresses counted up from the profile's (the first board has the profile's own). Their random choices derive from
 * the scenario's seed, the first board's exactly as {@code netboot boot} makes them, so one seed gives one capture.
 */
public final class TestLan {
    private final EmulatedLan network;
    private final DeviceProfile profile;
    private final FlashTiming.Mode timing;
    private final ByteArrayOutputStream pcapBytes = new ByteArrayOutputStream();
    private final PcapWriter pcap = new PcapWriter(pcapBytes);
    private final List<Timeline.Entry> events = new ArrayList<>();
    private final List<TestBoard> boards = new ArrayList<>();
    private final Map<MacAddress, FlashBusyLog> busy = new HashMap<>(); // each board's flash, as the drawing sees it
    private final List<byte[]> lost = new ArrayList<>(); // frames the wire lost on the way to a station, in the order sent

    /**
     * Builds the network of {@code scenario}, for boards of {@code profile} whose flash takes {@code timing}.
     */
    public TestLan(Scenario scenario, DeviceProfile profile, FlashTiming.Mode timing) {
        this.network = EmulatedLan.of(Objects.requireNonNull(scenario, "scenario"));
        this.profile = Objects.requireNonNull(profile, "profile");
        this.timing = Objects.requireNonNull(timing, "timing");
        network.capture(pcap);
        for (var segment : network.segments()) {
            segment.onLoss((from, to, frame) -> {
                if (lost.isEmpty() || lost.getLast() != frame) { // a broadcast lost to two receivers is one frame lost
                    lost.add(frame);
                }
            });
        }
    }

    /** Returns the emulator's network: segments, server host, servers, router. */
    public EmulatedLan network() {
        return network;
    }

    /** Returns the scenario. */
    public Scenario scenario() {
        return network.scenario();
    }

    /** Returns the profile boards get unless told otherwise. */
    public DeviceProfile profile() {
        return profile;
    }

    /** Returns the simulation (its clock: {@code simulation().now()}). */
    public Simulation simulation() {
        return network.simulation();
    }

    /** Returns the TFTP server. */
    public TftpServer tftp() {
        return network.tftp();
    }

    /** Returns the server host's DHCP server, or null when it is a BOOTP-only server. */
    public DhcpServer dhcp() {
        return network.dhcp();
    }

    /** Returns the BOOTP-only server, or null when the server host speaks DHCP. */
    public BootpServer bootp() {
        return network.bootp();
    }

    /** Returns the ProxyDHCP server, or null when the scenario has none. */
    public ProxyDhcpServer proxyDhcp() {
        return network.proxyDhcp();
    }

    /** Returns the relay router, or null when the scenario has none. */
    public Router router() {
        return network.router();
    }

    /** Serves {@code image} as the scenario's boot file ({@code served-file}); returns it. */
    public byte[] serve(byte[] image) {
        network.tftp().serve(scenario().servedFile(), image);
        return image;
    }

    /** Serves {@code content} under {@code name} (a signature as {@code boot.img.sig}, a second image, ...). */
    public void serve(String name, byte[] content) {
        network.tftp().serve(name, content);
    }

    /** Puts a new board of the LAN's profile on it, with a simulated flash of that profile. */
    public TestBoard board() {
        return board(profile);
    }

    /** Puts a new board of {@code p} on the LAN, with a simulated flash of {@code p} (NOR or NAND, factory bad blocks seeded). */
    public TestBoard board(DeviceProfile p) {
        return board(p, Flashes.open(p.chip(), null, Seeds.derive(scenario().seed(), "flash-" + boards.size())));
    }

    /**
     * Puts a new board of {@code p} with {@code flash} (yours: a driver under test, a file) on the LAN; the flash takes
     * the LAN's timing on top of its own.
     */
    public TestBoard board(DeviceProfile p, Flash flash) {
        int n = boards.size();
        MacAddress mac = new MacAddress(p.mac().value() + n);
        EmulatedPort port = network.attach(mac);
        FlashBusyLog seen = new FlashBusyLog(timing == FlashTiming.Mode.NONE ? flash : new TimedFlash(flash, p.timing(), timing));
        busy.put(mac, seen);
        SplittableRandom random = Seeds.random(scenario().seed(), n == 0 ? "device" : "device-" + n);
        Board b = Board.builder(p).link(port).mac(mac).flash(seen).random(random).observer(new Events(mac)).build();
        events.add(new Timeline.Entry(simulation().now(), "board " + mac + " powered on (" + p.name() + ")"));
        network.simulation().add(new SimNode() {
            @Override
            public void poll(long now) {
                b.poll(now);
            }

            @Override
            public long pollAt() {
                return b.pollAt();
            }
        });
        TestBoard board = new TestBoard(this, b, p, flash, port);
        boards.add(board);
        return board;
    }

    /** Returns the boards on the LAN, in the order they were put there. */
    public List<TestBoard> boards() {
        return List.copyOf(boards);
    }

    /** Runs the LAN until every board has booted or failed (or nothing is scheduled, or a day of virtual time passed). */
    public void bootAll() {
        runUntil(() -> boards.stream().allMatch(b -> b.board().finished()), 86_400_000_000_000L);
    }

    /** Runs the LAN for {@code nanos} of virtual time. */
    public void runFor(long nanos) {
        network.simulation().runFor(nanos);
    }

    void runUntil(BooleanSupplier done, long budget) {
        network.simulation().run(done, budget);
    }

    /** Returns every frame sent on the LAN so far. */
    public Capture capture() {
        pcap.flush();
        return Capture.of(pcapBytes.toByteArray());
    }

    /** Returns what happened so far: the boards' events among the frames. */
    public Timeline timeline() {
        return Timeline.of(events, capture());
    }

    /**
     * Returns what happened so far drawn as an SVG sequence diagram, as {@code netboot boot --timeline} draws a boot:
     * the first board's lane (the server's when there is no board), the server's, then every other machine that sent
     * or was sent a frame; each frame on the wire an arrow (a run of TFTP DATA and ACK one band), retransmissions
     * marked, the boards' events as labelled rules. A frame the wire lost on its way to a station (to any of them,
     * for a broadcast) is drawn lost, stopping halfway; the retransmission it caused is marked.
     */
    public String timelineSvg(String title) {
        TimelineRecorder drawing = boards.isEmpty()
                ? new TimelineRecorder(scenario().serverMac(), "server " + scenario().serverIp())
                : new TimelineRecorder(boards.getFirst().mac(), "board " + boards.getFirst().mac());
        drawing.lane(scenario().serverMac(), "server " + scenario().serverIp());
        for (TestBoard b : boards) {
            drawing.lane(b.mac(), "board " + b.mac());
            busy.get(b.mac()).drawOn(drawing, b.mac(), 0);
        }
        int l = 0;
        for (Capture.Frame f : capture().frames()) {
            boolean gone = l < lost.size() && java.util.Arrays.equals(lost.get(l), f.bytes());
            l += gone ? 1 : 0;
            drawing.frame(f.time(), f.bytes(), f.bytes().length, gone, null);
        }
        for (Timeline.Entry e : events) {
            drawing.stage(e.time(), e.text());
        }
        return drawing.svg(title);
    }

    /** Writes {@link #timelineSvg(String)} to {@code file}, titled with the file's name; returns the file. */
    public Path writeTimeline(Path file) {
        try {
            Files.writeString(file, timelineSvg("netboot LAN: " + file.getFileName()), StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the timeline to " + file + ": " + e.getMessage(), e);
        }
    }

    /** Returns the boards' events so far, in order. */
    List<Timeline.Entry> eventsSoFar() {
        return List.copyOf(events);
    }

    /** Returns {@code size} seeded pseudo-random bytes: an image to serve. */
    public static byte[] image(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** Returns the SHA-256 of {@code b} in lower-case hex, as {@link BootReport#sha256()} gives it. */
    public static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Writes a board's events into the timeline. */
    private final class Events implements BootObserver {
        private final String who;

        Events(MacAddress mac) {
            this.who = "board " + mac + " ";
        }

        private void add(long now, String what) {
            events.add(new Timeline.Entry(now, who + what));
        }

        @Override
        public void ramShared(long now, RamBudget ram) {
            add(now, "RAM: " + ram.note());
        }

        @Override
        public void leased(long now, Lease lease) {
            add(now, "leased " + lease.address() + "/" + lease.netmask().prefixLength() + " by " + lease.source() + " from "
                    + lease.dhcpServer() + ", boot server " + lease.server() + ", file " + lease.bootFile());
        }

        @Override
        public void renewed(long now, Lease lease) {
            add(now, "renewed its lease from " + lease.dhcpServer() + " for " + lease.leaseSeconds() + " s");
        }

        @Override
        public void resolved(long now, Ipv4Address hop, MacAddress mac) {
            add(now, "resolved " + hop + " at " + mac);
        }

        @Override
        public void transferStarted(long now, Ipv4Address server, String file) {
            add(now, "reading " + file + " from " + server);
        }

        @Override
        public void finished(long now, BootReport report) {
            add(now, "booted: " + report.bytes() + " bytes into slot " + report.slot() + ", sha256 " + report.sha256());
        }

        @Override
        public void triedAnotherServer(long now, Lease lease, BootFailure why) {
            add(now, "boot named by " + lease.dhcpServer() + "'s lease could not start (" + why.stage() + ": " + why.message()
                    + "): asking DHCP again without it");
        }

        @Override
        public void fellBackToUnicast(long now, Lease lease, BootFailure why) {
            add(now, "multicast failed, unicast again (" + why.stage() + ": " + why.message() + ")");
        }

        @Override
        public void failed(long now, BootFailure failure) {
            add(now, "FAILED in stage " + failure.stage() + ": " + failure.message());
        }
    }
}
