package dev.netboot.wire;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * Reads a fuzzer's raw bytes as a script: small numbers, flags and byte strings, front to back. Past
 * the end every read returns zero (and {@link #bytes} an empty array), so any input is a valid script
 * and a short one simply ends early. {@link Script} writes the same format, for seed inputs.
 *
 * <p>The fuzz tests take {@code byte[]} (not Jazzer's {@code FuzzedDataProvider}) so that a committed
 * input file is exactly these bytes and keeps its meaning across Jazzer versions.
 */
public final class FuzzInput {
    private final byte[] in;
    private int p;

    /** Reads {@code in} from its first byte. */
    public FuzzInput(byte[] in) {
        this.in = in;
    }

    /** Returns true while unread bytes remain. */
    public boolean more() {
        return p < in.length;
    }

    /** Returns the number of unread bytes. */
    public int remaining() {
        return in.length - p;
    }

    /** Returns the next byte, 0..255. */
    public int u8() {
        return p < in.length ? in[p++] & 0xFF : 0;
    }

    /** Returns the next two bytes, big-endian, 0..65535. */
    public int u16() {
        return (u8() << 8) | u8();
    }

    /** Returns the next four bytes, big-endian. */
    public int u32() {
        return (u16() << 16) | u16();
    }

    /** Returns the low bit of the next byte. */
    public boolean bool() {
        return (u8() & 1) != 0;
    }

    /** Returns a number in {@code [0, n)}: one byte for {@code n <= 256}, else two. */
    public int below(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("below(" + n + ")");
        }
        return (n <= 256 ? u8() : u16()) % n;
    }

    /** Returns the next {@code n} bytes, or as many as are left. */
    public byte[] bytes(int n) {
        int k = Math.max(0, Math.min(n, in.length - p));
        byte[] out = Arrays.copyOfRange(in, p, p + k);
        p += k;
        return out;
    }

    /** Writes inputs that {@link FuzzInput} reads back field by field: seeds for the fuzz tests. */
    public static final class Script {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        /** Appends one byte. */
        public Script u8(int v) {
            out.write(v);
            return this;
        }

        /** Appends two bytes, big-endian. */
        public Script u16(int v) {
            return u8(v >>> 8).u8(v);
        }

        /** Appends four bytes, big-endian. */
        public Script u32(int v) {
            return u16(v >>> 16).u16(v);
        }

        /** Appends the bytes of {@code b}. */
        public Script bytes(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        /** Returns the script. */
        public byte[] build() {
            return out.toByteArray();
        }
    }
}
