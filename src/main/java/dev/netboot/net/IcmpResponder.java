package dev.netboot.net;

import dev.netboot.link.Link;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.IcmpPacket;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MalformedPacketException;
import java.nio.ByteBuffer;

/**
 * The stack's ICMP (RFC 792): it answers an Echo Request to our own address with an Echo Reply (RFC 1122 section
 * 3.2.2.6), framing the reply itself from the request's bytes, and passes a Destination Unreachable that quotes a
 * UDP datagram we sent to the handler of the port that sent it, for the codes RFC 1122 section 4.2.3.9 calls hard
 * errors; everything else ICMP is ignored and counted. It also answers a UDP datagram to our own address on a port
 * nobody listens on with a port unreachable (RFC 1122 section 4.1.3.1, "If a datagram arrives addressed to a UDP port
 * for which there is no pending LISTEN call, UDP SHOULD send an ICMP Port Unreachable message"), which is how a TFTP
 * server learns that the client it keeps resending to is gone. The stack decides which datagrams qualify
 * ({@code ReceiveVerdict}: the rules of RFC 1122 section 3.2.2 on when an error must not be sent); the responder
 * quotes them and holds to a rate: at most {@link #BURST} at once, then one per {@link #INTERVAL}, as Linux's
 * {@code icmp_ratelimit} does, so a stranger's flood to closed ports does not become a flood of errors. The stack
 * hands it each ICMP message it takes and sends what it frames ({@link Wire}); it allocates nothing but the
 * received unreachable's message.
 */
final class IcmpResponder implements Link.FrameFiller {
    /** What the responder needs of its stack. */
    interface Wire {
        /** Returns the stack's IPv4 address, 0 before it has one. */
        int address();

        /** Returns the next IPv4 identification the stack sends with (RFC 791), and moves it on. */
        int nextIdent();

        /** Sends a frame of {@code length} bytes that {@code filler} writes, counted as sent; false when the link had no room. */
        boolean transmit(long now, int length, Link.FrameFiller filler);

        /** Returns true when a handler is bound to UDP {@code port}. */
        boolean isBound(int port);

        /** Tells the handler of {@code srcPort} that its datagram to {@code dstIp}:{@code dstPort} cannot go. */
        void unreachable(long now, int srcPort, int dstIp, int dstPort, boolean refused, String reason);
    }

    private static final int IP_OFF = EthernetFrame.HEADER_LEN;
    private static final int ICMP_OFF = IP_OFF + Ipv4Packet.HEADER_LEN;
    /** Errors sent back to back before the rate holds ({@code XRLIM_BURST_FACTOR} in Linux). */
    static final int BURST = 6;
    /** The wait for each further error once the burst is spent, nanoseconds (Linux's {@code icmp_ratelimit}: 1 s). */
    static final long INTERVAL = 1_000_000_000L;
    /**
     * The most an error message may take, IP header included: RFC 1812 section 4.3.2.3 ("as much of the original
     * datagram as possible without the length of the ICMP datagram exceeding 576 bytes"), which Linux hosts also keep.
     */
    private static final int MAX_ERROR_DATAGRAM = 576;

    private final NetConfig config;
    private final long mac;
    private final int maxMessage;
    private final Wire wire;
    private final IcmpPacket rxIcmp = new IcmpPacket();

    // An echo reply copies the request's ICMP message out of the received frame; non-null while it is sent.
    private ByteBuffer txEcho;
    private int txEchoOff;
    private int txEchoLen;
    private int txEchoId;
    private int txEchoSeq;
    private long txDstMac;
    private int txDstIp;
    // A port unreachable quotes the datagram at [txQuoteOff, + txQuoteLen) of txQuote; non-null while it is sent.
    private ByteBuffer txQuote;
    private int txQuoteOff;
    private int txQuoteLen;
    // The rate (a GCRA, Linux's token bucket in one number): the instant the next error would be due were errors sent
    // evenly, INTERVAL apart; one may go while it is at most BURST - 1 intervals ahead of now.
    private long errorsDue;
    private boolean errorSent;

    private long malformed, badChecksums, echoReplies, unreachables, ignored, unreachablesSent;

    /** A responder for the stack at {@code mac}, answering echo requests of up to {@code maxMessage} ICMP bytes. */
    IcmpResponder(NetConfig config, long mac, int maxMessage, Wire wire) {
        this.config = config;
        this.mac = mac;
        this.maxMessage = maxMessage;
        this.wire = wire;
    }

    /**
     * Takes the ICMP message at {@code [off, off + len)} of {@code frame}, which came from {@code srcMac} and IP
     * {@code srcIp} to IP {@code dst}.
     */
    void onIcmp(long now, ByteBuffer frame, int off, int len, long srcMac, int srcIp, int dst) {
        try {
            rxIcmp.wrap(frame, off, len, false);
        } catch (MalformedPacketException e) {
            malformed++;
            return;
        }
        if (config.verifyChecksums() && !rxIcmp.checksumOk()) {
            badChecksums++;
            return;
        }
        switch (rxIcmp.type()) {
            case IcmpPacket.TYPE_ECHO_REQUEST -> {
                // Only to our own address: RFC 1122 section 3.2.2.6, "An ICMP Echo Request destined to an IP
                // broadcast or IP multicast address MAY be silently discarded."
                int address = wire.address();
                if (address == 0 || dst != address || rxIcmp.length() > maxMessage) {
                    ignored++;
                    return;
                }
                sendEchoReply(now, frame, srcMac, srcIp);
            }
            case IcmpPacket.TYPE_DEST_UNREACHABLE -> onDestUnreachable(now, srcIp);
            default -> ignored++;
        }
    }

