package dev.netboot.cli;

import java.nio.file.Path;

/**
 * The interop contract against dnsmasq 2.90's TFTP server (DNS and DHCP off) on its own 127.x.y.z:69:
 * blksize and tsize, no windowsize (lock-step fallback), read-only (an upload gets its ERROR 4, which
 * the client reports verbatim).
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
}
