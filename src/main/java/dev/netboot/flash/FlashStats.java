package dev.netboot.flash;

/**
 * Operation counters of one {@link Flash}, as a snapshot.
 *
 * @param erases          erase units erased; one call over three sectors counts three
 * @param programs        program calls that changed flash (each lies within one page)
 * @param reads           read calls
 * @param bytesProgrammed bytes passed to successful program calls
 * @param bytesErased     bytes set to the erased value
 */
public record FlashStats(long erases, long programs, long reads, long bytesProgrammed, long bytesErased) {
    /** Zero counts, the stats of a flash nobody has used yet. */
    public static final FlashStats ZERO = new FlashStats(0, 0, 0, 0, 0);
}
