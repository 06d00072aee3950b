package dev.netboot.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashException;
import dev.netboot.flash.FlashGeometry;
import dev.netboot.flash.FlashStats;
import dev.netboot.flash.FlashWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The contract every {@link Flash} keeps, as a JUnit 5 test suite: extend this class, implement {@link #create}, and
 * your flash driver runs the same tests netboot's own flashes pass (the NOR and NAND simulators, {@code FileFlash}).
 *
 * <pre>{@code
 * class MyFlashTest extends FlashContract {
 *     @Override
 *     protected Flash create(FlashGeometry geometry) {
 *         return new MyFlash(geometry);            // erased, unused, of exactly this geometry
 *     }
 * }
 * }</pre>
 *
 * <p><b>The rules</b> ({@link Flash}'s Javadoc): reads, erases and programs inside the chip; erases of whole,
 * aligned erase units that set exactly those units to the erased value; programs within one page that only clear
 * bits ({@code old & data}); a call that breaks a rule throws {@link FlashException} of the rule's kind and
 * changes nothing; caller-side array bounds throw {@link IndexOutOfBoundsException}; the counters
 * ({@link Flash#stats()}, {@link Flash#eraseCounts()}) count what happened; after {@link Flash#close()} every
 * operation throws {@code STATE}. These tests run on a chip of {@link #geometry()} (64 KiB of 4 KiB units and
 * 256-byte pages, erased 0xFF, unless overridden) and check the kind of each refusal, not its message.
 *
 * <p><b>The power-cut sweep</b> ({@link PowerCutSweep}): on a chip of {@link #sweepGeometry()} laid out as
 * {@link PowerCutSweep.Layout#of}, an A/B update by the device's own code is cut at every flash operation, before,
 * after and in the middle of it, from every state the slot metadata can be in, with the plain writer and with the
 * one that skips unchanged units; after every cut the board must boot the old image or the new one, and an update
 * afterwards must succeed. Then cuts during the recovery update, cuts while the bootloader records a trial boot,
 * and a trial whose fallback must be kept. Each sweep prints one line saying how many cuts it survived. The sweep
 * reuses one flash per test, erasing it before each run.
 *
 * <p>What {@code create} must do: return a new, erased, unused flash of the geometry asked for; throw
 * {@link IllegalArgumentException} for a geometry it cannot make. The kit asks for {@link #geometry()}, a two-unit
 * chip of the same units erased to 0xA5 (a flash that takes only 0xFF answers false to
 * {@link #acceptsAnyErasedValue()}), and {@link #sweepGeometry()}. A driver of one fixed chip overrides both
 * geometries to its own; the rules need pages of 8 bytes or more, erase units of two pages or more and four erase
 * units of flash, the sweep four erase units of metadata and two slots of 40 KiB (whole erase units) after them:
 * 96 KiB of 4 KiB units, 384 KiB of 64 KiB ones ({@link PowerCutSweep.Layout#of}). Flashes made by {@code create} are
 * closed after each test.
 */
public abstract class FlashContract {
    /** The rules' chip unless {@link #geometry()} says otherwise: 64 KiB, 16 units of 4 KiB, 256-byte pages, erased 0xFF. */
    public static final FlashGeometry SMALL = new FlashGeometry(64 * 1024, 4096, 256, 0xFF);
    /** The sweep's chip unless {@link #sweepGeometry()} says otherwise: 128 KiB, 4 KiB units, 256-byte pages, erased 0xFF. */
    public static final FlashGeometry SWEEP = new FlashGeometry(128 * 1024, 4096, 256, 0xFF);

    private final List<Flash> opened = new ArrayList<>();

    /**
     * Returns a new flash of {@code geometry}: every byte erased, counters at zero.
     *
     * @throws IllegalArgumentException when this implementation cannot make a flash of that geometry
     */
    protected abstract Flash create(FlashGeometry geometry);

    /** Returns the geometry the rules are checked on: {@link #SMALL} unless overridden. Its erased value must be 0xFF. */
    protected FlashGeometry geometry() {
        return SMALL;
    }

    /** Returns whether {@link #create} makes flash of any erased value (NOR can be 0xA5 in a model); NAND is 0xFF only. */
    protected boolean acceptsAnyErasedValue() {
        return true;
    }

    /** Returns the geometry of the power-cut sweep's flash: {@link #SWEEP} unless overridden. */
    protected FlashGeometry sweepGeometry() {
        return SWEEP;
    }

    /**
     * Returns the flash the power-cut sweep runs on; {@link #create} of {@link #sweepGeometry()} unless overridden
     * (to add factory bad blocks, say: the sweep skips them as the device does).
     */
    protected Flash createForSweep(FlashGeometry geometry) {
        return create(geometry);
    }

    /**
     * Returns which operations the sweep cuts at: 1 (the default) cuts at every one, which is the proof; n cuts at
     * every n-th (each mode from another offset) and makes 1/n of the random nested cuts, for an implementation
     * whose siblings were swept whole.
     */
    protected int sweepStride() {
        return 1;
    }

    /** Creates a flash that is closed after the test. */
    protected final Flash open(FlashGeometry g) {
        Flash f = create(g);
        opened.add(f);
        return f;
    }

    /** Closes the flashes this test opened. */
    @AfterEach
    public void closeOpenedFlashes() {
        opened.forEach(Flash::close);
        opened.clear();
    }

    /** Returns every byte of {@code f}. */
    public static byte[] readAll(Flash f) {
        byte[] all = new byte[Math.toIntExact(f.geometry().size())];
        f.read(0, all, 0, all.length);
        return all;
    }

    /** Returns {@code len} bytes of {@code value}. */
    public static byte[] filled(int len, int value) {
        byte[] b = new byte[len];
        Arrays.fill(b, (byte) value);
        return b;
    }

    /**
     * Asserts that {@code call} throws a {@link FlashException} of {@code kind}; returns it. A failure names the kind
     * expected; {@link #assertFlash(FlashException.Kind, String, Executable)} also names the call.
     */
    public static FlashException assertFlash(FlashException.Kind kind, Executable call) {
        return assertFlash(kind, "the call", call);
    }

    /**
     * Asserts that {@code call}, described by {@code what} (for example {@code "program(0x100, 8 bytes)"}), throws a
     * {@link FlashException} of {@code kind}; returns it. A failure says what was called, the kind expected, and what
     * happened instead: {@code "program(0xfc, 8 bytes) crosses a page: expected FlashException CROSSES_PAGE, but nothing was thrown"}.
     */
    public static FlashException assertFlash(FlashException.Kind kind, String what, Executable call) {
        String expected = what + ": expected FlashException " + kind;
        FlashException e = assertThrows(FlashException.class, call, expected);
        assertEquals(kind, e.kind(), expected + ", but it was " + e.kind() + " (" + e.getMessage() + ")");
        return e;
    }

    private FlashGeometry rulesGeometry() {
        FlashGeometry g = geometry();
        assertEquals(0xFF, g.erasedValue(), "geometry() must be erased to 0xFF: programs clear bits from it");
        assertTrue(g.pageSize() >= 8 && g.eraseUnit() >= 2 * g.pageSize() && g.size() >= 4L * g.eraseUnit(),
                "geometry() needs pages of 8 bytes or more, erase units of two pages or more, four erase units: " + g);
        return g;
    }

    private static int size(FlashGeometry g) {
        return Math.toIntExact(g.size());
    }

    @Test
    public void createdFlashIsErasedAndUnused() {
        FlashGeometry g = rulesGeometry();
        Flash f = open(g);
        assertEquals(g, f.geometry(), "create() returns a flash of the geometry asked for");
        assertEquals(FlashStats.ZERO, f.stats(), "a new flash has counted nothing");
        assertArrayEquals(new long[(int) (g.size() / g.eraseUnit())], f.eraseCounts(), "a new flash has erased no unit");
        assertArrayEquals(filled(size(g), 0xFF), readAll(f), "create() returns an erased flash: every byte reads the erased value 0xff");
    }

    @Test
    public void erasedValueComesFromGeometry() {
        FlashGeometry base = rulesGeometry();
        int unit = base.eraseUnit();
        FlashGeometry g = new FlashGeometry(2L * unit, unit, base.pageSize(), 0xA5);
        if (!acceptsAnyErasedValue()) {
            assertThrows(IllegalArgumentException.class, () -> create(g), "a flash erased to 0xFF only refuses 0xA5");
            return;
        }
        Flash f = open(g);
        assertArrayEquals(filled(2 * unit, 0xA5), readAll(f), "create() of erased value 0xa5 returns a flash reading 0xa5 at every byte");
        f.program(unit, new byte[] {0x21}, 0, 1); // 0xA5 & 0x21 == 0x21: only clears bits
        byte[] one = new byte[1];
        f.read(unit, one, 0, 1);
        assertEquals(0x21, one[0], "a program over 0xa5 that only clears bits reads back");
        f.erase(unit, unit);
        assertArrayEquals(filled(2 * unit, 0xA5), readAll(f), "an erase sets its unit to the geometry's erased value 0xa5");
    }

    @Test
    public void programClearsBitsAndReadsBack() {
        FlashGeometry g = rulesGeometry();
        Flash f = open(g);
        long at = g.eraseUnit() + g.pageSize() / 2;
        byte[] data = {0x00, 0x12, (byte) 0xFE, 0x7F};
        f.program(at, data, 0, 4);
        byte[] back = new byte[6];
        f.read(at - 1, back, 1, 5);
        assertArrayEquals(new byte[] {0, (byte) 0xFF, 0x00, 0x12, (byte) 0xFE, 0x7F}, back);
    }

    @Test
    public void programHonoursSourceOffset() {
        FlashGeometry g = rulesGeometry();
        Flash f = open(g);
        f.program(g.pageSize(), new byte[] {1, 2, 3, 4, 5}, 2, 3);
        byte[] back = new byte[4];
        f.read(g.pageSize(), back, 0, 4);
        assertArrayEquals(new byte[] {3, 4, 5, (byte) 0xFF}, back);
    }

    @Test
    public void programIsAndOfOldAndNew() {
        Flash f = open(rulesGeometry());
        f.program(0x2, new byte[] {(byte) 0xF0, 0x3C}, 0, 2);
        // Same data again is allowed: no bit needs to rise.
        f.program(0x2, new byte[] {(byte) 0xF0, 0x3C}, 0, 2);
        // Clearing more bits is allowed: 0xF0 -> 0x30, 0x3C -> 0x0C.
        f.program(0x2, new byte[] {0x30, 0x0C}, 0, 2);
        byte[] back = new byte[2];
        f.read(0x2, back, 0, 2);
        assertArrayEquals(new byte[] {0x30, 0x0C}, back);
        assertEquals(3, f.stats().programs(), "stats().programs() counts each program call (three here)");
    }

    @Test
    public void programNeedingZeroToOneIsRefusedAndChangesNothing() {
        FlashGeometry g = rulesGeometry();
        Flash f = open(g);
        long at = 2L * g.pageSize();
        f.program(at, new byte[] {0x0F, 0x0F, 0x0F}, 0, 3);
        byte[] before = readAll(f);
        FlashStats statsBefore = f.stats();
        // The first two bytes only clear bits; the third needs 0x0F -> 0x1F, bit 4 going 0 -> 1.
        assertFlash(FlashException.Kind.NOT_ERASED, String.format("program(0x%x, {0x0e, 0x00, 0x1f}) over 0x0f 0x0f 0x0f needs bit 4"
                + " of its third byte to go 0 -> 1, which only an erase does", at),
                () -> f.program(at, new byte[] {0x0E, 0x00, 0x1F}, 0, 3));
        assertArrayEquals(before, readAll(f), "a refused program changes no byte, not even the ones before the bad one");
        assertEquals(statsBefore.programs(), f.stats().programs(), "a refused program is not counted in stats().programs()");
        assertEquals(statsBefore.bytesProgrammed(), f.stats().bytesProgrammed(), "a refused program is not counted in stats().bytesProgrammed()");
    }

    @Test
    public void eraseThenReprogram() {
        FlashGeometry g = rulesGeometry();
        Flash f = open(g);
        int unit = g.eraseUnit();
        int page = g.pageSize();
        f.program(unit, filled(page, 0x00), 0, page);
        f.program(2L * unit - page, filled(page, 0x00), 0, page);
        assertFlash(FlashException.Kind.NOT_ERASED, String.format("program(0x%x, {0x01}) over a programmed 0x00 needs a bit to go"
                + " 0 -> 1, which only an erase does", unit), () -> f.program(unit, filled(1, 0x01), 0, 1));
        f.erase(unit, unit);
        byte[] whole = new byte[unit];
        f.read(unit, whole, 0, unit);
        assertArrayEquals(filled(unit, 0xFF), whole, "an erased unit reads the erased value 0xff at every byte");
        f.program(unit, filled(page, 0x5A), 0, page);
        byte[] back = new byte[page];
        f.read(unit, back, 0, page);
        assertArrayEquals(filled(page, 0x5A), back, "a page programmed after the erase reads back");
    }

    @Test
    public void eraseTouchesOnlyItsUnits() {
        FlashGeometry g = rulesGeometry();
        Flash f = open(g);
        int page = g.pageSize();
        int unit = g.eraseUnit();
        for (long at = 0; at < g.size(); at += page) {
            f.program(at, filled(page, 0x00), 0, page);
        }
        f.erase(2L * unit, 2L * unit); // units 2 and 3 in one call
        byte[] expected = new byte[size(g)];
        Arrays.fill(expected, 2 * unit, 4 * unit, (byte) 0xFF);
        assertArrayEquals(expected, readAll(f), String.format("erase(0x%x, 0x%x) sets units 2 and 3 to the erased value 0xff and changes"
                + " no other byte (every other byte was programmed to 0x00)", 2L * unit, 2L * unit));
    }

    @Test
    public void eraseAlignmentViolations() {
        FlashGeometry g = rulesGeometry();
        Flash f = open(g);
        int unit = g.eraseUnit();
        f.program(0, filled(g.pageSize(), 0x00), 0, g.pageSize());
        byte[] before = readAll(f);
        assertFlash(FlashException.Kind.MISALIGNED_ERASE, String.format("erase(0x%x, 0x%x) starts off an erase unit", unit + 1, unit), () -> f.erase(unit + 1, unit));
        assertFlash(FlashException.Kind.MISALIGNED_ERASE, String.format("erase(0x0, 0x%x) is half an erase unit", unit / 2), () -> f.erase(0, unit / 2));
        assertFlash(FlashException.Kind.MISALIGNED_ERASE, String.format("erase(0x0, 0x%x) is not whole erase units", unit + 1), () -> f.erase(0, unit + 1));
        assertFlash(FlashException.Kind.MISALIGNED_ERASE, String.format("erase(0x%x, 0x%x) is one page, not an erase unit", g.pageSize(), g.pageSize()), () -> f.erase(g.pageSize(), g.pageSize()));
        assertArrayEquals(before, readAll(f), "a refused erase changes no byte");
        assertEquals(0, f.stats().erases(), "a refused erase is not counted in stats().erases()");
    }

    @Test
    public void eraseRangeViolations() {
        FlashGeometry g = rulesGeometry();
        Flash f = open(g);
        long unit = g.eraseUnit();
        long end = g.size();
        assertFlash(FlashException.Kind.OUT_OF_RANGE, String.format("erase(0x%x, 0) is empty", unit), () -> f.erase(unit, 0)); // empty
        assertFlash(FlashException.Kind.OUT_OF_RANGE, String.format("erase(-0x%x, 0x%x) starts before the flash", unit, unit), () -> f.erase(-unit, unit));
        assertFlash(FlashException.Kind.OUT_OF_RANGE, String.format("erase(0x%x, 0x%x) starts at the end of the flash", end, unit), () -> f.erase(end, unit)); // starts at the end
        assertFlash(FlashException.Kind.OUT_OF_RANGE, String.format("erase(0x%x, 0x%x) runs one unit past the end", end - unit, 2 * unit), () -> f.erase(end - unit, 2 * unit)); // one unit too many
        assertFlash(FlashException.Kind.OUT_OF_RANGE, String.format("erase(0x%x, -0x%x) has a negative length", unit, unit), () -> f.erase(unit, -unit));
        // offset + length would overflow to a small number if the check added instead of subtracted
        assertFlash(FlashException.Kind.OUT_OF_RANGE, String.format("erase(0x%x, 0x%x) runs past the end (offset + length overflows)", unit, (Long.MAX_VALUE / unit) * unit), () -> f.erase(unit, (Long.MAX_VALUE / unit) * unit));
        assertEquals(0, f.stats().erases(), "a refused erase is not counted in stats().erases()");
        f.erase(0, end); // the whole chip is in range
        assertEquals(end / unit, f.stats().erases(), "stats().erases() counts erase units: erase(0x0, 0x" + Long.toHexString(end)
                + ") of the whole chip erases " + end / unit + " of them");
    }

    @Test
    public void programCrossingPageIsRefused() {
        FlashGeometry g = rulesGeometry();
        Flash f = open(g);
        int page = g.pageSize();
        int unit = g.eraseUnit();
        assertFlash(FlashException.Kind.CROSSES_PAGE, String.format("program(0x%x, 8 bytes) crosses a page", page - 4), () -> f.program(page - 4, new byte[8], 0, 8));
        assertFlash(FlashException.Kind.CROSSES_PAGE, String.format("program(0x%x, %d bytes) is longer than a page", unit, page + 1), () -> f.program(unit, new byte[page + 1], 0, page + 1));
        assertFlash(FlashException.Kind.CROSSES_PAGE, String.format("program(0x%x, 2 bytes) crosses a page", unit + page - 1), () -> f.program(unit + page - 1, new byte[2], 0, 2));
        assertArrayEquals(filled(size(g), 0xFF), readAll(f), "a refused program changes no byte");
        // The largest program that fits: exactly one page, and the last byte of a page.
        f.program(unit, new byte[page], 0, page);
        f.program(unit + 2L * page - 1, new byte[1], 0, 1);
        assertEquals(2, f.stats().programs(), "stats().programs() counts the two programs that fit a page, not the refused ones");
    }

    @Test
    public void programOutOfRangeIsRefused() {
        FlashGeometry g = rulesGeometry();
        Flash f = open(g);
        long end = g.size();
        assertFlash(FlashException.Kind.OUT_OF_RANGE, String.format("program(0x%x, 1 byte) starts at the end of the flash", end), () -> f.program(end, new byte[1], 0, 1));
        assertFlash(FlashException.Kind.OUT_OF_RANGE, String.format("program(-0x1, 1 byte) starts before the flash"), () -> f.program(-1, new byte[1], 0, 1));
        // Past the end and across the last page's end at once: either refusal is the rule's.
        FlashException e = assertThrows(FlashException.class, () -> f.program(end - 1, new byte[2], 0, 2));
        assertTrue(Set.of(FlashException.Kind.OUT_OF_RANGE, FlashException.Kind.CROSSES_PAGE).contains(e.kind()), e.getMessage());
        assertFlash(FlashException.Kind.OUT_OF_RANGE, String.format("program(0x%x, 0 bytes) is empty", g.pageSize()), () -> f.program(g.pageSize(), new byte[1], 0, 0)); // empty
        assertFlash(FlashException.Kind.OUT_OF_RANGE, String.format("program(0x%x, 1 byte) is far past the end", Long.MAX_VALUE), () -> f.program(Long.MAX_VALUE, new byte[1], 0, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> f.program(0, new byte[4], 2, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> f.program(0, new byte[4], 0, -1));
        assertArrayEquals(filled(size(g), 0xFF), readAll(f), "a refused program changes no byte");
        assertEquals(0, f.stats().programs(), "a refused program is not counted in stats().programs()");
        f.program(end - 1, new byte[1], 0, 1); // the last byte is in range
        assertEquals(1, f.stats().programs(), "stats().programs() counts the program of the last byte");
    }

    @Test
    public void readRangeChecks() {
        FlashGeometry g = rulesGeometry();
        Flash f = open(g);
        long end = g.size();
        byte[] dst = new byte[16];
        assertFlash(FlashException.Kind.OUT_OF_RANGE, String.format("read(-0x1, 1 byte) starts before the flash"), () -> f.read(-1, dst, 0, 1));
        assertFlash(FlashException.Kind.OUT_OF_RANGE, String.format("read(0x%x, 9 bytes) runs past the end", end - 8), () -> f.read(end - 8, dst, 0, 9));
        assertFlash(FlashException.Kind.OUT_OF_RANGE, String.format("read(0x%x, 0 bytes) starts past the end", end + 1), () -> f.read(end + 1, dst, 0, 0));
        assertFlash(FlashException.Kind.OUT_OF_RANGE, String.format("read(0x%x, 16 bytes) is far past the end", Long.MAX_VALUE), () -> f.read(Long.MAX_VALUE, dst, 0, 16));
        assertThrows(IndexOutOfBoundsException.class, () -> f.read(0, dst, 8, 9));
        assertThrows(IndexOutOfBoundsException.class, () -> f.read(0, dst, -1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> f.read(0, dst, 0, -1));
        f.read(end - 8, dst, 0, 8); // up to the last byte
        assertArrayEquals(filled(8, 0xFF), Arrays.copyOf(dst, 8));
        f.read(end, dst, 0, 0); // an empty read at the end
    }

    @Test
    public void statsCountEraseUnitsAndProgrammedBytes() {
        FlashGeometry g = rulesGeometry();
        Flash f = open(g);
        long unit = g.eraseUnit();
        int page = g.pageSize();
        f.erase(unit, 3 * unit); // three units in one call
        f.erase(0, unit);
        f.program(unit, new byte[page / 2], 0, page / 2);
        f.program(unit + page, new byte[page], 0, page);
        f.read(0, new byte[10], 0, 10);
        assertEquals(new FlashStats(4, 2, 1, page / 2 + page, 4 * unit), f.stats(), "after erase(0x" + Long.toHexString(unit) + ", 0x"
                + Long.toHexString(3 * unit) + "), erase(0x0, 0x" + Long.toHexString(unit) + "), programs of " + page / 2 + " and " + page
                + " bytes and one read, stats() counts 4 erase units, 2 programs, 1 read, the bytes programmed and the bytes erased");
    }

    @Test
    public void eraseCountsPerUnitAndNoBadUnitsOnAFreshChip() {
        FlashGeometry g = rulesGeometry();
        Flash f = open(g);
        long unit = g.eraseUnit();
        int units = (int) (g.size() / unit);
        f.erase(unit, 2 * unit);
        f.erase(2 * unit, unit);
        long[] expected = new long[units];
        expected[1] = 1;
        expected[2] = 2;
        assertArrayEquals(expected, f.eraseCounts());
        f.eraseCounts()[1] = 99;
        assertArrayEquals(expected, f.eraseCounts(), "eraseCounts() returns a fresh copy: a change to it is not the flash's");
        for (int u = 0; u < units; u++) {
            assertFalse(f.isBad(u), "unit " + u + " of a fresh chip");
        }
        assertThrows(IndexOutOfBoundsException.class, () -> f.isBad(units));
        assertThrows(IndexOutOfBoundsException.class, () -> f.isBad(-1));
    }

    @Test
    public void closedFlashRefusesEveryOperation() {
        Flash f = create(rulesGeometry());
        f.close();
        f.close(); // idempotent
        assertFlash(FlashException.Kind.STATE, "read(0x0, 1 byte) after close()", () -> f.read(0, new byte[1], 0, 1));
        assertFlash(FlashException.Kind.STATE, "erase(0x0, one unit) after close()", () -> f.erase(0, geometry().eraseUnit()));
        assertFlash(FlashException.Kind.STATE, "program(0x0, 1 byte) after close()", () -> f.program(0, new byte[1], 0, 1));
    }

    // ---------------------------------------------------------------- the power-cut sweep

    private PowerCutSweep sweeper(FlashWriter.Options writer, String what) {
        FlashGeometry g = sweepGeometry();
        Flash f = createForSweep(g);
        opened.add(f);
        return new PowerCutSweep(getClass().getSimpleName() + (writer.skipUnchanged() ? " skipping unchanged units" : "") + what, f,
                PowerCutSweep.Layout.of(g).withWriter(writer));
    }

    private static final List<FlashWriter.Options> WRITERS = List.of(FlashWriter.Options.DEFAULTS, FlashWriter.Options.SKIP_UNCHANGED);

    /** Cuts at every operation (or every {@link #sweepStride()}-th) of {@code start}'s update; prints and returns the cuts. */
    private long sweepFrom(PowerCutSweep.Start start) {
        long cuts = 0;
        List<String> each = new ArrayList<>();
        for (FlashWriter.Options w : WRITERS) {
            PowerCutSweep s = sweeper(w, "");
            long ops = s.operations(start);
            long here = s.sweep(start, sweepStride());
            each.add((w.skipUnchanged() ? "skip-unchanged " : "plain ") + ops + " ops");
            cuts += here;
        }
        System.out.printf("power-cut sweep: %s, %s: (%s) x 3 modes%s = %d cuts, survived all%n", getClass().getSimpleName(),
                start.description(), String.join(" + ", each), sweepStride() == 1 ? "" : " (every " + sweepStride() + "th)", cuts);
        return cuts;
    }

    @Test
    public void powerCutAtEveryOperationOfAnUpdateOverTwoValidImages() {
        long cuts = sweepFrom(PowerCutSweep.Start.TWO_VALID);
        assertTrue(cuts >= 2 * 3 * 20 / sweepStride(), "cuts: " + cuts);
    }

    @Test
    public void powerCutAtEveryOperationFromEveryOtherStateOfTheSlots() {
        long cuts = 0;
        for (PowerCutSweep.Start start : PowerCutSweep.otherStarts()) {
            cuts += sweepFrom(start);
        }
        assertTrue(cuts >= 5 * 2 * 3 * 20 / sweepStride(), "cuts: " + cuts);
    }

    @Test
    public void powerCutDuringTheRecoveryUpdate() {
        PowerCutSweep s = sweeper(FlashWriter.Options.DEFAULTS, "");
        long runs = 0;
        for (PowerCutSweep.Start start : PowerCutSweep.Start.values()) {
            int perMode = Math.max(1, (start == PowerCutSweep.Start.TWO_VALID ? 100 : 20) / sweepStride());
            runs += s.nestedCuts(start, perMode, 2024);
        }
        System.out.printf("power-cut sweep: %s: %d nested cuts (a cut during the recovery update), survived all%n",
                getClass().getSimpleName(), runs);
        assertTrue(runs >= 18, "runs: " + runs);
    }

    @Test
    public void powerCutWhileTheBootloaderRecordsATrialBoot() {
        long runs = sweeper(FlashWriter.Options.DEFAULTS, "").cutsWhileSelectRecordsATrial(sweepStride());
        System.out.printf("power-cut sweep: %s: %d cuts while select() records a trial boot, survived all%n",
                getClass().getSimpleName(), runs);
        assertTrue(runs >= 3, "runs: " + runs);
    }

    @Test
    public void anUpdateNeverOverwritesATrialWithBootsLeftAndItsFallback() {
        sweeper(FlashWriter.Options.DEFAULTS, "").trialWithBootsLeftKeepsItsFallback();
    }
}
