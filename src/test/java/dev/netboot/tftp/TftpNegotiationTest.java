package dev.netboot.tftp;

import static dev.netboot.net.ScriptedLink.MS;
import static dev.netboot.net.ScriptedLink.SEC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.net.Frames;
import dev.netboot.net.NetConfig;
import dev.netboot.net.NetStack;
import dev.netboot.net.ScriptedLink;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Timelines of option negotiation (RFC 2347-2349), windows (RFC 7440), the RTT-driven timeout (RFC 6298),
 * rollover, tsize checks and WRQ uploads. Expected values come from the RFCs and are computed by hand.
 */
class TftpNegotiationTest {
    static final MacAddress OUR_MAC = MacAddress.parse("02:00:00:00:00:01");
    static final MacAddress SERVER_MAC = MacAddress.parse("02:00:00:00:00:05");
    static final Ipv4Address OUR_IP = Ipv4Address.parse("10.0.0.2");
    static final Ipv4Address SERVER_IP = Ipv4Address.parse("10.0.0.5");
    static final int TID = 3000;

    /** 1 s timeout, 3 retries, blksize auto, window 4 with room for 4 blocks, rollover not asked. */
    static final TftpConfig WINDOWED = new TftpConfig(1 * SEC, 3, 512).withBlockSize(TftpConfig.AUTO).withWindow(4, 4 * 1468);

    final ScriptedLink link = new ScriptedLink(OUR_MAC);
    final NetStack net = new NetStack(link, NetConfig.DEFAULTS);
    final Sink sink = new Sink();
    TftpClient client;

    /** Keeps what it is given; counts writes; can refuse sizes. */
    static final class Sink implements TftpSink {
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        final List<Long> begins = new ArrayList<>();
        long capacity = Long.MAX_VALUE;
        int writes;

        @Override
        public void begin(long expectedSize) {
            begins.add(expectedSize);
            if (expectedSize > capacity) {
                throw new TftpSinkException(TftpWire.ERR_DISK_FULL, "image of " + expectedSize + " bytes does not fit "
                        + capacity, null);
            }
        }

        @Override
        public void write(ByteBuffer buf, int off, int len) {
            writes++;
            byte[] b = new byte[len];
            buf.get(off, b);
            data.writeBytes(b);
        }
    }

    TftpClient client(TftpConfig config) {
        net.configure(OUR_IP, Ipv4Address.parse("255.255.255.0"), Ipv4Address.ANY);
        link.deliver(0, Frames.arpRequest(SERVER_MAC, SERVER_IP, OUR_IP));
        net.poll(0);
        link.takeTx();
        client = new TftpClient(net, config, new SplittableRandom(11));
        return client;
    }

    byte[] startRead(TftpConfig config) {
        client(config).startRead(0, SERVER_IP, 69, "file", sink);
        return link.takeOne(0).asUdp().payload();
    }

    void fromServer(long at, int port, TftpPacket p) {
        link.deliver(at, Frames.udp(SERVER_MAC, OUR_MAC, SERVER_IP, port, OUR_IP, client.localPort(), Frames.tftp(p)));
        poll(at);
    }

    void poll(long now) {
        net.poll(now);
        client.poll(now);
    }

    TftpPacket expectTx(long at, int port) {
        Frames.Udp u = link.takeOne(at).asUdp();
        assertEquals(port, u.dstPort());
        return u.tftp();
    }

    void expectAck(long at, int block) {
        assertEquals(new TftpPacket.Ack(block), expectTx(at, TID));
    }

    static TftpPacket.Data data(long block, int size, int n) {
        return new TftpPacket.Data((int) (block & 0xFFFF), Frames.pattern((block - 1) * size, n));
    }

    static TftpPacket.Oack oack(String... nv) {
        List<TftpPacket.Option> o = new ArrayList<>();
        for (int i = 0; i < nv.length; i += 2) {
            o.add(new TftpPacket.Option(nv[i], nv[i + 1]));
        }
        return new TftpPacket.Oack(o);
    }

    TftpFailure failure() {
        return assertInstanceOf(TftpClient.State.Failed.class, client.state()).failure();
    }

    /** OACK blksize 1468, windowsize 4, the given tsize; ACK 0 taken. */
    void negotiated(long tsize) {
        startRead(WINDOWED);
        fromServer(10 * MS, TID, tsize < 0 ? oack("blksize", "1468", "windowsize", "4")
                : oack("blksize", "1468", "tsize", Long.toString(tsize), "windowsize", "4"));
        expectAck(10 * MS, 0);
    }