    /** Answers the echo request in {@code rxIcmp}, straight to the MAC it came from (no ARP). */
    private void sendEchoReply(long now, ByteBuffer frame, long srcMac, int srcIp) {
        txEcho = frame;
        txEchoOff = rxIcmp.dataOffset() - IcmpPacket.HEADER_LEN;
        txEchoLen = rxIcmp.length();
        txEchoId = rxIcmp.identifier();
        txEchoSeq = rxIcmp.sequence();
        txDstMac = srcMac;
        txDstIp = srcIp;
        boolean sent = wire.transmit(now, ICMP_OFF + txEchoLen, this);
        txEcho = null;
        if (sent) {
            echoReplies++;
        }
    }

    /**
     * Answers the UDP datagram at {@code [ipOff, ipOff + ipLen)} of {@code frame} (its IPv4 header first), which came
     * from {@code srcMac} and {@code srcIp} to our address and a port nobody listens on, with an ICMP port unreachable
     * (RFC 792: type 3, code 3) that quotes its header and as much of its data as fits in {@link #MAX_ERROR_DATAGRAM}
     * bytes; straight to the MAC it came from (no ARP), unless the rate holds it back.
     */
    void portUnreachable(long now, ByteBuffer frame, int ipOff, int ipLen, long srcMac, int srcIp) {
        if (errorSent && errorsDue - now > (BURST - 1) * INTERVAL) {
            return; // counted as dropNoListener only
        }
        txQuote = frame;
        txQuoteOff = ipOff;
        txQuoteLen = Math.min(ipLen, Math.min(MAX_ERROR_DATAGRAM, maxMessage + Ipv4Packet.HEADER_LEN)
                - Ipv4Packet.HEADER_LEN - IcmpPacket.HEADER_LEN);
        txDstMac = srcMac;
        txDstIp = srcIp;
        boolean sent = wire.transmit(now, ICMP_OFF + IcmpPacket.HEADER_LEN + txQuoteLen, this);
        txQuote = null;
        if (sent) {
            unreachablesSent++;
            errorsDue = (errorSent && errorsDue - now > 0 ? errorsDue : now) + INTERVAL;
            errorSent = true;
        }
    }

    @Override
    public void fill(ByteBuffer frame, int length) {
        EthernetFrame.emit(frame, txDstMac, mac, EthernetFrame.TYPE_IPV4);
        if (txQuote != null) {
            // RFC 792 Destination Unreachable: the 32 bits after the checksum unused (zero), then "the internet
            // header plus the first 64 bits of the original datagram's data" (here as much as fits).
            int len = IcmpPacket.HEADER_LEN + txQuoteLen;
            frame.put(ICMP_OFF + IcmpPacket.HEADER_LEN, txQuote, txQuoteOff, txQuoteLen);
            IcmpPacket.emit(frame, ICMP_OFF, IcmpPacket.TYPE_DEST_UNREACHABLE, IcmpPacket.CODE_PORT_UNREACHABLE, 0, 0, len);
            Ipv4Packet.emit(frame, IP_OFF, len, Ipv4Packet.PROTO_ICMP, wire.address(), txDstIp, config.ttl(),
                    wire.nextIdent());
            return;
        }
        // RFC 792 Echo Reply: "the source and destination addresses are simply reversed, the type code changed
        // to 0, and the checksum recomputed"; identifier, sequence number and data are returned unchanged.
        frame.put(ICMP_OFF, txEcho, txEchoOff, txEchoLen);
        IcmpPacket.emit(frame, ICMP_OFF, IcmpPacket.TYPE_ECHO_REPLY, 0, txEchoId, txEchoSeq, txEchoLen);
        Ipv4Packet.emit(frame, IP_OFF, txEchoLen, Ipv4Packet.PROTO_ICMP, wire.address(), txDstIp, config.ttl(),
                wire.nextIdent());
    }

    /**
     * Reports a destination-unreachable error that quotes a UDP datagram we sent to the handler of its
     * source port. Only the codes RFC 1122 section 4.2.3.9 calls hard errors are passed on (protocol and port
     * unreachable): net and host unreachable may be transient and the transfer's own timeouts cover them.
     */
    private void onDestUnreachable(long now, int srcIp) {
        int code = rxIcmp.code();
        boolean hard = code == IcmpPacket.CODE_PORT_UNREACHABLE || code == IcmpPacket.CODE_PROTOCOL_UNREACHABLE;
        if (!hard || !rxIcmp.quotesTransportHeader() || rxIcmp.quotedProtocol() != Ipv4Packet.PROTO_UDP
                || rxIcmp.quotedSrc() != wire.address()) {
            ignored++;
            return;
        }
        int port = rxIcmp.quotedSrcPort();
        if (!wire.isBound(port)) {
            ignored++;
            return;
        }
        unreachables++;
        Ipv4Address target = new Ipv4Address(rxIcmp.quotedDst());
        wire.unreachable(now, port, target.value(), rxIcmp.quotedDstPort(), true, "ICMP " + (code == IcmpPacket.CODE_PORT_UNREACHABLE ? "port" : "protocol")
                + " unreachable from " + new Ipv4Address(srcIp) + " for " + target + ":" + rxIcmp.quotedDstPort());
    }

    /** Returns the ICMP messages dropped as malformed. */
    long malformed() {
        return malformed;
    }

    /** Returns the ICMP messages dropped for a bad checksum. */
    long badChecksums() {
        return badChecksums;
    }

    /** Returns the echo replies sent. */
    long echoReplies() {
        return echoReplies;
    }

    /** Returns the destination-unreachable errors passed on to a handler. */
    long unreachables() {
        return unreachables;
    }

    /** Returns the port unreachable errors sent for datagrams to closed ports. */
    long unreachablesSent() {
        return unreachablesSent;
    }

    /** Returns the ICMP messages ignored. */
    long ignored() {
        return ignored;
    }
}
