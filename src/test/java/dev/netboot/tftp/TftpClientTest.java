package dev.netboot.tftp;

import static dev.netboot.net.ScriptedLink.MS;
import static dev.netboot.net.ScriptedLink.SEC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The TFTP read client as timelines (RFC 1350, RFC 1123 4.2.3, RFC 2347-2349). */
class TftpClientTest {
    static final MacAddress OUR_MAC = MacAddress.parse("02:00:00:00:00:01");
    static final MacAddress SERVER_MAC = MacAddress.parse("02:00:00:00:00:05");
    static final MacAddress STRANGER_MAC = MacAddress.parse("02:00:00:00:00:06");
    static final Ipv4Address OUR_IP = Ipv4Address.parse("10.0.0.2");
    static final Ipv4Address SERVER_IP = Ipv4Address.parse("10.0.0.5");
    static final Ipv4Address STRANGER_IP = Ipv4Address.parse("10.0.0.6");
    static final int TID = 3000;
    static final String FILE = "file";

    /** 1 s timeout, 3 retries, plain 512-byte blocks (no options). */
    static final TftpConfig PLAIN = new TftpConfig(1 * SEC, 3, 512);

    final ScriptedLink link = new ScriptedLink(OUR_MAC);
    final NetStack net = new NetStack(link, NetConfig.DEFAULTS);
    final Sink sink = new Sink();
    TftpClient client;

    /** Keeps what it is given; can refuse. */
    static final class Sink implements TftpSink {
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        final List<Long> begins = new ArrayList<>();
        long refuseAfter = Long.MAX_VALUE;
        String refusalForServer; // null: the server is told the local message

        @Override
        public void begin(long expectedSize) {
            begins.add(expectedSize);
        }

        @Override
        public void write(ByteBuffer buf, int off, int len) {
            if (data.size() + len > refuseAfter) {
                String local = "image of more than " + refuseAfter + " bytes does not fit";
                throw refusalForServer == null ? new TftpSinkException(TftpWire.ERR_DISK_FULL, local, null)
                        : new TftpSinkException(TftpWire.ERR_DISK_FULL, local + " in /home/me/boards", refusalForServer, null);
            }
            byte[] b = new byte[len];
            buf.get(off, b);
            data.writeBytes(b);
        }
    }

    /** The network is up and the server's MAC is known, as after BOOTP. */
    TftpClient client(TftpConfig config) {
        net.configure(OUR_IP, Ipv4Address.parse("255.255.255.0"), Ipv4Address.ANY);
        link.deliver(0, Frames.arpRequest(SERVER_MAC, SERVER_IP, OUR_IP));
        link.deliver(0, Frames.arpRequest(STRANGER_MAC, STRANGER_IP, OUR_IP));
        net.poll(0);
        link.takeTx();                                                  // our two ARP replies
        client = new TftpClient(net, config, new SplittableRandom(11));
        return client;
    }

    /** Starts reading {@link #FILE} at 0 and takes the RRQ. */
    void started(TftpConfig config) {
        client(config).startRead(0, SERVER_IP, 69, FILE, sink);
        link.takeOne(0);
    }

    void poll(long now) {
        net.poll(now);
        client.poll(now);
    }

    void fromServer(long at, int port, TftpPacket p) {
        from(at, SERVER_MAC, SERVER_IP, port, p);
    }

    void from(long at, MacAddress mac, Ipv4Address ip, int port, TftpPacket p) {
        link.deliver(at, Frames.udp(mac, OUR_MAC, ip, port, OUR_IP, client.localPort(), Frames.tftp(p)));
        poll(at);
    }

    static TftpPacket.Data data(int block, long fileOffset, int n) {
        return new TftpPacket.Data(block, Frames.pattern(fileOffset, n));
    }

    /** Takes the one frame sent at {@code at} and checks it is {@code expected} from our port to {@code ip}:{@code port}. */
    TftpPacket expectTx(long at, Ipv4Address ip, int port, TftpPacket expected) {
        Frames.Udp u = link.takeOne(at).asUdp();
        assertEquals(ip, u.dstIp());
        assertEquals(port, u.dstPort());
        assertEquals(client.localPort(), u.srcPort());
        TftpPacket p = u.tftp();
        assertEquals(expected, p);
        return p;
    }

    void expectAck(long at, int block) {
        expectTx(at, SERVER_IP, TID, new TftpPacket.Ack(block));
    }

    TftpFailure failure() {
        return assertInstanceOf(TftpClient.State.Failed.class, client.state()).failure();
    }

    // ---- request and the normal path ----

    @Test
    void rrqIsFileOctetToPort69FromAnEphemeralPort() {
        client(PLAIN).startRead(0, SERVER_IP, 69, FILE, sink);
        Frames.Udp u = link.takeOne(0).asUdp();
        assertEquals(SERVER_MAC, u.ethDst());
        assertEquals(SERVER_IP, u.dstIp());
        assertEquals(69, u.dstPort());
        assertEquals(client.localPort(), u.srcPort());
        assertTrue(u.srcPort() >= 49152 && u.srcPort() <= 65535, "port " + u.srcPort());
        // RFC 1350 figure 5-1: | 01 | filename | 0 | mode | 0 |, no options at 512.
        assertArrayEquals("\0\1file\0octet\0".getBytes(StandardCharsets.US_ASCII), u.payload());
        assertInstanceOf(TftpClient.State.Requesting.class, client.state());
        assertTrue(net.isBound(client.localPort()));
    }

