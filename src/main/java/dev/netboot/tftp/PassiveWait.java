package dev.netboot.tftp;

import dev.netboot.wire.TftpWire;

/**
 * The wait of an RFC 2090 multicast client that is not master (its OACK said mc=0): it takes the blocks the master's
 * stream brings and waits for its turn, "then request any missing blocks when that client becomes the master client".
 * {@link MulticastDownload} owns the transfer; this is its passive side.
 *
 * <ul>
 *   <li>It sends nothing while it waits, but once for each gap: when a block past a gap comes it acknowledges the last
 *       block it has in order, which a server may take as the request it is ("the ACKs may now be seen as a request for
 *       the n+1th block"); one that follows the RFC to the letter answers with an OACK, mc=0.</li>
 *   <li>It waits at most the give-up budget ({@link TftpConfig#giveUp()}, the profile's {@code [tftp] give-up}) since
 *       the last packet of the transfer that showed it going on: an OACK of the transfer, or a DATA of a block of the
 *       file other than the last one heard. A block sent again and again (a server retrying a master that no longer
 *       answers, for ever) or junk keeps no board waiting. It used to wait the retries at the longest timeout, 72 s on
 *       {@code spi-nor-16m} (9 x 8 s), where the profile gives up after 25 s.</li>
 *   <li>When the wait ends the client terminates the transfer by an error ("Each client must terminate the transfer by
 *       sending an acknowledgment of the last packet or by sending an error message to server. This termination can
 *       occur even if the client is not the master client"), so a server still there takes it off its list rather
 *       than offer it turns, leaves the group, and fails with one line saying so.</li>
 * </ul>
 */
final class PassiveWait {
    private final TftpClient c;
    private long since;            // the last packet that showed the transfer going on
    private long lastBlock = -1;   // the last block heard, to tell a stream going on from one block sent again
    private long gapSaid = -1;     // the last in-order block a passive ACK named, so that a gap is said once

    PassiveWait(TftpClient client) {
        this.c = client;
    }

    /** The transfer showed itself going on at {@code now} (its OACK, or one making this client passive again). */
    void heard(long now) {
        since = now;
    }

    /** A DATA of block {@code b} of the file came at {@code now}: the wait starts again when the stream moved. */
    void block(long now, long b) {
        if (b != lastBlock) {
            lastBlock = b;
            since = now;
        }
    }

    /** Returns when the wait ends: the give-up budget after the last packet that showed the transfer going on. */
    long deadline() {
        long end = since + c.config.giveUp();
        return end < since ? Long.MAX_VALUE : end;
    }

    /** A block past a gap came: unless this gap was said, acknowledges {@code received}, the last block in order. */
    void gap(long now, long received) {
        if (received >= 1 && gapSaid != received) {
            gapSaid = received;
            c.rtx.len = TftpWire.writeAck(c.rtx.packet, 0, (int) received);
            c.rtx.send(now, c.tid);
        }
    }

    /**
     * The timer came at {@code now}: before the deadline it is armed again; at it the client tells the server, leaves
     * {@code group} ({@code download}) and fails, holding {@code received} blocks. Returns whether it failed.
     */
    boolean timeout(long now, MulticastDownload download, long received) {
        if (now < deadline()) {
            c.rtx.retryAt = deadline();
            return false;
        }
        String waited = Patience.seconds(now - since);
        c.errors.send(now, c.serverIp, c.tid, TftpWire.ERR_NOT_DEFINED, "nothing new of the transfer for " + waited + " s");
        download.quit(now);
        c.fail(new TftpFailure(TftpFailure.Kind.TIMEOUT, -1, "TFTP: nothing new of the multicast transfer from " + c.server
                + ":" + c.tid + " to " + download.groupText() + " for " + waited + " s (the give-up), not master, " + received
                + (received == 1 ? " block" : " blocks") + " in; told the server (ERROR) and left the group"));
        return true;
    }
}