    // ---- the request and the OACK (RFC 2347 section 2, 2348, 2349, 7440) ----

    @Test
    void rrqAsksTheLargestBlockTheMtuCarriesTsizeWindowAndRollover() {
        byte[] rrq = startRead(WINDOWED.withRollover(0).withServerTimeout(2));
        // 1500 (MTU) - 20 (IP) - 8 (UDP) - 4 (TFTP header) = 1468, U-Boot's choice too.
        assertArrayEquals(("\0\1file\0octet\0blksize\0001468\0tsize\0000\0timeout\0002\0windowsize\0004\0rollover\0000\0")
                .getBytes(StandardCharsets.US_ASCII), rrq);
    }

    @Test
    void smallerMtuMeansASmallerBlock() {
        ScriptedLink small = new ScriptedLink(OUR_MAC, 576);
        NetStack n = new NetStack(small, NetConfig.DEFAULTS);
        n.configure(OUR_IP, Ipv4Address.parse("255.255.255.0"), Ipv4Address.ANY);
        small.deliver(0, Frames.arpRequest(SERVER_MAC, SERVER_IP, OUR_IP));
        n.poll(0);
        small.takeTx();
        new TftpClient(n, WINDOWED.withWindow(1, 0), new SplittableRandom(1)).startRead(0, SERVER_IP, 69, "f", sink);
        assertArrayEquals("\0\1f\0octet\0blksize\000544\0tsize\0000\0".getBytes(StandardCharsets.US_ASCII),
                small.takeOne(0).asUdp().payload());                    // 576 - 20 - 8 - 4
    }

    @Test
    void oackIsAnsweredWithAck0AndTheWindowIsAcknowledgedAtItsLastBlock() {
        negotiated(4 * 1468 + 100);
        assertEquals(List.of(4L * 1468 + 100), sink.begins);
        assertEquals(1468, client.blockSize());
        assertEquals(4, client.windowSize());
        for (int b = 1; b <= 3; b++) {
            fromServer(10 * MS + b * 10_000, TID, data(b, 1468, 1468));
            link.expectNoTx();                                          // mid-window: no ACK
        }
        fromServer(10 * MS + 40_000, TID, data(4, 1468, 1468));
        expectAck(10 * MS + 40_000, 4);                                 // RFC 7440: the ACK of the window's last block
        fromServer(11 * MS, TID, data(5, 1468, 100));
        expectAck(11 * MS, 5);                                          // the short block ends it, whatever the window
        assertEquals(new TftpClient.State.Done(4 * 1468 + 100, 11 * MS), client.state());
        assertArrayEquals(Frames.pattern(0, 4 * 1468 + 100), sink.data.toByteArray());
        assertEquals(10 * MS, client.finishedAt() - client.startedAt() - MS);
    }

    /**
     * RFC 2347: the client answers the OACK with ACK 0. A server that sends its OACK again before any DATA came did not
     * get that ACK (its timeout, 0.5 s here, is shorter than ours, 1 s): ACK 0 goes again at once, not at our timeout.
     * A copy right behind the first OACK (within timeout / 8 = 125 ms: it crossed our ACK 0) is not answered, and
     * once DATA has come an OACK is junk, dropped.
     */
    @Test
    void anOackSentAgainBeforeAnyDataGetsAck0AgainAtOnce() {
        negotiated(-1);
        TftpPacket.Oack again = oack("blksize", "1468", "windowsize", "4");
        fromServer(10 * MS + 100, TID, again);
        link.expectNoTx();
        assertEquals(1, client.stats().duplicates());
        poll(509 * MS);
        link.expectNoTx();
        fromServer(510 * MS, TID, again);
        expectAck(510 * MS, 0);
        assertEquals(2, client.stats().duplicates());
        for (int b = 1; b <= 4; b++) {
            fromServer(520 * MS + b * 10_000, TID, data(b, 1468, 1468));
        }
        expectAck(520 * MS + 40_000, 4);
        long dropped = client.stats().dropped();
        fromServer(900 * MS, TID, again);
        link.expectNoTx();
        assertEquals(dropped + 1, client.stats().dropped());
        assertEquals(2, client.stats().duplicates(), "the copy right behind the first OACK and the one answered");
    }

