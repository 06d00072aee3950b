package dev.netboot.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 1350 TFTP packets and RFC 2347 options (blksize RFC 2348, tsize RFC 2349, windowsize RFC 7440). */
class TftpPacketTest {
    static final HexFormat HEX = HexFormat.of();

    static final byte[] RRQ = HEX.parseHex(
            "0001"                          // opcode RRQ
            + "626f6f742e696d67" + "00"     // filename "boot.img"
            + "6f63746574" + "00"           // mode "octet"
            + "626c6b73697a65" + "00"       // option "blksize"
            + "31343638" + "00"             // value "1468"
            + "7473697a65" + "00"           // option "tsize"
            + "30" + "00"                   // value "0"
            + "77696e646f7773697a65" + "00" // option "windowsize"
            + "34" + "00");                 // value "4"

    static final byte[] WRQ = HEX.parseHex(
            "0002"                          // opcode WRQ
            + "6c6f672e747874" + "00"       // filename "log.txt"
            + "6e65746173636969" + "00");   // mode "netascii"

    static final byte[] DATA = HEX.parseHex(
            "0003"                          // opcode DATA
            + "0001"                        // block 1
            + "deadbeef");                  // 4 data bytes

    static final byte[] ACK = HEX.parseHex(
            "0004"                          // opcode ACK
            + "ffff");                      // block 65535

    static final byte[] ERROR = HEX.parseHex(
            "0005"                          // opcode ERROR
            + "0001"                        // error code 1: file not found
            + "46696c65206e6f7420666f756e64" + "00"); // "File not found"

    static final byte[] OACK = HEX.parseHex(
            "0006"                          // opcode OACK
            + "626c6b73697a65" + "00"       // option "blksize"
            + "31343638" + "00"             // value "1468"
            + "7473697a65" + "00"           // option "tsize"
            + "313233343536" + "00");       // value "123456"

