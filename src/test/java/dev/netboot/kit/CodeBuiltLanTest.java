package dev.netboot.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netboot.device.BootReport;
import dev.netboot.device.DeviceProfile;
import dev.netboot.emulator.Scenario;
import dev.netboot.flash.FlashTiming;
import dev.netboot.testkit.NetbootExtension;
import dev.netboot.testkit.TestBoard;
import dev.netboot.testkit.TestLan;
import dev.netboot.wire.Ipv4Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A LAN and a board built in code, no file: the extension registered with a scenario (the default one behind the
 * relay router, 1 ms each way) and a profile from the builder (a 4 MiB NOR, 32 KiB of RAM, two 1 MiB slots).
 */
class CodeBuiltLanTest {
    static final DeviceProfile BOARD = DeviceProfile.builder("tiny-board").ram(32 * 1024).norFlash(4 << 20, 4096, 256)
            .partition("meta", 0, 8192).partition("a", 1 << 20, 1 << 20).partition("b", 2 << 20, 1 << 20).slots("a", "b", "meta")
            .build();

    @RegisterExtension
    static final NetbootExtension LAN = NetbootExtension.of(Scenario.DEFAULT.withRelay(Scenario.Relay.DEFAULT).withLatency(1_000_000),
            BOARD).flashTiming(FlashTiming.Mode.TYPICAL);

    @Test
    void aBoardBuiltInCodeBootsOnALanBuiltInCode(TestLan lan, TestBoard board) {
        byte[] img = lan.serve(TestLan.image(70_000, 4));
        BootReport r = board.booted();
        assertEquals(TestLan.sha256(img), r.sha256());
        assertEquals("a", r.partition());
        assertEquals(Ipv4Address.parse("10.0.1.42"), r.address());
        // Plain RFC 1350 (the builder's TFTP default, as a profile without [tftp]): 512-byte blocks, lock-step.
        assertEquals(512, r.blockSize());
        // 136 blocks of 512 and one of 368; every DATA twice in the capture: as it reached the router and as it left it.
        assertEquals(2 * 137, lan.capture().count("TFTP DATA"));
    }
}
