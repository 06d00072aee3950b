package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netboot.link.HostNet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code netboot serve} and a client that fetches a file it was served once more, as a board that reboots does (or one
 * stuck in a reboot loop): the second fetch is a transfer of its own, with its own progress, end and summary line,
 * not folded into the first. Before, it showed only "RRQ boot.img again" on stderr and the summary one complete
 * transfer, however the second went. One client namespace through a bridge in the server's: busybox tftp fetches the
 * file whole, then atftp fetches it again and is killed (SIGKILL) 1 s in.
 */
class ServeRefetchTest {
    static final String SERVER = "192.0.2.1";

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        HostNet.requireTool("busybox", "busybox");
        HostNet.requireTool("atftp", "atftp");
    }

    @Test
    void aFileFetchedAgainAfterItWasServedIsASecondTransferWithItsOwnEnd() throws Exception {
        // 300,000 bytes: 586 blocks of 512 lock-step at 10 ms a round trip, about 6 s; atftp is killed after 1 s.
        try (HostNet net = new HostNet("sr", "serve")) {
            String srv = net.netns("srv");
            String br = net.name("br");
            String ns = ServeCommandTest.addressed(net, srv, br, "02:53:52:00:0f:0", 1).getFirst();
            byte[] img = BootCliTest.randomImage(300_000, 1353);
            Path image = Files.write(dir.resolve("image.bin"), img);
            Path scenario = ServeCommandTest.slowScenario(dir, "5ms");
            Process serve = ServeCommandTest.serve(dir, srv, "--interface", br, "--scenario", scenario.toString(), "--image",
                    image.toString(), "--clients", "1", "--for", "60s", "--json");
            Process client = net.start(ns, dir.resolve("c1.log"), "sh", "-c", "busybox tftp -g -r boot.img -l "
                    + dir.resolve("got.bin") + " " + SERVER + "; echo busybox $?; timeout -s KILL 1 atftp -g -r boot.img -l "
                    + dir.resolve("again.bin") + " " + SERVER + "; echo atftp $?");
            assertTrue(client.waitFor(60, TimeUnit.SECONDS), "the client still running");
            assertTrue(serve.waitFor(70, TimeUnit.SECONDS), "serve did not stop");
            String err = ServeCommandTest.log(dir, "serve.err");
            String logs = err + ServeCommandTest.log(dir, "serve.out") + "\n--- client:\n" + ServeCommandTest.log(dir, "c1.log");
            assertTrue(ServeCommandTest.log(dir, "c1.log").contains("busybox 0"), logs);
            assertTrue(ServeCommandTest.log(dir, "c1.log").contains("atftp 137"), "atftp was not killed mid-transfer: " + logs);
            assertEquals(BootCliTest.sha256(img), BootCliTest.sha256(Files.readAllBytes(dir.resolve("got.bin"))), logs);
            assertEquals(0, serve.exitValue(), logs);

            // Stderr: each fetch starts and ends on a line of its own, the second after the first was sent.
            List<String> lines = err.lines().toList();
            int sent = indexOf(lines, "  sent boot.img: 300000 bytes in ");
            int again = indexOf(lines, "  RRQ boot.img again");
            int ended = indexOf(lines, "  transfer of boot.img ended: the client is gone");
            assertTrue(sent >= 0 && again > sent && ended > again, logs);

            JsonNode j = BootCliTest.JSON.readTree(ServeCommandTest.log(dir, "serve.out"));
            assertEquals(1, j.get("clients").size(), j.toString());
            JsonNode c = j.get("clients").get(0);
            // The main transfer is the first, complete; the second, of the same file, ended when its client went.
            assertEquals("complete", c.get("transfer").get("end").asText(), c.toString());
            assertEquals(List.of("boot.img"), List.of(c.get("later").get(0).asText()));
            assertEquals(2, c.get("transfers").size(), c.toString());
            JsonNode second = c.get("transfers").get(1);
            assertEquals("boot.img", second.get("file").asText(), c.toString());
            assertEquals("unreachable", second.get("transfer").get("end").asText(), c.toString());
            long bytes = second.get("transfer").get("bytes").asLong();
            assertTrue(bytes > 0 && bytes < img.length, c.toString());
        }
    }

    static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }
}
