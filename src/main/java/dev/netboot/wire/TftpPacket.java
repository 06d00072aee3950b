package dev.netboot.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * TFTP packets (RFC 1350 section 5) and the option extension (RFC 2347).
 *
 * <pre>
 *  RRQ/WRQ  | 01/02 | filename | 0 | mode | 0 | opt1 | 0 | value1 | 0 | ...
 *  DATA     | 03 | block # | n bytes (n &lt;= blksize)
 *  ACK      | 04 | block # |
 *  ERROR    | 05 | ErrorCode | ErrMsg | 0 |
 *  OACK     | 06 | opt1 | 0 | value1 | 0 | ...
 * </pre>
 *
 * <p>Names, modes, options and messages are UTF-8 on the wire, a file name read back byte for byte
 * ({@link TftpText}).
 *
 * <p>These records are for everything except the data path: the client reads and writes DATA and
 * ACK in place with {@link TftpWire} to keep a transfer free of allocation.
 */
public sealed interface TftpPacket {
    /** Opcode of a read request. */
    int OP_RRQ = 1;
    /** Opcode of a write request. */
    int OP_WRQ = 2;
    /** Opcode of a data packet. */
    int OP_DATA = 3;
    /** Opcode of an acknowledgment. */
    int OP_ACK = 4;
    /** Opcode of an error. */
    int OP_ERROR = 5;
    /** Opcode of an option acknowledgment (RFC 2347). */
    int OP_OACK = 6;

    /** Returns this packet's opcode. */
    int opcode();

    /** Returns the bytes {@link #emit} writes. */
    int encodedLength();

    /** Writes the packet at {@code off} and returns its length. */
    int emit(ByteBuffer buf, int off);

    /** A TFTP option: a case-insensitive name and a value (RFC 2347). */
    record Option(String name, String value) {
        /** Checks that name and value hold no NUL and the name is not empty. */
        public Option {
            if (name.isEmpty() || name.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("TFTP option name/value must be non-empty text without NUL: " + name);
            }
        }
    }

    /** A read request. */
    record Rrq(String filename, String mode, List<Option> options) implements TftpPacket {
        /** Checks the strings and copies the option list. */
        public Rrq {
            checkRequest(filename, mode);
            options = List.copyOf(options);
        }

        @Override
        public int opcode() {
            return OP_RRQ;
        }

        @Override
        public int encodedLength() {
            return requestLength(filename, mode, options);
        }

        @Override
        public int emit(ByteBuffer buf, int off) {
            return emitRequest(buf, off, OP_RRQ, filename, mode, options);
        }

        /** Returns the value of option {@code name} (case-insensitive). */
        public Optional<String> option(String name) {
            return find(options, name);
        }
    }

    /** A write request. */
    record Wrq(String filename, String mode, List<Option> options) implements TftpPacket {
        /** Checks the strings and copies the option list. */
        public Wrq {
            checkRequest(filename, mode);
            options = List.copyOf(options);
        }

        @Override
        public int opcode() {
            return OP_WRQ;
        }

        @Override
        public int encodedLength() {
            return requestLength(filename, mode, options);
        }

        @Override
        public int emit(ByteBuffer buf, int off) {
            return emitRequest(buf, off, OP_WRQ, filename, mode, options);
        }

        /** Returns the value of option {@code name} (case-insensitive). */
        public Optional<String> option(String name) {
            return find(options, name);
        }
    }

    /** A data block. The array is owned by the record; equality compares contents. */
    record Data(int block, byte[] data) implements TftpPacket {
        /** Checks the block number's range and copies the data. */
        public Data {
            checkBlock(block);
            data = data.clone();
        }

        @Override
        public int opcode() {
            return OP_DATA;
        }

        @Override
        public int encodedLength() {
            return 4 + data.length;
        }

        @Override
        public int emit(ByteBuffer buf, int off) {
            TftpWire.writeDataHeader(buf, off, block);
            buf.put(off + 4, data);
            return 4 + data.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Data(int b, byte[] d) && b == block && Arrays.equals(d, data);
        }

