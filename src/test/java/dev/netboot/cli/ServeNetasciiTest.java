package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netboot.emulator.NetasciiRule;
import dev.netboot.link.HostNet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code netboot serve --root} answering requests in mode netascii (RFC 1350: LF as CR LF, CR as CR NUL) from clients
 * nobody here wrote, in network namespaces (netascii-*) joined by a veth pair, every address from TEST-NET-1: tftp-hpa's
 * {@code tftp -m netascii} and atftp ({@code mode netascii}, blksize 1000, windowsize 8) turn what they get back into
 * the file, which must be bit-exact; curl ({@code ;mode=netascii}, blksize 1428) keeps the netascii bytes as they come,
 * which must be the file converted by the rule, worked out here. The file has CR LF pairs, bare CRs and LFs, binary
 * bytes, and ends in a CR.
 */
class ServeNetasciiTest {
    static final String SERVER = "192.0.2.1";
    static final String SCENARIO = """
            [server]
            address = 192.0.2.1
            netmask = 255.255.255.0
            router = 192.0.2.1
            [bootp]
            client-address = 192.0.2.42
            tftp-server = 192.0.2.1
            boot-file = notes.txt
            [tftp]
            timeout = 1s
            served-file = notes.txt
            """;

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        HostNet.requireTool("tftp", "tftp-hpa");
        HostNet.requireTool("atftp", "atftp");
        HostNet.requireTool("curl", "curl");
    }

    @Test
    void tftpHpaAtftpAndCurlGetTheNetasciiFormAndTurnItBackBitExact() throws Exception {
        byte[] raw = new byte[300_000];
        SplittableRandom r = new SplittableRandom(764);
        for (int i = 0; i < raw.length; i++) {
            int k = r.nextInt(10);
            raw[i] = (byte) (k == 0 ? '\r' : k == 1 ? '\n' : r.nextInt(256));
        }
        for (int i = 0; i + 1 < raw.length; i += 1001) {
            raw[i] = '\r';
            raw[i + 1] = '\n'; // CR LF line ends too (they go as CR NUL CR LF)
        }
        raw[raw.length - 1] = '\r';
        byte[] expected = NetasciiRule.of(raw);
        try (HostNet net = new HostNet("netascii", "netascii")) {
            String srv = net.netns("srv");
            String cli = net.netns("cli");
            String s = net.name("s");
            String c = net.name("c");
            net.veth(s, null, srv, c, "02:4e:41:00:00:01", cli);
            net.exec(cli, "ip", "addr", "add", "192.0.2.50/24", "dev", c);
            Path root = Files.createDirectories(dir.resolve("root"));
            Files.write(root.resolve("notes.txt"), raw);
            Path scenario = Files.writeString(dir.resolve("test.scenario"), SCENARIO);
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", srv,
                    ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
                    "-Dnetboot.home=" + Path.of("").toAbsolutePath(), "-cp", System.getProperty("java.class.path"),
                    Main.class.getName(), "serve", "--interface", s, "--scenario", scenario.toString(), "--root",
                    root.toString(), "--clients", "1", "--for", "120s", "--json"));
            Process serve = new ProcessBuilder(cmd).redirectOutput(dir.resolve("serve.out").toFile())
                    .redirectError(dir.resolve("serve.err").toFile()).start();
            try {
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (!Files.readString(dir.resolve("serve.err")).contains("netboot: serving on")) {
                    assertTrue(serve.isAlive() && System.nanoTime() < deadline, Files.readString(dir.resolve("serve.err")));
                    Thread.sleep(20);
                }
                String hpa = "tftp -m netascii " + SERVER + " -c get notes.txt " + dir.resolve("got-hpa");
                String atftp = "printf 'mode netascii\\noption blksize 1000\\noption windowsize 8\\nget notes.txt "
                        + dir.resolve("got-atftp") + "\\nquit\\n' | atftp " + SERVER;
                String curl = "curl -sS --tftp-blksize 1428 -o " + dir.resolve("got-curl") + " 'tftp://" + SERVER
                        + "/notes.txt;mode=netascii'";
                Process client = net.start(cli, dir.resolve("client.log"), "sh", "-c", hpa + " && " + atftp + " && " + curl);
                assertTrue(client.waitFor(120, TimeUnit.SECONDS), "the clients finished");
                assertTrue(serve.waitFor(60, TimeUnit.SECONDS), "serve stopped once its client finished");
                String logs = Files.readString(dir.resolve("serve.err")) + "\n--- clients:\n" + Files.readString(dir.resolve("client.log"));
                assertEquals(0, client.exitValue(), logs);
                assertEquals(0, serve.exitValue(), logs);
                assertArrayEquals(raw, Files.readAllBytes(dir.resolve("got-hpa")), "tftp-hpa's copy\n" + logs);
                assertArrayEquals(raw, Files.readAllBytes(dir.resolve("got-atftp")), "atftp's copy\n" + logs);
                assertArrayEquals(expected, Files.readAllBytes(dir.resolve("got-curl")), "curl's netascii bytes\n" + logs);
                // serve's account: three transfers of notes.txt, each the netascii form's size (known at its end).
                JsonNode j = new ObjectMapper().readTree(Files.readString(dir.resolve("serve.out")));
                JsonNode t = j.get("clients").get(0).get("transfer");
                assertEquals(expected.length, t.get("size").asLong(), logs);
                assertEquals(expected.length, t.get("bytes").asLong(), logs);
                assertEquals("complete", t.get("end").asText(), logs);
                assertTrue(logs.contains("sent notes.txt: " + expected.length + " bytes in "), logs);
            } finally {
                serve.destroyForcibly();
            }
        }
    }
}
