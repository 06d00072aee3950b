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
 * {@code netboot serve} and a client killed mid-transfer that does not come back: its host's kernel answers the next
 * DATA to its closed port with ICMP port unreachable, and the server ends that transfer at once (README, "A chaos boot
 * server for real boards"). Before, the session sent into the closed port until its retries ran out, its wait doubling
 * to 8 s: 151 s with a 1 s timeout, and serve's {@code --clients} waited for it. Two clients in their own network
 * namespaces through a bridge in the server's: atftp killed (SIGKILL) 1 s into its fetch, and busybox tftp, which
 * completes.
 */
class ServeClientGoneTest {
    static final String SERVER = "192.0.2.1";
    static final String KILLED = "192.0.2.101";

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        HostNet.requireTool("busybox", "busybox");
        HostNet.requireTool("atftp", "atftp");
        HostNet.requireTool("tshark", "tshark");
    }

    @Test
    void aClientKilledMidTransferIsGivenUpAtItsHostsPortUnreachableAndServeStopsWithTheOthers() throws Exception {
        // 300,000 bytes: 586 blocks of 512 lock-step at 10 ms a round trip, about 6 s each; atftp is killed after 1 s.
        try (HostNet net = new HostNet("sg", "serve")) {
            String srv = net.netns("srv");
            String br = net.name("br");
            List<String> ns = ServeCommandTest.addressed(net, srv, br, "02:53:56:00:0f:0", 2);
            byte[] img = BootCliTest.randomImage(300_000, 1352);
            Path image = Files.write(dir.resolve("image.bin"), img);
            Path scenario = ServeCommandTest.slowScenario(dir, "5ms");
            Path pcap = dir.resolve("serve.pcap");
            Process serve = ServeCommandTest.serve(dir, srv, "--interface", br, "--scenario", scenario.toString(), "--image",
                    image.toString(), "--clients", "1", "--for", "60s", "--json", "--pcap", pcap.toString());
            Process killed = net.start(ns.get(0), dir.resolve("c1.log"), "sh", "-c", "timeout -s KILL 1 atftp -g -r boot.img -l "
                    + dir.resolve("got1.bin") + " " + SERVER + "; echo exit $?");
            Process served = net.start(ns.get(1), dir.resolve("c2.log"), "busybox", "tftp", "-g", "-r", "boot.img", "-l",
                    dir.resolve("got2.bin").toString(), SERVER);
            assertTrue(killed.waitFor(30, TimeUnit.SECONDS), "atftp still running");
            assertTrue(served.waitFor(60, TimeUnit.SECONDS), "busybox tftp still running");
            assertTrue(serve.waitFor(70, TimeUnit.SECONDS), "serve did not stop");
            String logs = ServeCommandTest.log(dir, "serve.err") + ServeCommandTest.log(dir, "serve.out")
                    + "\n--- c1:\n" + ServeCommandTest.log(dir, "c1.log") + "\n--- c2:\n" + ServeCommandTest.log(dir, "c2.log");
            assertTrue(ServeCommandTest.log(dir, "c1.log").contains("exit 137"), "atftp was not killed mid-transfer: " + logs);
            assertEquals(0, served.exitValue(), logs);
            assertEquals(BootCliTest.sha256(img), BootCliTest.sha256(Files.readAllBytes(dir.resolve("got2.bin"))), logs);
            assertEquals(0, serve.exitValue(), logs);
            // The first line tells how long the server waits for an ACK: the scenario's 1 s, doubling up to 8 s.
            assertTrue(ServeCommandTest.log(dir, "serve.err").lines().findFirst().orElseThrow()
                    .contains(", TFTP timeout 1.0 s (unicast doubling to 8.0 s); faults: "), logs);

            JsonNode j = BootCliTest.JSON.readTree(ServeCommandTest.log(dir, "serve.out"));
            // Stopped with busybox served and 2 s of quiet: before, "stopped after 60s", the killed client's session
            // still sending (its 20 retries, 151 s).
            assertEquals("1 of 1 clients finished", j.get("stopped").asText(), j.toString());
            assertEquals(1, j.get("finished").asInt(), j.toString());
            assertEquals(1, j.get("givenUp").asInt(), j.toString());
            for (JsonNode c : j.get("clients")) {
                JsonNode t = c.get("transfer");
                if (c.get("address").asText().equals(KILLED)) {
                    assertEquals("unreachable", t.get("end").asText(), c.toString());
                    assertTrue(t.get("bytes").asLong() > 0 && t.get("bytes").asLong() < img.length, c.toString());
                    // Its transfer ended at the first DATA after the kill: within a second of it, not 151 s later.
                    assertTrue(t.get("seconds").asDouble() < 2.5, c.toString());
                } else {
                    assertEquals("complete", t.get("end").asText(), c.toString());
                    assertEquals(img.length, t.get("bytes").asLong(), c.toString());
                }
            }
            // The capture shows why: the killed client's host answered DATA with ICMP port unreachable (type 3 code 3),
            // once, and after it nothing more went to that port.
            List<String> icmp = CaptureDissectionTest.tshark(pcap, "-Y", "icmp.type == 3 && icmp.code == 3", "-T", "fields",
                    "-e", "ip.src", "-e", "udp.dstport");
            assertEquals(1, icmp.size(), icmp.toString());
            assertEquals(KILLED, icmp.getFirst().split("\t")[0].split(",")[0], icmp.toString()); // then the quoted DATA's source
            String port = icmp.getFirst().split("\t")[1];
            List<String> toIt = CaptureDissectionTest.tshark(pcap, "-Y", "ip.dst == " + KILLED + " && udp.dstport == " + port
                    + " && !icmp", "-T", "fields", "-e", "frame.number");
            List<String> refusal = CaptureDissectionTest.tshark(pcap, "-Y", "icmp.type == 3", "-T", "fields", "-e", "frame.number");
            assertTrue(Long.parseLong(toIt.getLast()) < Long.parseLong(refusal.getFirst()),
                    "DATA to the closed port after its host refused it: " + toIt.getLast() + " after " + refusal);
        }
    }
}
