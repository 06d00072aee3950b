package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.device.BootObserver;
import dev.netboot.device.BootSequence;
import dev.netboot.flash.Flash;
import dev.netboot.flash.SimulatedNorFlash;
import dev.netboot.link.ForwardingLink;
import dev.netboot.link.Link;
import dev.netboot.wire.EthernetFrame;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The board's own port unreachable (RFC 1122 section 4.1.3.1) as the emulated server meets it: a board whose final
 * ACK never reaches the server has moved on once its dally is over, and the server, still resending the last window,
 * learns so from the board's ICMP error at its next retransmission (RFC 1122 section 4.2.3.9, a hard error) instead
 * of resending until its retries run out.
 */
class BoardPortUnreachableTest {
    static final long MS = 1_000_000L;
    static final long S = 1_000 * MS;
    // Ethernet, IPv4 (no options) and UDP headers before a TFTP packet in the board's frames.
    static final int TFTP_OFF = 14 + 20 + 8;

    /** The board's link, losing every ACK it sends of the file's last block and noting the ICMP errors it sends. */
    static final class LosesFinalAcks extends ForwardingLink {
        final Link port;
        int longestData;
        int lastBlock = -1;
        final List<Long> acksLost = new ArrayList<>();
        final List<Long> errorsAt = new ArrayList<>();
        final List<byte[]> errors = new ArrayList<>();

        LosesFinalAcks(Link port) {
            super(port);
            this.port = port;
        }

        @Override
        public boolean receive(long now, FrameHandler handler) {
            return port.receive(now, (t, f, len) -> {
                // A TFTP DATA (opcode 3) shorter than the longest seen so far is the file's last block.
                if (isUdp(f, len) && len > TFTP_OFF + 4 && f.getShort(TFTP_OFF) == 3) {
                    int dataLength = len - TFTP_OFF - 4;
                    if (dataLength > longestData) {
                        longestData = dataLength;
                    } else if (dataLength < longestData) {
                        lastBlock = f.getShort(TFTP_OFF + 2) & 0xFFFF;
                    }
                }
                handler.onFrame(t, f, len);
            });
        }

        @Override
        public boolean transmit(long now, int length, FrameFiller filler) {
            ByteBuffer f = ByteBuffer.allocate(length);
            filler.fill(f, length);
            if (lastBlock >= 0 && isUdp(f, length) && f.getShort(TFTP_OFF) == 4 && (f.getShort(TFTP_OFF + 2) & 0xFFFF) == lastBlock) {
                acksLost.add(now);
                return true; // lost on the wire
            }
            if (f.get(14 + 9) == 1) {
                errorsAt.add(now);
                errors.add(f.array());
            }
            return port.transmit(now, length, (b, l) -> b.put(0, f, 0, length));
        }

        static boolean isUdp(ByteBuffer f, int len) {
            return len >= TFTP_OFF + 4 && f.getShort(12) == EthernetFrame.TYPE_IPV4 && f.get(14 + 9) == 17;
        }
    }

    @Test
    void theServerLearnsFromTheBoardsErrorThatItsLastAckWillNeverCome() throws Exception {
        Scenario sc = Scenario.DEFAULT;
        byte[] image = EmulatedBootTest.image(300_000); // not a whole number of blocks: the last one is short
        Flash flash = SimulatedNorFlash.inMemory(EmulatedBootTest.PROFILE.flash());
        EmulatedLan[] lan = new EmulatedLan[1];
        LosesFinalAcks[] link = new LosesFinalAcks[1];
        EmulatedBoot.Result r = EmulatedBoot.run(new EmulatedBoot.Config(sc, EmulatedBootTest.PROFILE, image, flash, null,
                new BootObserver() {
                }), new EmulatedBoot.Tap() {
                    @Override
                    public void lan(EmulatedLan l) {
                        lan[0] = l;
                    }

                    @Override
                    public Link boardLink(Link port) {
                        link[0] = new LosesFinalAcks(port);
                        return link[0];
                    }
                });
        BootSequence.State.Done d = assertInstanceOf(BootSequence.State.Done.class, r.state());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image)), d.report().sha256());
        byte[] back = new byte[image.length];
        flash.read(EmulatedBootTest.PROFILE.slot(0).offset(), back, 0, back.length);
        assertArrayEquals(image, back); // the file is whole: only the final ACK is lost

        TftpSession session = lan[0].tftp().sessions().getFirst();
        TftpServerConfig server = sc.tftpConfig();
        lan[0].simulation().run(session::ended, (server.maxRetries() + 2) * server.timeout()).orThrow();
        long endedAt = lan[0].simulation().now();

        LosesFinalAcks l = link[0];
        assertTrue(l.acksLost.size() >= 1, "the final ACK was sent and lost");
        // The first error the board sent answers a DATA of the last window, from the session's port to the board's
        // closed TFTP port, and quotes it (RFC 792: its IPv4 header and what follows).
        assertTrue(l.errorsAt.size() >= 1, "the board answered the resent DATA");
        ByteBuffer e = ByteBuffer.wrap(l.errors.getFirst());
        int quote = 14 + 20 + 8;
        assertEquals(3, e.get(14 + 20));                                   // Destination Unreachable
        assertEquals(3, e.get(14 + 20 + 1));                               // port unreachable
        assertEquals(session.stats().port(), e.getShort(quote + 20) & 0xFFFF);
        assertEquals(session.stats().clientPort(), e.getShort(quote + 22) & 0xFFFF);
        assertEquals(3, e.getShort(quote + 28));                           // the quoted TFTP DATA
        // It came after the board's dally: every ACK it tried was before it.
        assertTrue(l.acksLost.getLast() < l.errorsAt.getFirst());

        // The session ended on that error, as it reached the server (one way: 100 µs and the frame's time on the wire).
        assertEquals(TftpSession.End.UNREACHABLE, session.stats().end());
        assertTrue(endedAt - l.errorsAt.getFirst() < MS, "ended " + (endedAt - l.errorsAt.getFirst()) + " ns after the error");
        assertTrue(session.stats().blocksAcked() < l.lastBlock, "the last block was never acknowledged");
        // Without the error it would have resent until its retries ran out: 20 more timeouts of 1 s.
        assertTrue(endedAt - l.acksLost.getFirst() < 3 * server.timeout(),
                "ended " + (endedAt - l.acksLost.getFirst()) / MS + " ms after the final ACK");
        assertTrue(session.stats().retransmissions() < server.maxRetries());
    }
}
