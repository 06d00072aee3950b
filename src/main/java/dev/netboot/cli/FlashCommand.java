package dev.netboot.cli;

import dev.netboot.device.ConfigException;
import dev.netboot.device.DeviceProfile;
import dev.netboot.flash.BootSlots;
import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashException;
import dev.netboot.flash.Flashes;
import dev.netboot.flash.Partition;
import dev.netboot.flash.SlotMetadata;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code netboot flash ...}: look at a board's flash file. */
@Command(name = "flash", mixinStandardHelpOptions = true,
        description = "Look at a board's flash file, or do what its bootloader and its OS do with the A/B slots.",
        subcommands = {FlashCommand.Inspect.class, FlashCommand.Select.class, FlashCommand.Confirm.class})
final class FlashCommand implements Runnable {
    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command (try: netboot flash inspect)");
    }

    /**
     * {@code netboot flash inspect}: the A/B slots of a flash file, which one is active and pending, and
     * whether the active one's content matches its record. Reads only: unlike a boot's slot selection it
     * never writes the metadata (a pending trial keeps its tries).
     */
    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = {"Show the boot slots of a flash file: which is active or pending, and whether the active image reads back "
                    + "with its recorded length and SHA-256. Reads only.",
                    "Exit status: 0 the active slot checks out, 1 no active slot or it fails its check, 2 usage or profile error."})
    static final class Inspect extends FlashFile implements Callable<Integer> {
        @Override
        public Integer call() {
            PrintStream out = System.out;
            PrintStream err = System.err;
            DeviceProfile prof;
            try {
                prof = DeviceProfile.resolve(profile, Home.profiles());
            } catch (ConfigException e) {
                err.println("netboot: " + e.getMessage());
                return Main.EXIT_USAGE;
            }
            if (!Files.isRegularFile(flashFile)) {
                err.println("netboot: " + flashFile + ": no such file");
                return Main.EXIT_USAGE;
            }
            try (Flash flash = Flashes.open(prof.chip(), flashFile, 0)) {
                BootSlots slots = prof.bootSlots(flash);
                SlotMetadata m = slots.load();
                int active = m.active();
                Json j = Json.object();
                j.put("profile", prof.name());
                j.put("flashFile", flashFile.toString());
                j.put("sequence", m.sequence());
                j.put("activeSlot", BootSlots.name(active));
                boolean activeValid = false;
                String activeSha = null;
                List<Object> slotList = new ArrayList<>();
                String[] lines = new String[2];
                for (int i = 0; i < 2; i++) {
                    SlotMetadata.Slot s = m.slot(i);
                    Partition p = prof.slot(i);
                    boolean checks = s.valid() && slots.checks(m, i);
                    String actual = s.valid() ? HexFormat.of().formatHex(slots.digest(i, Math.min(s.length(), p.size()))) : null;
                    if (i == active) {
                        activeValid = checks;
                        activeSha = actual;
                    }
                    Json sj = Json.object();
                    sj.put("slot", BootSlots.name(i));
                    sj.put("partition", p.name());
                    sj.put("offset", p.offset());
                    sj.put("size", p.size());
                    sj.put("state", s.valid() ? "valid" : "empty");
                    sj.put("active", i == active);
                    sj.put("pending", m.pending() && i == active);
                    sj.put("length", s.length());
                    if (s.valid()) {
                        sj.put("recordedSha256", s.sha256Hex());
                        sj.put("sha256", actual);
                    } else {
                        sj.putNull("recordedSha256");
                        sj.putNull("sha256");
                    }
                    sj.put("checks", checks);
                    slotList.add(sj);
                    lines[i] = String.format(Locale.ROOT, "  slot %s  %-8s at 0x%07x  %s%s%s", BootSlots.name(i), p.name(), p.offset(),
                            s.valid() ? s.length() + " bytes, sha256 " + s.sha256Hex() + (checks ? ", checks" : ", FAILS its check")
                                    : "empty",
                            i == active ? "  <- active" : "", m.pending() && i == active ? " (pending, " + m.triesLeft()
                                    + " tries left, else " + BootSlots.name(m.previous()) + ")" : "");
                }
                j.put("activeValid", activeValid);
                if (activeSha == null) {
                    j.putNull("activeSha256");
                } else {
                    j.put("activeSha256", activeSha);
                }
                j.put("pending", m.pending());
                j.put("triesLeft", m.triesLeft());
                j.put("fallbackSlot", BootSlots.name(m.previous()));
                j.putArray("slots", slotList);
                if (json) {
                    out.println(j);
                } else {
                    out.printf(Locale.ROOT, "%s (%s), metadata sequence %d: active slot %s%s%n", flashFile, prof.name(), m.sequence(),
                            BootSlots.name(active), active == SlotMetadata.NONE ? "" : activeValid ? " (checks)" : " (FAILS its check)");
                    for (String l : lines) {
                        out.println(l);
                    }
                }
                return activeValid ? 0 : Main.EXIT_FAILED;
            } catch (FlashException e) {
                err.println("netboot: " + flashFile + ": " + e.getMessage());
                return Main.EXIT_USAGE;
            } catch (IllegalArgumentException e) {
                err.println("netboot: profile " + prof.name() + " does not fit its flash: " + e.getMessage());
                return Main.EXIT_USAGE;
            }
        }
    }

    /** The options every subcommand that opens a flash file takes. */
    static class FlashFile {
        @Option(names = "--profile", paramLabel = "NAME|FILE",
                description = "Board profile: a name in device-profiles/ or a path (default: ${DEFAULT-VALUE}).",
                defaultValue = DeviceProfile.DEFAULT_NAME)
        String profile;

        @Option(names = "--flash-file", paramLabel = "FILE", required = true, description = "The board's flash file (as written by boot).")
        Path flashFile;

        @Option(names = "--json", description = "Print one JSON object on stdout instead of a line of text.")
        boolean json;

        /** Opens the slots, runs {@code action}, prints its JSON or text; usage problems are exit 2. */
        int run(java.util.function.BiFunction<BootSlots, Json, String> action, java.util.function.Predicate<Json> ok) {
            DeviceProfile prof;
            try {
                prof = DeviceProfile.resolve(profile, Home.profiles());
            } catch (ConfigException e) {
                System.err.println("netboot: " + e.getMessage());
                return Main.EXIT_USAGE;
            }
            if (!Files.isRegularFile(flashFile)) {
                System.err.println("netboot: " + flashFile + ": no such file");
                return Main.EXIT_USAGE;
            }
            try (Flash flash = Flashes.open(prof.chip(), flashFile, 0)) {
                Json j = Json.object();
                String text = action.apply(prof.bootSlots(flash), j);
                System.out.println(json ? j.toString() : text);
                return ok.test(j) ? 0 : Main.EXIT_FAILED;
            } catch (FlashException e) {
                System.err.println("netboot: " + flashFile + ": " + e.getMessage());
                return Main.EXIT_USAGE;
            } catch (IllegalArgumentException e) {
                System.err.println("netboot: profile " + prof.name() + " does not fit its flash: " + e.getMessage());
                return Main.EXIT_USAGE;
            }
        }
    }

    /**
     * {@code netboot flash select}: what the board's bootloader does at power-up. It chooses the slot to
     * boot from the newest valid metadata, never a slot whose content fails its check; a pending trial
     * slot uses up one try, and with none left the previous slot becomes active again (this writes the
     * metadata, as a bootloader would).
     */
    @Command(name = "select", mixinStandardHelpOptions = true,
            description = {"Do what the bootloader does at power-up: choose the slot to boot (a pending trial uses up a try; "
                    + "with none left the previous slot is active again).",
                    "Exit status: 0 a verified slot was chosen, 1 no slot holds a verified image, 2 usage or profile error."})
    static final class Select extends FlashFile implements Callable<Integer> {
        @Override
        public Integer call() {
            boolean[] chosen = new boolean[1];
            return run((slots, j) -> {
                BootSlots.Selection sel = slots.select();
                SlotMetadata m = slots.current();
                chosen[0] = sel.slot() != SlotMetadata.NONE;
                j.put("bootSlot", BootSlots.name(sel.slot()));
                j.put("verified", sel.verified());
                j.put("note", sel.note());
                j.put("activeSlot", BootSlots.name(m.active()));
                j.put("pending", m.pending());
                j.put("triesLeft", m.triesLeft());
                return "boot slot " + BootSlots.name(sel.slot()) + ": " + sel.note()
                        + (m.pending() ? " (pending, " + m.triesLeft() + " tries left)" : "");
            }, j -> chosen[0]);
        }
    }

    /** {@code netboot flash confirm}: what the booted OS does once it is healthy: the pending slot stays active for good. */
    @Command(name = "confirm", mixinStandardHelpOptions = true,
            description = {"Confirm a pending trial slot, as the booted system does once it is healthy; nothing to do when none is pending.",
                    "Exit status: 0 done, 2 usage or profile error."})
    static final class Confirm extends FlashFile implements Callable<Integer> {
        @Override
        public Integer call() {
            return run((slots, j) -> {
                SlotMetadata before = slots.load();
                slots.confirm();
                SlotMetadata after = slots.current();
                j.put("activeSlot", BootSlots.name(after.active()));
                j.put("confirmed", before.pending());
                return before.pending() ? "slot " + BootSlots.name(after.active()) + " confirmed"
                        : "nothing pending; slot " + BootSlots.name(after.active()) + " is active";
            }, j -> true);
        }
    }
}