    static final TftpPacket.Rrq RRQ_REC = new TftpPacket.Rrq("boot.img", "octet", List.of(
            new TftpPacket.Option("blksize", "1468"), new TftpPacket.Option("tsize", "0"), new TftpPacket.Option("windowsize", "4")));
    static final TftpPacket.Wrq WRQ_REC = new TftpPacket.Wrq("log.txt", "netascii", List.of());
    static final TftpPacket.Data DATA_REC = new TftpPacket.Data(1, new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef});
    static final TftpPacket.Ack ACK_REC = new TftpPacket.Ack(65535);
    static final TftpPacket.Error ERROR_REC = new TftpPacket.Error(TftpWire.ERR_FILE_NOT_FOUND, "File not found");
    static final TftpPacket.Oack OACK_REC = new TftpPacket.Oack(List.of(
            new TftpPacket.Option("blksize", "1468"), new TftpPacket.Option("tsize", "123456")));

    static TftpPacket parse(byte[] b) {
        return TftpWire.parse(ByteBuffer.wrap(b), 0, b.length);
    }

    static MalformedPacketException rejects(byte[] b) {
        return assertThrows(MalformedPacketException.class, () -> parse(b));
    }

    static byte[] emit(TftpPacket p) {
        ByteBuffer b = ByteBuffer.allocate(p.encodedLength());
        assertEquals(b.capacity(), p.emit(b, 0));
        return b.array();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    @Test
    void goldenParseAndEmitForEachOpcode() {
        byte[][] wire = {RRQ, WRQ, DATA, ACK, ERROR, OACK};
        TftpPacket[] recs = {RRQ_REC, WRQ_REC, DATA_REC, ACK_REC, ERROR_REC, OACK_REC};
        for (int i = 0; i < wire.length; i++) {
            assertEquals(recs[i], parse(wire[i]));
            assertEquals(i + 1, recs[i].opcode());
            assertEquals(i + 1, TftpWire.opcode(ByteBuffer.wrap(wire[i]), 0, wire[i].length));
            assertArrayEquals(wire[i], emit(recs[i]), recs[i].toString());
        }
    }

    @Test
    void requestOptionLookup() {
        TftpPacket.Rrq r = (TftpPacket.Rrq) parse(RRQ);
        assertEquals("1468", r.option("BLKSIZE").orElseThrow());
        assertEquals("4", r.option("windowsize").orElseThrow());
        assertTrue(r.option("timeout").isEmpty());
        assertEquals("123456", ((TftpPacket.Oack) parse(OACK)).option("tsize").orElseThrow());
    }

    @Test
    void parseAtOffsetLeavesBufferAlone() {
        byte[] b = new byte[42 + DATA.length];
        System.arraycopy(DATA, 0, b, 42, DATA.length);
        ByteBuffer buf = ByteBuffer.wrap(b);
        assertEquals(DATA_REC, TftpWire.parse(buf, 42, DATA.length));
        assertEquals(1, TftpWire.block(buf, 42, DATA.length));
        assertEquals(0, buf.position());
    }

    @Test
    void dataAndAckInPlaceWriters() {
        ByteBuffer b = ByteBuffer.allocate(8);
        TftpWire.writeDataHeader(b, 0, 1);
        b.put(4, DATA_REC.data());
        assertArrayEquals(DATA, b.array());
        ByteBuffer a = ByteBuffer.allocate(4);
        assertEquals(4, TftpWire.writeAck(a, 0, 65535));
        assertArrayEquals(ACK, a.array());
    }

    @Test
    void blockNumbers0And65535() {
        assertEquals(new TftpPacket.Ack(0), parse(HEX.parseHex("0004" + "0000")));
        assertEquals(new TftpPacket.Data(0, new byte[0]), parse(HEX.parseHex("0003" + "0000")));
        assertEquals(new TftpPacket.Data(65535, new byte[] {1}), parse(HEX.parseHex("0003" + "ffff" + "01")));
        assertEquals(65535, TftpWire.block(ByteBuffer.wrap(ACK), 0, 4));
        assertThrows(IllegalArgumentException.class, () -> new TftpPacket.Ack(65536));
        assertThrows(IllegalArgumentException.class, () -> new TftpPacket.Data(-1, new byte[0]));
    }

    @Test
    void missingNulInFilenameModeOrOptionRejected() {
        // Cut RRQ just before each NUL: filename, mode, option name, option value.
        int[] cuts = {10, 16, 24, 29};
        String[] fields = {"filename", "mode", "option name", "value of option 'blksize'"};
        for (int i = 0; i < cuts.length; i++) {
            assertEquals(0, RRQ[cuts[i]], "fixture: NUL expected at " + cuts[i]);
            String m = rejects(Arrays.copyOf(RRQ, cuts[i])).getMessage();
            assertTrue(m.startsWith("RRQ " + fields[i] + ": no terminating NUL"), m);
        }
        assertTrue(rejects(Arrays.copyOf(OACK, OACK.length - 1)).getMessage().startsWith("OACK value of option 'tsize'"));
    }

    @Test
    void optionNameWithoutValueRejected() {
        byte[] b = Arrays.copyOf(WRQ, WRQ.length + 8);
        System.arraycopy(ascii("blksize\0"), 0, b, WRQ.length, 8);
        assertTrue(rejects(b).getMessage().startsWith("WRQ value of option 'blksize': no terminating NUL in 0 bytes"));
    }

    @Test
    void emptyOptionNameRejected() {
        assertEquals("OACK option name: empty", rejects(HEX.parseHex("0006" + "00" + "3100")).getMessage());
    }

    @Test
    void unknownOpcodesRejected() {
        assertEquals("TFTP opcode: 0 (expected: 1..6)", rejects(HEX.parseHex("0000" + "0001")).getMessage());
        assertEquals("TFTP opcode: 7 (expected: 1..6)", rejects(HEX.parseHex("0007" + "0001")).getMessage());
        assertEquals("TFTP opcode: 65535 (expected: 1..6)", rejects(HEX.parseHex("ffff")).getMessage());
    }

    @Test
    void shorterThanOpcodeRejected() {
        assertEquals("TFTP packet: 0 bytes (expected: >= 2)", rejects(new byte[0]).getMessage());
        assertEquals("TFTP packet: 1 bytes (expected: >= 2)", rejects(new byte[] {0}).getMessage());
        assertThrows(MalformedPacketException.class, () -> TftpWire.opcode(ByteBuffer.allocate(1), 0, 1));
    }

    @Test
    void dataAndAckShorterThan4Rejected() {
        for (int n = 2; n < 4; n++) {
            assertEquals("TFTP DATA: " + n + " bytes (expected: >= 4)", rejects(Arrays.copyOf(DATA, n)).getMessage());
            assertEquals("TFTP ACK: " + n + " bytes (expected: >= 4)", rejects(Arrays.copyOf(ACK, n)).getMessage());
            assertEquals("TFTP ERROR: " + n + " bytes (expected: >= 4)", rejects(Arrays.copyOf(ERROR, n)).getMessage());
            int len = n;
            assertThrows(MalformedPacketException.class, () -> TftpWire.block(ByteBuffer.wrap(ACK), 0, len));
        }
    }

    @Test
    void emptyFilenameRejected() {
        assertEquals("RRQ filename: empty (expected: a name)", rejects(HEX.parseHex("0001" + "00" + "6f6374657400")).getMessage());
        assertEquals("WRQ filename: empty (expected: a name)", rejects(HEX.parseHex("0002" + "00" + "6f6374657400")).getMessage());
    }

    @Test
    void errorWithoutTrailingNulAcceptedLeniently() {
        // RFC 1350 requires the NUL, but some servers omit it; RFC 1123 section 4.2.3 style leniency.
        assertEquals(ERROR_REC, parse(Arrays.copyOf(ERROR, ERROR.length - 1)));
        assertEquals(new TftpPacket.Error(0, ""), parse(HEX.parseHex("0005" + "0000")));
        // Bytes after the NUL are ignored.
        assertEquals(new TftpPacket.Error(8, "no"), parse(HEX.parseHex("0005" + "0008" + "6e6f00" + "7878")));
    }

    @Test
    void optionNamesAreLowerCasedValuesAreNot() {
        byte[] b = HEX.parseHex("0006" + "426c4b73497a45" + "00" + "4f6b" + "00"); // "BlKsIzE" "Ok"
        TftpPacket.Oack o = (TftpPacket.Oack) parse(b);
        assertEquals(List.of(new TftpPacket.Option("blksize", "Ok")), o.options());
    }

    @Test
    void emptyOackAndEmptyOptionValue() {
        assertEquals(new TftpPacket.Oack(List.of()), parse(HEX.parseHex("0006")));
        assertEquals(new TftpPacket.Oack(List.of(new TftpPacket.Option("x", ""))), parse(HEX.parseHex("0006" + "7800" + "00")));
    }

    @Test
    void errorNames() {
        assertEquals("file not found", TftpWire.errorName(1));
        assertEquals("option negotiation refused", TftpWire.errorName(8));
        assertEquals("error 99", TftpWire.errorName(99));
    }

    @Test
    void emptyModeRejected() {
        assertEquals("RRQ mode: empty (expected: a mode such as octet)",
                rejects(HEX.parseHex("0001" + "626f6f742e696d6700" + "00")).getMessage());
        assertEquals("WRQ mode: empty (expected: a mode such as octet)",
                rejects(HEX.parseHex("0002" + "6100" + "00" + "7473697a6500" + "3000")).getMessage());
    }

    @Test
    void aNonAsciiNameGoesAsUtf8AndComesBackTheSame() {
        // U+00FC is 110_00011 10_111100 = C3 BC; U+65E5 (日) 1110_0110 10_010111 10_100101 = E6 97 A5; U+672C (本) E6 9C AC;
        // U+1F4BE (💾, past the BMP) 11110_000 10_011111 10_010010 10_111110 = F0 9F 92 BE (RFC 3629 section 3).
        byte[] golden = HEX.parseHex("0001" + "c3bc" + "e697a5" + "e69cac" + "f09f92be" + "2e62696e" + "00" + "6f6374657400");
        TftpPacket.Rrq rrq = new TftpPacket.Rrq("\u00fc\u65e5\u672c\ud83d\udcbe.bin", "octet", List.of());
        assertEquals(golden.length, rrq.encodedLength());
        ByteBuffer buf = ByteBuffer.allocate(64);
        assertEquals(golden.length, rrq.emit(buf, 0));
        assertArrayEquals(golden, Arrays.copyOf(buf.array(), golden.length));
        assertEquals(rrq, TftpPacket.parse(golden));
        // The same for a WRQ and an ERROR's text.
        assertEquals(new TftpPacket.Wrq("\u00fc.bin", "octet", List.of()), TftpPacket.parse(HEX.parseHex("0002c3bc2e62696e006f6374657400")));
        assertEquals(new TftpPacket.Error(1, "\u65e5\u672c: not found"),
                TftpPacket.parse(HEX.parseHex("00050001" + "e697a5e69cac" + "3a206e6f7420666f756e64" + "00")));
    }

    @Test
    void aNameThatIsNotUtf8ComesBackAsTheSameBytes() {
        // Latin-1 "ü" (FC), a lone continuation byte (80), a truncated sequence (E6 97), an overlong "/" (C0 AF) and an
        // encoded surrogate (ED B2 80): none is UTF-8, each byte goes back out as it came; never an exception.
        for (String hex : List.of("fc2e62696e", "80", "e697", "c0af", "edb280", "41fe42ff")) {
            byte[] golden = HEX.parseHex("0001" + hex + "00" + "6f6374657400");
            TftpPacket.Rrq rrq = (TftpPacket.Rrq) TftpPacket.parse(golden);
            ByteBuffer buf = ByteBuffer.allocate(64);
            assertEquals(golden.length, rrq.emit(buf, 0), hex);
            assertArrayEquals(golden, Arrays.copyOf(buf.array(), golden.length), hex);
        }
        // A well-formed name never reads as an escaped one: C3 BC is "\u00fc", not two bytes.
        assertEquals("\u00fc", ((TftpPacket.Rrq) TftpPacket.parse(HEX.parseHex("0001c3bc006f6374657400"))).filename());
        // An ERROR's text is for people: malformed bytes read as U+FFFD.
        assertEquals(new TftpPacket.Error(2, "\ufffdx"), TftpPacket.parse(HEX.parseHex("00050002fc7800")));
    }
}
