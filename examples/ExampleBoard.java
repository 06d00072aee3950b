import dev.netboot.device.Board;
import dev.netboot.device.ConfigException;
import dev.netboot.device.DeviceProfile;
import dev.netboot.flash.FileFlash;
import dev.netboot.flash.FlashException;
import dev.netboot.link.LinkException;
import dev.netboot.link.RawSocketLink;
import dev.netboot.tftp.TftpConfig;
import java.nio.file.Path;

/**
 * A board, wired by hand from netboot's device jar and nothing else: the raw Ethernet socket of an interface, NOR flash
 * kept in a file, a profile built in code (or read from a file), and the device's {@link Board} polled on the
 * monotonic clock until it has booted or failed. Run it with the device jar alone on the class path, as root (a raw
 * socket), on a segment with a DHCP or BOOTP server and a TFTP server:
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp netboot-device-0.1.0-SNAPSHOT.jar examples/ExampleBoard.java eth0 flash.img
 * </pre>
 *
 * It prints one line, "booted: ..." (exit 0) or "failed: ..." (exit 1), also when the interface, the flash file or
 * the profile file cannot be used. The flash file is created erased at the
 * profile's size if missing, and kept: a second run writes the other slot. A third argument names a profile file to
 * use instead of the built-in one (device-profiles/spi-nor-16m.profile says the same in text).
 */
public final class ExampleBoard {
    private ExampleBoard() {
    }

    /** This board: 16 MiB of SPI NOR in 4 KiB sectors, 64 KiB of RAM, two 6 MiB slots and their metadata. */
    static DeviceProfile profile() {
        return DeviceProfile.builder("example-board")
                .description("16 MiB SPI NOR, 64 KiB RAM")
                .ram(64 * 1024)
                .norFlash(16 << 20, 4096, 256)                        // size, erase unit, page
                .partition("loader", 0, 1 << 20)                      // the first-stage loader: never written
                .partition("slot-a", 1 << 20, 6 << 20)
                .partition("slot-b", 7 << 20, 6 << 20)
                .partition("meta", 13 << 20, 8 << 10)                 // two 4 KiB copies of the slot record
                .slots("slot-a", "slot-b", "meta")
                .tftp(TftpConfig.DEFAULTS.withBlockSize(TftpConfig.AUTO))   // the largest block the MTU carries
                .window(8)                                            // RFC 7440: 8 blocks per ACK
                .build();
    }

    public static void main(String[] args) {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: ExampleBoard INTERFACE FLASH_FILE [PROFILE_FILE]");
            System.exit(2);
        }
        boolean booted;
        try {
            booted = boot(args[0], Path.of(args[1]), args.length == 3 ? DeviceProfile.load(Path.of(args[2])) : profile());
        } catch (LinkException | FlashException | ConfigException e) {
            // No interface, no permission for a raw socket, a flash file that cannot be made, a profile file that is wrong.
            System.out.println("failed: " + e.getMessage());
            booted = false;
        }
        System.exit(booted ? 0 : 1);
    }

    /** Boots on {@code iface} into {@code flashFile}; prints the one line and returns whether the board booted. */
    static boolean boot(String iface, Path flashFile, DeviceProfile profile) {
        boolean booted;
        try (RawSocketLink link = RawSocketLink.open(iface); FileFlash flash = FileFlash.open(flashFile, profile.flash())) {
            Board board = Board.builder(profile).link(link).flash(flash).build();
            long origin = System.nanoTime();
            long limit = profile.bootp().giveUp() + 600_000_000_000L;     // DHCP's budget, then ten minutes for the image
            while (!board.finished() && System.nanoTime() - origin < limit) {
                board.poll(System.nanoTime() - origin);
                // Sleep until the board's next deadline or a frame, whichever comes first.
                long wait = board.pollAt() - (System.nanoTime() - origin);
                link.awaitFrame(Math.max(0, Math.min(wait, 1_000_000_000L)));
            }
            booted = switch (board.result()) {
                case Board.Result.Booted b -> {
                    System.out.println("booted: " + b.report().bytes() + " bytes from " + b.report().server() + " into slot "
                            + b.report().slot() + ", sha256 " + b.report().sha256() + ", address " + b.report().address());
                    yield true;
                }
                case Board.Result.Failed f -> {
                    System.out.println("failed: [" + f.failure().stage() + "] " + f.failure().message());
                    yield false;
                }
                case Board.Result.Running r -> {
                    System.out.println("failed: still in stage " + r.stage() + " after " + limit / 1_000_000_000L + " s");
                    yield false;
                }
            };
        }
        return booted;
    }
}
