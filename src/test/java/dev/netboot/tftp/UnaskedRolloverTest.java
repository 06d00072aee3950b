package dev.netboot.tftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Where a server wraps past block 65535 when no rollover option said (RFC 1350 numbers blocks in 16 bits): block
 * 65536 is due, wire number 0 for a server that wraps to 0, 1 for one that wraps to 1. In lock-step a 1 there marks
 * the latter; with a window only three answers of 1 to our ACK of 65535, never a 0 (the README's "Block numbers past
 * 65535"), and only when a tsize can check the guess.
 */
class UnaskedRolloverTest {
    private static final Ipv4Address SERVER = Ipv4Address.parse("192.0.2.1");
    private static final int TID = 3000;
    private static final long WRAP_DUE = 65536;   // the block after 65535
    private static final long SIZE = 80_000L * 512;

    private TftpFuzzTest.Transport net;
    private TftpClient client;
    private UnaskedRollover rollover;

    @BeforeEach
    void setUp() {
        net = new TftpFuzzTest.Transport();
        client = new TftpClient(net, TftpConfig.DEFAULTS, new Random(1));
        client.startRead(0, SERVER, 69, "f", new TftpSink() {
            @Override
            public void begin(long expectedSize) {
            }

            @Override
            public void write(ByteBuffer buf, int off, int len) {
            }
        });
        net.takeSent();
        client.tid = TID;
        rollover = new UnaskedRollover(client);
    }

    @Test
    void inLockStepOneWhereZeroWasDueMeansTheServerWrapsToOne() {
        client.windowSize = 1;
        assertEquals(UnaskedRollover.SAME, rollover.onData(0, 1, WRAP_DUE, -1));
        assertEquals(1, client.rolloverTo);
    }

    @Test
    void withAWindowAZeroSettlesThatTheServerWrapsToZero() {
        client.windowSize = 8;
        rollover.acked(65535);
        assertEquals(UnaskedRollover.SAME, rollover.onData(0, 0, WRAP_DUE, SIZE));
        assertTrue(client.rolloverKnown);
        assertEquals(0, client.rolloverTo);
    }

    @Test
    void withAWindowTheThirdAnswerOfOneToAckOf65535RenumbersWhenASizeChecksIt() {
        assertEquals(UnaskedRollover.RENUMBERED, thirdAnswerOfOne(SIZE));
        assertEquals(1, client.rolloverTo);
        assertTrue(client.rolloverKnown);
    }

    @Test
    void aOneThatAnswersNoAckOf65535IsNoEvidence() {
        client.windowSize = 8;
        for (int i = 0; i < 3; i++) {   // an ACK of another block asks nothing past the wrap
            rollover.acked(65534);
            assertEquals(UnaskedRollover.SAME, rollover.onData(0, 1, WRAP_DUE, SIZE));
        }
        rollover.acked(65535);
        for (int i = 0; i < 5; i++) {   // one answer, then four copies that answer nothing
            assertEquals(UnaskedRollover.SAME, rollover.onData(0, 1, WRAP_DUE, SIZE));
        }
        assertEquals(0, client.rolloverTo);
        assertFalse(client.rolloverKnown);
    }

    @Test
    void withoutASizeTheThirdAnswerFailsTheTransferAndTellsTheServer() {
        assertEquals(UnaskedRollover.FAILED, thirdAnswerOfOne(-1));
        assertEquals(0, client.rolloverTo);
        TftpClient.State.Failed f = assertInstanceOf(TftpClient.State.Failed.class, client.state());
        assertEquals(TftpFailure.Kind.PROTOCOL, f.failure().kind());
        List<TftpFuzzTest.Transport.Sent> sent = net.takeSent();
        assertEquals(1, sent.size());
        assertEquals(TID, sent.get(0).dstPort());
        TftpPacket.Error e = assertInstanceOf(TftpPacket.Error.class,
                TftpWire.parse(ByteBuffer.wrap(sent.get(0).payload()), 0, sent.get(0).payload().length));
        assertEquals(TftpWire.ERR_NOT_DEFINED, e.code());
    }

    /**
     * With a window of 8, answers our ACK of 65535 with DATA 1 three times under {@code tsize}; the first two change
     * nothing. Returns what the third does.
     */
    private int thirdAnswerOfOne(long tsize) {
        client.windowSize = 8;
        for (int i = 1; i <= 2; i++) {
            rollover.acked(65535);
            assertEquals(UnaskedRollover.SAME, rollover.onData(0, 1, WRAP_DUE, tsize), "answer " + i);
            assertFalse(client.rolloverKnown);
            assertEquals(0, client.rolloverTo);
        }
        rollover.acked(65535);
        return rollover.onData(0, 1, WRAP_DUE, tsize);
    }
}
