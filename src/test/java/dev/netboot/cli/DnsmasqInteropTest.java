package dev.netboot.cli;

import java.nio.file.Path;

/**
 * The interop contract against dnsmasq 2.90's TFTP server (DNS and DHCP off) on its own 127.x.y.z:69:
 * blksize and tsize, no windowsize (lock-step fallback), read-only (an upload gets its ERROR 4, which
 * the client reports verbatim). It grants blocks of at most 2263 bytes even on loopback: its packet
 * buffer, less the 4-byte DATA header.
 */
class DnsmasqInteropTest extends TftpInteropContract {
    @Override
    TftpServers.Server start(Path root, Path logs) {
        return TftpServers.dnsmasq(root, logs);
    }

    @Override
    boolean grantsWindow() {
        return false;
    }

    @Override
    boolean acceptsWrites() {
        return false;
    }

    @Override
    int largestBlock() {
        return 2263;
    }
}
