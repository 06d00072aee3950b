package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netboot.link.HostNet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code netboot serve} and a client that sends its read request again before the answer came: busybox tftp asks
 * again 50 ms after its first RRQ, from the same port, so on a wire with 40 ms each way every busybox fetch sends two
 * (or more) RRQs. RFC 1350 section 4 names a connection by its pair of transfer IDs: the request again is that
 * transfer's, not a second one. Two busybox clients in their own network namespaces (serve-ID-ROLE), through a
 * bridge in the server's, fetch a small image at once; serve's capture shows each client's RRQs, and every frame the
 * server sent to a client's port coming from one port of the server, and no ICMP port unreachable from a client (its
 * kernel's answer, on busybox's connected socket, to a second session's OACKs).
 */
class ServeRepeatedRequestTest {
    static final String SERVER = "192.0.2.1";

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        HostNet.requireTool("busybox", "busybox");
        HostNet.requireTool("tshark", "tshark");
    }

    @Test
    void aBusyboxRrqSentTwiceIsOneTransferAndServeStopsOnceItsClientsAreServed() throws Exception {
        // 20,000 bytes: 40 blocks of 512 at 80 ms a round trip, about 3.3 s each. A second session per client, as
        // before, sent OACKs into ICMP port unreachable for its 20 retries of 1 s (the scenario's default), and serve
        // --clients 2 stopped only once both had given up (this test took 24.0 s so, 7.3 s now).
        try (HostNet net = new HostNet("sq", "serve")) {
            String srv = net.netns("srv");
            String br = net.name("br");
            List<String> ns = ServeCommandTest.addressed(net, srv, br, "02:53:56:00:0e:0", 2);
            byte[] img = BootCliTest.randomImage(20_000, 1350);
            Path image = Files.write(dir.resolve("image.bin"), img);
            Path scenario = ServeCommandTest.slowScenario(dir, "40ms");
            Path pcap = dir.resolve("serve.pcap");
            Process serve = ServeCommandTest.serve(dir, srv, "--interface", br, "--scenario", scenario.toString(), "--image",
                    image.toString(), "--clients", "2", "--for", "60s", "--json", "--pcap", pcap.toString());
            List<Process> clients = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                clients.add(net.start(ns.get(i - 1), dir.resolve("c" + i + ".log"), "busybox", "tftp", "-g", "-r", "boot.img", "-l",
                        dir.resolve("got" + i + ".bin").toString(), SERVER));
            }
            for (Process c : clients) {
                assertTrue(c.waitFor(60, TimeUnit.SECONDS), "busybox tftp still running");
            }
            assertTrue(serve.waitFor(60, TimeUnit.SECONDS), "serve did not stop");
            String logs = ServeCommandTest.log(dir, "serve.err") + ServeCommandTest.log(dir, "serve.out")
                    + "\n--- c1:\n" + ServeCommandTest.log(dir, "c1.log") + "\n--- c2:\n" + ServeCommandTest.log(dir, "c2.log");
            assertEquals(0, serve.exitValue(), logs);
            for (int i = 1; i <= 2; i++) {
                assertEquals(0, clients.get(i - 1).exitValue(), logs);
                assertEquals(BootCliTest.sha256(img), BootCliTest.sha256(Files.readAllBytes(dir.resolve("got" + i + ".bin"))), logs);
            }
            // The RRQs went twice or more from each client's one port (else this run shows nothing).
            Map<String, List<String>> rrqs = new TreeMap<>();
            for (String l : CaptureDissectionTest.tshark(pcap, "-Y", "tftp.opcode == 1", "-T", "fields", "-e", "ip.src", "-e", "udp.srcport")) {
                rrqs.computeIfAbsent(l.split("\t")[0], _ -> new ArrayList<>()).add(l.split("\t")[1]);
            }
            assertEquals(Set.of("192.0.2.101", "192.0.2.102"), rrqs.keySet(), rrqs.toString());
            assertTrue(rrqs.values().stream().allMatch(p -> p.size() >= 2 && p.stream().distinct().count() == 1), rrqs.toString());
            // One transfer per client: everything the server sent it came from one port.
            for (String client : rrqs.keySet()) {
                Set<String> from = new TreeSet<>(CaptureDissectionTest.tshark(pcap, "-Y", "ip.src == " + SERVER + " && ip.dst == " + client
                        + " && udp", "-T", "fields", "-e", "udp.srcport"));
                assertEquals(1, from.size(), client + " got TFTP from server ports " + from);
            }
            assertEquals(List.of(), CaptureDissectionTest.tshark(pcap, "-Y", "icmp"), "ICMP from a client");
            JsonNode j = BootCliTest.JSON.readTree(ServeCommandTest.log(dir, "serve.out"));
            assertEquals("2 of 2 clients finished", j.get("stopped").asText(), j.toString());
            assertEquals(2, j.get("finished").asInt(), j.toString());
            for (JsonNode c : j.get("clients")) {
                assertEquals("complete", c.get("transfer").get("end").asText(), c.toString());
                assertEquals(40, c.get("transfer").get("dataSent").asInt(), c.toString());
            }
            // serve stopped with its clients, 2 s after the last request at most, not 20 retries of a second session later.
            assertTrue(j.get("seconds").asDouble() < 15, j.toString());
        }
    }

    @Test
    void aClientKilledAndRunAgainIsServedAndServeWaitsNotForItsOldSession() throws Exception {
        // busybox tftp killed 1 s into a 60,000-byte fetch (118 blocks at 40 ms a round trip), then run again: the new
        // request, from a new port, is a new session, and it completes. The old one sends its DATA into the closed port
        // for its 20 retries of 1 s; serve --clients 1 waited for it to give up, 24.2 s into the run, where the client
        // had its file 6.0 s after its first request (this test took 27.1 s so, 9.3 s now).
        try (HostNet net = new HostNet("sq", "serve")) {
            String srv = net.netns("srv");
            String br = net.name("br");
            String ns = ServeCommandTest.addressed(net, srv, br, "02:53:56:00:0e:0", 1).getFirst();
            byte[] img = BootCliTest.randomImage(60_000, 1351);
            Path image = Files.write(dir.resolve("image.bin"), img);
            Path scenario = ServeCommandTest.slowScenario(dir, "20ms");
            Process serve = ServeCommandTest.serve(dir, srv, "--interface", br, "--scenario", scenario.toString(), "--image",
                    image.toString(), "--clients", "1", "--for", "60s", "--json");
            Path got = dir.resolve("got.bin");
            Process client = net.start(ns, dir.resolve("c1.log"), "sh", "-c", "timeout -s KILL 1 busybox tftp -g -r boot.img -l "
                    + got + " " + SERVER + "; echo killed $?; busybox tftp -g -r boot.img -l " + got + " " + SERVER);
            assertTrue(client.waitFor(60, TimeUnit.SECONDS), "busybox tftp still running");
            assertTrue(serve.waitFor(60, TimeUnit.SECONDS), "serve did not stop");
            String logs = ServeCommandTest.log(dir, "serve.err") + ServeCommandTest.log(dir, "serve.out") + "\n--- c1:\n"
                    + ServeCommandTest.log(dir, "c1.log");
            assertEquals(0, client.exitValue(), logs);
            assertTrue(logs.contains("killed 137"), logs);
            assertEquals(0, serve.exitValue(), logs);
            assertEquals(BootCliTest.sha256(img), BootCliTest.sha256(Files.readAllBytes(got)), logs);
            JsonNode j = BootCliTest.JSON.readTree(ServeCommandTest.log(dir, "serve.out"));
            assertEquals("1 of 1 clients finished", j.get("stopped").asText(), j.toString());
            JsonNode t = j.get("clients").get(0).get("transfer");
            assertEquals("complete", t.get("end").asText(), j.toString());
            assertEquals(img.length, t.get("bytes").asLong(), j.toString());
            // 2 s after the new session's end, not once the old one gave up (20 retries of 1 s after the kill).
            assertTrue(j.get("seconds").asDouble() < 16, j.toString());
        }
    }
}