    @Test
    void oddSizedFileEndsOnTheShortBlock() {
        started(PLAIN);
        fromServer(10 * MS, TID, data(1, 0, 512));                      // the answer comes from a new port: the TID
        expectAck(10 * MS, 1);
        assertEquals(new TftpClient.State.Receiving(SERVER_IP, TID, 512), client.state());
        fromServer(20 * MS, TID, data(2, 512, 512));
        expectAck(20 * MS, 2);
        fromServer(30 * MS, TID, data(3, 1024, 276));
        expectAck(30 * MS, 3);
        assertEquals(new TftpClient.State.Done(1300, 30 * MS), client.state());
        assertArrayEquals(Frames.pattern(0, 1300), sink.data.toByteArray());
        assertEquals(List.of(-1L), sink.begins);
        assertEquals(new TftpClient.Stats(0, 0, 0, 0, 3, 0, 0, 10 * MS, 1 * SEC, 1), client.stats());
    }

    @Test
    void exactMultipleOf512EndsOnAnEmptyBlock() {
        started(PLAIN);
        fromServer(10 * MS, TID, data(1, 0, 512));
        expectAck(10 * MS, 1);
        fromServer(20 * MS, TID, data(2, 512, 512));
        expectAck(20 * MS, 2);
        assertInstanceOf(TftpClient.State.Receiving.class, client.state());  // a full block is never the end
        fromServer(30 * MS, TID, data(3, 1024, 0));
        expectAck(30 * MS, 3);
        assertEquals(new TftpClient.State.Done(1024, 30 * MS), client.state());
        assertArrayEquals(Frames.pattern(0, 1024), sink.data.toByteArray());
    }

    // ---- transfer IDs (RFC 1350 section 4) ----

    @Test
    void dataFromAnotherPortGetsError5ThereAndChangesNothing() {
        started(PLAIN);
        fromServer(10 * MS, TID, data(1, 0, 512));
        expectAck(10 * MS, 1);
        long deadline = client.pollAt();

        fromServer(20 * MS, TID + 1, data(2, 512, 512));
        TftpPacket.Error e = (TftpPacket.Error) link.takeOne(20 * MS).asUdp().tftp();
        assertEquals(TftpWire.ERR_UNKNOWN_TID, e.code());
        assertEquals(new TftpClient.State.Receiving(SERVER_IP, TID, 512), client.state());
        assertEquals(512, sink.data.size());
        assertEquals(deadline, client.pollAt());                        // the timer is not touched either
        assertEquals(1, client.stats().strayPackets());

        fromServer(30 * MS, TID, data(2, 512, 100));                    // the real server carries on
        expectAck(30 * MS, 2);
        assertEquals(new TftpClient.State.Done(612, 30 * MS), client.state());
    }

    @Test
    void error5GoesToTheStrangersPort() {
        started(PLAIN);
        fromServer(10 * MS, TID, data(1, 0, 512));
        link.takeTx();
        fromServer(20 * MS, 4444, data(2, 512, 512));
        Frames.Udp u = link.takeOne(20 * MS).asUdp();
        assertEquals(SERVER_IP, u.dstIp());
        assertEquals(4444, u.dstPort());
    }

    @Test
    void dataFromAnotherAddressGetsError5ThereAndChangesNothing() {
        started(PLAIN);
        fromServer(10 * MS, TID, data(1, 0, 512));
        expectAck(10 * MS, 1);

        from(20 * MS, STRANGER_MAC, STRANGER_IP, TID, data(2, 512, 512));  // right port, wrong host
        Frames.Udp u = link.takeOne(20 * MS).asUdp();
        assertEquals(STRANGER_MAC, u.ethDst());
        assertEquals(STRANGER_IP, u.dstIp());
        assertEquals(TID, u.dstPort());
        assertEquals(TftpWire.ERR_UNKNOWN_TID, ((TftpPacket.Error) u.tftp()).code());
        assertEquals(512, sink.data.size());

        fromServer(30 * MS, TID, data(2, 512, 0));
        expectAck(30 * MS, 2);
        assertArrayEquals(Frames.pattern(0, 512), sink.data.toByteArray());
    }

    @Test
    void answerFromAnotherAddressBeforeTheTidIsSetIsAStranger() {
        started(PLAIN);
        from(10 * MS, STRANGER_MAC, STRANGER_IP, TID, data(1, 0, 512));
        assertEquals(TftpWire.ERR_UNKNOWN_TID, ((TftpPacket.Error) link.takeOne(10 * MS).asUdp().tftp()).code());
        assertInstanceOf(TftpClient.State.Requesting.class, client.state());
        assertEquals(0, sink.data.size());
    }

    // ---- duplicates and the Sorcerer's Apprentice (RFC 1123 4.2.3.1) ----

    @Test
    void duplicateDataIsReAckedWhenOurAckWasLost() {
        started(PLAIN);
        fromServer(10 * MS, TID, data(1, 0, 512));
        expectAck(10 * MS, 1);
        poll(1010 * MS);
        expectAck(1010 * MS, 1);                                        // our timeout: the ACK again, then wait 2 s
        assertEquals(3010 * MS, client.pollAt());
        // Our ACKs were lost; the server's own timeout sends DATA 1 again, a timeout after our last ACK:
        // answered at once rather than at our backed-off deadline.
        fromServer(2010 * MS, TID, data(1, 0, 512));
        expectAck(2010 * MS, 1);
        assertEquals(4010 * MS, client.pollAt());                       // the timer runs from that ACK
        assertEquals(512, sink.data.size());                            // written once
        assertEquals(1, client.stats().duplicates());
        assertEquals(2, client.stats().retransmissions());
    }

