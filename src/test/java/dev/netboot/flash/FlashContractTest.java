package dev.netboot.flash;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netboot.testkit.FlashContract;
import org.junit.jupiter.api.Test;

/**
 * netboot's own flashes: the test kit's {@link FlashContract} (the rules and the power-cut sweep, one suite for
 * every implementation, ours and a user's), and what only ours promise: the exact words of each refusal
 * ({@code FlashRules}), and which refusal wins when a call breaks two rules. Each implementation's test extends this
 * class.
 */
abstract class FlashContractTest extends FlashContract {
    @Test
    void refusalsSayWhatWasAskedAndWhatWasExpected() {
        Flash f = open(SMALL);
        f.program(0x200, new byte[] {0x0F, 0x0F, 0x0F}, 0, 3);
        assertEquals("program at 0x200 len 3: byte at 0x202 is 0x0f, data 0x1f needs bits 0->1 (expected: erase first)",
                assertFlash(FlashException.Kind.NOT_ERASED, () -> f.program(0x200, new byte[] {0x0E, 0x00, 0x1F}, 0, 3)).getMessage());
        assertEquals("erase at 0x1001 len 4096: offset not on a 4096-byte erase unit (expected: 0x1000 or 0x2000)",
                assertFlash(FlashException.Kind.MISALIGNED_ERASE, () -> f.erase(0x1001, 0x1000)).getMessage());
        assertEquals("program at 0xf0 len 32 crosses the 256-byte page at 0x0 (expected: within one page)",
                assertFlash(FlashException.Kind.CROSSES_PAGE, () -> f.program(0xf0, new byte[32], 0, 32)).getMessage());
        // Past the end and across a page at once: ours check the range first.
        assertFlash(FlashException.Kind.OUT_OF_RANGE, () -> f.program(0xFFFF, new byte[2], 0, 2));
    }
}
