package dev.netboot.device;

import dev.netboot.flash.FlashType;
import dev.netboot.flash.FlashWriter;
import dev.netboot.tftp.TftpConfig;

/**
 * How a board shares its RAM ({@code [board] ram}) while it boots, worked out once from the profile and the
 * link: whatever window or block size is asked, on the command line or in the profile, the buffers stay
 * within it.
 *
 * <pre>
 *   ram = fixed         two Ethernet frames and the flash writer's two pages ({@link DeviceProfile#minimumRam})
 *       + writer extra  a whole erase unit instead of a page, when the writer skips unchanged units (NOR)
 *       + reorder       blocks that arrived ahead of a gap, held until it fills ({@link #reorderBytes})
 *       + flash buffer  image bytes received and not yet started on the chip, the writer's partly filled
 *                       page or unit included ({@link #flashBuffer})
 * </pre>
 *
 * <p>In-order blocks go straight to the flash writer; only out-of-order blocks, and bytes a busy chip has
 * not taken yet, need RAM. So the window is limited by RAM only when the flash paces the transfer:
 *
 * <ul>
 *   <li><b>Flash that takes time</b> (a timed chip): the spare RAM must hold a whole window out of order
 *       <em>and</em> a whole window and a page waiting for the chip (so a held ACK can ask for a window that
 *       then fits), and the flash buffer at least twice a block and the writer's buffer; the reorder buffer
 *       gets the window and the flash buffer the rest. A window asked for that does not fit is lowered to the
 *       largest that does, and a block size with not even that room to the largest that has; the {@link #note}
 *       says so. With {@code windowsize = auto} the window is the largest whose flash buffer holds two windows
 *       (so the chip has a window to program while the next one crosses the network after a held ACK; with one,
 *       it idles a round trip per window), beside a NOR writer that skips unchanged units when that fits,
 *       without a note; the path may ask for less (see {@code PathWindow}).</li>
 *   <li><b>Flash that takes no time</b> ({@code --flash-timing none}: each block is programmed as it comes):
 *       the window is what was asked (for {@code auto}: what the path needs), the flash buffer the least it
 *       can be, and the reorder buffer the rest, in whole blocks. Blocks past what it holds are dropped at a
 *       hole and come again after the gap ACK.</li>
 * </ul>
 *
 * <p>The bound does not rest on the request alone: the flash buffer and the reorder buffer are hard
 * limits. A block that finds no room is dropped, not kept: ahead of a gap when the reorder buffer is full,
 * in order when the flash buffer is full (the client holds its ACK until the chip has made room, and the
 * server sends the block again), so a server that sends more than it granted cannot overrun the RAM.
 *
 * @param ram          the profile's RAM budget, bytes
 * @param writer       the flash writer's mode: skip unchanged units when its extra unit fits besides the rest
 * @param blockSize    the TFTP block size to ask for (the profile's or the command line's, lowered only when
 *                     RAM cannot hold one such block)
 * @param window       the TFTP window to ask for (RFC 7440; 1 is lock-step): as given, or the largest the RAM
 *                     holds; with {@code windowsize = auto}, the most the board may ask for
 *                     ({@link TftpConfig#MAX_WINDOW_SIZE} when the flash takes no time), the path choosing below it
 * @param reorderBytes RAM for blocks ahead of a gap: whole blocks, at most {@code window} of them
 * @param flashBuffer  RAM for image bytes waiting for the chip
 * @param note         what does not fit and what the board does about it, in one line; null when all fits
 */
