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
 *   <li>Losses: a frame for the board that the wire dropped on its way (lost, the board's link down, a full queue), and
 *       a frame the board sent that the wire lost on its way to the server, is marked lost: the segment says so
 *       ({@link dev.netboot.emulator.EthernetSegment#onLoss}) at the instant the frame is sent, which is its time in the
 *       capture; a retransmission is drawn "again". A frame that arrives late, out of order, twice, or changed (corrupted,
 *       tampered) arrived: it is not lost. (Before, a loss was read from the frames that reached the board's port, in order
 *       and byte for byte, and one frame held back or changed made every frame after it look lost.) With a relay, a frame
 *       lost between the board and the relay shows only as that retransmission.</li>
 *   <li>Flash busy: the chip's busy periods ({@link Flash#busyUntil()} after each operation, from the
 *       operation's start), with {@code --flash-timing none} there are none.</li>
 *   <li>Stages: the board's events: leased, server resolved, transfer started, booted or failed.</li>
 * </ul>
 */
final class BootTimeline implements EmulatedBoot.Tap, BootObserver {
    /** A frame put on the wire at {@code time} (the instant the wire also drops it, if it does). */
    private record Sent(long time, byte[] frame) {
    }

    private final BootObserver next;
    private final MacAddress board;
    private final TimelineRecorder recorder;
    private final List<Sent> sent = new ArrayList<>();
    private final List<Sent> lostToBoard = new ArrayList<>();
    private FlashBusyLog busy;       // the board's flash, once the boot has one
    private int busyDrawn;           // its busy periods the recorder has
    private final List<Sent> lostFromBoard = new ArrayList<>();
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
                    lostFromBoard.add(new Sent(lan.simulation().now(), frame));
                } else if (to.equals(board)) {
                    lostToBoard.add(new Sent(lan.simulation().now(), frame));
                }
            });
        }
        capture = new PcapWriter(new RecordStream());
        lan.capture(capture);
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
        // The wire's drops come in the order the frames were sent, each at the instant it was sent.
        int t = 0;
        int f = 0;
        for (Sent s : sent) {
            MacAddress src = MacAddress.read(ByteBuffer.wrap(s.frame), 6);
            boolean lost = false;
            if (src.equals(board)) {
                if (f < lostFromBoard.size() && same(lostFromBoard.get(f), s)) {
                    lost = true;
                    f++;
                }
            } else if (t < lostToBoard.size() && same(lostToBoard.get(t), s)) {
                lost = true;
                t++;
            }
            recorder.frame(s.time, s.frame, s.frame.length, lost, null);
        }
        sent.clear();
        lostToBoard.subList(0, t).clear();
        lostFromBoard.subList(0, f).clear();
        if (busy != null) {
            busy.drawOn(recorder, board, busyDrawn);
            busyDrawn = busy.size();
        }
        return recorder.svg(title);
    }

    /** Returns whether the dropped frame {@code d} is the frame sent {@code s}: sent at that instant, with those bytes. */
    private static boolean same(Sent d, Sent s) {
        return d.time == s.time && Arrays.equals(d.frame, s.frame);
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
    public void fellBackToUnicast(long now, Lease lease, BootFailure why) {
        recorder.stage(now, "multicast failed: reading " + lease.bootFile() + " again by unicast");
        next.fellBackToUnicast(now, lease, why);
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