    @Test
    void oackWithAnOptionNeverAskedIsRefusedWithError8ThenAskedPlainly() {
        startRead(WINDOWED);
        fromServer(10 * MS, TID, oack("blksize", "1468", "rollover", "0"));
        List<Frames.Udp> tx = link.takeTx().stream().map(t -> t.decode().asUdp()).toList();
        assertEquals(List.of(TID, 69), tx.stream().map(Frames.Udp::dstPort).toList());
        TftpPacket.Error e = (TftpPacket.Error) tx.get(0).tftp();
        assertEquals(TftpWire.ERR_OPTIONS, e.code());
        assertEquals("OACK option 'rollover' was never requested", e.message());
        assertEquals(new TftpPacket.Rrq("file", "octet", List.of()), tx.get(1).tftp());
        assertInstanceOf(TftpClient.State.Requesting.class, client.state());
        assertTrue(sink.begins.isEmpty());
    }

    @Test
    void oackWithAWindowLargerThanAskedIsRefusedWithError8ThenAskedPlainly() {
        startRead(WINDOWED);
        fromServer(10 * MS, TID, oack("windowsize", "5"));
        List<Frames.Udp> tx = link.takeTx().stream().map(t -> t.decode().asUdp()).toList();
        assertEquals(List.of(TID, 69), tx.stream().map(Frames.Udp::dstPort).toList());
        TftpPacket.Error e = (TftpPacket.Error) tx.get(0).tftp();
        assertEquals(TftpWire.ERR_OPTIONS, e.code());
        assertEquals("OACK windowsize 5 (expected: 1..4)", e.message());
        assertEquals(new TftpPacket.Rrq("file", "octet", List.of()), tx.get(1).tftp());
        fromServer(20 * MS, TID, oack("windowsize", "4"));              // options again, to a plain request
        TftpPacket.Error second = (TftpPacket.Error) expectTx(20 * MS, TID);
        assertEquals(TftpWire.ERR_OPTIONS, second.code());
        assertEquals("OACK without options requested", second.message());    // what the server is told
        // The user's line says first what was wrong with the options, then why the plain request failed too.
        assertEquals("TFTP: server 10.0.0.5: OACK windowsize 5 (expected: 1..4); asked again without options, it sent an OACK again",
                failure().message());
        assertEquals(TftpWire.ERR_OPTIONS, failure().errorCode());
    }

    @Test
    void anOackRefusalQuotingALongNonAsciiValueFitsItsErrorPacket() {
        // Found by fuzzing (TftpFuzzTest transfer): ERROR 8 quotes the OACK's value, and 150 euro signs are 450 bytes
        // of UTF-8; the board's 256-byte ERROR buffer overflowed, and the exception escaped the stack. The message is
        // cut, whole characters, to the 251 bytes an ERROR there has for it (256 less opcode, code and NUL).
        startRead(WINDOWED);
        String value = "\u20ac".repeat(150);
        fromServer(10 * MS, TID, oack("windowsize", value));
        List<Frames.Udp> tx = link.takeTx().stream().map(t -> t.decode().asUdp()).toList();
        assertEquals(List.of(TID, 69), tx.stream().map(Frames.Udp::dstPort).toList());
        TftpPacket.Error e = (TftpPacket.Error) tx.get(0).tftp();
        assertEquals(TftpWire.ERR_OPTIONS, e.code());
        int room = 256 - 5;
        String full = "OACK windowsize " + value;
        // The longest start of the message, whole 3-byte characters, within the room.
        int keep = "OACK windowsize ".length() + (room - "OACK windowsize ".length()) / 3;
        assertEquals(full.substring(0, keep), e.message());
        assertEquals(new TftpPacket.Rrq("file", "octet", List.of()), tx.get(1).tftp()); // asked plainly, as for any refused OACK
    }

    @Test
    void serverThatIgnoresOptionsRunsAt512LockStep() {
        startRead(WINDOWED);
        fromServer(10 * MS, TID, data(1, 512, 512));
        expectAck(10 * MS, 1);
        assertEquals(512, client.blockSize());
        assertEquals(1, client.windowSize());
        fromServer(20 * MS, TID, data(2, 512, 0));
        expectAck(20 * MS, 2);
        assertEquals(new TftpClient.State.Done(512, 20 * MS), client.state());
    }

