package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The interop contract against atftpd 0.8: blksize, tsize and RFC 7440 windowsize, uploads into its
 * root. Plus 40 MiB at 512 bytes with a window of 16: the block number wraps past 65535 inside windows.
 */
class AtftpdInteropTest extends TftpInteropContract {
    @Override
    TftpServers.Server start(Path root, Path logs) {
        return TftpServers.atftpd(root, logs);
    }

    @Override
    boolean grantsWindow() {
        return true;
    }

    @Override
    boolean acceptsWrites() {
        return true;
    }

    @Test
    void fortyMebibytesAt512WithAWindowRollOverTheBlockNumber() throws IOException {
        Files.write(root.resolve("forty.bin"), bytes(40 << 20, 41));
        try {
            JsonNode j = get(Files.createTempDirectory(logs, "o"), "forty.bin", "--blksize", "512", "--windowsize", "16");
            assertEquals(512, j.get("blksize").asInt());
            assertEquals(16, j.get("windowsize").asInt());
            assertEquals(40 << 20, j.get("bytes").asLong());
        } finally {
            Files.delete(root.resolve("forty.bin"));
        }
    }
}