    /**
     * RFC 1123 4.2.3.1 and issue 10: a duplicate is acknowledged again at most once per timeout after that ACK
     * last went out; copies in between (crossing our ACK, or a Sorcerer's Apprentice server's extra copies)
     * get nothing, so every ACK we send brings at most one DATA back.
     */
    @Test
    void aDuplicateIsReAckedAtMostOncePerTimeout() {
        started(PLAIN);                                                 // 1 s, no samples below it
        fromServer(10 * MS, TID, data(1, 0, 512));
        expectAck(10 * MS, 1);
        for (long ms : new long[] {11, 50, 500, 1009}) {
            fromServer(ms * MS, TID, data(1, 0, 512));
            link.expectNoTx();                                          // within one timeout of ACK 1
        }
        poll(1010 * MS);
        expectAck(1010 * MS, 1);                                        // the timer
        fromServer(1500 * MS, TID, data(1, 0, 512));
        link.expectNoTx();                                              // 490 ms after it
        fromServer(2010 * MS, TID, data(1, 0, 512));
        expectAck(2010 * MS, 1);                                        // one timeout after it
        fromServer(2011 * MS, TID, data(1, 0, 512));
        link.expectNoTx();
        assertEquals(7, client.stats().duplicates());
        assertEquals(2, client.stats().retransmissions());
    }

    @Test
    void burstOfDuplicatesRightAfterOurAckGetsNoBurstOfAcks() {
        started(PLAIN);
        fromServer(10 * MS, TID, data(1, 0, 512));
        expectAck(10 * MS, 1);
        for (int i = 1; i <= 5; i++) {
            fromServer(10 * MS + i * MS, TID, data(1, 0, 512));
        }
        link.expectNoTx();
        assertEquals(5, client.stats().duplicates());
    }

    /**
     * A server with the Sorcerer's Apprentice bug sends the next DATA for every ACK it receives,
     * duplicates included. Our first ACK is delayed past the server's timeout, which sends DATA 1 again.
     * Answering that copy at once would put two ACK 1s at the server and every later block would come twice;
     * it came within one timeout of our ACK, so it is not answered, and the doubling never starts.
     */
    @Test
    void doublingServerGetsAtMostOneAckPerBlock() {
        started(PLAIN);
        int blocks = 40;
        record Event(long at, long seq, boolean toClient, int block) {
        }
        PriorityQueue<Event> events = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
        long[] seq = {0};
        long latency = 1 * MS;
        events.add(new Event(1 * MS, seq[0]++, true, 1));               // DATA 1
        events.add(new Event(301 * MS, seq[0]++, true, 1));             // the server's timeout resends DATA 1
        int[] acksPerBlock = new int[blocks + 1];
        int dataSent = 2;
        boolean firstAck = true;
        while (!events.isEmpty()) {
            Event e = events.poll();
            if (e.toClient) {
                int n = e.block == blocks ? 100 : 512;
                fromServer(e.at, TID, data(e.block, (e.block - 1) * 512L, n));
                for (ScriptedLink.Tx t : link.takeTx()) {
                    int acked = ((TftpPacket.Ack) t.decode().asUdp().tftp()).block();
                    acksPerBlock[acked]++;
                    // The first ACK crawls: it reaches the server with the re-ACK, at 302 ms.
                    long arrives = firstAck ? 302 * MS : t.at() + latency;
                    firstAck = false;
                    events.add(new Event(arrives, seq[0]++, false, acked));
                }
            } else if (e.block < blocks) {
                events.add(new Event(e.at + latency, seq[0]++, true, e.block + 1));  // the bug: DATA for every ACK
                dataSent++;
            }
        }
        assertEquals(39 * 512 + 100, assertInstanceOf(TftpClient.State.Done.class, client.state()).bytes());
        assertArrayEquals(Frames.pattern(0, 39 * 512 + 100), sink.data.toByteArray());
        for (int b = 1; b <= blocks; b++) {
            assertEquals(1, acksPerBlock[b], "ACKs of block " + b);
        }
        assertEquals(blocks + 1, dataSent);                             // the server's one resend of DATA 1, and done
    }

    // ---- timeouts (RFC 1123 4.2.3.2: exponential backoff) ----

    @Test
    void lastAckIsRetransmittedAtEachTimeoutWithBackoffThenTheTransferFails() {
        started(new TftpConfig(1 * SEC, 5, 512));
        fromServer(10 * MS, TID, data(1, 0, 512));
        expectAck(10 * MS, 1);
        // Waits 1, 2, 4, 8, then capped at 8 x the timeout: retransmissions at 1.01, 3.01, 7.01, 15.01, 23.01 s.
        long[] at = {1010, 3010, 7010, 15010, 23010};
        for (long ms : at) {
            assertEquals(ms * MS, client.pollAt());
            poll(ms * MS - 1);
            link.expectNoTx();
            poll(ms * MS);
            expectAck(ms * MS, 1);
        }
        assertEquals(31010 * MS, client.pollAt());
        poll(31010 * MS - 1);
        assertInstanceOf(TftpClient.State.Receiving.class, client.state());
        poll(31010 * MS);                                               // fifth retry spent: give up
        link.expectNoTx();
        TftpFailure f = failure();
        assertEquals(TftpFailure.Kind.TIMEOUT, f.kind());
        // The budget: what 5 retransmissions take at 1 s doubling up to 8 s, 1 + 2 + 4 + 8 + 8 + 8 = 31 s.
        assertEquals("TFTP: no DATA 2 from 10.0.0.5:3000 in 31 s (5 retransmissions of ACK 1); nothing else came", f.message());
        assertFalse(net.isBound(client.localPort()));
        assertEquals(5, client.stats().retransmissions());
    }