    @Test
    void error8IsRetriedOnceWithoutOptionsFromANewPort() {
        startRead(WINDOWED);
        int firstPort = client.localPort();
        fromServer(10 * MS, TID, new TftpPacket.Error(TftpWire.ERR_OPTIONS, "no options here"));
        Frames.Udp again = link.takeOne(10 * MS).asUdp();
        assertEquals(69, again.dstPort());
        assertNotEquals(firstPort, again.srcPort());
        assertArrayEquals("\0\1file\0octet\0".getBytes(StandardCharsets.US_ASCII), again.payload());
        assertTrue(!net.isBound(firstPort));
        fromServer(20 * MS, TID + 1, data(1, 512, 10));
        assertEquals(new TftpPacket.Ack(1), link.takeOne(20 * MS).asUdp().tftp());
        assertEquals(new TftpClient.State.Done(10, 20 * MS), client.state());
    }

    @Test
    void anOackToThePlainRequestAfterTheServersError8SaysBoth() {
        startRead(WINDOWED);
        fromServer(10 * MS, TID, new TftpPacket.Error(TftpWire.ERR_OPTIONS, "no options here"));
        assertEquals(new TftpPacket.Rrq("file", "octet", List.of()), link.takeOne(10 * MS).asUdp().tftp());
        fromServer(20 * MS, TID + 1, oack("blksize", "512"));            // options after all, to a request without any
        TftpPacket.Error e = (TftpPacket.Error) expectTx(20 * MS, TID + 1);
        assertEquals(TftpWire.ERR_OPTIONS, e.code());
        assertEquals(TftpFailure.Kind.PROTOCOL, failure().kind());
        assertEquals("TFTP: server 10.0.0.5: it refused the options with ERROR 8; asked again without options, it sent an OACK again",
                failure().message());
    }

    @Test
    void asecondError8IsTheServersAnswer() {
        startRead(WINDOWED);
        fromServer(10 * MS, TID, new TftpPacket.Error(TftpWire.ERR_OPTIONS, "no"));
        link.takeOne(10 * MS);
        fromServer(20 * MS, TID, new TftpPacket.Error(TftpWire.ERR_OPTIONS, "still no"));
        assertEquals(TftpFailure.Kind.SERVER_ERROR, failure().kind());
    }

    @Test
    void answerFromPort69IsTakenAsTheTransferId() {
        startRead(WINDOWED);
        fromServer(10 * MS, 69, oack("blksize", "1468"));               // dnsmasq --tftp-single-port
        assertEquals(new TftpPacket.Ack(0), expectTx(10 * MS, 69));
        fromServer(20 * MS, 69, data(1, 1468, 5));
        assertEquals(new TftpPacket.Ack(1), expectTx(20 * MS, 69));
        assertInstanceOf(TftpClient.State.Done.class, client.state());
    }

    // ---- tsize (RFC 2349) ----

    @Test
    void imageThatCannotFitIsRefusedBeforeAnythingIsWritten() {
        sink.capacity = 4096;
        startRead(WINDOWED);
        fromServer(10 * MS, TID, oack("blksize", "1468", "tsize", "5000", "windowsize", "4"));
        TftpPacket.Error e = (TftpPacket.Error) expectTx(10 * MS, TID);
        assertEquals(TftpWire.ERR_DISK_FULL, e.code());                 // "disk full or allocation exceeded"
        assertEquals(TftpFailure.Kind.LOCAL, failure().kind());
        assertEquals(0, sink.writes);
    }

    @Test
    void lastBlockShortOfTheAnnouncedSizeFailsAndIsNotWritten() {
        negotiated(3000);
        fromServer(11 * MS, TID, data(1, 1468, 600));                   // ends at 600 bytes
        TftpPacket.Error e = (TftpPacket.Error) expectTx(11 * MS, TID);
        assertEquals(TftpWire.ERR_NOT_DEFINED, e.code());
        assertEquals(TftpFailure.Kind.PROTOCOL, failure().kind());
        assertEquals("TFTP: server announced 3000 bytes, sent 600", failure().message());
        assertEquals(0, sink.writes);
    }

    // ---- windows: gaps, reordering, duplicates (RFC 7440 section 4) ----

