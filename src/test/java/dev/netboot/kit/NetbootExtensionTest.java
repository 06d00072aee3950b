package dev.netboot.kit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.device.BootFailure;
import dev.netboot.device.BootReport;
import dev.netboot.emulator.DhcpServer;
import dev.netboot.emulator.Router;
import dev.netboot.emulator.Scenario;
import dev.netboot.emulator.TftpServer;
import dev.netboot.flash.FlashStats;
import dev.netboot.flash.FlashTiming;
import dev.netboot.testkit.Capture;
import dev.netboot.testkit.Lan;
import dev.netboot.testkit.NetbootExtension;
import dev.netboot.testkit.TestBoard;
import dev.netboot.testkit.TestLan;
import dev.netboot.testkit.Timeline;
import dev.netboot.wire.Ipv4Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The test kit's JUnit 5 extension: a test declares its LAN, gets boards and servers injected, boots in virtual time,
 * and asserts on the result, the capture and the flash; a failing test prints its LAN's timeline. Expected counts come
 * from the protocols: one DHCP exchange of four messages on a lossless LAN, ceil(size / 1468) DATA blocks at the MTU's
 * largest block (RFC 2348; the profile's blksize auto).
 */
@ExtendWith(NetbootExtension.class)
@Lan(flashTiming = FlashTiming.Mode.NONE)
class NetbootExtensionTest {
    @Test
    void aBoardBootsTheServedImageAndTheCaptureAndTheFlashShowHow(TestLan lan, TestBoard board, DhcpServer dhcp, TftpServer tftp) {
        assertNotNull(dhcp);
        assertNotNull(tftp);
        byte[] img = lan.serve(TestLan.image(300_001, 5));
        BootReport r = board.booted();
        assertEquals(TestLan.sha256(img), r.sha256());
        assertEquals("A", r.slot());
        assertEquals(Ipv4Address.parse("10.0.0.42"), r.address());
        assertArrayEquals(img, board.image("A"));
        assertEquals(0, board.powerUp().slot(), "the bootloader boots slot A");

        Capture c = lan.capture();
        for (String kind : List.of("DHCPDISCOVER", "DHCPOFFER", "DHCPREQUEST", "DHCPACK", "TFTP OACK")) {
            assertEquals(1, c.count(kind), kind);
        }
        assertEquals(2, c.count("TFTP RRQ"), "the image, then boot.img.sha256, which this server has not (ERROR 1)");
        int blocks = (300_001 + 1467) / 1468; // 205: 204 full blocks and one of 529 bytes
        assertEquals(blocks, c.count("TFTP DATA"));
        assertEquals(529 + 4 + 8 + 20 + 14, c.frames("TFTP DATA").getLast().bytes().length, "the last block is short");

        // A kind misspelt would count nothing, and assertEquals(0, c.count("DHCPNACK")) pass for it: it is refused instead.
        for (String typo : List.of("DHCPNACK", "TFTP Data", "DHCP DISCOVER", "")) {
            assertEquals("no frame kind '" + typo + "' (expected one of: " + String.join(", ", Capture.KINDS) + ")",
                    assertThrows(IllegalArgumentException.class, () -> c.count(typo)).getMessage());
            assertThrows(IllegalArgumentException.class, () -> c.frames(typo));
        }

        Timeline t = lan.timeline();
        String text = t.toString();
        assertTrue(text.contains("TFTP transfer to 10.0.0.42:"), text);
        assertTrue(text.contains(blocks + " DATA (blocks 1.." + blocks + ")"), text);
        assertTrue(text.contains("board 02:4e:42:00:00:01 booted: 300001 bytes into slot A"), text);
        assertTrue(t.entries().size() < 40, "a transfer of 205 blocks is one line: " + t.entries().size() + " lines\n" + text);
    }

    @Test
    @Lan(scenario = "relay", seed = 7, loss = 0.05, flashTiming = FlashTiming.Mode.NONE)
    void theMethodsLanWinsARelayedBoardBootsThroughLoss(TestLan lan, TestBoard board, Router router, Scenario scenario,
                                                        @TempDir Path dir) throws Exception {
        assertNotNull(router, "the relay scenario's router is injected");
        assertEquals(7, scenario.seed());
        assertEquals(0.05, scenario.faults().loss());
        byte[] img = lan.serve(TestLan.image(200_000, 2));
        BootReport r = board.booted();
        assertEquals(TestLan.sha256(img), r.sha256());
        assertEquals(Ipv4Address.parse("10.0.1.42"), r.address(), "an address of the relayed subnet");
        assertTrue(board.board().retransmissions() > 0, "5% loss costs retransmissions");
        assertTrue(lan.network().framesLost() > 0);
        // Every frame the wire lost is drawn lost: each segment here joins two stations (board and relay, relay and
        // server), so each loss is one frame lost on its way to its one receiver.
        Document d = svg(lan.writeTimeline(dir.resolve("relay.svg")));
        assertEquals(lan.network().framesLost(), groups(d).stream().filter(g -> g.getAttribute("data-lost").equals("true")).count());
    }

    @Test
    void twoBoardsOnOneLanBootTogether(TestLan lan, TestBoard one, TestBoard two) {
        byte[] img = lan.serve(TestLan.image(50_000, 9));
        lan.bootAll();
        BootReport a = one.booted();
        BootReport b = two.booted();
        assertNotEquals(one.mac(), two.mac());
        assertNotEquals(a.address(), b.address());
        assertEquals(TestLan.sha256(img), a.sha256());
        assertEquals(TestLan.sha256(img), b.sha256());
    }

    @Test
    @Lan(scenario = "default", loss = 1.0, flashTiming = FlashTiming.Mode.NONE)
    void aBoardNobodyHearsFailsInTheLeaseStage(TestBoard board) {
        BootFailure f = board.failed();
        assertEquals("dhcp", f.stage());
        assertEquals(0, board.image("A").length, "nothing written");
    }

    /** A test that fails after a boot: run through the launcher, so its failure is this test's evidence. */
    @ExtendWith(NetbootExtension.class)
    @Lan(flashTiming = FlashTiming.Mode.NONE)
    static class FailingFixture {
        @Test
        void bootsAndThenFails(TestLan lan, TestBoard board) {
            lan.serve(TestLan.image(100_000, 3));
            board.booted();
            throw new AssertionError("the board booted, and this test fails on purpose");
        }

        @Test
        void passes(TestLan lan, TestBoard board) {
            lan.serve(TestLan.image(10_000, 3));
            board.booted();
        }
    }

    /** A test whose @Lan asks for a loss no wire has. */
    @ExtendWith(NetbootExtension.class)
    static class ImpossibleLoss {
        @Test
        @Lan(loss = 1.5)
        void boots(TestBoard board) {
        }
    }

    @Test
    void aLossOutOfRangeIsRefusedNamingTheAnnotation() {
        // The library QA pass: the emulator's fault-plan words came alone, not saying that @Lan's loss was wrong.
        Throwable t = Launch.run(ImpossibleLoss.class).failed().get("boots");
        assertTrue(t.getMessage().startsWith("@Lan(loss = 1.5): "), t.getMessage());
    }

    @Test
    void aFailedTestPrintsItsLansTimelineAndLeavesItsCapture() throws Exception {
        Path pcap = Path.of("target/netboot-lan/" + FailingFixture.class.getName() + ".bootsAndThenFails.pcap");
        Path svg = Path.of("target/netboot-lan/" + FailingFixture.class.getName() + ".bootsAndThenFails.svg");
        Files.deleteIfExists(pcap);
        Files.deleteIfExists(svg);
        Launch.Outcome o = Launch.run(FailingFixture.class);
        assertEquals(List.of("bootsAndThenFails"), List.copyOf(o.failed().keySet()));
        assertEquals("the board booted, and this test fails on purpose", o.failed().get("bootsAndThenFails").getMessage());
        String out = o.output();
        assertTrue(out.startsWith("netboot: dev.netboot.kit.NetbootExtensionTest$FailingFixture.bootsAndThenFails failed; what happened on its LAN ("), out);
        assertTrue(out.contains("capture in " + pcap.toAbsolutePath() + ", drawing in " + svg.toAbsolutePath()), out);
        for (String line : List.of("board 02:4e:42:00:00:01 powered on (spi-nor-16m)", "DHCPDISCOVER xid 0x", "DHCPACK xid 0x",
                "board 02:4e:42:00:00:01 leased 10.0.0.42/24 by dhcp from 10.0.0.1", "TFTP RRQ boot.img", "TFTP transfer to 10.0.0.42:",
                "board 02:4e:42:00:00:01 booted: 100000 bytes into slot A")) {
            assertTrue(out.contains(line), line + " in\n" + out);
        }
        assertEquals(1, out.split("netboot: ", -1).length - 1, "the passing test prints nothing:\n" + out);
        byte[] file = Files.readAllBytes(pcap);
        assertEquals(0xa1b23c4d, ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getInt(0), "a nanosecond pcap");
        Document d = svg(svg);
        assertEquals(List.of("board 02:4e:42:00:00:01", "server 10.0.0.1"), lanes(d));
        assertEquals((100_000 + 1467) / 1468, count(d, "TFTP_DATA")); // 69 blocks at blksize 1468 (RFC 2348)
        assertTrue(groups(d).stream().anyMatch(g -> g.getAttribute("class").equals("stage")
                && g.getTextContent().contains("board 02:4e:42:00:00:01 booted: 100000 bytes")), "the boot's end is a stage");
    }

    /** Tests run once per invocation, each failing after a boot of its own image: 10,000 x N bytes. */
    @ExtendWith(NetbootExtension.class)
    @Lan(flashTiming = FlashTiming.Mode.NONE)
    static class FailingInvocations {
        @RepeatedTest(3)
        void repeated(TestLan lan, TestBoard board, RepetitionInfo info) {
            lan.serve(TestLan.image(10_000 * info.getCurrentRepetition(), 3));
            board.booted();
            throw new AssertionError("repetition " + info.getCurrentRepetition() + " fails on purpose");
        }

        @ParameterizedTest
        @ValueSource(ints = {4, 5})
        void parameterized(int n, TestLan lan, TestBoard board) {
            lan.serve(TestLan.image(10_000 * n, 3));
            board.booted();
            throw new AssertionError("n = " + n + " fails on purpose");
        }
    }

    /**
     * Each invocation of a repeated or parameterised test keeps its own capture and drawing, named by its number: the
     * drawing of the one that booted 10,000 x N bytes shows ceil(10,000 x N / 1468) DATA blocks (RFC 2348, blksize 1468).
     */
    @Test
    void eachInvocationOfARepeatedOrParameterisedTestKeepsItsOwnArtifacts() throws Exception {
        List<String> names = List.of("repeated[1]", "repeated[2]", "repeated[3]", "parameterized[1]", "parameterized[2]");
        for (String name : names) {
            Files.deleteIfExists(Path.of("target/netboot-lan/" + FailingInvocations.class.getName() + "." + name + ".pcap"));
            Files.deleteIfExists(Path.of("target/netboot-lan/" + FailingInvocations.class.getName() + "." + name + ".svg"));
        }
        Launch.Outcome o = Launch.run(FailingInvocations.class);
        assertEquals(List.of("parameterized", "repeated"), List.copyOf(o.failed().keySet()));
        int[] bytes = {10_000, 20_000, 30_000, 40_000, 50_000};
        for (int i = 0; i < names.size(); i++) {
            Path pcap = Path.of("target/netboot-lan/" + FailingInvocations.class.getName() + "." + names.get(i) + ".pcap");
            Path svg = Path.of("target/netboot-lan/" + FailingInvocations.class.getName() + "." + names.get(i) + ".svg");
            assertTrue(o.output().contains("netboot: " + FailingInvocations.class.getName() + "." + names.get(i) + " failed; what happened on its LAN ("),
                    o.output());
            assertTrue(o.output().contains("capture in " + pcap.toAbsolutePath() + ", drawing in " + svg.toAbsolutePath()), o.output());
            assertTrue(Files.isRegularFile(pcap), pcap.toString());
            assertEquals((bytes[i] + 1467) / 1468, count(svg(svg), "TFTP_DATA"), svg.toString());
        }
    }

    /** Boots {@code bytes} of image, then fails on purpose. */
    static void bootAndFail(TestLan lan, TestBoard board, int bytes) {
        lan.serve(TestLan.image(bytes, 3));
        board.booted();
        throw new AssertionError("a rack of " + bytes + " bytes fails on purpose");
    }

    /** Two racks whose nested tests share a class name and a method name, each failing after a boot of its own image. */
    static class FirstRack {
        @ExtendWith(NetbootExtension.class)
        @Lan(flashTiming = FlashTiming.Mode.NONE)
        @org.junit.jupiter.api.Nested
        class Renewal {
            @Test
            void boots(TestLan lan, TestBoard board) {
                bootAndFail(lan, board, 10_000);
            }
        }
    }

    /** The second rack: 30,000 bytes. */
    static class SecondRack {
        @ExtendWith(NetbootExtension.class)
        @Lan(flashTiming = FlashTiming.Mode.NONE)
        @org.junit.jupiter.api.Nested
        class Renewal {
            @Test
            void boots(TestLan lan, TestBoard board) {
                bootAndFail(lan, board, 30_000);
            }
        }
    }

    /**
     * Two nested test classes of one simple name (and one method name) in two test classes keep two captures and two
     * drawings, named by the classes' binary names: the first rack's shows ceil(10,000 / 1468) = 7 DATA blocks, the
     * second's ceil(30,000 / 1468) = 21 (RFC 2348, blksize 1468); by the simple name the second overwrote the first.
     */
    @Test
    void nestedTestClassesOfOneNameKeepTheirOwnArtifacts() throws Exception {
        List<Class<?>> racks = List.of(FirstRack.Renewal.class, SecondRack.Renewal.class);
        for (Class<?> c : racks) {
            Files.deleteIfExists(Path.of("target/netboot-lan/" + c.getName() + ".boots.pcap"));
            Files.deleteIfExists(Path.of("target/netboot-lan/" + c.getName() + ".boots.svg"));
        }
        int[] blocks = {7, 21};
        for (int i = 0; i < racks.size(); i++) {
            Launch.Outcome o = Launch.run(racks.get(i));
            assertEquals(List.of("boots"), List.copyOf(o.failed().keySet()));
        }
        for (int i = 0; i < racks.size(); i++) {
            String name = racks.get(i).getName() + ".boots";
            assertTrue(name.startsWith("dev.netboot.kit.NetbootExtensionTest$" + (i == 0 ? "First" : "Second") + "Rack$Renewal"), name);
            Path svg = Path.of("target/netboot-lan/" + name + ".svg");
            assertTrue(Files.isRegularFile(Path.of("target/netboot-lan/" + name + ".pcap")), name);
            assertEquals(blocks[i], count(svg(svg), "TFTP_DATA"), svg.toString());
        }
    }

    /**
     * A test asks for the drawing itself. A clean boot of 100000 bytes at blksize 1468 (RFC 2348) and a window of 8
     * (RFC 7440; the profile's windowsize auto is 8 on a link of unknown rate): DATA 1..69, ACK 0 for the OACK then
     * one per window (ceil(69 / 8) = 9), one RRQ and one OACK, DHCPDISCOVER and DHCPREQUEST, DHCPOFFER and DHCPACK;
     * nothing lost, nothing sent again.
     */
    @Test
    void aTestWritesItsLansTimelineOnRequest(TestLan lan, TestBoard board, @TempDir Path dir) throws Exception {
        lan.serve(TestLan.image(100_000, 3));
        board.booted();
        Path file = lan.writeTimeline(dir.resolve("boot.svg"));
        assertEquals(dir.resolve("boot.svg"), file);
        Document d = svg(file);
        assertEquals(List.of("board 02:4e:42:00:00:01", "server 10.0.0.1"), lanes(d));
        long blocks = 100_000 / 1468 + 1; // 68 full blocks and one of 176 bytes
        assertEquals(blocks, count(d, "TFTP_DATA"));
        assertEquals(1 + (blocks + 7) / 8, count(d, "TFTP_ACK"));
        // The image, then boot.img.sha256 ([boot] digest = if-present), which this LAN's server has not: ERROR 1.
        assertEquals(2, count(d, "TFTP_REQUEST"));
        assertEquals(1, count(d, "TFTP_ERROR"));
        assertEquals(1, count(d, "TFTP_OACK"));
        assertEquals(2, count(d, "DHCP_REQUEST"));
        assertEquals(2, count(d, "DHCP_REPLY"));
        assertTrue(groups(d).stream().noneMatch(g -> g.hasAttribute("data-again") || g.hasAttribute("data-lost")));
    }

    /**
     * With the flash taking its datasheet's typical times, the drawing shades the flash's busy periods on the board's
     * lane (lane 0): they do not overlap, and they add up to what the chip's operations cost by the profile's timing,
     * counted from the flash's own stats: page programs times tPP, erased units times tSE (spi-nor-16m gives no page
     * read time, so reads cost nothing).
     */
    @Test
    @Lan(flashTiming = FlashTiming.Mode.TYPICAL)
    void theFlashsBusyPeriodsAreShadedAndAddUpToItsOperations(TestLan lan, TestBoard board, @TempDir Path dir) throws Exception {
        lan.serve(TestLan.image(100_000, 4));
        board.booted();
        Document d = svg(lan.writeTimeline(dir.resolve("timed.svg")));
        NodeList rects = d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect");
        long busy = 0;
        long lastTo = Long.MIN_VALUE;
        int shaded = 0;
        for (int i = 0; i < rects.getLength(); i++) {
            Element e = (Element) rects.item(i);
            if (e.getAttribute("class").equals("flash-busy")) {
                long from = Long.parseLong(e.getAttribute("data-from"));
                long to = Long.parseLong(e.getAttribute("data-to"));
                assertTrue(from >= lastTo && to > from, from + ".." + to + " after " + lastTo);
                assertEquals("0", e.getAttribute("data-lane"));
                busy += to - from;
                lastTo = to;
                shaded++;
            }
        }
        FlashTiming t = board.profile().timing();
        assertEquals(0, t.pageRead(FlashTiming.Mode.TYPICAL));
        FlashStats s = board.flash().stats();
        long units = s.bytesErased() / board.profile().flash().eraseUnit();
        assertTrue(s.programs() > 0 && units > 0, s.toString());
        assertEquals(s.programs() * t.pageProgram(FlashTiming.Mode.TYPICAL) + units * t.erase(FlashTiming.Mode.TYPICAL), busy);
        assertTrue(shaded > 0);
    }

    static Document svg(Path file) throws Exception {
        var f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document d = f.newDocumentBuilder().parse(file.toFile()); // throws on anything not well-formed
        assertEquals("svg", d.getDocumentElement().getLocalName());
        assertEquals("http://www.w3.org/2000/svg", d.getDocumentElement().getNamespaceURI());
        return d;
    }

    static List<Element> groups(Document d) {
        NodeList gs = d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "g");
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < gs.getLength(); i++) {
            out.add((Element) gs.item(i));
        }
        return out;
    }

    static List<String> lanes(Document d) {
        return groups(d).stream().filter(g -> g.getAttribute("class").equals("lane")).map(Element::getTextContent).toList();
    }

    /** Counts the exchanges of {@code kind}, a band's DATA and ACK included. */
    static long count(Document d, String kind) {
        long n = 0;
        for (Element g : groups(d)) {
            if (g.getAttribute("class").startsWith("msg") && g.getAttribute("data-kind").equals(kind)) {
                n++;
            } else if (g.getAttribute("class").equals("band") && kind.equals("TFTP_DATA")) {
                n += Long.parseLong(g.getAttribute("data-data"));
            } else if (g.getAttribute("class").equals("band") && kind.equals("TFTP_ACK")) {
                n += Long.parseLong(g.getAttribute("data-acks"));
            }
        }
        return n;
    }
}
