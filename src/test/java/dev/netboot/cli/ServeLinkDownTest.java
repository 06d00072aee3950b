package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netboot.link.HostNet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code netboot serve} on an interface taken down while it serves ({@code ip link set IF down}; a USB NIC unplugged, a
 * TAP deleted, a network manager taking the link are the same to its socket: ENETDOWN). The QA pass saw serve end at once
 * with "poll failed: Network is down", exit 2 (README: usage error, or the interface cannot be opened) and no summary:
 * with {@code --json}, nothing at all on stdout, where README promises one object for every run. Now the run fails as a
 * run (exit 1) and says what it served until then, the reason in {@code stopped}.
 */
class ServeLinkDownTest {
    @TempDir
    Path dir;

    @Test
    void anInterfaceTakenDownMidRunEndsTheRunWithItsSummaryAndExit1() throws Exception {
        try (HostNet net = new HostNet("sd", "serve")) {
            String ns = net.netns("srv");
            String a = net.name("a");
            String b = net.name("b");
            net.exec(ns, "ip", "link", "add", a, "type", "veth", "peer", "name", b);
            net.exec(ns, "ip", "link", "set", a, "up");
            net.exec(ns, "ip", "link", "set", b, "up");
            Path scenario = Files.writeString(dir.resolve("test.scenario"), ServeCommandTest.SCENARIO.formatted("1s"));
            Process serve = ServeCommandTest.serve(dir, ns, "--interface", a, "--scenario", scenario.toString(), "--for", "300s",
                    "--json");
            try {
                net.exec(ns, "ip", "link", "set", a, "down");
                boolean ended = serve.waitFor(60, TimeUnit.SECONDS);
                String logs = ServeCommandTest.log(dir, "serve.err") + ServeCommandTest.log(dir, "serve.out");
                assertTrue(ended, "serve went on with its interface down: " + logs);
                assertEquals(1, serve.exitValue(), logs);
                JsonNode j = new ObjectMapper().readTree(Files.readString(dir.resolve("serve.out")));
                assertEquals(a, j.get("interface").asText(), logs);
                assertTrue(j.get("stopped").asText().contains("Network is down"), logs); // strerror(ENETDOWN)
                assertEquals(0, j.get("clients").size(), logs);
            } finally {
                serve.destroyForcibly();
            }
        }
    }
}