        @Override
        public int hashCode() {
            return 31 * block + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Data[block=" + block + ", " + data.length + " bytes]";
        }
    }

    /** An acknowledgment. */
    record Ack(int block) implements TftpPacket {
        /** Checks the block number's range. */
        public Ack {
            checkBlock(block);
        }

        @Override
        public int opcode() {
            return OP_ACK;
        }

        @Override
        public int encodedLength() {
            return 4;
        }

        @Override
        public int emit(ByteBuffer buf, int off) {
            return TftpWire.writeAck(buf, off, block);
        }
    }

    /** An error; {@code code} is one of the {@code ERR_} values of {@link TftpWire} or another number. */
    record Error(int code, String message) implements TftpPacket {
        /** Checks the code's range and that the message holds no NUL. */
        public Error {
            if (code < 0 || code > 0xFFFF || message.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("TFTP error code " + code + " or message with NUL");
            }
        }

        @Override
        public int opcode() {
            return OP_ERROR;
        }

        @Override
        public int encodedLength() {
            return 5 + bytes(message).length;
        }

        @Override
        public int emit(ByteBuffer buf, int off) {
            buf.putShort(off, (short) OP_ERROR);
            buf.putShort(off + 2, (short) code);
            byte[] m = bytes(message);
            buf.put(off + 4, m);
            buf.put(off + 4 + m.length, (byte) 0);
            return 5 + m.length;
        }
    }

    /** An option acknowledgment (RFC 2347). */
    record Oack(List<Option> options) implements TftpPacket {
        /** Copies the option list. */
        public Oack {
            options = List.copyOf(options);
        }

        @Override
        public int opcode() {
            return OP_OACK;
        }

        @Override
        public int encodedLength() {
            int n = 2;
            for (Option o : options) {
                n += bytes(o.name()).length + bytes(o.value()).length + 2;
            }
            return n;
        }

        @Override
        public int emit(ByteBuffer buf, int off) {
            buf.putShort(off, (short) OP_OACK);
            return 2 + emitOptions(buf, off + 2, options);
        }

        /** Returns the value of option {@code name} (case-insensitive). */
        public Optional<String> option(String name) {
            return find(options, name);
        }
    }

    /**
     * Parses the UDP payload {@code [off, off+len)}.
     *
     * @throws MalformedPacketException on an unknown opcode, a missing NUL, or a short packet
     */
    static TftpPacket parse(ByteBuffer buf, int off, int len) {
        MalformedPacketException.requireLength("TFTP packet", len, 2);
        int op = buf.getShort(off) & 0xFFFF;
        return switch (op) {
            case OP_RRQ, OP_WRQ -> {
                Strings s = new Strings(buf, off + 2, len - 2, op == OP_RRQ ? "RRQ" : "WRQ");
                String filename = s.next("filename");
                String mode = s.next("mode");
                List<Option> options = s.options();
                if (filename.isEmpty()) {
                    throw new MalformedPacketException((op == OP_RRQ ? "RRQ" : "WRQ") + " filename: empty (expected: a name)");
                }
                // The record refuses an empty mode with IllegalArgumentException; from the wire it is malformed.
                if (mode.isEmpty()) {
                    throw new MalformedPacketException((op == OP_RRQ ? "RRQ" : "WRQ") + " mode: empty (expected: a mode such as octet)");
                }
                yield op == OP_RRQ ? new Rrq(filename, mode, options) : new Wrq(filename, mode, options);
            }
            case OP_DATA -> {
                MalformedPacketException.requireLength("TFTP DATA", len, 4);
                byte[] d = new byte[len - 4];
                buf.get(off + 4, d);
                yield new Data(buf.getShort(off + 2) & 0xFFFF, d);
            }
            case OP_ACK -> {
                MalformedPacketException.requireLength("TFTP ACK", len, 4);
                yield new Ack(buf.getShort(off + 2) & 0xFFFF);
            }
            case OP_ERROR -> {
                MalformedPacketException.requireLength("TFTP ERROR", len, 4);
                int code = buf.getShort(off + 2) & 0xFFFF;
                // Some servers omit the message's terminating NUL; RFC 1123 section 4.2.3 asks for leniency here.
                int n = 0;
                while (n < len - 4 && buf.get(off + 4 + n) != 0) {
                    n++;
                }
                byte[] m = new byte[n];
                buf.get(off + 4, m);
                yield new Error(code, TftpText.text(m, 0, n));
            }
            case OP_OACK -> new Oack(new Strings(buf, off + 2, len - 2, "OACK").options());
            default -> throw new MalformedPacketException("TFTP opcode: " + op + " (expected: 1..6)");
        };
    }

