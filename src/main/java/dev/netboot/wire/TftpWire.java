package dev.netboot.wire;

import java.nio.ByteBuffer;

/**
 * Allocation-free reads and writes of TFTP packets in place, for the data path, plus the parse
 * entry point for everything else. Error codes are those of RFC 1350 section 5 and RFC 2347.
 */
public final class TftpWire {
    /** Not defined, see error message. */
    public static final int ERR_NOT_DEFINED = 0;
    /** File not found. */
    public static final int ERR_FILE_NOT_FOUND = 1;
    /** Access violation. */
    public static final int ERR_ACCESS = 2;
    /** Disk full or allocation exceeded. */
    public static final int ERR_DISK_FULL = 3;
    /** Illegal TFTP operation. */
    public static final int ERR_ILLEGAL_OP = 4;
    /** Unknown transfer ID. */
    public static final int ERR_UNKNOWN_TID = 5;
    /** File already exists. */
    public static final int ERR_FILE_EXISTS = 6;
    /** No such user. */
    public static final int ERR_NO_USER = 7;
    /** Option negotiation refused (RFC 2347). */
    public static final int ERR_OPTIONS = 8;
    /** Well-known server port. */
    public static final int SERVER_PORT = 69;
    /** Default block size (RFC 1350). */
    public static final int DEFAULT_BLOCK_SIZE = 512;
    /** Length of the DATA header (opcode and block number). */
    public static final int DATA_HEADER_LEN = 4;

    private TftpWire() {
    }

    /**
     * Returns the opcode of the packet at {@code off}.
     *
     * @throws MalformedPacketException when fewer than 2 bytes are present
     */
    public static int opcode(ByteBuffer buf, int off, int len) {
        MalformedPacketException.requireLength("TFTP packet", len, 2);
        return buf.getShort(off) & 0xFFFF;
    }

    /**
     * Returns the block number of a DATA or ACK packet at {@code off}.
     *
     * @throws MalformedPacketException when fewer than 4 bytes are present
     */
    public static int block(ByteBuffer buf, int off, int len) {
        MalformedPacketException.requireLength("TFTP DATA/ACK", len, 4);
        return buf.getShort(off + 2) & 0xFFFF;
    }

    /** Writes a DATA header (opcode 3, block) at {@code off}; the data follows at {@code off + 4}. */
    public static void writeDataHeader(ByteBuffer buf, int off, int block) {
        buf.putShort(off, (short) TftpPacket.OP_DATA);
        buf.putShort(off + 2, (short) block);
    }

    /** Writes an ACK at {@code off} and returns its length, 4. */
    public static int writeAck(ByteBuffer buf, int off, int block) {
        buf.putShort(off, (short) TftpPacket.OP_ACK);
        buf.putShort(off + 2, (short) block);
        return 4;
    }

    /**
     * Parses any TFTP packet into its record.
     *
     * @throws MalformedPacketException when the packet is malformed
     */
    public static TftpPacket parse(ByteBuffer buf, int off, int len) {
        return TftpPacket.parse(buf, off, len);
    }

    /**
     * Returns an ERROR as a line says it: "ERROR 1 (file not found): File not found", or "ERROR 0 (not defined), no
     * message" when the peer's ErrMsg is empty (RFC 1350 section 5 asks for one but nothing enforces it: a line must not
     * end in a colon that introduces nothing). The peer's text is as sent; the caller shows it safely.
     */
    public static String describeError(int code, String message) {
        String head = "ERROR " + code + " (" + errorName(code) + ")";
        return message.isEmpty() ? head + ", no message" : head + ": " + message;
    }

    /** Returns the RFC text of an error code, or "error N" for others. */
    public static String errorName(int code) {
        return switch (code) {
            case ERR_NOT_DEFINED -> "not defined";
            case ERR_FILE_NOT_FOUND -> "file not found";
            case ERR_ACCESS -> "access violation";
            case ERR_DISK_FULL -> "disk full or allocation exceeded";
            case ERR_ILLEGAL_OP -> "illegal TFTP operation";
            case ERR_UNKNOWN_TID -> "unknown transfer ID";
            case ERR_FILE_EXISTS -> "file already exists";
            case ERR_NO_USER -> "no such user";
            case ERR_OPTIONS -> "option negotiation refused";
            default -> "error " + code;
        };
    }
}