    /**
     * Karn's algorithm (RFC 6298 section 5): the backed-off timeout stays until an exchange whose packet went out
     * once is answered; the block that answers a retransmitted ACK is no such sample and does not end it.
     */
    @Test
    void backoffLastsUntilAnExchangeSentOnceIsAnswered() {
        started(PLAIN);
        fromServer(10 * MS, TID, data(1, 0, 512));
        expectAck(10 * MS, 1);
        poll(1010 * MS);
        expectAck(1010 * MS, 1);
        assertEquals(3010 * MS, client.pollAt());
        fromServer(1500 * MS, TID, data(2, 512, 512));
        expectAck(1500 * MS, 2);
        assertEquals(3500 * MS, client.pollAt());                       // still 2 s: nothing was measured
        fromServer(1600 * MS, TID, data(3, 1024, 512));                 // answers ACK 2, sent once: a sample
        expectAck(1600 * MS, 3);
        assertEquals(2600 * MS, client.pollAt());                       // back to one timeout
    }

    /**
     * A path whose round trip (10 s: a satellite hop, a congested relay) is longer than the longest wait, 8 x 1 s.
     * The RRQ goes out at 0, 1, 3 and 7 s and its answer comes at 10 s, 10 s after the first: Karn's rule samples
     * nothing sent twice, so with the wait capped at 8 s every ACK would go twice and no exchange would ever be
     * measured. The answer's time since the first RRQ is taken instead (the most the round trip can be): SRTT 10 s,
     * RTTVAR 5 s, RTO = 10 + 4 x 5 = 30 s, held to two round trips (20 s) and at most half the 25 s give-up, 12.5 s.
     * The next exchange, sent once, is answered in 10 s: a sample of its own. A loss then costs one 12.5 s wait
     * and the client still gives up 25 s after the last DATA.
     */
    @Test
    void aRoundTripLongerThanTheLongestWaitIsMeasuredAndWaitedFor() {
        started(new TftpConfig(1 * SEC, 8, 512).withGiveUp(25 * SEC));
        for (long s : new long[] {1, 3, 7}) {
            poll(s * SEC);
            expectTx(s * SEC, SERVER_IP, 69, new TftpPacket.Rrq(FILE, "octet", List.of()));
        }
        fromServer(10 * SEC, TID, data(1, 0, 512));                     // answers the RRQ of 0 s
        expectAck(10 * SEC, 1);
        assertEquals(22500 * MS, client.pollAt());                      // 12.5 s, not 8 s: past the round trip
        poll(20 * SEC - 1);
        link.expectNoTx();
        fromServer(20 * SEC, TID, data(2, 512, 512));                   // answers ACK 1, sent once
        expectAck(20 * SEC, 2);
        assertEquals(32500 * MS, client.pollAt());                      // RTO 10 + 4 x 3.75 s, held to 12.5 s
        assertEquals(3, client.stats().retransmissions());              // the three RRQs, no ACK twice
        poll(32500 * MS);
        expectAck(32500 * MS, 2);                                       // DATA 3 lost: ACK 2 again after 12.5 s
        assertEquals(45 * SEC, client.pollAt());                        // the give-up: 25 s after DATA 2
        poll(45 * SEC);
        assertEquals("TFTP: no DATA 3 from 10.0.0.5:3000 in 25 s (1 retransmission of ACK 2); nothing else came",
                failure().message());
    }

    @Test
    void unansweredRrqIsRetransmittedThenFails() {
        client(PLAIN).startRead(0, SERVER_IP, 69, FILE, sink);
        link.takeOne(0);
        for (long s : new long[] {1, 3, 7}) {
            poll(s * SEC - 1);
            link.expectNoTx();
            poll(s * SEC);
            expectTx(s * SEC, SERVER_IP, 69, new TftpPacket.Rrq(FILE, "octet", List.of()));
        }
        poll(15 * SEC);
        assertEquals(TftpFailure.Kind.TIMEOUT, failure().kind());
        assertTrue(failure().message().contains("RRQ for file"), failure().message());
    }

    // ---- a busy link (GUIDE H9: state moves only after a successful send) ----

    @Test
    void ackRefusedByABusyLinkGoesOnTheNextPollNotAfterATimeout() {
        started(PLAIN);
        link.setBusy(true);
        fromServer(10 * MS, TID, data(1, 0, 512));
        link.expectNoTx();
        assertEquals(10 * MS, client.pollAt());                         // still due
        link.setBusy(false);
        poll(11 * MS);
        expectAck(11 * MS, 1);
        assertEquals(1011 * MS, client.pollAt());                       // the timeout runs from the real send
        assertEquals(0, client.stats().retransmissions());              // not a retransmission
    }

    @Test
    void busyLinkDoesNotSpendRetries() {
        started(new TftpConfig(1 * SEC, 3, 512));
        fromServer(10 * MS, TID, data(1, 0, 512));
        expectAck(10 * MS, 1);
        link.setBusy(true);
        for (long t = 1010 * MS; t < 1100 * MS; t += 10 * MS) {
            poll(t);                                                    // the retransmission cannot go out
        }
        assertInstanceOf(TftpClient.State.Receiving.class, client.state());
        link.setBusy(false);
        poll(1100 * MS);
        expectAck(1100 * MS, 1);
        assertEquals(1, client.stats().retransmissions());
        assertEquals(3100 * MS, client.pollAt());                       // then the doubled wait, from the send
    }

    @Test
    void finalAckRefusedByABusyLinkGoesOnTheNextPoll() {
        started(PLAIN);
        link.setBusy(true);
        fromServer(10 * MS, TID, data(1, 0, 5));
        link.expectNoTx();
        assertInstanceOf(TftpClient.State.Done.class, client.state());
        assertEquals(10 * MS, client.pollAt());
        link.setBusy(false);
        poll(12 * MS);
        expectAck(12 * MS, 1);
        assertEquals(1012 * MS, client.pollAt());                       // then the dally, from the real send
    }

