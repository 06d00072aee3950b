package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * {@code netboot boot --timeline}: the SVG is well-formed XML with the board's and the server's lanes, and holds the
 * exchanges a boot of a known image must have, worked out from its size and the block and window sizes (RFC 2348,
 * RFC 7440): DATA blocks 1..size/blksize+1, one ACK per window plus the OACK's ACK 0, the four DHCP messages, one RRQ
 * and one OACK; the flash's shaded busy periods add up to the busy time the summary reports.
 */
class TimelineCliTest {
    static final String SVG = "http://www.w3.org/2000/svg";

    @TempDir
    Path dir;

    static List<Element> groups(Document d) {
        NodeList gs = d.getElementsByTagNameNS(SVG, "g");
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < gs.getLength(); i++) {
            out.add((Element) gs.item(i));
        }
        return out;
    }

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

    BootCliTest.Run boot(byte[] img, String... extra) throws Exception {
        Path image = Files.write(dir.resolve("image.bin"), img);
        List<String> args = new ArrayList<>(List.of("boot", "--image", image.toString(), "--timeline", dir.resolve("boot.svg").toString(),
                "--json"));
        args.addAll(List.of(extra));
        BootCliTest.Run r = BootCliTest.run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        assertEquals("ok", r.json().get("result").asText());
        return r;
    }

    @Test
    void aCleanBootIsDrawnExchangeByExchange() throws Exception {
        BootCliTest.Run r = boot(BootCliTest.randomImage(100_000, 3));
        JsonNode j = r.json();
        assertEquals(1468, j.get("blockSize").asInt());
        assertEquals(8, j.get("windowSize").asInt());
        Document d = ServeCommandTest.svg(dir.resolve("boot.svg"));
        List<String> lanes = groups(d).stream().filter(g -> g.getAttribute("class").equals("lane"))
                .map(g -> g.getTextContent()).toList();
        assertEquals(List.of("board 02:4e:42:00:00:01", "server 10.0.0.1"), lanes);
        long blocks = 100_000 / 1468 + 1; // 68 full blocks and one of 176 bytes
        assertEquals(69, blocks);
        assertEquals(blocks, count(d, "TFTP_DATA"));
        assertEquals(1 + (blocks + 7) / 8, count(d, "TFTP_ACK")); // ACK 0 for the OACK, then one per window of 8
        assertEquals(2, count(d, "TFTP_REQUEST")); // the image, then boot.img.sha256, which the server has not (ERROR 1)
        assertEquals(1, count(d, "TFTP_OACK"));
        assertEquals(2, count(d, "DHCP_REQUEST")); // DHCPDISCOVER, DHCPREQUEST
        assertEquals(2, count(d, "DHCP_REPLY"));   // DHCPOFFER, DHCPACK
        ServeCommandTest.assertBlocks(blocks, ServeCommandTest.dataBlocks(d, 0));
        assertEquals(0, ServeCommandTest.count(d, "data-lost", null));
        assertEquals(0, ServeCommandTest.count(d, "data-again", null));
        assertEquals(4, groups(d).stream().filter(g -> g.getAttribute("class").equals("stage")).count()); // leased, arp, tftp, booted
        // The shaded busy periods add up to the chip's busy time.
        NodeList rects = d.getElementsByTagNameNS(SVG, "rect");
        long busy = 0;
        for (int i = 0; i < rects.getLength(); i++) {
            Element e = (Element) rects.item(i);
            if (e.getAttribute("class").equals("flash-busy")) {
                busy += Long.parseLong(e.getAttribute("data-to")) - Long.parseLong(e.getAttribute("data-from"));
            }
        }
        assertEquals(j.get("flashSeconds").asDouble(), busy / 1e9, 1e-6);
        assertTrue(busy > 0);
    }

    @Test
    void everyDataBlockDrawnLostIsDrawnSentAgainLater() throws Exception {
        BootCliTest.Run r = boot(BootCliTest.randomImage(100_000, 3), "--loss", "0.1", "--seed", "7");
        JsonNode j = r.json();
        assertTrue(j.get("framesLost").asLong() > 0, r.out());
        Document d = ServeCommandTest.svg(dir.resolve("boot.svg"));
        Map<Long, Long> lostAt = new TreeMap<>();
        List<long[]> again = new ArrayList<>();
        for (Element g : groups(d)) {
            if (g.getAttribute("class").startsWith("msg") && g.getAttribute("data-kind").equals("TFTP_DATA")) {
                long block = Long.parseLong(g.getAttribute("data-block"));
                long time = Long.parseLong(g.getAttribute("data-time"));
                if (g.hasAttribute("data-lost")) {
                    lostAt.putIfAbsent(block, time);
                }
                if (g.hasAttribute("data-again")) {
                    again.add(new long[] {block, time});
                }
            }
        }
        assertTrue(!lostAt.isEmpty(), "seed 7 at 10% loses DATA on the way to the board");
        for (var e : lostAt.entrySet()) {
            assertTrue(again.stream().anyMatch(a -> a[0] == e.getKey() && a[1] > e.getValue()),
                    "DATA " + e.getKey() + " was lost and never sent again, yet the board booted");
        }
        // Every frame the wire lost is drawn lost, whichever way it went (two stations: each loss is one of theirs).
        assertEquals(j.get("framesLost").asLong(), ServeCommandTest.count(d, "data-lost", "true"), r.out());
        long toBoard = lostTo(d, "0");
        long toServer = lostTo(d, "1");
        assertTrue(toBoard > 0 && toServer > 0, toBoard + " lost to the board, " + toServer + " to the server");
        assertEquals(j.get("framesLost").asLong(), toBoard + toServer);
        ServeCommandTest.assertBlocks(69, ServeCommandTest.dataBlocks(d, 0));
    }

    /**
     * A frame the wire delivered late, out of order, twice or changed was not lost, so it is drawn delivered: the crosses are
     * the wire's {@code framesLost}, 0 without loss. Before, a loss was read from the frames that reached the board's port, in
     * order and byte for byte: one frame held back (reorder) or with a bit flipped (corrupt, tamper) made every frame after it
     * look lost (754 crosses for 0 frames lost with {@code --reorder 0.05}, 729 with {@code --corrupt 0.02}), and of a flood
     * of identical broadcasts all but the first were drawn lost (999 of {@code --flood 1000}).
     */
    @Test
    void framesTheWireDeliveredLateTwiceOrChangedAreNotDrawnLost() throws Exception {
        Path image = Files.write(dir.resolve("image.bin"), BootCliTest.randomImage(100_000, 3));
        List<List<String>> faults = List.of(List.of("--reorder", "0.05"), List.of("--corrupt", "0.02"), List.of("--tamper", "0.01"),
                List.of("--duplicate", "0.05"), List.of("--jitter", "2ms"), List.of("--flood", "1000"),
                List.of("--loss", "0.05", "--reorder", "0.05", "--corrupt", "0.02", "--duplicate", "0.05"));
        for (List<String> f : faults) {
            List<String> args = new ArrayList<>(List.of("boot", "--image", image.toString(), "--timeline", dir.resolve("f.svg").toString(),
                    "--json", "--seed", "4"));
            args.addAll(f);
            JsonNode j = BootCliTest.run(args.toArray(String[]::new)).json();
            JsonNode wire = j.get("drops").get("wire");
            assertTrue(wire.get("reordered").asLong() + wire.get("corrupted").asLong() + wire.get("tampered").asLong()
                    + wire.get("duplicated").asLong() + j.get("drops").get("board").get("noListener").asLong() > 0
                    || f.contains("--jitter"), f + " did something to the frames: " + wire);
            Document d = ServeCommandTest.svg(dir.resolve("f.svg"));
            assertEquals(j.get("framesLost").asLong(), ServeCommandTest.count(d, "data-lost", "true"), f + " " + j);
        }
    }

    /** The frames a board's link down kept from it are drawn lost, and only those: all sent while it was down. */
    @Test
    void framesALinkDownKeptFromTheBoardAreDrawnLostWhileItWasDown() throws Exception {
        boot(BootCliTest.randomImage(100_000, 3), "--link-down", "0.5s,1s");
        Document d = ServeCommandTest.svg(dir.resolve("boot.svg"));
        List<Element> lost = groups(d).stream().filter(g -> g.getAttribute("data-lost").equals("true")).toList();
        assertTrue(!lost.isEmpty(), "the server sent while the link was down");
        for (Element g : lost) {
            long sent = Long.parseLong(g.getAttribute("data-time"));
            assertEquals("0", g.getAttribute("data-to"));
            // It would arrive the default scenario's 100 us later, within the second from 0.5 s.
            assertTrue(sent + 100_000 >= 500_000_000L && sent + 100_000 < 1_500_000_000L, g.getTextContent());
        }
    }

    /** Counts the frames drawn lost on their way to lane {@code lane}. */
    static long lostTo(Document d, String lane) {
        return groups(d).stream().filter(g -> g.getAttribute("data-lost").equals("true") && g.getAttribute("data-to").equals(lane)).count();
    }

    @Test
    void aBootOfThousandsOfBlocksStaysReadableAndSmall() throws Exception {
        int size = 2_000_000;
        boot(BootCliTest.randomImage(size, 4), "--blksize", "512", "--loss", "0.01", "--seed", "3", "--flash-timing", "none");
        Path svg = dir.resolve("boot.svg");
        assertTrue(Files.size(svg) < 1_000_000, Files.size(svg) + " bytes");
        Document d = ServeCommandTest.svg(svg);
        Set<Long> blocks = ServeCommandTest.dataBlocks(d, 0);
        ServeCommandTest.assertBlocks(size / 512 + 1, blocks);
        assertTrue(groups(d).stream().anyMatch(g -> g.getAttribute("class").equals("band")));
    }

    /**
     * Drawing a boot does not change it: on a 100 Mbit/s link with a 1 ms round trip the board sizes its window from
     * the link's rate (windowsize = auto), with --timeline as without. The timeline's link once passed on only what it
     * watched, the board saw no rate, and asked for 8 blocks a window: half the speed of the boot it claimed to draw.
     */
    @Test
    void drawingABootDoesNotChangeIt() throws Exception {
        String[] boot = {"boot", "--bandwidth", "100Mbit", "--rtt", "1ms", "--flash-timing", "none", "--json"};
        JsonNode plain = BootCliTest.run(boot).json();
        List<String> drawn = new ArrayList<>(List.of(boot));
        drawn.addAll(List.of("--timeline", dir.resolve("same.svg").toString()));
        JsonNode withTimeline = BootCliTest.run(drawn.toArray(String[]::new)).json();
        assertTrue(plain.get("windowSize").asInt() > 8, plain.toString()); // auto: more than the fallback when the rate is unknown
        for (String key : List.of("windowSize", "blockSize", "transferSeconds", "simulatedSeconds", "retransmissions")) {
            assertEquals(plain.get(key), withTimeline.get(key), key);
        }
    }

    @Test
    void theTimelineIsForTheEmulatorAndIsCheckedBeforeTheBoot() throws Exception {
        BootCliTest.Run r = BootCliTest.run("boot", "--interface", "lo", "--timeline", dir.resolve("t.svg").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--timeline"), r.err());
        r = BootCliTest.run("boot", "--timeline", dir.resolve("no/such/dir/t.svg").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--timeline") && r.err().contains("no such directory"), r.err());
    }
}
