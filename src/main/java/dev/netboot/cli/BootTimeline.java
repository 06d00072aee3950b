package dev.netboot.cli;

import dev.netboot.dhcp.Lease;
import dev.netboot.device.BootFailure;
import dev.netboot.device.BootObserver;
import dev.netboot.device.BootReport;
import dev.netboot.device.RamBudget;
import dev.netboot.emulator.EmulatedBoot;
import dev.netboot.emulator.EmulatedLan;
import dev.netboot.emulator.timeline.FlashBusyLog;
import dev.netboot.emulator.timeline.TimelineRecorder;
import dev.netboot.flash.Flash;
import dev.netboot.link.ForwardingLink;
import dev.netboot.link.Link;
import dev.netboot.link.PcapWriter;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code netboot boot --timeline}: watches an emulated boot ({@link EmulatedBoot.Tap}) and its stages (a
 * {@link BootObserver} that passes every event on), then draws it with {@link TimelineRecorder}.
 *
 * <ul>
 *   <li>Frames: every frame put on the wire, from the LAN's capture, at its transmit time.</li>
 *   <li>Losses: a frame for the board (to its MAC, or broadcast, from another station) that never reached the
 *       board's port is marked lost: the board's port is watched, and frames reach it in the order they were
 *       sent. A frame the board sent that the wire lost on its way to the server is marked lost too (the segment
 *       says so, {@link dev.netboot.emulator.EthernetSegment#onLoss}), and its retransmission is drawn "again". With a
 *       relay, a frame lost between the board and the relay shows only as that retransmission.</li>
 *   <li>Flash busy: the chip's busy periods ({@link Flash#busyUntil()} after each operation, from the
 *       operation's start), with {@code --flash-timing none} there are none.</li>
 *   <li>Stages: the board's events: leased, server resolved, transfer started, booted or failed.</li>
 * </ul>
 */
final class BootTimeline implements EmulatedBoot.Tap, BootObserver {
    private record Sent(long time, byte[] frame) {
    }

    private final BootObserver next;
    private final MacAddress board;
    private final TimelineRecorder recorder;
    private final List<Sent> sent = new ArrayList<>();
    private final List<byte[]> received = new ArrayList<>();
    private FlashBusyLog busy;       // the board's flash, once the boot has one
    private int busyDrawn;           // its busy periods the recorder has
    private final List<byte[]> lostFromBoard = new ArrayList<>();
    private PcapWriter capture;

    BootTimeline(BootObserver next, MacAddress board) {
        this.next = next;
        this.board = board;
        this.recorder = new TimelineRecorder(board, "board " + board);
    }

    @Override
    public void lan(EmulatedLan lan) {
        MacAddress server = lan.scenario().serverMac();
        recorder.lane(server, "server " + lan.scenario().serverIp());
        for (var segment : lan.segments()) {
            segment.onLoss((from, to, frame) -> {
                if (from.equals(board) && to.equals(server)) {
                    lostFromBoard.add(frame);
                }
            });
        }
        capture = new PcapWriter(new RecordStream());
        lan.capture(capture);
    }

    @Override
    public Link boardLink(Link port) {
        // Everything else goes to the port: its rate sizes the board's window (windowsize = auto), as without --timeline.
        return new ForwardingLink(port) {
            @Override
            public boolean receive(long now, FrameHandler handler) {
                return port.receive(now, (t, frame, length) -> {
                    byte[] copy = new byte[length];
                    frame.get(0, copy, 0, length);
                    received.add(copy);
                    handler.onFrame(t, frame, length);
                });
            }
        };
    }

    @Override
    public Flash boardFlash(Flash flash) {
        busy = new FlashBusyLog(flash);
        return busy;
    }

    /** Returns the drawing of the boot so far. */
    String svg(String title) {
        if (capture != null) {
            capture.flush();
        }
        // Frames for the board reach its port in the order they were sent; one that never did was lost.
        int r = 0;
        int l = 0; // the board's frames the wire lost on their way to the server come in the order they were sent
        for (Sent s : sent) {
            MacAddress src = MacAddress.read(ByteBuffer.wrap(s.frame), 6);
            MacAddress dst = MacAddress.read(ByteBuffer.wrap(s.frame), 0);
            boolean forBoard = !src.equals(board) && (dst.equals(board) || dst.isGroup());
            boolean lost = false;
            if (forBoard) {
                if (r < received.size() && Arrays.equals(received.get(r), s.frame)) {
                    r++;
                    while (r < received.size() && Arrays.equals(received.get(r), s.frame)) {
                        r++; // the wire's duplicate
                    }
                } else {
                    lost = true;
                }
            } else if (src.equals(board) && l < lostFromBoard.size() && Arrays.equals(lostFromBoard.get(l), s.frame)) {
                lost = true;
                l++;
            }
            recorder.frame(s.time, s.frame, s.frame.length, lost, null);
        }
        sent.clear();
        received.clear();
        lostFromBoard.subList(0, l).clear();
        if (busy != null) {
            busy.drawOn(recorder, board, busyDrawn);
            busyDrawn = busy.size();
        }
        return recorder.svg(title);
    }

    /** Writes the drawing to {@code file}. */
    void write(java.nio.file.Path file, String title) throws java.io.IOException {
        java.nio.file.Files.writeString(file, svg(title), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Returns the recorder (for tests). */
    TimelineRecorder recorder() {
        return recorder;
    }

    @Override
    public void ramShared(long now, RamBudget ram) {
        next.ramShared(now, ram);
    }

    @Override
    public void leased(long now, Lease lease) {
        recorder.stage(now, "address " + lease.address() + " from " + lease.dhcpServer());
        next.leased(now, lease);
    }

    @Override
    public void renewed(long now, Lease lease) {
        recorder.stage(now, "lease renewed");
        next.renewed(now, lease);
    }

    @Override
    public void triedAnotherServer(long now, Lease lease, BootFailure why) {
        recorder.stage(now, "boot from " + lease.dhcpServer() + "'s lease could not start: asking again");
        next.triedAnotherServer(now, lease, why);
    }

    @Override
    public void resolved(long now, Ipv4Address hop, MacAddress mac) {
        recorder.stage(now, "arp: " + hop + " is at " + mac);
        next.resolved(now, hop, mac);
    }

    @Override
    public void transferStarted(long now, Ipv4Address server, String file) {
        recorder.stage(now, "tftp: reading " + file + " from " + server);
        next.transferStarted(now, server, file);
    }

    @Override
    public void progress(long now, long bytes, long expected) {
        next.progress(now, bytes, expected);
    }

    @Override
    public void finished(long now, BootReport report) {
        recorder.stage(now, "booted: " + report.bytes() + " bytes verified in flash");
        next.finished(now, report);
    }

    @Override
    public void failed(long now, BootFailure failure) {
        recorder.stage(now, "failed [" + failure.stage() + "] " + failure.message());
        next.failed(now, failure);
    }

    /** Reads the capture's records as the LAN writes them (a 24-byte file header, then 16-byte record headers and frames). */
    private final class RecordStream extends OutputStream {
        private byte[] buf = new byte[4096];
        private int n;
        private boolean headerSkipped;

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (n + len > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + len));
            }
            System.arraycopy(b, off, buf, n, len);
            n += len;
            int p = 0;
            if (!headerSkipped && n >= PcapWriter.GLOBAL_HEADER_LEN) {
                p = PcapWriter.GLOBAL_HEADER_LEN;
                headerSkipped = true;
            }
            ByteBuffer bb = ByteBuffer.wrap(buf).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            while (headerSkipped && n - p >= PcapWriter.RECORD_HEADER_LEN) {
                long sec = Integer.toUnsignedLong(bb.getInt(p));
                long nsec = Integer.toUnsignedLong(bb.getInt(p + 4));
                int incl = bb.getInt(p + 8);
                if (n - p - PcapWriter.RECORD_HEADER_LEN < incl) {
                    break;
                }
                sent.add(new Sent(sec * 1_000_000_000L + nsec, Arrays.copyOfRange(buf, p + PcapWriter.RECORD_HEADER_LEN,
                        p + PcapWriter.RECORD_HEADER_LEN + incl)));
                p += PcapWriter.RECORD_HEADER_LEN + incl;
            }
            System.arraycopy(buf, p, buf, 0, n - p);
            n -= p;
        }
    }
}