    /**
     * Found by TftpFuzzTest: the last block arrived and went to the sink (Done), its ACK met a full socket
     * buffer, and on the next poll the route was gone (a host socket's ENETUNREACH). The file is complete:
     * the transfer stays Done (host mode used to fail it and delete the whole download).
     */
    @Test
    void finalAckThatCannotBeRoutedLeavesACompleteDownloadDone() {
        TftpFuzzTest.Transport host = new TftpFuzzTest.Transport();
        TftpClient c = new TftpClient(host, PLAIN, new SplittableRandom(11));
        c.startRead(0, SERVER_IP, 69, FILE, sink);
        host.takeSent();                                                // the RRQ
        host.refuseNext = 1;
        host.refusal = dev.netboot.net.SendResult.LINK_BUSY;
        host.deliver(10 * MS, SERVER_IP, TID, c.localPort(), Frames.tftp(data(1, 0, 5)));
        assertEquals(new TftpClient.State.Done(5, 10 * MS), c.state());
        assertEquals(10 * MS, c.pollAt());                             // the refused ACK is due again
        int port = c.localPort();
        host.refuseNext = 1;
        host.refusal = dev.netboot.net.SendResult.NO_ROUTE;
        c.poll(12 * MS);
        assertEquals(new TftpClient.State.Done(5, 10 * MS), c.state());
        assertArrayEquals(Frames.pattern(0, 5), sink.data.toByteArray());
        assertEquals(1012 * MS, c.pollAt());                           // the dally, as after a sent ACK
        c.poll(1012 * MS);
        assertFalse(host.isBound(port));
        assertEquals(Long.MAX_VALUE, c.pollAt());
        assertEquals(new TftpClient.State.Done(5, 10 * MS), c.state());
    }

    // ---- errors ----

    @Test
    void serverErrorSurfacesWithCodeAndText() {
        started(PLAIN);
        fromServer(10 * MS, TID, new TftpPacket.Error(TftpWire.ERR_FILE_NOT_FOUND, "no such file 'file'"));
        link.expectNoTx();                                              // an ERROR is not answered
        TftpFailure f = failure();
        assertEquals(TftpFailure.Kind.SERVER_ERROR, f.kind());
        assertEquals(1, f.errorCode());
        assertTrue(f.message().contains("ERROR 1") && f.message().contains("no such file 'file'"), f.message());
        assertEquals(Long.MAX_VALUE, client.pollAt());
        assertFalse(net.isBound(client.localPort()));
    }

    /**
     * An ERROR too short to hold its code (2 or 3 bytes) from the transfer's peer still ends the transfer, at once:
     * RFC 1350 sections 2 and 7, an ERROR is never acknowledged nor sent again, so the server has left and there is
     * nothing to wait for (tftp-hpa 5.2 ends with "Error code 0", atftp 0.8 with "error received from server <>",
     * measured against a peer on loopback; busybox alone ignores it and retries until its own timeout). While the
     * request is out it may come from any port of the server, as a well-formed one may (RFC 1350 section 4).
     */
    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void anErrorTooShortForItsCodeEndsTheTransfer(int length) {
        byte[] error = java.util.Arrays.copyOf(new byte[] {0, 5, 0}, length);
        started(PLAIN);
        fromServer(10 * MS, TID, data(1, 0, 512));
        expectAck(10 * MS, 1);
        link.deliver(20 * MS, Frames.udp(SERVER_MAC, OUR_MAC, SERVER_IP, TID, OUR_IP, client.localPort(), error));
        poll(20 * MS);
        link.expectNoTx();                                              // an ERROR is not answered
        TftpFailure f = failure();
        assertEquals(TftpFailure.Kind.SERVER_ERROR, f.kind());
        assertEquals(-1, f.errorCode());                                // none was sent
        assertEquals("TFTP: server 10.0.0.5:" + TID + " sent a malformed ERROR (" + length + " bytes, no error code)",
                f.message());
        assertEquals(Long.MAX_VALUE, client.pollAt());
        assertFalse(net.isBound(client.localPort()));
    }

    @Test
    void anErrorTooShortForItsCodeEndsTheRequest() {
        started(PLAIN);
        link.deliver(10 * MS, Frames.udp(SERVER_MAC, OUR_MAC, SERVER_IP, TID, OUR_IP, client.localPort(), new byte[] {0, 5}));
        poll(10 * MS);
        link.expectNoTx();
        assertEquals("TFTP: server 10.0.0.5:" + TID + " sent a malformed ERROR (2 bytes, no error code)", failure().message());
        assertFalse(net.isBound(client.localPort()));
    }

    /** One without the NUL that ends its text (RFC 1350 section 5 asks for it; some servers leave it out) is read as it is. */
    @Test
    void anErrorWithoutItsNulSurfacesWithItsText() {
        started(PLAIN);
        byte[] error = {0, 5, 0, 1, 'g', 'o', 'n', 'e'};
        link.deliver(10 * MS, Frames.udp(SERVER_MAC, OUR_MAC, SERVER_IP, TID, OUR_IP, client.localPort(), error));
        poll(10 * MS);
        assertEquals("TFTP: server 10.0.0.5:" + TID + " sent ERROR 1 (file not found): gone", failure().message());
    }

    /** What the server is told need not be what the user is: a local message may name local folders, none of the server's business. */
    @Test
    void aSinkRefusalTellsTheServerItsOwnWords() {
        started(PLAIN);
        sink.refuseAfter = 700;
        sink.refusalForServer = "no room for the file";
        fromServer(10 * MS, TID, data(1, 0, 512));
        expectAck(10 * MS, 1);
        fromServer(20 * MS, TID, data(2, 512, 512));
        expectTx(20 * MS, SERVER_IP, TID, new TftpPacket.Error(3, "no room for the file"));
        TftpFailure f = failure();
        assertEquals(TftpFailure.Kind.LOCAL, f.kind());
        assertTrue(f.message().contains("image of more than 700 bytes does not fit in /home/me/boards"), f.message());
    }