    @Test
    void gapIsAcknowledgedAtOnceRateLimitedAndTheHeldBlocksAreDeliveredInOrder() {
        negotiated(-1);
        long t = 20 * MS;
        fromServer(t, TID, data(1, 1468, 1468));
        link.expectNoTx();
        fromServer(t + 10_000, TID, data(3, 1468, 1468));               // 2 is missing
        expectAck(t + 10_000, 1);                                       // the same instant, not after a timeout
        fromServer(t + 20_000, TID, data(4, 1468, 1468));
        link.expectNoTx();                                              // the same hole: not again so soon
        assertEquals(2, client.stats().outOfOrderHeld());
        assertEquals(1, client.stats().gapAcks());
        assertEquals(4, client.stats().windowSize());                   // the negotiated window, loss or not
        assertEquals(1468, sink.data.size());

        fromServer(t + 30_000, TID, data(2, 1468, 1468));               // the late block (or the resent window)
        link.expectNoTx();                                              // 2, 3, 4 delivered; the window ends at 1 + 4
        assertArrayEquals(Frames.pattern(0, 4 * 1468), sink.data.toByteArray());
        fromServer(t + 40_000, TID, data(3, 1468, 1468));               // the rest of the resent window: silence
        fromServer(t + 50_000, TID, data(4, 1468, 1468));
        link.expectNoTx();
        fromServer(t + 60_000, TID, data(5, 1468, 1468));               // the window's last block
        expectAck(t + 60_000, 5);
        assertEquals(5 * 1468, sink.data.size());
    }

    @Test
    void gapAckIsRepeatedAfterTwoRoundTripsDoublingUpToTheTimeout() {
        negotiated(-1);                                                 // RRQ at 0, OACK at 10 ms: SRTT 10 ms (RFC 6298)
        fromServer(20 * MS, TID, data(2, 1468, 1468));
        expectAck(20 * MS, 0);
        fromServer(39 * MS, TID, data(3, 1468, 1468));                  // under 2 x SRTT after the gap ACK: nothing
        link.expectNoTx();
        fromServer(40 * MS, TID, data(4, 1468, 1468));                  // 2 x SRTT: the resend or the ACK was lost
        expectAck(40 * MS, 0);
        fromServer(79 * MS, TID, data(4, 1468, 1468));                  // then 4 x SRTT, 8 x, ...
        link.expectNoTx();
        fromServer(80 * MS, TID, data(4, 1468, 1468));
        expectAck(80 * MS, 0);
        fromServer(159 * MS, TID, data(3, 1468, 1468));
        link.expectNoTx();
        fromServer(160 * MS, TID, data(3, 1468, 1468));
        expectAck(160 * MS, 0);
        assertEquals(4, client.stats().gapAcks());
        assertEquals(0, client.stats().retransmissions());              // gap ACKs, not timeouts
    }

    @Test
    void gapAckRepeatsNeverComeFasterThanTheTimeoutAllows() {
        negotiated(-1);
        fromServer(20 * MS, TID, data(2, 1468, 1468));
        expectAck(20 * MS, 0);
        long t = 20 * MS;
        // 20, 40, 80, 160, 320, 640 ms apart, then the timeout (1 s, fixed here) caps the spacing.
        for (long gap : new long[] {20 * MS, 40 * MS, 80 * MS, 160 * MS, 320 * MS}) {
            t += gap;
            fromServer(t, TID, data(3, 1468, 1468));
            expectAck(t, 0);
        }
        fromServer(t + 640 * MS - 1, TID, data(3, 1468, 1468));
        link.expectNoTx();
        assertEquals(6, client.stats().gapAcks());
    }

    @Test
    void windowStaysTheNegotiatedSizeAndEndsItsBlocksAfterTheLastAck() {
        negotiated(-1);
        long t = 20 * MS;
        fromServer(t, TID, data(1, 1468, 1468));
        fromServer(t += 10_000, TID, data(3, 1468, 1468));              // gap: ACK 1, so the window now ends at 5
        expectAck(t, 1);
        List<Integer> acks = new ArrayList<>();
        List<Integer> windows = new ArrayList<>();
        for (int b : new int[] {2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}) {
            fromServer(t += 10_000, TID, data(b, 1468, 1468));
            for (ScriptedLink.Tx f : link.takeTx()) {
                acks.add(((TftpPacket.Ack) f.decode().asUdp().tftp()).block());
            }
            windows.add(client.stats().windowSize());
        }
        assertEquals(List.of(5, 9, 13), acks);
        assertTrue(windows.stream().allMatch(w -> w == 4), windows.toString());
    }

