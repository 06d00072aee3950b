package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The interop contract against tftpd-hpa 5.2 ({@code in.tftpd -L -c}): blksize and tsize yes, no RFC 7440
 * windowsize (the client falls back to lock-step), uploads allowed. Plus 40 MiB at 512 bytes lock-step:
 * 81,920 blocks, so block numbers wrap past 65535 (to 0, tftpd-hpa's default).
 */
class TftpdHpaInteropTest extends TftpInteropContract {
    @Override
    TftpServers.Server start(Path root, Path logs) {
        return TftpServers.tftpdHpa(root, logs);
    }

    @Override
    boolean grantsWindow() {
        return false;
    }

    @Override
    boolean acceptsWrites() {
        return true;
    }

    @Test
    void fortyMebibytesAt512RollOverTheBlockNumber() throws IOException {
        Files.write(root.resolve("forty.bin"), bytes(40 << 20, 40));
        try {
            JsonNode j = get(Files.createTempDirectory(logs, "o"), "forty.bin", "--blksize", "512", "--windowsize", "1");
            assertEquals(512, j.get("blksize").asInt());
            assertEquals(40 << 20, j.get("bytes").asLong());
        } finally {
            Files.delete(root.resolve("forty.bin"));
        }
    }
}