    @Test
    void sinkRefusalSendsError3AndFailsLocal() {
        started(PLAIN);
        sink.refuseAfter = 700;
        fromServer(10 * MS, TID, data(1, 0, 512));
        expectAck(10 * MS, 1);
        fromServer(20 * MS, TID, data(2, 512, 512));
        TftpPacket.Error e = (TftpPacket.Error) expectTx(20 * MS, SERVER_IP, TID,
                new TftpPacket.Error(3, "image of more than 700 bytes does not fit"));
        assertEquals(TftpWire.ERR_DISK_FULL, e.code());
        TftpFailure f = failure();
        assertEquals(TftpFailure.Kind.LOCAL, f.kind());
        assertEquals(3, f.errorCode());
        poll(10 * SEC);
        link.expectNoTx();
    }

    // ---- block number wrap (RFC 1350 has 16 bits; most servers wrap 65535 -> 0) ----

    @Test
    void blockNumberWrapsFrom65535ToZero() {
        started(PLAIN);
        link.setRecording(false);
        byte[] block = Frames.pattern(0, 512);
        long t = 0;
        for (int b = 1; b <= 65535; b++) {
            t += 10_000;
            fromServer(t, TID, new TftpPacket.Data(b, block));
        }
        assertEquals(65535, client.stats().blocks());
        link.setRecording(true);
        t += 1 * SEC;                                                   // one timeout after ACK 65535
        fromServer(t, TID, new TftpPacket.Data(65535, block));           // a duplicate of 65535 is still re-ACKed
        expectAck(t, 65535);
        fromServer(t + MS, TID, new TftpPacket.Data(0, Frames.pattern(0, 512)));
        expectAck(t + MS, 0);                                           // 0 follows 65535
        fromServer(t + 2 * MS, TID, new TftpPacket.Data(1, Frames.pattern(0, 10)));
        expectAck(t + 2 * MS, 1);
        assertEquals(new TftpClient.State.Done(65536L * 512 + 10, t + 2 * MS), client.state());
        assertEquals(65536L * 512 + 10, sink.data.size());
    }

    // ---- the end: dally (RFC 1350 section 6) ----

    @Test
    void retransmittedLastDataAfterDoneIsReAckedUntilTheDallyEnds() {
        started(PLAIN);
        fromServer(10 * MS, TID, data(1, 0, 20));
        expectAck(10 * MS, 1);
        assertEquals(1010 * MS, client.pollAt());                       // dally one timeout
        fromServer(600 * MS, TID, data(1, 0, 20));                       // our last ACK was lost
        expectAck(600 * MS, 1);
        assertEquals(20, sink.data.size());
        poll(1010 * MS);
        assertFalse(net.isBound(client.localPort()));
        assertEquals(Long.MAX_VALUE, client.pollAt());
        fromServer(1100 * MS, TID, data(1, 0, 20));                     // the port is closed: RFC 1122 section 4.1.3.1
        byte[] error = link.takeTx().getFirst().bytes();
        assertEquals(1, error[Frames.IP_OFF + 9]);                       // IPv4 protocol 1, ICMP
        assertEquals(3, error[Frames.UDP_OFF]);                          // Destination Unreachable
        assertEquals(3, error[Frames.UDP_OFF + 1]);                      // port unreachable
        assertEquals(1, net.stats().dropNoListener());
        assertEquals(1, net.stats().icmpUnreachablesSent());
        assertEquals(new TftpClient.State.Done(20, 10 * MS), client.state());
    }

    // ---- options (RFC 2347, 2348, 2349) ----

    static final TftpConfig BIG = new TftpConfig(1 * SEC, 3, 1024);

