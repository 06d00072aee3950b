package dev.netboot.emulator;

import dev.netboot.tftp.TftpConfig;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The emulated server's side of option negotiation (RFC 2347): which of a request's {@code blksize} (RFC 2348),
 * {@code tsize} (RFC 2349), {@code timeout} (RFC 2349), {@code windowsize} (RFC 7440) and tftpd-hpa's {@code rollover}
 * it accepts, what its OACK says, and the settings its session then runs with; a misbehaving server's
 * ({@link TftpQuirks#oack()}) OACK is spoiled here too.
 */
final class ServerOptions {
    private ServerOptions() {
    }

    /** Settles the request's options (RFC 2347): what the OACK carries and what the session runs with. */
    static TftpServerSession.Params negotiate(TftpServerConfig config, int maxUdpPayload, List<TftpPacket.Option> options,
                                             long fileSize) {
        int blockSize = TftpWire.DEFAULT_BLOCK_SIZE;
        int window = 1;
        int rollover = config.wrapToOne() ? 1 : 0;
        long timeout = config.timeout();
        List<TftpPacket.Option> answer = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (TftpPacket.Option o : options) {
            if (!seen.add(o.name())) {
                // Named twice (names are case-insensitive, the parser lowers them): the first counts. Answering both
                // would give the client an OACK that names an option twice, and DATA of a size the first did not say.
                continue;
            }
            long v = number(o.value());
            switch (o.name()) {
                case "blksize" -> {
                    if (v >= TftpConfig.MIN_BLOCK_SIZE && v <= TftpConfig.MAX_BLOCK_SIZE) {
                        // RFC 2348: the server may answer a smaller size; ours is capped by its limit and the MTU.
                        blockSize = (int) Math.min(v, Math.min(config.maxBlockSize(), maxUdpPayload - 4));
                        answer.add(new TftpPacket.Option("blksize", Integer.toString(blockSize)));
                    }
                }
                case "tsize" -> {
                    if (v >= 0) {
                        // RFC 2349: a read is answered with the file's size, a write's announced size is echoed.
                        long size = fileSize >= 0 ? Math.max(0, fileSize + config.quirks().tsizeLie()) : v;
                        answer.add(new TftpPacket.Option("tsize", Long.toString(size)));
                    }
                }
                case "timeout" -> {
                    if (v >= 1 && v <= 255) {
                        timeout = v * 1_000_000_000L;
                        answer.add(new TftpPacket.Option("timeout", Long.toString(v)));
                    }
                }
                case "windowsize" -> {
                    if (v >= 1 && v <= TftpConfig.WINDOWSIZE_OPTION_MAX) {
                        // RFC 7440: any 1..65535 may be asked, and the OACK may answer less; ours never more than
                        // TftpConfig.MAX_WINDOW_SIZE, the most whose ACKs it can read once block numbers wrap.
                        window = (int) Math.min(v, config.maxWindowSize());
                        answer.add(new TftpPacket.Option("windowsize", Integer.toString(window)));
                    }
                }
                case "rollover" -> {
                    if (v == 0 || v == 1) {
                        rollover = (int) v; // tftpd-hpa: the block number after 65535
                        answer.add(new TftpPacket.Option("rollover", Long.toString(v)));
                    }
                }
                default -> {
                    // RFC 2347: options the server does not support are left out of the OACK.
                }
            }
        }
        if (!answer.isEmpty()) {
            blockSize = spoil(config, maxUdpPayload, answer, blockSize);
        }
        return new TftpServerSession.Params(blockSize, window, rollover, timeout,
                answer.isEmpty() ? null : new TftpPacket.Oack(answer));
    }

    /**
     * Spoils the OACK {@code answer} as the server's {@link TftpQuirks#oack()} asks; returns the block size the session then
     * sends (a server that announces a larger block than asked also sends it, as far as the link carries).
     */
    private static int spoil(TftpServerConfig config, int maxUdpPayload, List<TftpPacket.Option> answer, int blockSize) {
        switch (config.quirks().oack()) {
            case NONE -> {
            }
            case RANGE -> {
                int larger = Math.min(blockSize + 1, maxUdpPayload - 4);
                answer.removeIf(o -> o.name().equals("blksize"));
                answer.add(0, new TftpPacket.Option("blksize", Integer.toString(blockSize + 1)));
                return larger;
            }
            case NUMBER -> {
                answer.removeIf(o -> o.name().equals("blksize"));
                answer.add(0, new TftpPacket.Option("blksize", "1k"));
                return TftpWire.DEFAULT_BLOCK_SIZE;
            }
            case UNASKED -> answer.add(new TftpPacket.Option("multicast", "239.255.0.1,1758,1"));
        }
        return blockSize;
    }

    private static long number(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return -1;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(s);
    }
}