public record RamBudget(long ram, FlashWriter.Options writer, int blockSize, int window, long reorderBytes, long flashBuffer,
                        String note) {

    /** Shares the RAM of {@code profile} for a flash that takes time ({@link #of(DeviceProfile, int, boolean)}). */
    public static RamBudget of(DeviceProfile profile, int maxUdpPayload) {
        return of(profile, maxUdpPayload, true);
    }

    /**
     * Shares the RAM of {@code profile} on a link whose largest UDP payload is {@code maxUdpPayload}; {@code paced}
     * says whether the flash takes time, so that received bytes can wait for it (class comment).
     *
     * @throws IllegalArgumentException when the RAM cannot hold even an 8-byte block beyond the fixed buffers
     */
    public static RamBudget of(DeviceProfile profile, int maxUdpPayload, boolean paced) {
        TftpConfig t = profile.tftp();
        long ram = profile.ramBudget();
        int page = profile.flash().pageSize();
        int unit = profile.flash().eraseUnit();
        // Without options the server sends 512-byte blocks in lock-step (RFC 1350), whatever the config says.
        int asked = t.options() ? t.requestedBlockSize(maxUdpPayload) : 512;
        boolean auto = t.options() && t.windowSize() == TftpConfig.AUTO;
        int window = !t.options() ? 1 : auto ? TftpConfig.MAX_WINDOW_SIZE : t.windowSize();
        long spare = ram - DeviceProfile.minimumRam(profile.flash());
        int block = asked;
        String lowered = null;
        if (spare < floor(block, page)) {
            // Not room for one block beyond the writer's page: ask for smaller blocks (RFC 2348 lets the client choose).
            long fits = spare / 2 - page;
            if (!t.options() || fits < TftpConfig.MIN_BLOCK_SIZE) {
                int least = t.options() ? TftpConfig.MIN_BLOCK_SIZE : 512;
                throw new IllegalArgumentException("profile " + profile.name() + ": " + ram + " bytes of RAM leave " + Math.max(0, spare)
                        + " beyond the fixed buffers, too few for " + least + "-byte TFTP blocks (expected: ram of at least "
                        + DeviceProfile.leastRam(profile.flash(), t) + ")");
            }
            block = (int) fits;
            lowered = "asking for " + block + "-byte blocks instead of " + asked;
        }
        String blockNote = lowered == null ? null : "ram " + ram + " bytes: " + lowered;
        long profileCap = window > 1 ? t.reorderBudget() : 0;
        boolean nor = profile.type() == FlashType.NOR;
        if (!paced) {
            // NOR skips units that already hold the data (sf update) when its unit fits beside the least flash
            // buffer and a block held out of order; NAND streams (see below).
            boolean skip = nor && spare - (unit - page) >= floor(block, unit) + (window > 1 ? block : 0);
            long shared = spare - (skip ? unit - page : 0);
            long rest = shared - floor(block, skip ? unit : page);
            long reorder = window > 1 ? Math.min(Math.min((long) window * block, profileCap), rest / block * block) : 0;
            return new RamBudget(ram, skip ? FlashWriter.Options.SKIP_UNCHANGED : FlashWriter.Options.DEFAULTS, block, window,
                    reorder, shared - reorder, blockNote);
        }
        if (auto) {
            // As large as fits, the NOR writer's unit first: it saves every unchanged unit's erase and programs.
            int withUnit = nor ? fitting(window, block, spare - (unit - page), page, unit, 2) : 0;
            boolean skip = withUnit > 1;
            int w = skip ? withUnit : fitting(window, block, spare, page, page, 2);
            long shared = spare - (skip ? unit - page : 0);
            long reorder = w > 1 ? Math.min((long) w * block, profileCap) : 0;
            return new RamBudget(ram, skip ? FlashWriter.Options.SKIP_UNCHANGED : FlashWriter.Options.DEFAULTS, block, w,
                    reorder, shared - reorder, blockNote);
        }
        long wantReorder = window > 1 ? Math.min((long) window * block, profileCap) : 0;
        long paceWindow = (long) window * block + page;
        // NOR skips units that already hold the data (sf update) when its whole-unit buffer fits besides the rest.
        // NAND streams: holding a whole 128 KiB block before its first page is programmed would idle the chip.
        boolean skip = nor && spare - (unit - page) - wantReorder >= Math.max(paceWindow, floor(block, unit));
        FlashWriter.Options writer = skip ? FlashWriter.Options.SKIP_UNCHANGED : FlashWriter.Options.DEFAULTS;
        int fill = skip ? unit : page;
        long shared = spare - (skip ? unit - page : 0);
        if (wantReorder + Math.max(paceWindow, floor(block, fill)) <= shared) {
            return new RamBudget(ram, writer, block, window, wantReorder, shared - wantReorder, blockNote);
        }
        // The window asked for does not fit: ask for the largest that does. Keeping it and dropping what does not fit
        // was measured slower while the flash paces the transfer: each hole then costs the blocks past the buffer.
        int fitting = fitting(window, block, shared, page, fill, 1);
        long reorder = fitting > 1 ? Math.min((long) fitting * block, profileCap) : 0;
        String note = "ram " + ram + " bytes " + (fitting > 1 ? "holds a window of " + fitting + " blocks of " + block + " bytes"
                : "cannot hold a window of " + block + "-byte blocks") + " out of order and another waiting for the flash:"
                + " asking for windowsize " + fitting + " instead of " + window + (lowered == null ? "" : ", " + lowered);
        return new RamBudget(ram, writer, block, fitting, reorder, shared - reorder, note);
    }

    /**
     * Returns the largest window up to {@code window} whose blocks of {@code block} bytes fit {@code shared} bytes
     * once out of order and {@code depth} times waiting for the chip (with a page), beside a writer buffering
     * {@code fill}; 1 when none does.
     */
    private static int fitting(int window, int block, long shared, int page, int fill, int depth) {
        int fitting = window;
        while (fitting > 1 && (long) fitting * block + Math.max((long) depth * fitting * block + page, floor(block, fill)) > shared) {
            fitting = (int) Math.max(1, Math.min(fitting - 1, (shared - page) / ((1L + depth) * block)));
        }
        return Math.max(1, fitting);
    }

    /**
     * Returns the least flash buffer for blocks of {@code block} bytes with a writer buffering {@code fill}:
     * twice a block and the writer's buffer, so a block always fits beside the writer's partly filled buffer,
     * or beside the first bytes of an image of unknown size held back until it proves plausible (at most
     * half the buffer, see {@link SlotUpdate}), once the chip has started what came before.
     */
    private static long floor(int block, int fill) {
        return 2L * (block + fill);
    }

    /**
     * Returns {@code t} asking for this budget's block size and window, with its reorder buffer cut to
     * {@link #reorderBytes}.
     */
    public TftpConfig apply(TftpConfig t) {
        if (!t.options()) {
            return t; // plain RFC 1350: 512-byte blocks in lock-step, nothing to ask
        }
        // The same request on the wire when nothing was lowered: auto and the MTU's largest block are one number.
        TftpConfig c = t.withBlockSize(blockSize);
        return window > 1 || t.windowSize() != 1 ? c.withWindow(window, window > 1 ? reorderBytes : 0) : c;
    }

    /**
     * Returns this budget asking for window {@code w} instead, at most {@link #window} (for {@code windowsize = auto},
     * what the path needs): the reorder buffer holds at most that window, and what it gives back goes to the
     * flash buffer.
     */
    public RamBudget withWindow(int w) {
        int asked = Math.max(1, Math.min(w, window));
        long reorder = asked > 1 ? Math.min(reorderBytes, (long) asked * blockSize) : 0;
        return new RamBudget(ram, writer, blockSize, asked, reorder, flashBuffer + reorderBytes - reorder, note);
    }

    /** Returns the RAM these buffers take: fixed, writer extra, reorder and flash buffer; never more than {@link #ram}. */
    public long total(DeviceProfile profile) {
        long extra = writer.skipUnchanged() ? profile.flash().eraseUnit() - profile.flash().pageSize() : 0;
        return DeviceProfile.minimumRam(profile.flash()) + extra + reorderBytes + flashBuffer;
    }
}
