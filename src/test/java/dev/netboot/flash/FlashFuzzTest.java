package dev.netboot.flash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.netboot.wire.FuzzInput;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes the flash writer and the slot metadata reader with arbitrary flash contents.
 *
 * <p>{@link #writer}: a {@link FlashWriter} on NOR or NAND (factory bad blocks, failing erases and
 * programs, read disturb) over flash that already holds the fuzzer's bytes, fed the fuzzer's chunks, with
 * any announced size, skipping unchanged units or not, finished, aborted or misused. Properties: only
 * {@link FlashException} escapes; a {@code finish()} that returns means the partition holds exactly the
 * bytes written (read back independently, bad units skipped) and {@code sha256()} is their digest;
 * nothing outside the partition changes; the writer's RAM stays what {@code ramBytes()} says.
 *
 * <p>{@link #slots}: {@link BootSlots} over slots and two metadata copies whose bytes the fuzzer chooses:
 * erased, garbage, or records (correct CRC) whose lengths, digests, active slot, trial state and
 * sequence numbers may or may not match the slots. Properties: {@code load()} and {@code select()}
 * throw nothing; {@code load()} takes the valid copy with the newer sequence number; {@code select()}
 * never picks a slot whose content does not match its record, and picks one whenever one does;
 * {@code planUpdate()} never targets the slot the board boots, nor the verified fallback of a trial.
 */
class FlashFuzzTest {
    static final FlashGeometry NOR = new FlashGeometry(64 * 1024, 4096, 256, 0xFF);
    static final FlashGeometry NAND = new FlashGeometry(128 * 1024, 4096, 512, 0xFF);

    // ------------------------------------------------------------------ the flash writer

    static Stream<Arguments> writerSeeds() {
        // NOR, a partition of 6 units from unit 2, no prior content, default options, size 5000 known,
        // 5 writes of 1000 bytes, finish.
        FuzzInput.Script plain = new FuzzInput.Script().u8(0).u8(2).u8(5).u8(0).u8(0).u8(1).u16(5000);
        for (int i = 0; i < 5; i++) {
            plain.u8(0).u16(1000).u8(1);
        }
        plain.u8(1);
        // NAND, 10 units from unit 2 with blocks 3 and 5 bad, no faults, skip-unchanged, size unknown,
        // 20 writes of 512, finish.
        FuzzInput.Script nand = new FuzzInput.Script().u8(1).u8(2).u8(9).u8(2).u8(2).u8(4).u8(0).u8(0).u8(0).u8(0)
                .u8(0).u8(1).u8(0);
        for (int i = 0; i < 20; i++) {
            nand.u8(0).u16(512).u8(1);
        }
        nand.u8(1);
        return Stream.of(plain.build(), nand.build()).map(b -> arguments((Object) b));
    }

    @Test
    void writerSeedsWriteTheirImages() {
        for (Arguments a : writerSeeds().toList()) {
            WriterRun r = new WriterRun(new FuzzInput((byte[]) a.get()[0]));
            r.run();
            assertTrue(r.finished, "finished");
            assertEquals(r.image.size(), r.writer.bytesWritten());
            assertTrue(r.image.size() >= 5000);
        }
    }

    @MethodSource("writerSeeds")
    @FuzzTest
    void writer(byte[] input) {
        new WriterRun(new FuzzInput(input)).run();
    }

    /** One fuzzed write and its checks. */
    static final class WriterRun {
        final FuzzInput in;
        final Flash flash;
        final FlashGeometry g;
        final Partition partition;
        final FlashWriter writer;
        final ByteArrayOutputStream image = new ByteArrayOutputStream();
        final byte[] outsideBefore;
        boolean finished;

        WriterRun(FuzzInput in) {
            this.in = in;
            boolean nand = in.bool();
            g = nand ? NAND : NOR;
            int units = (int) (g.size() / g.eraseUnit());
            int first = in.below(units);
            int count = 1 + in.below(units - first);
            partition = new Partition("slot", (long) first * g.eraseUnit(), (long) count * g.eraseUnit());
            if (nand) {
                List<Integer> bad = new ArrayList<>();
                int n = in.below(4);
                for (int i = 0; i < n; i++) {
                    int b = 1 + in.below(units - 1); // block 0 is guaranteed good
                    if (!bad.contains(b)) {
                        bad.add(b);
                    }
                }
                double[] rates = {0, 0, 0.02, 0.2};
                flash = SimulatedNandFlash.inMemory(NandGeometry.of(g),
                        new NandFaults(in.u8(), bad, 0, rates[in.below(4)], rates[in.below(4)], rates[in.below(4)]));
            } else {
                flash = SimulatedNorFlash.inMemory(g);
            }
            prefill();
            outsideBefore = outside();
            writer = new FlashWriter(flash, partition, in.bool() ? FlashWriter.Options.SKIP_UNCHANGED : FlashWriter.Options.DEFAULTS);
        }

        /** Programs some pages with the fuzzer's bytes first: an old image, or junk. */
        void prefill() {
            int pages = in.below(8);
            for (int i = 0; i < pages; i++) {
                long page = (long) in.below((int) (g.size() / g.pageSize())) * g.pageSize();
                byte[] data = pattern(in.u8(), g.pageSize());
                try {
                    flash.program(page, data, 0, data.length);
                } catch (FlashException e) {
                    // a page already written, a bad block: the flash stays as it was
                }
            }
        }

        void run() {
            int sizeMode = in.below(4);
            try {
                writer.begin(switch (sizeMode) {
                    case 0 -> -1;
                    case 1 -> in.u16();
                    case 2 -> 0;
                    default -> in.u32() & 0x7FFF_FFFFL;
                });
            } catch (FlashException e) {
                checkAfter();
                return;
            }
            for (int steps = 0; in.more() && steps < 500; steps++) {
                try {
                    switch (in.below(4)) {
                        case 0, 3 -> {
                            int len = in.u16() % 3000;
                            byte[] chunk = pattern(image.size() * 7L, len);
                            int off = in.below(4) == 0 ? in.u8() : 0;
                            ByteBuffer b = ByteBuffer.allocate(off + len + 3);
                            b.put(off, chunk);
                            long before = writer.bytesWritten();
                            writer.write(b, off, len);
                            image.writeBytes(chunk);
                            assertEquals(before + len, writer.bytesWritten());
                        }
                        case 1 -> {
                            long n = writer.finish();
                            finished = true;
                            checkFinished(n);
                        }
                        default -> writer.abort();
                    }
                } catch (FlashException e) {
                    // the one failure the writer may report
                }
                assertTrue(writer.ramBytes() <= g.eraseUnit() + g.pageSize(), "writer RAM " + writer.ramBytes());
            }
            checkAfter();
        }

        void checkFinished(long n) {
            byte[] want = image.toByteArray();
            assertEquals(want.length, n, "finish() returned another length than was written");
            ByteArrayOutputStream back = new ByteArrayOutputStream();
            byte[] buf = new byte[g.pageSize()];
            SlotReader.read(flash, partition, n, buf, (b, k) -> back.write(b, 0, k));
            assertArrayEquals(want, back.toByteArray(), "the partition does not hold what finish() verified");
            assertArrayEquals(sha256(want, want.length), writer.sha256());
        }

        void checkAfter() {
            assertArrayEquals(outsideBefore, outside(), "the writer changed flash outside its partition");
        }

        /** Returns the flash outside the partition, as read (unreadable units as zeros). */
        byte[] outside() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] page = new byte[g.pageSize()];
            for (long at = 0; at < g.size(); at += g.pageSize()) {
                if (at >= partition.offset() && at < partition.end()) {
                    continue;
                }
                try {
                    flash.read(at, page, 0, page.length);
                    out.writeBytes(page);
                } catch (FlashException e) {
                    out.writeBytes(new byte[page.length]);
                }
            }
            return out.toByteArray();
        }
    }

    // ------------------------------------------------------------------ the slot metadata reader

    /** Slot A units 0..5, slot B 6..11, metadata 12..13 of NOR; on NAND the same units. */
    static final Partition SLOT_A = new Partition("slot-a", 0, 6 * 4096);
    static final Partition SLOT_B = new Partition("slot-b", 6 * 4096, 6 * 4096);
    static final Partition META = new Partition("meta", 12 * 4096, 2 * 4096);

    static Stream<Arguments> slotSeeds() {
        // NOR; slot A 3000 bytes, slot B 5000; copy 0: a valid record (seq 7, A active, both lengths and
        // digests right); copy 1 erased; one select().
        FuzzInput.Script good = new FuzzInput.Script().u8(0).u8(0).u16(3000).u8(1).u16(5000)
                .u8(2).u32(7).u8(0).u8(0xFF).u8(0).u8(0).u8(1).u8(0).u8(0).u8(1).u8(0).u8(0)
                .u8(0)
                .u8(0);
        // The same with copy 1 newer (seq 8): B active and pending for 2 tries, A its fallback; four selects.
        FuzzInput.Script trial = new FuzzInput.Script().u8(0).u8(0).u16(3000).u8(1).u16(5000)
                .u8(2).u32(7).u8(0).u8(0xFF).u8(0).u8(0).u8(1).u8(0).u8(0).u8(1).u8(0).u8(0)
                .u8(2).u32(8).u8(1).u8(0).u8(1).u8(2).u8(1).u8(0).u8(0).u8(1).u8(0).u8(0)
                .u8(3);
        return Stream.of(good.build(), trial.build()).map(b -> arguments((Object) b));
    }

    @Test
    void slotSeedsSelectAVerifiedSlot() {
        List<Arguments> s = slotSeeds().toList();
        SlotRun good = new SlotRun(new FuzzInput((byte[]) s.get(0).get()[0]));
        good.run();
        assertEquals(new BootSlots.Selection(0, true, "slot A is active and verified"), good.selections.getFirst());
        SlotRun trial = new SlotRun(new FuzzInput((byte[]) s.get(1).get()[0]));
        trial.run();
        assertEquals(1, trial.selections.getFirst().slot()); // the pending slot while it has tries
        assertEquals(0, trial.selections.getLast().slot());  // then the fallback
    }

    @MethodSource("slotSeeds")
    @FuzzTest
    void slots(byte[] input) {
        new SlotRun(new FuzzInput(input)).run();
    }

    /** One fuzzed flash image of slots and metadata, and its checks. */
    static final class SlotRun {
        final FuzzInput in;
        final Flash flash;
        final FlashGeometry g;
        final byte[][] logical = new byte[2][];   // what each slot holds, as SlotReader lays it out
        final BootSlots slots;
        final List<BootSlots.Selection> selections = new ArrayList<>();

        SlotRun(FuzzInput in) {
            this.in = in;
            boolean nand = in.bool();
            g = nand ? NAND : NOR;
            if (nand) {
                List<Integer> bad = new ArrayList<>();
                int n = in.below(3);
                for (int i = 0; i < n; i++) {
                    bad.add(1 + in.below(13));
                }
                flash = SimulatedNandFlash.inMemory(NandGeometry.of(g), new NandFaults(0, bad.stream().distinct().toList(), 0, 0, 0, 0));
            } else {
                flash = SimulatedNorFlash.inMemory(g);
            }
            byte[][] images = {image(0), image(1)};
            Partition[] parts = {SLOT_A, SLOT_B};
            for (int i = 0; i < 2; i++) {
                logical[i] = write(parts[i], images[i]);
            }
            for (int copy = 0; copy < 2; copy++) {
                writeCopy(copy, metadataCopy(images));
            }
            slots = new BootSlots(flash, SLOT_A, SLOT_B, META);
        }

        byte[] image(int slot) {
            return pattern(slot * 1000 + in.u8(), in.u16() % 30_000);
        }

        /** Writes {@code image} into {@code p} the way the board does; returns the slot's logical bytes, erased past the image. */
        byte[] write(Partition p, byte[] image) {
            int good = 0;
            for (long at = p.offset(); at < p.end(); at += g.eraseUnit()) {
                good += flash.isBad((int) (at / g.eraseUnit())) ? 0 : 1;
            }
            byte[] logical = new byte[good * g.eraseUnit()];
            Arrays.fill(logical, (byte) 0xFF);
            FlashWriter w = new FlashWriter(flash, p);
            try {
                w.begin(image.length);
                w.write(ByteBuffer.wrap(image), 0, image.length);
                w.finish();
                System.arraycopy(image, 0, logical, 0, image.length);
            } catch (FlashException e) {
                // too large for the good units: the slot keeps what the writer got to, a torn image
                readBack(p, logical);
            }
            return logical;
        }

        void readBack(Partition p, byte[] logical) {
            int[] at = {0};
            SlotReader.read(flash, p, logical.length, new byte[g.pageSize()], (b, n) -> {
                System.arraycopy(b, 0, logical, at[0], n);
                at[0] += n;
            });
        }

        /** The bytes of one metadata copy: erased, garbage, or a record with a correct CRC from the fuzzer's fields. */
        byte[] metadataCopy(byte[][] images) {
            int kind = in.below(4);
            if (kind == 0) {
                return null; // left erased
            }
            if (kind == 1) {
                return in.bytes(SlotMetadata.LENGTH);
            }
            ByteBuffer b = ByteBuffer.allocate(SlotMetadata.LENGTH);
            b.putInt(0, SlotMetadata.MAGIC);
            b.putInt(4, in.u32());
            b.put(8, (byte) in.u8());   // active
            b.put(9, (byte) in.u8());   // previous
            b.put(10, (byte) in.u8());  // flags
            b.put(11, (byte) in.u8());  // tries left
            for (int i = 0; i < 2; i++) {
                int o = 12 + i * 44;
                b.put(o, (byte) in.u8()); // state
                long length = switch (in.below(4)) {
                    case 0 -> images[i].length;
                    case 1 -> in.u16();
                    case 2 -> logical[i].length + in.u8();
                    default -> in.u32();
                };
                b.putLong(o + 4, length);
                boolean right = in.below(4) != 3;
                long n = Math.max(0, Math.min(length, logical[i].length));
                b.put(o + 12, right ? sha256(logical[i], (int) n) : pattern(in.u8(), 32));
            }
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(b.array(), 0, 100);
            b.putInt(100, (int) crc.getValue());
            if (kind == 3 && in.bool()) {
                b.put(in.below(SlotMetadata.LENGTH), (byte) in.u8()); // a torn or rotten copy
            }
            return b.array();
        }

        void writeCopy(int copy, byte[] raw) {
            if (raw == null || raw.length == 0) {
                return;
            }
            long off = copyOffset(copy);
            if (off < 0) {
                return;
            }
            byte[] page = Arrays.copyOf(raw, g.pageSize());
            Arrays.fill(page, raw.length, page.length, (byte) 0xFF);
            flash.program(off, page, 0, page.length);
        }

        /** The first good unit of the copy's half of the metadata partition, as BootSlots documents; -1 if none. */
        long copyOffset(int copy) {
            long half = META.size() / 2;
            for (long at = META.offset() + copy * half; at < META.offset() + (copy + 1) * half; at += g.eraseUnit()) {
                if (!flash.isBad((int) (at / g.eraseUnit()))) {
                    return at;
                }
            }
            return -1;
        }

        void run() {
            SlotMetadata newest = newest();
            SlotMetadata loaded = slots.load();
            assertEquals(newest == null ? SlotMetadata.EMPTY : newest, loaded, "load() did not take the newest valid copy");
            BootSlots.UpdatePlan plan = slots.planUpdate();
            int selects = 1 + in.below(4);
            for (int i = 0; i < selects; i++) {
                BootSlots.Selection s;
                try {
                    s = slots.select();
                } catch (FlashException e) {
                    if (e.kind() == FlashException.Kind.BAD_BLOCK || e.kind() == FlashException.Kind.ERASE_FAILED) {
                        return; // a metadata unit the chip refuses: nothing to write a trial's count into
                    }
                    throw new AssertionError("select() failed on flash content: " + e, e);
                }
                if (selections.isEmpty()) {
                    checkPlan(plan, s, loaded);
                }
                selections.add(s);
                checkSelection(s, slots.current());
            }
        }

        /** Decodes both copies on its own and returns the valid one with the newer sequence number (RFC 1982), or null. */
        SlotMetadata newest() {
            SlotMetadata best = null;
            for (int c = 0; c < 2; c++) {
                long off = copyOffset(c);
                if (off < 0) {
                    continue;
                }
                byte[] raw = new byte[SlotMetadata.LENGTH];
                flash.read(off, raw, 0, raw.length);
                SlotMetadata m = SlotMetadata.decode(raw);
                long ahead = m == null || best == null ? 0 : (m.sequence() - best.sequence()) & 0xFFFF_FFFFL;
                if (m != null && (best == null || (ahead != 0 && ahead < 0x8000_0000L))) {
                    best = m;
                }
            }
            return best;
        }

        /** Returns whether slot {@code i}'s record matches what the slot holds (computed from what was written). */
        boolean matches(SlotMetadata m, int i) {
            SlotMetadata.Slot s = m.slot(i);
            return s.valid() && s.length() <= logical[i].length
                    && Arrays.equals(s.sha256(), sha256(logical[i], (int) s.length()));
        }

        /**
         * An update never writes into the slot the board boots (what the first select() chose), nor into the
         * verified fallback of a trial that has boots left.
         */
        void checkPlan(BootSlots.UpdatePlan plan, BootSlots.Selection boots, SlotMetadata m) {
            if (plan.keep() != boots.slot()) {
                throw new AssertionError("planUpdate() keeps slot " + plan.keep() + " but the board boots " + boots + " in " + m);
            }
            if (plan.possible() && plan.target() == boots.slot()) {
                throw new AssertionError("planUpdate() targets slot " + plan.target() + ", the slot the board boots, in " + m);
            }
            if (plan.possible() && m.pending() && m.triesLeft() > 0 && m.previous() == plan.target() && matches(m, m.previous())) {
                throw new AssertionError("planUpdate() targets slot " + plan.target() + ", the verified fallback of a trial, in " + m);
            }
        }

        void checkSelection(BootSlots.Selection s, SlotMetadata m) {
            if (s.slot() != SlotMetadata.NONE && (!s.verified() || !matches(m, s.slot()))) {
                throw new AssertionError("select() chose slot " + s.slot() + " whose content does not match " + m + ": " + s);
            }
            int first = m.active();
            int[] order = first == SlotMetadata.NONE ? new int[] {0, 1} : new int[] {first, 1 - first};
            int expected = SlotMetadata.NONE;
            for (int i : order) {
                if (matches(m, i)) {
                    expected = i;
                    break;
                }
            }
            if (s.slot() != expected) {
                throw new AssertionError("select() chose " + s + " where slot " + expected + " checks out in " + m);
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    static byte[] pattern(long seed, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            long x = seed + i;
            b[i] = (byte) (x * 131 + (x >>> 7) + (x >>> 13));
        }
        return b;
    }

    static byte[] sha256(byte[] data, int n) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(data, 0, n);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
