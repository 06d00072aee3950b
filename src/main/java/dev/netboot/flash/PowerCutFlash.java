package dev.netboot.flash;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A decorator that cuts the power at one chosen flash operation, for power-loss sweeps.
 *
 * <p>Operations are counted from 1: each program call is one operation, and each erase unit of an
 * erase call is one (a real chip takes one ERASE command per sector or block, so a cut can fall
 * between them). Reads are not operations. When operation {@code cutAt} arrives, the
 * {@link Mode} decides what it leaves behind:
 * <ul>
 *   <li>{@link Mode#BEFORE}: the operation never happens; flash is as the previous one left it;</li>
 *   <li>{@link Mode#AFTER}: the operation completes, then the power goes;</li>
 *   <li>{@link Mode#TORN}: the operation is interrupted. A program leaves a seeded-random prefix
 *       of its bytes written (each as {@code old & data}), the next byte with a random subset of
 *       its bits cleared, and the rest as they were. An erase leaves its unit neither erased nor
 *       intact: each byte, chosen from the seed, is either erased or keeps its old value (a unit
 *       that was already erased stays erased).</li>
 * </ul>
 * The cut operation and every later read, erase and program throw {@link FlashException} with
 * kind {@link FlashException.Kind#POWER_CUT}, so the writer above stops where it was. The
 * underlying flash is left exactly as the cut left it and stays open: inspect it through its own
 * reference, or {@link #close()} this decorator (which closes it, forcing a file-backed flash to
 * storage) and reopen the file. {@link #stats()} and {@link #eraseCounts()} still answer after the
 * cut; a torn erase is counted as one erase, and the programs that model its surviving bytes are
 * counted in the underlying stats.
 *
 * <p>Sweep: run once through {@link #never(Flash)} and read {@link #operations()} = N; then, for
 * each mode and each {@code k} in {@code 1..N}, repeat the run on a fresh copy of the initial
 * flash with {@code new PowerCutFlash(copy, k, mode, seed)} and check what survives.
 */
public final class PowerCutFlash extends ForwardingFlash {
    /** What the cut operation leaves behind. */
    public enum Mode {
        /** The cut operation never starts. */
        BEFORE,
        /** The cut operation completes. */
        AFTER,
        /** The cut operation is interrupted part way. */
        TORN
    }

    private final long cutAt;
    private final Mode mode;
    private final SplittableRandom random;
    private long operations;
    private boolean cut;

    /**
     * Wraps {@code delegate}, cutting the power at operation {@code cutAt} (1-based; 0 = never).
     *
     * @throws IllegalArgumentException if {@code cutAt} is negative
     */
    public PowerCutFlash(Flash delegate, long cutAt, Mode mode, long seed) {
        super(delegate);
        this.mode = Objects.requireNonNull(mode, "mode");
        if (cutAt < 0) {
            throw new IllegalArgumentException("power cut at operation " + cutAt + " (expected: 1.., or 0 for never)");
        }
        this.cutAt = cutAt;
        this.random = new SplittableRandom(seed);
    }

    /** Wraps {@code delegate} without a cut, to count the operations of an uninterrupted run. */
    public static PowerCutFlash never(Flash delegate) {
        return new PowerCutFlash(delegate, 0, Mode.BEFORE, 0);
    }

    /** Returns the operations started so far (erase units and programs), including a cut one. */
    public long operations() {
        return operations;
    }

    /** Returns whether the power has been cut. */
    public boolean isCut() {
        return cut;
    }

    /** Returns the underlying flash, as the cut left it. */
    public Flash delegate() {
        return delegate;
    }


    @Override
    public void read(long offset, byte[] dst, int dstOff, int len) {
        checkPower();
        delegate.read(offset, dst, dstOff, len);
    }

    @Override
    public void erase(long offset, long length) {
        checkPower();
        int unit = geometry().eraseUnit();
        long units = length > 0 && length % unit == 0 ? length / unit : 1;
        long cutIndex = cutAt - operations; // 1-based index of the cut unit within this call
        if (cutAt == 0 || cutIndex < 1 || cutIndex > units) {
            // No cut inside this call: the delegate checks and erases the range as one call.
            operations += units;
            delegate.erase(offset, length);
            return;
        }
        // The range is well formed here (units > 1 or one aligned unit); erase up to the cut unit.
        if (cutIndex > 1) {
            operations += cutIndex - 1;
            delegate.erase(offset, (cutIndex - 1) * unit);
        }
        operations++;
        long at = offset + (cutIndex - 1) * unit;
        cut = true;
        switch (mode) {
            case BEFORE -> { }
            case AFTER -> delegate.erase(at, unit);
            case TORN -> tornErase(at, unit);
        }
        throw powerCut(String.format("erase of the unit at 0x%x", at));
    }

    @Override
    public void program(long offset, byte[] src, int srcOff, int len) {
        checkPower();
        operations++;
        if (operations != cutAt) {
            delegate.program(offset, src, srcOff, len);
            return;
        }
        cut = true;
        switch (mode) {
            case BEFORE -> { }
            case AFTER -> delegate.program(offset, src, srcOff, len);
            case TORN -> tornProgram(offset, src, srcOff, len);
        }
        throw powerCut(String.format("program at 0x%x len %d", offset, len));
    }

    @Override
    public String toString() {
        return "PowerCutFlash[" + (cutAt == 0 ? "never" : mode + " at operation " + cutAt) + ", " + operations
                + " operations" + (cut ? ", cut" : "") + ", " + delegate + "]";
    }

    /** Writes a random prefix of the data, one byte half-programmed, and leaves the rest. */
    private void tornProgram(long offset, byte[] src, int srcOff, int len) {
        Objects.checkFromIndexSize(srcOff, len, src.length);
        if (len <= 0) {
            delegate.program(offset, src, srcOff, len); // let the delegate refuse it as usual
            return;
        }
        int prefix = random.nextInt(len); // bytes fully written: 0 .. len - 1
        byte[] old = new byte[prefix + 1];
        delegate.read(offset, old, 0, prefix + 1);
        byte[] torn = new byte[prefix + 1];
        for (int i = 0; i < prefix; i++) {
            torn[i] = (byte) (old[i] & src[srcOff + i]);
        }
        // The byte at the cut: only some of the bits it should clear are cleared.
        int keep = random.nextInt(256);
        torn[prefix] = (byte) (old[prefix] & (src[srcOff + prefix] | keep));
        delegate.program(offset, torn, 0, prefix + 1);
    }

    /** Erases the unit, then puts back a random half of its old bytes. */
    private void tornErase(long at, int unit) {
        byte[] old = new byte[unit];
        delegate.read(at, old, 0, unit);
        delegate.erase(at, unit);
        int page = geometry().pageSize();
        byte erased = (byte) geometry().erasedValue();
        byte[] buf = new byte[page];
        for (int p = 0; p < unit; p += page) {
            boolean any = false;
            for (int i = 0; i < page; i++) {
                boolean keepOld = random.nextBoolean();
                buf[i] = keepOld ? old[p + i] : erased;
                any |= buf[i] != erased;
            }
            if (any) {
                delegate.program(at + p, buf, 0, page);
            }
        }
    }

    private FlashException powerCut(String what) {
        return new FlashException(FlashException.Kind.POWER_CUT, String.format(
                "power cut at flash operation %d (%s) during %s", cutAt, mode.name().toLowerCase(java.util.Locale.ROOT), what));
    }

    private void checkPower() {
        if (cut) {
            throw new FlashException(FlashException.Kind.POWER_CUT, String.format(
                    "flash unavailable: power was cut at flash operation %d (%s)", cutAt, mode.name().toLowerCase(java.util.Locale.ROOT)));
        }
    }
}