    @Test
    void blockBeyondAnyWindowIsDropped() {
        negotiated(-1);
        fromServer(20 * MS, TID, data(9, 1468, 1468));                  // acked 0, window 4: at most block 4
        link.expectNoTx();
        assertEquals(1, client.stats().dropped());
        assertEquals(0, client.stats().outOfOrderHeld());
    }

    @Test
    void reorderBufferBoundedByTheBudgetDropsWhatDoesNotFit() {
        startRead(WINDOWED.withWindow(4, 1468));                        // room for one block
        fromServer(10 * MS, TID, oack("blksize", "1468", "windowsize", "4"));
        expectAck(10 * MS, 0);
        fromServer(20 * MS, TID, data(2, 1468, 1468));                  // held in the one slot
        expectAck(20 * MS, 0);
        fromServer(21 * MS, TID, data(3, 1468, 1468));                  // no room: dropped
        assertEquals(1, client.stats().outOfOrderHeld());
        assertEquals(1, client.stats().dropped());
    }

    @Test
    void aBlockDroppedForWantOfRoomIsAskedForAsSoonAsTheHoleBeforeItFills() {
        startRead(WINDOWED.withWindow(4, 1468));                        // room for one block ahead of a gap
        fromServer(10 * MS, TID, oack("blksize", "1468", "windowsize", "4"));
        expectAck(10 * MS, 0);
        fromServer(20 * MS, TID, data(2, 1468, 1468));                  // 1 lost: 2 held, the gap ACK
        expectAck(20 * MS, 0);
        fromServer(20 * MS + 10_000, TID, data(3, 1468, 1468));         // no room: dropped, the hole already named
        link.expectNoTx();
        assertEquals(1, client.ramDrops());
        fromServer(21 * MS, TID, data(1, 1468, 1468));                  // the resend: 1 and the held 2 go to the sink
        expectAck(21 * MS, 2);                                          // 3 was seen and dropped: ask for it now
        fromServer(22 * MS, TID, data(3, 1468, 1468));
        fromServer(22 * MS + 10_000, TID, data(4, 1468, 1468));
        fromServer(22 * MS + 20_000, TID, data(5, 1468, 1468));
        link.expectNoTx();
        fromServer(22 * MS + 30_000, TID, data(6, 1468, 1468));         // 4 blocks after ACK 2: the window's end
        expectAck(22 * MS + 30_000, 6);
        assertArrayEquals(Frames.pattern(0, 6 * 1468), sink.data.toByteArray());
        assertEquals(1, client.ramDrops());
        assertEquals(2, client.stats().gapAcks());
    }

    // ---- the retransmission timeout (RFC 6298) and Karn's rule ----

    /** Lock-step, 512, timeout 1 s to begin with, allowed down to 10 ms. */
    static final TftpConfig ADAPTIVE = new TftpConfig(1 * SEC, 5, 512).withTimeouts(1 * SEC, 10 * MS, 8 * SEC);

    @Test
    void timeoutFollowsTheRoundTripTime() {
        startRead(ADAPTIVE);
        long r = 40 * MS;
        // RFC 6298 with a steady R: RTO = R + 4 × (R/2)(3/4)^(n-1): 3R, 2.5R, 2.125R, 1.84375R.
        long[] rto = {120 * MS, 100 * MS, 85 * MS, 73_750_000};
        for (int n = 1; n <= 4; n++) {
            fromServer(n * r, TID, data(n, 512, 512));
            expectAck(n * r, n);
            assertEquals(rto[n - 1], client.stats().timeout(), "after sample " + n);
            assertEquals(n * r + rto[n - 1], client.pollAt());
            assertEquals(r, client.stats().rttEstimate());
        }
    }

    @Test
    void karnsRuleTakesNoSampleFromARetransmittedAck() {
        startRead(ADAPTIVE);
        fromServer(40 * MS, TID, data(1, 512, 512));                    // sample 40 ms: RTO 120 ms
        expectAck(40 * MS, 1);
        poll(160 * MS);
        expectAck(160 * MS, 1);                                         // timeout: retransmitted
        assertEquals(160 * MS + 240 * MS, client.pollAt());             // backoff doubles
        fromServer(300 * MS, TID, data(2, 512, 512));                   // 140 ms after the retransmission
        expectAck(300 * MS, 2);
        assertEquals(40 * MS, client.stats().rttEstimate());            // no sample: ambiguous exchange
        assertEquals(120 * MS, client.stats().timeout());
        assertEquals(540 * MS, client.pollAt());                        // the backoff stays (Karn): 300 + 240 ms
        fromServer(340 * MS, TID, data(3, 1024, 512));                  // answers ACK 2, sent once: 40 ms
        expectAck(340 * MS, 3);
        // Second sample 40 ms: RTTVAR = 3/4 × 20 = 15 ms, RTO = 40 + 4 × 15 = 100 ms, no backoff.
        assertEquals(100 * MS, client.stats().timeout());
        assertEquals(440 * MS, client.pollAt());
    }

