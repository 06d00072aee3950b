package dev.netboot.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapWriterTest {
    private static final HexFormat HEX = HexFormat.of();

    /** The libpcap global header, little-endian, nanosecond magic. */
    private static final String GLOBAL_HEADER = String.join("",
            "4d3cb2a1", // magic_number 0xa1b23c4d (nanosecond timestamps), little-endian
            "0200",     // version_major 2
            "0400",     // version_minor 4
            "00000000", // thiszone 0
            "00000000", // sigfigs 0
            "ffff0000", // snaplen 65535
            "01000000"  // network 1 = LINKTYPE_ETHERNET
    );

    private static final String FRAME = String.join("",
            "ffffffffffff", // destination: broadcast
            "020000000001", // source
            "0806",         // EtherType ARP
            "abcd"          // two payload bytes
    );

    @Test
    void emptyCaptureIsJustTheGlobalHeader() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PcapWriter(out).close();
        assertArrayEquals(HEX.parseHex(GLOBAL_HEADER), out.toByteArray());
    }

    @Test
    void recordHeaderSplitsSecondsAndNanoseconds() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter pcap = new PcapWriter(out)) {
            ByteBuffer buf = ByteBuffer.allocate(64);
            buf.put(3, HEX.parseHex(FRAME)); // at an offset, to check absolute reads
            pcap.write(1_500_000_007L, buf, 3, 16);
            assertEquals(1, pcap.records());
            assertEquals(0, buf.position()); // never moved
        }
        String record = String.join("",
                "01000000", // ts_sec 1
                "0765cd1d", // ts_nsec 500000007 = 0x1dcd6507
                "10000000", // incl_len 16
                "10000000"  // orig_len 16
        );
        assertArrayEquals(HEX.parseHex(GLOBAL_HEADER + record + FRAME), out.toByteArray());
    }

    @Test
    void framesLongerThanSnaplenAreCutButKeepTheirOriginalLength() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter pcap = new PcapWriter(out)) {
            pcap.write(0, ByteBuffer.allocate(70_000), 0, 70_000);
        }
        ByteBuffer b = ByteBuffer.wrap(out.toByteArray()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(65535, b.getInt(24 + 8));  // incl_len
        assertEquals(70_000, b.getInt(24 + 12)); // orig_len
        assertEquals(24 + 16 + 65535, b.capacity());
    }

    @Test
    void rejectsNegativeTimeAndOutOfRangeFrames() {
        PcapWriter pcap = new PcapWriter(new ByteArrayOutputStream());
        ByteBuffer buf = ByteBuffer.allocate(10);
        assertThrows(IllegalArgumentException.class, () -> pcap.write(-1, buf, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> pcap.write(0, buf, 5, 6));
        assertThrows(IllegalArgumentException.class, () -> pcap.write(0, buf, Integer.MAX_VALUE, 2));
    }

    @Test
    void createsFileAndParentFolders(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("a/b/capture.pcap");
        try (PcapWriter pcap = PcapWriter.create(file)) {
            pcap.write(2_000_000_000L, HEX.parseHex(FRAME));
        }
        byte[] bytes = Files.readAllBytes(file);
        assertEquals(24 + 16 + 16, bytes.length);
        assertArrayEquals(HEX.parseHex("02000000" + "00000000"), java.util.Arrays.copyOfRange(bytes, 24, 32));
    }
}