    /** Parses a UDP payload; see {@link #parse(ByteBuffer, int, int)}. */
    static TftpPacket parse(byte[] payload) {
        return parse(ByteBuffer.wrap(payload), 0, payload.length);
    }

    private static void checkRequest(String filename, String mode) {
        if (filename.isEmpty() || filename.indexOf('\0') >= 0 || mode.isEmpty() || mode.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("TFTP request needs a filename and mode without NUL");
        }
    }

    private static void checkBlock(int block) {
        if (block < 0 || block > 0xFFFF) {
            throw new IllegalArgumentException("TFTP block number " + block + " (expected: 0..65535)");
        }
    }

    private static byte[] bytes(String s) {
        return TftpText.encode(s);
    }

    private static Optional<String> find(List<Option> options, String name) {
        for (Option o : options) {
            if (o.name().equalsIgnoreCase(name)) {
                return Optional.of(o.value());
            }
        }
        return Optional.empty();
    }

    private static int requestLength(String filename, String mode, List<Option> options) {
        int n = 2 + bytes(filename).length + 1 + bytes(mode).length + 1;
        for (Option o : options) {
            n += bytes(o.name()).length + bytes(o.value()).length + 2;
        }
        return n;
    }

    private static int emitRequest(ByteBuffer buf, int off, int op, String filename, String mode, List<Option> options) {
        buf.putShort(off, (short) op);
        int p = off + 2;
        p += putString(buf, p, filename);
        p += putString(buf, p, mode);
        p += emitOptions(buf, p, options);
        return p - off;
    }

    private static int emitOptions(ByteBuffer buf, int off, List<Option> options) {
        int p = off;
        for (Option o : options) {
            p += putString(buf, p, o.name());
            p += putString(buf, p, o.value());
        }
        return p - off;
    }

    private static int putString(ByteBuffer buf, int off, String s) {
        byte[] b = bytes(s);
        buf.put(off, b);
        buf.put(off + b.length, (byte) 0);
        return b.length + 1;
    }

    /** Reads consecutive NUL-terminated strings. */
    final class Strings {
        private final ByteBuffer buf;
        private final int end;
        private final String what;
        private int p;

        Strings(ByteBuffer buf, int off, int len, String what) {
            this.buf = buf;
            this.p = off;
            this.end = off + len;
            this.what = what;
        }

        String next(String field) {
            int start = p;
            while (p < end && buf.get(p) != 0) {
                p++;
            }
            if (p == end) {
                throw new MalformedPacketException(what + " " + field + ": no terminating NUL in " + (end - start) + " bytes");
            }
            byte[] b = new byte[p - start];
            buf.get(start, b);
            p++;
            return field.equals("filename") ? TftpText.name(b, 0, b.length) : TftpText.text(b, 0, b.length);
        }

        List<Option> options() {
            List<Option> out = new ArrayList<>();
            while (p < end) {
                String name = next("option name");
                String value = next("value of option '" + name + "'");
                if (name.isEmpty()) {
                    throw new MalformedPacketException(what + " option name: empty");
                }
                out.add(new Option(name.toLowerCase(Locale.ROOT), value));
            }
            return out;
        }
    }
}