    @Test
    void timeoutStaysWithinItsBounds() {
        startRead(ADAPTIVE.withTimeouts(1 * SEC, 200 * MS, 2 * SEC));
        fromServer(MS, TID, data(1, 512, 512));                         // 1 ms RTT: 3 ms, clamped up to 200 ms
        expectAck(MS, 1);
        assertEquals(200 * MS, client.stats().timeout());
        long t = MS;
        for (long wait : new long[] {200, 400, 800, 1600, 2000}) {      // doubling, capped at 2 s
            t += wait * MS;
            assertEquals(t, client.pollAt());
            poll(t);
            expectAck(t, 1);
        }
    }

    // ---- block numbers past 65535 ----

    @Test
    void lockStepServerThatWrapsToOneIsFollowed() {
        startRead(TftpConfig.DEFAULTS);
        link.setRecording(false);
        byte[] block = Frames.pattern(0, 512);
        long t = 0;
        for (int b = 1; b <= 65535; b++) {
            t += 10_000;
            fromServer(t, TID, new TftpPacket.Data(b, block));
        }
        link.setRecording(true);
        fromServer(t + MS, TID, new TftpPacket.Data(1, block));         // 0 was due: this server wraps to 1
        expectAck(t + MS, 1);
        fromServer(t + 2 * MS, TID, new TftpPacket.Data(2, Frames.pattern(0, 7)));
        expectAck(t + 2 * MS, 2);
        assertEquals(new TftpClient.State.Done(65536L * 512 + 7, t + 2 * MS), client.state());
    }

    @Test
    void blockNumbersMapBothWays() {
        for (int r = 0; r <= 1; r++) {
            for (long s : new long[] {1, 65534, 65535, 65536, 65537, 131071, 131072, 131073, 200_000}) {
                assertEquals(s, BlockNumbers.seq(BlockNumbers.wire(s, r), s - 3, r), "seq " + s + " rollover " + r);
            }
        }
        assertEquals(0, BlockNumbers.wire(65536, 0));
        assertEquals(1, BlockNumbers.wire(65536, 1));
        assertEquals(65535, BlockNumbers.wire(131070, 1));
        assertEquals(1, BlockNumbers.wire(131071, 1));
    }

    // ---- WRQ (upload) ----

    /** A byte array as a source. */
    record ArraySource(byte[] bytes) implements TftpSource {
        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public int read(long offset, ByteBuffer dst, int off, int len) {
            int n = (int) Math.min(len, bytes.length - offset);
            dst.put(off, bytes, (int) offset, n);
            return n;
        }
    }

    @Test
    void wrqCarriesTsizeAndDataOneFollowsTheOack() {
        byte[] file = Frames.pattern(0, 3000);
        client(new TftpConfig(1 * SEC, 3, 1024)).startWrite(0, SERVER_IP, 69, "up.img", new ArraySource(file));
        assertArrayEquals("\0\2up.img\0octet\0blksize\0001024\0tsize\0003000\0".getBytes(StandardCharsets.US_ASCII),
                link.takeOne(0).asUdp().payload());
        fromServer(10 * MS, TID, oack("blksize", "1024", "tsize", "3000"));
        assertEquals(new TftpPacket.Data(1, Frames.pattern(0, 1024)), expectTx(10 * MS, TID));  // RFC 2347: DATA 1
        fromServer(20 * MS, TID, new TftpPacket.Ack(1));
        assertEquals(new TftpPacket.Data(2, Frames.pattern(1024, 1024)), expectTx(20 * MS, TID));
        fromServer(25 * MS, TID, new TftpPacket.Ack(1));                // duplicate ACK in lock-step: nothing
        link.expectNoTx();
        fromServer(30 * MS, TID, new TftpPacket.Ack(2));
        assertEquals(new TftpPacket.Data(3, Frames.pattern(2048, 952)), expectTx(30 * MS, TID));
        fromServer(40 * MS, TID, new TftpPacket.Ack(3));
        link.expectNoTx();
        assertEquals(new TftpClient.State.Done(3000, 40 * MS), client.state());
        assertTrue(!net.isBound(client.localPort()));
    }

