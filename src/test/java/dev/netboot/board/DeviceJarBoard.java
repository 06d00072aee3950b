package dev.netboot.board;

import dev.netboot.device.BootObserver;
import dev.netboot.device.BootReport;
import dev.netboot.device.BootSequence;
import dev.netboot.device.DeviceProfile;
import dev.netboot.device.RealTimeBoot;
import dev.netboot.flash.FileFlash;
import dev.netboot.flash.FlashType;
import dev.netboot.link.RawSocketLink;
import dev.netboot.net.NetConfig;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A board built from the device-only jar and nothing else: {@code java -cp netboot-VERSION-device.jar:DIR
 * dev.netboot.board.DeviceJarBoard IFACE PROFILE FLASH_FILE}. It wires what a board's firmware would: the
 * raw socket on the interface, its profile, NOR flash in a file ({@link FileFlash}), and the boot state
 * machine in real time. Prints one line: "ok BYTES SHA256 SLOT" or "failed STAGE: REASON"; exit 0 or 1.
 * DeviceJarTest runs it with only the device jar and this class on the class path.
 */
public final class DeviceJarBoard {
    private DeviceJarBoard() {
    }

    public static void main(String[] args) {
        DeviceProfile profile = DeviceProfile.load(Path.of(args[1]));
        if (profile.type() != FlashType.NOR) {
            throw new IllegalArgumentException("FileFlash is NOR flash; profile " + profile.name() + " is " + profile.type());
        }
        try (RawSocketLink link = RawSocketLink.open(args[0]); FileFlash flash = FileFlash.open(Path.of(args[2]), profile.flash())) {
            BootSequence boot = new BootSequence(link, link.macAddress(), profile, NetConfig.DEFAULTS, flash, new SplittableRandom(),
                    new BootObserver() { });
            RealTimeBoot.Result r = RealTimeBoot.run(boot, link, profile.bootp().giveUp() + 600_000_000_000L);
            switch (r.state()) {
                case BootSequence.State.Done(BootReport report) -> {
                    System.out.println("ok " + report.bytes() + " " + report.sha256() + " " + report.slot()
                            + " max-heap " + Runtime.getRuntime().maxMemory());
                    return;
                }
                case BootSequence.State.Failed f -> System.out.println("failed " + f.failure());
                default -> System.out.println("failed: stopped in " + r.state());
            }
        }
        System.exit(1);
    }
}
