package dev.netboot.link;

import java.nio.ByteBuffer;

/**
 * A decorator that copies the frames passing through a {@link Link} into a {@link PcapWriter},
 * timestamped with the {@code now} of each call. Transmitted frames are written after the filler
 * has run, so the capture shows exactly what went to the wrapped link; a transmit the link
 * refused (no room) writes nothing. Received frames are written before they reach the handler.
 *
 * <p>Stack it inside any fault injector, so frames the injector drops on receive still show up
 * (smoltcp's {@code FaultInjector<PcapWriter<D>>} order). Allocation-free per frame.
 */
public final class PcapLink extends ForwardingLink implements Link.FrameFiller, Link.FrameHandler {
    /** Which directions are captured. */
    public enum Direction {
        /** Frames sent through the link only. */
        TX,
        /** Frames received from the link only. */
        RX,
        /** Both directions. */
        BOTH
    }

    private final PcapWriter pcap;
    private final boolean captureTx;
    private final boolean captureRx;

    // The caller's filler/handler and time of the call in progress; set just before delegating.
    private FrameFiller txFiller;
    private FrameHandler rxHandler;
    private long callTime;

    /** Wraps {@code inner}, capturing both directions. */
    public PcapLink(Link inner, PcapWriter pcap) {
        this(inner, pcap, Direction.BOTH);
    }

    /** Wraps {@code inner}, capturing {@code direction}. */
    public PcapLink(Link inner, PcapWriter pcap, Direction direction) {
        super(inner);
        this.pcap = pcap;
        this.captureTx = direction != Direction.RX;
        this.captureRx = direction != Direction.TX;
    }

    @Override
    public boolean receive(long now, FrameHandler handler) {
        rxHandler = handler;
        try {
            return inner.receive(now, this);
        } finally {
            rxHandler = null;
        }
    }

    @Override
    public boolean transmit(long now, int length, FrameFiller filler) {
        txFiller = filler;
        callTime = now;
        try {
            return inner.transmit(now, length, this);
        } finally {
            txFiller = null;
        }
    }

    /** Runs the caller's filler, then records the frame. */
    @Override
    public void fill(ByteBuffer frame, int length) {
        txFiller.fill(frame, length);
        if (captureTx) {
            pcap.write(callTime, frame, 0, length);
        }
    }

    /** Records the frame, then hands it to the caller's handler. */
    @Override
    public void onFrame(long now, ByteBuffer frame, int length) {
        if (captureRx) {
            pcap.write(now, frame, 0, length);
        }
        rxHandler.onFrame(now, frame, length);
    }
}