    @Test
    void aWriteOackWhoseTsizeIsNotTheSizeSentIsRefusedAndTheWriteAskedAgainPlainly() {
        // RFC 2349: on a write the size "is specified in the request and echoed back in the OACK". A server answering
        // 3000 + 2^32 as 3000 would echo 3000; here it answers 2999 for 3000: it did not take the size the client sent.
        // RFC 2347: an OACK the client cannot accept gets ERROR 8; as after any refused OACK, the write is asked again
        // without options, from a new port, and goes at 512 bytes.
        byte[] file = Frames.pattern(0, 3000);
        client(new TftpConfig(1 * SEC, 3, 1024)).startWrite(0, SERVER_IP, 69, "up.img", new ArraySource(file));
        int firstPort = link.takeOne(0).asUdp().srcPort();
        fromServer(10 * MS, TID, oack("blksize", "1024", "tsize", "2999"));
        List<ScriptedLink.Tx> sent = link.takeTx();
        assertEquals(2, sent.size(), sent.toString());
        assertEquals(new TftpPacket.Error(TftpWire.ERR_OPTIONS,
                "OACK tsize 2999 on a write of 3000 bytes (expected: 3000, the size sent: RFC 2349 echoes it)"),
                sent.get(0).decode().asUdp().tftp());
        Frames.Udp again = sent.get(1).decode().asUdp();
        assertEquals(new TftpPacket.Wrq("up.img", "octet", List.of()), again.tftp());
        assertTrue(again.srcPort() != firstPort, "a new port");
        fromServer(20 * MS, TID + 1, new TftpPacket.Ack(0)); // the plain write's transfer ID
        assertEquals(new TftpPacket.Data(1, Frames.pattern(0, 512)), expectTx(20 * MS, TID + 1));
    }

    @Test
    void aWriteOackEchoingTheSizeSentOrLeavingTsizeOutIsTaken() {
        byte[] file = Frames.pattern(0, 3000);
        client(new TftpConfig(1 * SEC, 3, 1024)).startWrite(0, SERVER_IP, 69, "up.img", new ArraySource(file));
        link.takeOne(0);
        fromServer(10 * MS, TID, oack("blksize", "1024"));
        assertEquals(new TftpPacket.Data(1, Frames.pattern(0, 1024)), expectTx(10 * MS, TID));
    }

    @Test
    void wrqToAServerThatIgnoresOptionsSendsAt512AfterAck0() {
        client(new TftpConfig(1 * SEC, 3, 1024)).startWrite(0, SERVER_IP, 69, "up", new ArraySource(Frames.pattern(0, 600)));
        link.takeOne(0);
        fromServer(10 * MS, TID, new TftpPacket.Ack(0));
        assertEquals(new TftpPacket.Data(1, Frames.pattern(0, 512)), expectTx(10 * MS, TID));
        fromServer(20 * MS, TID, new TftpPacket.Ack(1));
        assertEquals(new TftpPacket.Data(2, Frames.pattern(512, 88)), expectTx(20 * MS, TID));
    }

    @Test
    void wrqWindowIsSentWholeAndRolledBackFromAnEarlierAck() {
        byte[] file = Frames.pattern(0, 10 * 512 + 1);
        client(new TftpConfig(1 * SEC, 3, 512).withWindow(4, 0)).startWrite(0, SERVER_IP, 69, "up", new ArraySource(file));
        link.takeOne(0);
        fromServer(10 * MS, TID, oack("windowsize", "4", "tsize", Integer.toString(file.length)));
        List<ScriptedLink.Tx> burst = link.takeTx();
        assertEquals(4, burst.size());                                  // DATA 1..4 at once
        fromServer(20 * MS, TID, new TftpPacket.Ack(2));                // the receiver lost 3
        burst = link.takeTx();
        assertEquals(4, burst.size());                                  // a new window from 3: 3..6
        assertEquals(3, ((TftpPacket.Data) burst.getFirst().decode().asUdp().tftp()).block());
        assertEquals(2, client.stats().retransmissions());              // 3 and 4 went twice
        poll(20 * MS + SEC);                                            // no ACK: the window again from 3
        assertEquals(4, link.takeTx().size());
    }
}
