package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.emulator.MulticastAdmission.Outcome;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.TftpPacket;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 2090 admission on its own: which group a file's transfer takes, who joins it, and what is refused. A file
 * of n bytes at block size b is n / b + 1 blocks (the last one short, possibly empty, RFC 1350); RFC 2090's block
 * numbers do not wrap, so 65535 blocks is the most.
 */
class MulticastAdmissionTest {
    private static final TftpPacket.Option MULTICAST = new TftpPacket.Option("multicast", "");
    private static final ServedFile SMALL = ServedFile.of(new byte[5_000]);

    @TempDir
    Path dir;

    private static MulticastAdmission admission(Scenario.Multicast offer) {
        Simulation sim = new Simulation();
        EthernetSegment seg = sim.newSegment(100_000, FaultPlan.NONE, 5);
        Scenario sc = Scenario.DEFAULT;
        ServerHost host = sim.add(new ServerHost(seg, sc.serverMac(), sc.serverIp(), sc.netmask(), Ipv4Address.ANY));
        MulticastAdmission a = new MulticastAdmission(host.stack(), sc.tftpConfig(), new PortShare(TxPacer.NONE));
        a.offer(offer);
        return a;
    }

    private ServedFile sparse(long size) throws IOException {
        Path f = dir.resolve("f" + size);
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(size); // sparse: no 32 MiB in memory or on disk
        }
        return ServedFile.open(f);
    }

    @Test
    void eachFileTakesTheNextFreeGroupAndALaterRequestForItJoins() {
        MulticastAdmission a = admission(new Scenario.Multicast(Ipv4Address.parse("239.1.2.3"), 2, 1758));
        Outcome.Start first = assertInstanceOf(Outcome.Start.class, a.admit("a", SMALL, List.of(MULTICAST), 50_000));
        assertEquals(Ipv4Address.parse("239.1.2.3"), first.session().group());
        assertEquals(50_000, first.session().port());
        assertSame(first.session(), assertInstanceOf(Outcome.Join.class, a.admit("a", SMALL, List.of(MULTICAST), 50_001)).session());
        Outcome.Start second = assertInstanceOf(Outcome.Start.class, a.admit("b", SMALL, List.of(MULTICAST), 50_002));
        assertEquals(Ipv4Address.parse("239.1.2.4"), second.session().group());
        // Both groups of the range are in use: a third file must wait.
        assertEquals(new Outcome.Refuse(true, "Server busy: no multicast group free"), a.admit("c", SMALL, List.of(MULTICAST), 50_003));
        assertEquals(List.of(first.session(), second.session()), a.sessions());
    }

    @Test
    void aClientThatJoinsCarriesWhatItsOwnRequestNegotiatedNotTheFirstClients() {
        // RFC 2347: an OACK names only options the client asked for. The first client asked tsize; one that joins
        // without asking must not be told it (the fuzzer's finding: the joiner got the first client's OACK).
        MulticastAdmission a = admission(Scenario.Multicast.DEFAULT);
        TftpPacket.Option tsize = new TftpPacket.Option("tsize", "0");
        Outcome.Start first = assertInstanceOf(Outcome.Start.class, a.admit("a", SMALL, List.of(MULTICAST, tsize), 50_000));
        assertEquals(List.of(new TftpPacket.Option("tsize", "5000")), first.oack());
        Outcome.Join plain = assertInstanceOf(Outcome.Join.class, a.admit("a", SMALL, List.of(MULTICAST), 50_001));
        assertSame(first.session(), plain.session());
        assertEquals(List.of(), plain.oack());
        Outcome.Join sized = assertInstanceOf(Outcome.Join.class, a.admit("a", SMALL, List.of(MULTICAST, tsize), 50_002));
        assertEquals(List.of(new TftpPacket.Option("tsize", "5000")), sized.oack());
    }

    @Test
    void theSameFileAtAnotherBlockSizeIsAnotherTransfer() {
        MulticastAdmission a = admission(Scenario.Multicast.DEFAULT);
        Outcome.Start at512 = assertInstanceOf(Outcome.Start.class, a.admit("a", SMALL, List.of(MULTICAST), 50_000));
        Outcome.Start at1024 = assertInstanceOf(Outcome.Start.class,
                a.admit("a", SMALL, List.of(MULTICAST, new TftpPacket.Option("blksize", "1024")), 50_001));
        assertEquals(512, at512.session().blockSize());
        assertEquals(1024, at1024.session().blockSize());
        assertEquals(Ipv4Address.parse("239.255.0.2"), at1024.session().group());
    }

    @Test
    void aFileOfMoreThan65535BlocksIsRefusedAtThatBlockSize() throws IOException {
        MulticastAdmission a = admission(Scenario.Multicast.DEFAULT);
        // 65535 x 512 bytes: 65535 full blocks and an empty 65536th.
        assertEquals(new Outcome.Refuse(false, "File too big for multicast at blksize 512: at most 65535 blocks"),
                a.admit("big", sparse(65_535L * 512), List.of(MULTICAST), 50_000));
        // One byte less: the 65535th block is the short one.
        assertInstanceOf(Outcome.Start.class, a.admit("big", sparse(65_535L * 512 - 1), List.of(MULTICAST), 50_001));
        // At 1024-byte blocks the larger file is 32769 blocks.
        assertInstanceOf(Outcome.Start.class, a.admit("big2", sparse(65_535L * 512),
                List.of(MULTICAST, new TftpPacket.Option("blksize", "1024")), 50_002));
    }

    @Test
    void onlyAReadAskingForMulticastOfAFileBeingSentJoins() {
        MulticastAdmission a = admission(Scenario.Multicast.DEFAULT);
        TftpPacket.Rrq rrq = new TftpPacket.Rrq("a", "octet", List.of(MULTICAST));
        assertFalse(a.joins(rrq)); // nothing running yet
        a.admit("a", SMALL, List.of(MULTICAST), 50_000);
        assertTrue(a.joins(rrq));
        assertFalse(a.joins(new TftpPacket.Rrq("a", "octet", List.of()))); // a unicast read
        assertFalse(a.joins(new TftpPacket.Rrq("b", "octet", List.of(MULTICAST))));
        assertFalse(a.joins(new TftpPacket.Wrq("a", "octet", List.of(MULTICAST))));
    }

    @Test
    void aServerThatOffersNoGroupAdmitsNoMulticast() {
        MulticastAdmission a = admission(null);
        assertFalse(a.asked(List.of(MULTICAST)));
        assertFalse(a.joins(new TftpPacket.Rrq("a", "octet", List.of(MULTICAST))));
        assertTrue(admission(Scenario.Multicast.DEFAULT).asked(List.of(new TftpPacket.Option("blksize", "1024"), MULTICAST)));
    }
}
