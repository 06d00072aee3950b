package dev.netboot.net;

import dev.netboot.link.Link;
import dev.netboot.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

/**
 * A strict scripted {@link Link} for state-machine tests: it records every transmitted frame with the
 * time it was sent, and hands over queued frames once their arrival time has come.
 *
 * <p>Tests read as timelines: queue a frame with {@link #deliver}, poll the stack at that time, then
 * take what was sent with {@link #takeTx()} or check that nothing was with {@link #expectNoTx()}.
 */
public final class ScriptedLink implements Link {
    /** One millisecond in the stack's time unit (nanoseconds). */
    public static final long MS = 1_000_000L;
    /** One second in the stack's time unit (nanoseconds). */
    public static final long SEC = 1_000_000_000L;

    /** A transmitted frame and the time passed to {@link #transmit}. */
    public record Tx(long at, byte[] bytes) {
        /** Decodes the frame. */
        public Frames.Frame decode() {
            return Frames.decode(bytes);
        }
    }

    private record Rx(long at, byte[] bytes) {
    }

    private final MacAddress mac;
    private final int mtu;
    private final Queue<Rx> rx = new ArrayDeque<>();
    private final List<Tx> tx = new ArrayList<>();
    private final ByteBuffer rxBuf = ByteBuffer.allocate(1514 + 64);
    private boolean busy;
    private boolean recording = true;
    private long txCount;

    /** Creates a link with an MTU of 1500. */
    public ScriptedLink(MacAddress mac) {
        this(mac, 1500);
    }

    /** Creates a link with the given MTU. */
    public ScriptedLink(MacAddress mac, int mtu) {
        this.mac = mac;
        this.mtu = mtu;
    }

    @Override
    public MacAddress macAddress() {
        return mac;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    /** Queues {@code frame} to be received at or after {@code at}. Frames are handed over in queue order. */
    public void deliver(long at, byte[] frame) {
        rx.add(new Rx(at, frame.clone()));
    }

    /** Returns the number of frames still queued. */
    public int pendingRx() {
        return rx.size();
    }

    @Override
    public boolean receive(long now, FrameHandler handler) {
        Rx head = rx.peek();
        if (head == null || head.at() > now) {
            return false;
        }
        rx.remove();
        // Lend a buffer that holds stale junk past the frame, as a real link's ring buffer would.
        for (int i = 0; i < rxBuf.capacity(); i++) {
            rxBuf.put(i, (byte) 0xA5);
        }
        rxBuf.put(0, head.bytes());
        handler.onFrame(now, rxBuf, head.bytes().length);
        return true;
    }

    @Override
    public long pollAt() {
        Rx head = rx.peek();
        return head == null ? Long.MAX_VALUE : head.at();
    }

    /** Makes {@link #transmit} refuse frames (no room) while {@code busy} is true. */
    public void setBusy(boolean busy) {
        this.busy = busy;
    }

    /** Stops keeping transmitted frames (long transfers); they are still counted. */
    public void setRecording(boolean recording) {
        this.recording = recording;
    }

    @Override
    public boolean transmit(long now, int length, FrameFiller filler) {
        if (length < 14 || length > 14 + mtu) {
            throw new AssertionError("transmit of " + length + " bytes on a link with MTU " + mtu);
        }
        if (busy) {
            return false;
        }
        // Fill a dirty buffer: the stack must write every byte it sends.
        ByteBuffer b = ByteBuffer.allocate(length + 16);
        for (int i = 0; i < b.capacity(); i++) {
            b.put(i, (byte) 0x5A);
        }
        filler.fill(b, length);
        if (b.position() != 0 || b.limit() != b.capacity()) {
            throw new AssertionError("the filler moved the lent buffer's position or limit");
        }
        byte[] out = new byte[length];
        b.get(0, out);
        txCount++;
        if (recording) {
            tx.add(new Tx(now, out));
        }
        return true;
    }

    /** Returns the number of frames transmitted since creation, recorded or not. */
    public long txCount() {
        return txCount;
    }

    /** Returns and forgets the frames transmitted since the last call. */
    public List<Tx> takeTx() {
        List<Tx> out = List.copyOf(tx);
        tx.clear();
        return out;
    }

    /** Returns and forgets the single frame sent since the last call, checking it was sent at {@code at}. */
    public Frames.Frame takeOne(long at) {
        List<Tx> out = takeTx();
        if (out.size() != 1) {
            throw new AssertionError("expected exactly one frame at " + at + " ns, got " + out.size() + ": " + describe(out));
        }
        if (out.getFirst().at() != at) {
            throw new AssertionError("expected a frame at " + at + " ns, it was sent at " + out.getFirst().at() + " ns");
        }
        return out.getFirst().decode();
    }

    /** Fails when anything was transmitted since the last {@link #takeTx()}. */
    public void expectNoTx() {
        if (!tx.isEmpty()) {
            throw new AssertionError("expected no frame, got " + describe(tx));
        }
    }

    private static String describe(List<Tx> frames) {
        StringBuilder sb = new StringBuilder();
        for (Tx t : frames) {
            sb.append("\n  at ").append(t.at()).append(" ns: ").append(t.decode());
        }
        return sb.toString();
    }
}
