package dev.netboot.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import dev.netboot.device.Board;
import dev.netboot.device.BootFailure;
import dev.netboot.device.BootReport;
import dev.netboot.device.DeviceProfile;
import dev.netboot.emulator.EmulatedPort;
import dev.netboot.flash.BootSlots;
import dev.netboot.flash.Flash;
import dev.netboot.flash.SlotMetadata;
import dev.netboot.flash.SlotReader;
import dev.netboot.wire.MacAddress;
import java.io.ByteArrayOutputStream;

/**
 * A board on a {@link TestLan}: the device's own {@link Board} on an emulator port, with a flash (a simulated chip of
 * its profile, or yours), powered on when it was made. {@link #boot()} runs the LAN in virtual time until this board
 * has booted or failed; the flash can then be read and the bootloader's choice checked.
 */
public final class TestBoard {
    private final TestLan lan;
    private final Board board;
    private final DeviceProfile profile;
    private final Flash flash;
    private final EmulatedPort port;

    TestBoard(TestLan lan, Board board, DeviceProfile profile, Flash flash, EmulatedPort port) {
        this.lan = lan;
        this.board = board;
        this.profile = profile;
        this.flash = flash;
        this.port = port;
    }

    /** Returns the device's board (the same class a firmware builds). */
    public Board board() {
        return board;
    }

    /** Returns the board's profile. */
    public DeviceProfile profile() {
        return profile;
    }

    /** Returns the board's flash as it holds the bytes (without the timing the board sees it through). */
    public Flash flash() {
        return flash;
    }

    /** Returns the board's MAC address. */
    public MacAddress mac() {
        return port.macAddress();
    }

    /** Returns the board's port on the LAN. */
    public EmulatedPort port() {
        return port;
    }

    /**
     * Runs the LAN in virtual time (every board and server on it) until this board has booted or failed, or nothing
     * more is scheduled, or the profile's DHCP budget and an hour more have passed; returns the board's result.
     */
    public Board.Result boot() {
        lan.runUntil(board::finished, profile.bootp().giveUp() + 3_600_000_000_000L);
        return board.result();
    }

    /**
     * Boots ({@link #boot()}) and returns the report.
     *
     * @throws AssertionError naming the stage and the reason when the board did not boot
     */
    public BootReport booted() {
        return switch (boot()) {
            case Board.Result.Booted b -> b.report();
            case Board.Result.Failed f -> fail("board " + mac() + " failed in stage " + f.failure().stage() + ": " + f.failure().message());
            case Board.Result.Running r -> fail("board " + mac() + " still in stage " + r.stage() + " when the LAN ran out of events or time");
        };
    }

    /**
     * Boots ({@link #boot()}) and returns why it failed.
     *
     * @throws AssertionError when the board booted or is still running
     */
    public BootFailure failed() {
        return switch (boot()) {
            case Board.Result.Failed f -> f.failure();
            case Board.Result.Booted b -> fail("board " + mac() + " booted " + b.report().bytes() + " bytes into slot " + b.report().slot()
                    + " (expected: a failure)");
            case Board.Result.Running r -> fail("board " + mac() + " still in stage " + r.stage() + " (expected: a failure)");
        };
    }

    /** Returns the board's A/B slots on its flash. */
    public BootSlots slots() {
        return profile.bootSlots(flash);
    }

    /** Returns what the bootloader boots at the next power-up ({@link BootSlots#select()}: it may write a trial's count). */
    public BootSlots.Selection powerUp() {
        return slots().select();
    }

    /**
     * Returns the image slot {@code slot} ("A" or "B") holds, as long as its metadata record says and read back as the
     * writer laid it out (bad units skipped); empty when the record says the slot holds none.
     */
    public byte[] image(String slot) {
        int i = switch (slot) {
            case "A" -> 0;
            case "B" -> 1;
            default -> throw new IllegalArgumentException("slot '" + slot + "' (expected: A or B)");
        };
        SlotMetadata.Slot s = slots().load().slot(i);
        if (!s.valid()) {
            return new byte[0];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SlotReader.read(flash, profile.slot(i), s.length(), new byte[profile.flash().pageSize()], (b, n) -> out.write(b, 0, n));
        return out.toByteArray();
    }

    @Override
    public String toString() {
        return "board " + mac() + " (" + profile.name() + ")";
    }
}