    static TftpPacket.Oack oack(String... nameValue) {
        List<TftpPacket.Option> o = new ArrayList<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            o.add(new TftpPacket.Option(nameValue[i], nameValue[i + 1]));
        }
        return new TftpPacket.Oack(o);
    }

    @Test
    void rrqCarriesBlksizeAndTsizeWhenTheBlockSizeIsNot512() {
        client(BIG).startRead(0, SERVER_IP, 69, FILE, sink);
        assertArrayEquals("\0\1file\0octet\0blksize\0001024\0tsize\0000\0".getBytes(StandardCharsets.US_ASCII),
                link.takeOne(0).asUdp().payload());
    }

    @Test
    void oackIsAnsweredWithAck0AndTheTransferRunsAtTheNegotiatedSize() {
        started(BIG);
        fromServer(10 * MS, TID, oack("blksize", "1024", "tsize", "5000"));
        expectAck(10 * MS, 0);
        assertEquals(List.of(5000L), sink.begins);                      // tsize reaches the sink before any data
        assertEquals(1024, client.blockSize());
        long t = 10 * MS;
        for (int b = 1; b <= 4; b++) {
            t += MS;
            fromServer(t, TID, data(b, (b - 1) * 1024L, 1024));
            expectAck(t, b);
        }
        assertInstanceOf(TftpClient.State.Receiving.class, client.state());
        fromServer(t + MS, TID, data(5, 4096, 904));
        expectAck(t + MS, 5);
        assertEquals(new TftpClient.State.Done(5000, t + MS), client.state());
        assertArrayEquals(Frames.pattern(0, 5000), sink.data.toByteArray());
    }

    @Test
    void smallerBlksizeInOackIsAccepted() {
        started(BIG);
        fromServer(10 * MS, TID, oack("blksize", "800"));
        expectAck(10 * MS, 0);
        assertEquals(List.of(-1L), sink.begins);
        fromServer(20 * MS, TID, data(1, 0, 800));
        expectAck(20 * MS, 1);
        assertInstanceOf(TftpClient.State.Receiving.class, client.state());  // 800 is a full block now
        fromServer(30 * MS, TID, data(2, 800, 799));
        expectAck(30 * MS, 2);
        assertEquals(new TftpClient.State.Done(1599, 30 * MS), client.state());
    }

    /** RFC 2347: an OACK the client cannot accept gets ERROR 8; then the client asks once more without options. */
    void refusedThenAskedPlainly(long at) {
        List<ScriptedLink.Tx> tx = link.takeTx();
        assertEquals(2, tx.size(), tx.toString());
        Frames.Udp error = tx.get(0).decode().asUdp();
        assertEquals(TID, error.dstPort());
        assertEquals(TftpWire.ERR_OPTIONS, ((TftpPacket.Error) error.tftp()).code());
        Frames.Udp rrq = tx.get(1).decode().asUdp();
        assertEquals(at, tx.get(1).at());
        assertEquals(69, rrq.dstPort());
        assertEquals(client.localPort(), rrq.srcPort());
        assertTrue(rrq.srcPort() != error.srcPort(), "from a new port");
        assertEquals(new TftpPacket.Rrq(FILE, "octet", List.of()), rrq.tftp());
        assertInstanceOf(TftpClient.State.Requesting.class, client.state());
        assertTrue(sink.begins.isEmpty());
    }

    @Test
    void largerBlksizeThanRequestedIsRefusedWithError8ThenAskedPlainly() {
        started(BIG);
        fromServer(10 * MS, TID, oack("blksize", "2048"));
        refusedThenAskedPlainly(10 * MS);
        fromServer(20 * MS, TID + 1, data(1, 0, 100));                  // a plain answer from a new transfer ID
        expectTx(20 * MS, SERVER_IP, TID + 1, new TftpPacket.Ack(1));
        assertEquals(new TftpClient.State.Done(100, 20 * MS), client.state());
        assertEquals(512, client.blockSize());
    }

    @Test
    void unrequestedOptionIsRefusedWithError8ThenAskedPlainlyAndASecondOackFails() {
        started(BIG);
        fromServer(10 * MS, TID, oack("blksize", "1024", "windowsize", "4"));
        refusedThenAskedPlainly(10 * MS);
        fromServer(20 * MS, TID, oack("blksize", "1024"));               // an OACK to a request without options
        Frames.Udp u = link.takeOne(20 * MS).asUdp();
        assertEquals(TftpWire.ERR_OPTIONS, ((TftpPacket.Error) u.tftp()).code());
        assertEquals(TftpFailure.Kind.PROTOCOL, failure().kind());
        assertEquals(8, failure().errorCode());
        assertEquals("TFTP: server 10.0.0.5: OACK option 'windowsize' was never requested; asked again without options, it sent an OACK again",
                failure().message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"224.0.0.1", "224.0.0.251"})
    void aMulticastOackNamingAGroupOfTheLocalControlBlockIsRefusedNotJoined(String group) {
        // Found with a python server answering the board's RRQ with multicast=224.0.0.1,1758,1 over a veth: the board
        // tried to join 224.0.0.1 and the stack's IllegalArgumentException ended the boot with a stack trace. RFC 5771
        // and RFC 2236: no group of 224.0.0.0/24 is a file's; ERROR 8 (RFC 2347), then a plain request.
        started(PLAIN.withMulticast(true));
        fromServer(10 * MS, TID, oack("multicast", group + ",1758,1"));
        refusedThenAskedPlainly(10 * MS);
        assertFalse(net.isMember(Ipv4Address.parse(group)));
        fromServer(20 * MS, TID + 1, data(1, 0, 100));                   // the file, unicast, from a new transfer ID
        expectTx(20 * MS, SERVER_IP, TID + 1, new TftpPacket.Ack(1));
        assertEquals(new TftpClient.State.Done(100, 20 * MS), client.state());
        assertArrayEquals(Frames.pattern(0, 100), sink.data.toByteArray());
    }

    @Test
    void aMulticastGroupWhosePortIsTakenOnTheBoardIsRefusedAndTheFileComesUnicast() {
        // Found with a python server naming multicast=239.255.0.1,68,1 over a veth: the board's DHCP client holds
        // port 68, and the boot failed in stage 'flash' with ERROR 0. A group the board cannot listen for is an OACK
        // it cannot accept (RFC 2347): ERROR 8, then a plain request, with no IGMP report or Leave for the group.
        started(PLAIN.withMulticast(true));
        net.bind(68, (now, srcIp, srcPort, dstIp, buf, off, len) -> { });  // the DHCP client's port
        fromServer(10 * MS, TID, oack("multicast", "239.255.0.1,68,1"));
        List<ScriptedLink.Tx> tx = link.takeTx();
        assertEquals(2, tx.size(), tx.toString());                      // no IGMP frame among them
        Frames.Udp error = tx.get(0).decode().asUdp();
        assertEquals(TID, error.dstPort());
        assertEquals(new TftpPacket.Error(TftpWire.ERR_OPTIONS, "the multicast group's port 68 is taken on this board"), error.tftp());
        Frames.Udp rrq = tx.get(1).decode().asUdp();
        assertEquals(new TftpPacket.Rrq(FILE, "octet", List.of()), rrq.tftp());
        assertEquals(69, rrq.dstPort());
        assertFalse(net.isMember(Ipv4Address.parse("239.255.0.1")));
        assertTrue(sink.begins.isEmpty(), "the sink heard of no transfer");
        fromServer(20 * MS, TID + 1, data(1, 0, 100));
        expectTx(20 * MS, SERVER_IP, TID + 1, new TftpPacket.Ack(1));
        assertEquals(new TftpClient.State.Done(100, 20 * MS), client.state());
        assertArrayEquals(Frames.pattern(0, 100), sink.data.toByteArray());
    }

    /**
     * RFC 2090 numbers a multicast transfer's blocks in 16 bits without wrapping. An OACK offering multicast for
     * 70,000,000 bytes in 1024-byte blocks (68,360 blocks) is refused with ERROR 0, and the client says a plain request
     * may mend it ({@link TftpClient#multicastRefused}: its block numbers wrap); so does a multicast request atftpd 0.8
     * refuses with ERROR 0, as it refuses a file of more than 65535 blocks at the block size asked (measured on
     * loopback: 40,000,000 bytes at 600 is refused, at 611 offered). An ERROR 0 to a request without multicast, or
     * ERROR 1 to one with it, is no such thing.
     */
    @Test
    void aMulticastOfferOrRefusalForTooManyBlocksIsOneAPlainRequestMayMend() {
        TftpConfig mc = new TftpConfig(1 * SEC, 3, 1024).withMulticast(true);
        started(mc);
        fromServer(10 * MS, TID, oack("blksize", "1024", "tsize", "70000000", "multicast", "239.255.0.1,1758,1"));
        TftpPacket.Error told = (TftpPacket.Error) link.takeOne(10 * MS).asUdp().tftp();
        assertEquals(TftpWire.ERR_NOT_DEFINED, told.code());
        assertEquals("TFTP: a multicast transfer of 70000000 bytes needs 68360 blocks of 1024 (expected: at most 65535;"
                + " ask for larger blocks)", failure().message());
        assertFalse(net.isMember(Ipv4Address.parse("239.255.0.1")));
        assertTrue(client.multicastRefused());

        String[] cases = {"multicast 0", "plain 0", "multicast 1"};
        for (String c : cases) {
            started(c.startsWith("multicast") ? mc : new TftpConfig(1 * SEC, 3, 1024));
            int code = c.endsWith("0") ? TftpWire.ERR_NOT_DEFINED : TftpWire.ERR_FILE_NOT_FOUND;
            fromServer(10 * MS, TID, new TftpPacket.Error(code, "Undefined error code"));
            assertEquals(TftpFailure.Kind.SERVER_ERROR, failure().kind(), c);
            assertEquals(c.equals("multicast 0"), client.multicastRefused(), c);
        }
    }

    @Test
    void aPassiveMulticastClientFedOnlyBlocksNoFileHasGivesUpAtItsDeadline() {
        // Found with a python server that made the board passive (mc=0) and then sent the group, every 200 ms, a DATA 1
        // longer than the blocks negotiated: each reset the passive client's patience, and the boot waited as long as the
        // junk came (killed after 120 s, where the profile gives up after 25 s). Only a packet of the transfer counts.
        TftpConfig config = PLAIN.withMulticast(true);
        Ipv4Address group = Ipv4Address.parse("239.255.0.1");
        started(config);
        fromServer(10 * MS, TID, oack("multicast", "239.255.0.1,1758,0"));
        assertEquals(new TftpPacket.Ack(0), link.takeTx().getLast().decode().asUdp().tftp()); // after its IGMP report
        long deadline = 10 * MS + config.giveUp();                      // 1 + 2 + 4 + 8 s after the OACK
        TftpPacket junk = new TftpPacket.Data(1, Frames.pattern(0, 600));    // 600 bytes: no block of 512-byte blocks
        for (long at = 1 * SEC; at <= 100 * SEC && client.state() instanceof TftpClient.State.Multicast; at += 1 * SEC) {
            assertTrue(at <= deadline + 1 * SEC, "still waiting at " + at / SEC + " s");
            link.deliver(at, Frames.udp(SERVER_MAC, MacAddress.ofMulticast(group), SERVER_IP, TID, group, 1758, Frames.tftp(junk)));
            poll(at);
        }
        assertEquals(TftpFailure.Kind.TIMEOUT, failure().kind());
        // Polled at 16 s, the first delivery past the deadline at 15.01 s: 15.99 s after the OACK.
        assertEquals("TFTP: nothing new of the multicast transfer from 10.0.0.5:3000 to 239.255.0.1:1758 for 15.99 s"
                + " (the give-up), not master, 0 blocks in; told the server (ERROR) and left the group", failure().message());
        assertFalse(net.isMember(group));
        assertTrue(sink.data.size() == 0);
    }

    @Test
    void oackWithoutAnyOptionRequestedIsRefused() {
        started(PLAIN);
        fromServer(10 * MS, TID, oack("blksize", "512"));
        assertEquals(TftpWire.ERR_OPTIONS, ((TftpPacket.Error) link.takeOne(10 * MS).asUdp().tftp()).code());
        assertEquals(TftpFailure.Kind.PROTOCOL, failure().kind());
    }

    @Test
    void serverThatIgnoresOptionsIsFollowedAt512() {
        started(BIG);
        fromServer(10 * MS, TID, data(1, 0, 512));                      // DATA 1 instead of OACK
        expectAck(10 * MS, 1);
        assertEquals(512, client.blockSize());
        assertEquals(List.of(-1L), sink.begins);
        assertInstanceOf(TftpClient.State.Receiving.class, client.state());  // 512 is a full block
        fromServer(20 * MS, TID, data(2, 512, 511));
        expectAck(20 * MS, 2);
        assertEquals(new TftpClient.State.Done(1023, 20 * MS), client.state());
    }
}
