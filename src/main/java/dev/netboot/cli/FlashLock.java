package dev.netboot.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One netboot run at a time on a flash file, as one bootloader and one updater run on a board: {@code boot} and
 * {@code flash select}/{@code confirm}, which write the slot metadata, hold the file's lock (exclusive) while they plan
 * and write; {@code flash inspect}, which only reads, holds it shared. Without it two boots on one file both chose the
 * same slot, wrote their images over each other and each said "slot B is active" with its own SHA-256, exit 0, while the
 * board held one of them (or neither, had their writes interleaved). The lock is the file system's advisory lock
 * ({@code fcntl} on Linux): the kernel drops it when the run ends, however it ends.
 */
final class FlashLock {
    private FlashLock() {
    }

    /**
     * Takes the lock of the existing {@code flashFile}; closing the returned channel releases it.
     *
     * @param shared true for a run that only reads
     * @throws UsageError when another run holds it, or the file cannot be opened
     */
    static FileChannel take(Path flashFile, boolean shared) {
        FileChannel ch;
        try {
            ch = shared ? FileChannel.open(flashFile, StandardOpenOption.READ)
                    : FileChannel.open(flashFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UsageError(IoProblems.of(flashFile, e));
        }
        FileLock lock;
        try {
            lock = ch.tryLock(0, Long.MAX_VALUE, shared);
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this JVM: another run in the same process
        } catch (IOException e) {
            release(ch);
            throw new UsageError("cannot lock " + IoProblems.of(flashFile, e));
        }
        if (lock == null) {
            release(ch);
            throw new UsageError(flashFile + ": another netboot run is using this flash file (expected: one boot, flash select or"
                    + " flash confirm at a time on a board's flash; run this once that one has ended)");
        }
        return ch;
    }

    /** Gives the lock up: closes {@code ch} (null: nothing to do). */
    static void release(FileChannel ch) {
        if (ch == null) {
            return;
        }
        try {
            ch.close();
        } catch (IOException e) {
            // the lock, if any, goes with the channel; the caller reports why it gave up
        }
    }
}
