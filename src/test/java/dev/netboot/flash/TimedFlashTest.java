package dev.netboot.flash;

import static dev.netboot.flash.FlashContractTest.assertFlash;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TimedFlashTest {
    /** W25Q128JV, as in device-profiles/spi-nor-16m.profile: tPP 0.4 / 3 ms, tSE 45 / 400 ms. */
    static final FlashTiming W25Q128 = new FlashTiming(400_000, 3_000_000, 45_000_000, 400_000_000);
    /** MT29F1G08, as in device-profiles/nand-128m.profile: tPROG 200 / 600 µs, tBERS 0.7 / 2 ms, tR 25 / 25 µs. */
    static final FlashTiming MT29F = new FlashTiming(200_000, 600_000, 700_000, 2_000_000, 25_000, 25_000);

    private static TimedFlash nor(FlashTiming.Mode mode) {
        return new TimedFlash(SimulatedNorFlash.inMemory(FlashContractTest.SMALL), W25Q128, mode);
    }

    @Test
    void threeProgramsAndOneEraseAtTypicalByHand() {
        TimedFlash f = nor(FlashTiming.Mode.TYPICAL);
        f.erase(0x1000, 0x1000);
        f.program(0x1000, new byte[256], 0, 256);
        f.program(0x1100, new byte[256], 0, 256);
        f.program(0x1200, new byte[1], 0, 1); // a short program costs a whole tPP
        f.read(0x1000, new byte[0x300], 0, 0x300); // NOR reads are not charged
        // 3 × 0.4 ms + 45 ms = 46.2 ms
        assertEquals(46_200_000, f.busyNanos());
        assertEquals(46_200_000, f.busyUntil());
        assertEquals(0, f.lastOperationNanos());
    }

    @Test
    void maxAndNoneModes() {
        TimedFlash max = nor(FlashTiming.Mode.MAX);
        max.erase(0, 0x2000); // two sectors: 2 × 400 ms
        max.program(0, new byte[4], 0, 4);
        assertEquals(803_000_000, max.busyNanos());
        TimedFlash none = nor(FlashTiming.Mode.NONE);
        none.erase(0, 0x2000);
        none.program(0, new byte[4], 0, 4);
        assertEquals(0, none.busyNanos());
        assertEquals(0, none.busyUntil());
    }

    @Test
    void operationsQueueBehindABusyChipAndIdleGapsAreNotBusy() {
        TimedFlash f = nor(FlashTiming.Mode.TYPICAL);
        f.at(1_000_000);
        f.program(0, new byte[1], 0, 1);             // 1.0 .. 1.4 ms
        assertEquals(1_400_000, f.busyUntil());
        assertTrue(f.isBusy(1_399_999));
        assertFalse(f.isBusy(1_400_000));
        f.at(1_100_000);                            // still busy: the next program waits
        f.program(1, new byte[1], 0, 1);             // 1.4 .. 1.8 ms
        assertEquals(1_800_000, f.busyUntil());
        f.at(10_000_000);                            // idle gap
        f.erase(0x1000, 0x1000);                     // 10 .. 55 ms
        assertEquals(55_000_000, f.busyUntil());
        assertEquals(45_800_000, f.busyNanos());
        assertThrows(IllegalArgumentException.class, () -> f.at(9_999_999));
    }

    @Test
    void refusedOperationsTakeNoTime() {
        TimedFlash f = nor(FlashTiming.Mode.TYPICAL);
        assertFlash(FlashException.Kind.MISALIGNED_ERASE, () -> f.erase(1, 0x1000));
        assertFlash(FlashException.Kind.CROSSES_PAGE, () -> f.program(0xff, new byte[2], 0, 2));
        assertFlash(FlashException.Kind.OUT_OF_RANGE, () -> f.read(Long.MAX_VALUE, new byte[2], 0, 2));
        assertEquals(0, f.busyNanos());
    }

    @Test
    void nandReadsAreChargedPerPageTouched() {
        NandGeometry g = NandGeometry.of(new FlashGeometry(1 << 20, 128 * 1024, 2048, 0xFF));
        TimedFlash f = new TimedFlash(SimulatedNandFlash.inMemory(g, NandFaults.NONE), MT29F, FlashTiming.Mode.TYPICAL);
        f.read(2040, new byte[16], 0, 16); // straddles pages 0 and 1
        assertEquals(50_000, f.busyNanos());
        f.erase(0, 128 * 1024);
        f.program(0, new byte[2048], 0, 2048);
        // 2 × 25 µs + 0.7 ms + 200 µs
        assertEquals(950_000, f.busyNanos());
    }

    @Test
    void timingTableChecksItsValues() {
        assertEquals(0, W25Q128.pageRead(FlashTiming.Mode.MAX));
        assertEquals(25_000, MT29F.pageRead(FlashTiming.Mode.TYPICAL));
        assertThrows(IllegalArgumentException.class, () -> new FlashTiming(0, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new FlashTiming(2, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new FlashTiming(1, 1, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> new FlashTiming(1, 1, 1, 1, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new FlashTiming(1, 1, 1, 1, 2, 1));
    }
}
