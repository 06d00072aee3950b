package dev.netboot.tftp;

import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The start of a transfer: the RRQ or WRQ from a fresh local port, and the server's first answer, which
 * fixes the transfer ID and what was negotiated. It knows the four answers a request can get: an OACK
 * ({@link OptionOffer} checks it; RFC 2347), DATA 1 or ACK 0 from a server that ignores options (RFC
 * 2347 section 2: carry on at 512 bytes, window 1), and ERROR 8 to a request with options, retried once
 * without them from a new port. Unanswered, the request goes again at each timeout (RFC 1350 section 2) until
 * the give-up budget is spent. Then it hands over to the {@link Download} or {@link Upload} of its
 * {@link TftpClient}, which owns the socket, the retransmission timer and the failures.
 */
final class Handshake {
    private final TftpClient c;
    private String file;
    private int requestPort;
    private int requestedBlockSize;
    /** The server answered a request that asked for RFC 2090 multicast with ERROR 0 (see {@link TftpClient#multicastRefused}). */
    boolean multicastRefused;
    private boolean fellBack;
    // Why the request with options failed, once the client asked again without them: the OACK refused, or the
    // server's ERROR 8. A plain request answered by an OACK again fails on it, and the line says both.
    private String firstAnswer;
    // What the request asked for, to check the OACK against.
    private OptionOffer offer = OptionOffer.NONE;

    Handshake(TftpClient client) {
        this.c = client;
    }

    /** Remembers what to ask for: {@code file} at the server's {@code port}, blocks of up to {@code requestedBlockSize}. */
    void prepare(String file, int port, int requestedBlockSize) {
        this.file = file;
        this.requestPort = port;
        this.requestedBlockSize = requestedBlockSize;
    }

    /** Sends the request, with options or without, from a fresh port. */
    void send(long now, boolean withOptions) {
        do {
            c.localPort = 49152 + c.random.nextInt(16384);
        } while (c.net.isBound(c.localPort));
        c.net.bind(c.localPort, c);
        boolean read = c.direction == TftpClient.Direction.READ;
        // RFC 2349: on a read the client sends 0 and the server answers the size; on a write the client tells it.
        offer = withOptions ? OptionOffer.of(c.config, requestedBlockSize, read ? 0 : c.source.size(),
                read && c.config.multicast() && c.net.multicast()) : OptionOffer.NONE;
        List<TftpPacket.Option> options = offer.options();
        TftpPacket p = read ? new TftpPacket.Rrq(file, "octet", options) : new TftpPacket.Wrq(file, "octet", options);
        if (p.encodedLength() > c.rtx.packet.capacity()) {
            throw new IllegalArgumentException("TFTP file name too long: " + dev.netboot.wire.TftpText.length(file) + " bytes in UTF-8");
        }
        c.rtx.len = p.emit(c.rtx.packet, 0);
        c.blockSize = TftpWire.DEFAULT_BLOCK_SIZE;
        c.windowSize = 1;
        c.acks.resetWindow(1);
        c.rolloverTo = 0;
        c.rolloverKnown = false;
        c.rtx.retries = 0;
        c.progress(now);
        c.transition(new TftpClient.State.Requesting(c.server, requestPort, file, c.direction));
        c.rtx.send(now, requestPort);
        c.rtx.arm(now, 0);
    }

    /** No answer within the timeout: the request again (or the first time, if the link refused it), or give up. */
    void timeout(long now) {
        if (c.rtx.unsent) {
            c.rtx.send(now, requestPort);
            return;
        }
        if (c.budgetSpent(now)) {
            c.giveUp(now, requestPort, "no answer to " + (c.direction == TftpClient.Direction.READ ? "RRQ for " : "WRQ for ") + file, "");
            return;
        }
        c.rtx.retries++;
        c.retransmissions++;
        c.rtx.sampleArmed = false;
        c.rtx.send(now, requestPort);
    }

