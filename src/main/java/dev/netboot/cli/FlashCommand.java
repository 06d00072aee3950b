package dev.netboot.cli;

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
import java.util.Arrays;
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
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), NetbootCommand.missingCommand(spec));
    }

    /**
     * What one flash subcommand did.
     *
     * @param ok   exit 0 (else 1)
     * @param text the line(s) shown without --json
     */
    record Done(boolean ok, String text) {
    }

    /** One subcommand's work on the opened slots; it fills the JSON object. */
    interface Action {
        Done apply(DeviceProfile profile, BootSlots slots, Json j);
    }

    /** The options every subcommand that opens a flash file takes. */
    static class FlashFile {
        @Option(names = "--profile", paramLabel = "NAME|FILE",
                description = "Board profile: a name in device-profiles/ or a path (default: the one boot recorded beside the "
                        + "flash file as FILE.profile, else " + DeviceProfile.DEFAULT_NAME + ").")
        String profile;

        @Option(names = "--flash-file", paramLabel = "FILE", required = true, description = "The board's flash file (as written by boot).")
        Path flashFile;

        @Option(names = "--json", description = "Print one JSON object on stdout instead of text.")
        boolean json;

        /**
         * Opens the flash file with its profile (recorded beside it, or --profile, or the default), runs
         * {@code action}, prints its JSON or text. Usage problems are one line and exit 2 (and, with --json,
         * one object); {@code action}'s verdict is exit 0 or 1.
         */
        int run(Action action) {
            return run(action, false);
        }

        /** Runs {@code action} as {@link #run(Action)} does, holding the flash file's lock shared when it {@code readsOnly}. */
        int run(Action action, boolean readsOnly) {
            PrintStream out = System.out;
            if (Files.isDirectory(flashFile)) {
                return BootSummary.refused(json, Main.EXIT_USAGE, "usage", flashFile + ": is a directory (expected: a flash file)",
                        out, System.err);
            }
            if (!Files.isRegularFile(flashFile)) {
                return BootSummary.refused(json, Main.EXIT_USAGE, "usage", flashFile + (Files.exists(flashFile)
                        ? ": not a regular file (expected: a flash file)" : ": no such file"), out, System.err);
            }
            FlashProfiles.Choice choice;
            try {
                choice = FlashProfiles.choose(profile, flashFile);
                FlashProfiles.checkSize(flashFile, choice);
                FlashProfiles.checkSlots(flashFile, profile, choice);
            } catch (UsageError e) {
                return BootSummary.refused(json, Main.EXIT_USAGE, "usage", e.getMessage(), out, System.err);
            }
            DeviceProfile prof = choice.profile();
            java.nio.channels.FileChannel lock = null;
            try (Flash flash = readsOnly ? Flashes.openReadOnly(prof.chip(), flashFile) : Flashes.open(prof.chip(), flashFile, 0)) {
                // One run at a time on a board's flash ({@link FlashLock}): a select or confirm writes its metadata. Taken
                // once the file is mapped, and held until the flash is closed: a process's lock on a file goes when it closes
                // any descriptor of it (fcntl), and the checks above and the mapping each open and close one.
                lock = FlashLock.take(flashFile, readsOnly);
                Json j = Json.object();
                Json body = Json.object();
                Done done = action.apply(prof, prof.bootSlots(flash), body);
                j.put("result", done.ok() ? "ok" : "error");
                j.put("profile", prof.name());
                j.put("flashFile", flashFile.toString());
                j.putAll(body);
                out.println(json ? j.toString() : done.text());
                return done.ok() ? 0 : Main.EXIT_FAILED;
            } catch (UsageError e) {
                return BootSummary.refused(json, Main.EXIT_USAGE, "usage", e.getMessage(), out, System.err);
            } catch (FlashException e) {
                return BootSummary.refused(json, Main.EXIT_USAGE, "usage", flashFile + " (" + choice.how() + "): " + e.getMessage(),
                        out, System.err);
            } catch (IllegalArgumentException e) {
                return BootSummary.refused(json, Main.EXIT_USAGE, "usage", "profile " + prof.name() + " does not fit its flash: "
                        + e.getMessage(), out, System.err);
            } catch (InternalError e) {
                String fault = IoProblems.mappedFault(flashFile, e);
                if (fault == null) {
                    throw e;
                }
                return BootSummary.refused(json, Main.EXIT_FAILED, "flash", fault, out, System.err);
            } finally {
                FlashLock.release(lock); // after the flash is closed: the next run sees all this one wrote
            }
        }
    }

    /** Returns "1 try left", "2 tries left". */
    static String triesLeft(int n) {
        return n + (n == 1 ? " try" : " tries") + " left";
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
            return run((prof, slots, j) -> {
                SlotMetadata m = slots.load();
                int active = m.active();
                j.put("sequence", m.sequence());
                j.put("activeSlot", BootSlots.name(active));
                boolean activeValid = false;
                String activeSha = null;
                List<Object> slotList = new ArrayList<>();
                String[] lines = new String[2];
                for (int i = 0; i < 2; i++) {
                    SlotMetadata.Slot s = m.slot(i);
                    Partition p = prof.slot(i);
                    // Read back once: what the slot holds and whether that is its record's image (BootSlots#checks). A
                    // slot that cannot be read back fails its check, as the bootloader takes it; the file is still usable.
                    byte[] back = s.valid() ? slots.readBack(i, Math.min(s.length(), p.size())) : null;
                    boolean checks = s.valid() && s.length() <= p.size() && Arrays.equals(back, s.sha256());
                    String actual = back == null ? null : HexFormat.of().formatHex(back);
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
                    if (s.valid() && s.signed()) {
                        sj.put("signedBy", SlotMetadata.keyIdHex(s.signer()));
                    } else {
                        sj.putNull("signedBy");
                    }
                    slotList.add(sj);
                    lines[i] = String.format(Locale.ROOT, "  slot %s  %-8s at 0x%07x  %s%s%s", BootSlots.name(i), p.name(), p.offset(),
                            s.valid() ? s.length() + " bytes, sha256 " + s.sha256Hex() + (checks ? ", checks" : ", FAILS its check")
                                    + (actual == null ? " (it cannot be read back)" : "")
                                    + (s.signed() ? ", signed by key " + SlotMetadata.keyIdHex(s.signer()) : "") : "empty",
                            i == active ? "  <- active" : "", m.pending() && i == active ? " (pending, " + triesLeft(m.triesLeft())
                                    + ", else " + BootSlots.name(m.previous()) + ")" : "");
                }
                if (!activeValid) {
                    j.put("error", active == SlotMetadata.NONE ? "no active slot"
                            : "active slot " + BootSlots.name(active) + " fails its check");
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
                StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%s (profile %s), metadata sequence %d: active slot %s%s",
                        flashFile, prof.name(), m.sequence(), BootSlots.name(active),
                        active == SlotMetadata.NONE ? "" : activeValid ? " (checks)" : " (FAILS its check)"));
                for (String l : lines) {
                    text.append(System.lineSeparator()).append(l);
                }
                return new Done(activeValid, text.toString());
            }, true);
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
            return run((prof, slots, j) -> {
                BootSlots.Selection sel = slots.select();
                SlotMetadata m = slots.current();
                boolean chosen = sel.slot() != SlotMetadata.NONE;
                if (!chosen) {
                    j.put("error", sel.note());
                }
                j.put("bootSlot", BootSlots.name(sel.slot()));
                j.put("verified", sel.verified());
                j.put("note", sel.note());
                j.put("activeSlot", BootSlots.name(m.active()));
                j.put("pending", m.pending());
                j.put("triesLeft", m.triesLeft());
                return new Done(chosen, "boot slot " + BootSlots.name(sel.slot()) + ": " + sel.note()
                        + (m.pending() ? " (pending, " + triesLeft(m.triesLeft()) + ")" : ""));
            });
        }
    }

    /** {@code netboot flash confirm}: what the booted OS does once it is healthy: the pending slot stays active for good. */
    @Command(name = "confirm", mixinStandardHelpOptions = true,
            description = {"Confirm a pending trial slot, as the booted system does once it is healthy; nothing to do when none is pending.",
                    "Exit status: 0 done, 2 usage or profile error."})
    static final class Confirm extends FlashFile implements Callable<Integer> {
        @Override
        public Integer call() {
            return run((prof, slots, j) -> {
                SlotMetadata before = slots.load();
                if (before.pending() && !slots.checks(before, before.active())) {
                    // Confirming is for a healthy system: this slot the bootloader would not boot; keep its fallback.
                    int fallback = before.previous();
                    String why = "slot " + BootSlots.name(before.active()) + " is pending but fails its check: not confirmed; "
                            + (fallback != SlotMetadata.NONE && slots.checks(before, fallback)
                            ? "slot " + BootSlots.name(fallback) + ", its fallback, boots instead" : "no slot checks out");
                    j.put("activeSlot", BootSlots.name(before.active()));
                    j.put("confirmed", false);
                    j.put("error", why);
                    return new Done(false, why);
                }
                slots.confirm();
                SlotMetadata after = slots.current();
                j.put("activeSlot", BootSlots.name(after.active()));
                j.put("confirmed", before.pending());
                return new Done(true, before.pending() ? "slot " + BootSlots.name(after.active()) + " confirmed"
                        : "nothing pending; slot " + BootSlots.name(after.active()) + " is active");
            });
        }
    }
}