    /** Handles the server's answer from {@code srcIp}:{@code srcPort} while the request is out. */
    void onPacket(long now, int srcIp, int srcPort, int op, ByteBuffer buf, int off, int len) {
        if (srcIp != c.serverIp) {
            c.errors.stray(now, srcIp, srcPort, op);
            return;
        }
        switch (op) {
            case TftpPacket.OP_DATA -> {
                if (c.direction != TftpClient.Direction.READ || len < 4 || TftpWire.block(buf, off, len) != 1) {
                    c.dropped++;
                    return;
                }
                // A server that ignores options answers with DATA 1: carry on at 512, window 1 (RFC 2347 section 2).
                c.rtx.takeSample(now, 0);
                c.download.enterWithData(now, srcPort, buf, off, len);
            }
            case TftpPacket.OP_ACK -> {
                if (c.direction != TftpClient.Direction.WRITE || len < 4 || TftpWire.block(buf, off, len) != 0) {
                    c.dropped++;
                    return;
                }
                // The write twin: ACK 0 instead of an OACK; send DATA 1 at 512, window 1.
                c.rtx.takeSample(now, 0);
                c.upload.enter(now, srcPort);
            }
            case TftpPacket.OP_OACK -> {
                // instanceof, not a pattern switch: TftpClient.poll says why
                OptionOffer.Answer answer = offer.check(buf, off, len);
                if (answer instanceof OptionOffer.Refused(String why)) {
                    refuse(now, srcPort, why);
                } else {
                    agreed(now, srcPort, (OptionOffer.Agreed) answer);
                }
            }
            case TftpPacket.OP_ERROR -> {
                if (offer.any() && !fellBack && errorCode(buf, off, len) == TftpWire.ERR_OPTIONS) {
                    // Some servers refuse any option with ERROR 8: ask once more, plainly, from a new port.
                    fellBack = true;
                    firstAnswer = "it refused the options with ERROR 8";
                    c.net.unbind(c.localPort);
                    send(now, false);
                    return;
                }
                // atftpd 0.8 refuses a multicast request so when the file needs more than 65535 blocks (measured).
                multicastRefused = offer.multicast() && errorCode(buf, off, len) == TftpWire.ERR_NOT_DEFINED;
                c.errors.fromServer(buf, off, len, srcPort);
            }
            default -> c.dropped++;
        }
    }

    private static int errorCode(ByteBuffer buf, int off, int len) {
        return len >= 4 ? TftpWire.block(buf, off, len) : -1; // the code sits where DATA's block number does
    }

    private void agreed(long now, int srcPort, OptionOffer.Agreed a) {
        c.rtx.takeSample(now, 0);
        c.blockSize = a.blockSize();
        c.windowSize = a.windowSize();
        c.acks.resetWindow(a.windowSize());
        if (a.rollover() >= 0) {
            c.rolloverTo = a.rollover();
            c.rolloverKnown = true;
        }
        if (c.direction == TftpClient.Direction.WRITE) {
            if (a.tsize() >= 0 && a.tsize() != offer.tsize()) {
                // RFC 2349: on a write the size "is specified in the request and echoed back in the OACK"; another
                // number is a server that took the size wrong (cut to 32 bits, say): ERROR 8, and a plain request.
                refuse(now, srcPort, "OACK tsize " + a.tsize() + " on a write of " + offer.tsize() + " bytes (expected: "
                        + offer.tsize() + ", the size sent: RFC 2349 echoes it)");
                return;
            }
            c.upload.enter(now, srcPort); // RFC 2347: a write answered with OACK goes on with DATA 1
            return;
        }
        if (a.multicast() != null) {
            // RFC 2090: the DATA goes to the group the OACK names. One this board cannot join is an OACK it cannot
            // accept: ERROR 8 and a plain request, the image then unicast.
            String cannot = c.mcast.enter(now, srcPort, a);
            if (cannot != null) {
                refuse(now, srcPort, cannot);
            }
            return;
        }
        c.download.enterWithOack(now, srcPort, a.tsize());
    }

    /**
     * RFC 2347: an OACK we cannot accept gets ERROR 8 ("the client may ... terminate the transfer"). A server
     * that answers options wrongly (a value out of range, not a number, an option never asked for) may still serve
     * a plain request well: ask once more without options, from a new port, as after its own ERROR 8. A second
     * refusal fails the transfer as PROTOCOL, in words that say first what went wrong with the options: the second
     * refusal is always "OACK without options requested", which alone hides the first OACK's fault.
     */
    private void refuse(long now, int srcPort, String why) {
        c.errors.send(now, c.serverIp, srcPort, TftpWire.ERR_OPTIONS, why);
        if (offer.any() && !fellBack) {
            fellBack = true;
            firstAnswer = why;
            c.net.unbind(c.localPort);
            send(now, false);
            return;
        }
        String line = firstAnswer == null ? why : firstAnswer + "; asked again without options, it sent an OACK again";
        // Whose OACK: the line a user reads names the server, as every other failure of the request does.
        c.fail(new TftpFailure(TftpFailure.Kind.PROTOCOL, TftpWire.ERR_OPTIONS, "TFTP: server " + new Ipv4Address(c.serverIp) + ": " + line));
    }
}
