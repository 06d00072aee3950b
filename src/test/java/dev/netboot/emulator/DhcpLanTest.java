package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.device.BootFailure;
import dev.netboot.device.BootObserver;
import dev.netboot.device.BootReport;
import dev.netboot.device.BootSequence;
import dev.netboot.dhcp.Lease;
import dev.netboot.flash.BootSlots;
import dev.netboot.flash.Flash;
import dev.netboot.flash.SimulatedNorFlash;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.DhcpOption;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The board (its BootSequence, the same code a real board runs) against the emulated DHCP, ProxyDHCP and BOOTP
 * servers, as timelines of what crossed the wire: every path of RFC 2131 the shipped scenarios exercise.
 * Times are virtual; the segment's one-way latency is L = 100 us, the default profile probes the address for
 * 2 x 200 ms (RFC 5227) and collects offers for 500 ms.
 */
class DhcpLanTest {
    static final long L = 100_000L;
    static final long MS = 1_000_000L;
    static final long S = 1_000 * MS;
    static final long PROBING = EmulatedBootTest.PROBING;
    static final MacAddress BOARD = EmulatedBootTest.PROFILE.mac();
    static final MacAddress TAP = MacAddress.parse("02:00:00:00:0e:01");

    static Scenario scenario(String name) {
        return ScenarioFile.load(Path.of("emulator", name + ".scenario"));
    }

    /** A run: the boot, its LAN, a tap on the board's segment, the flash. */
    record Run(BootSequence boot, EmulatedLan lan, RawStation tap, Flash flash, long end) {
        /**
         * Returns "SENT-AT TYPE from > to", one line per DHCP or BOOTP message on the board's segment; the tap hears
         * each one latency after it was sent.
         */
        List<String> dhcp() {
            List<String> out = new ArrayList<>();
            for (RawStation.Frame f : tap.heard(EthernetFrame.TYPE_IPV4)) {
                int sp = f.udp().srcPort();
                int dp = f.udp().dstPort();
                if (!(sp == 67 || sp == 68 || dp == 67 || dp == 68 || dp == 4011 || sp == 4011)) {
                    continue;
                }
                BootpMessage m = f.bootp();
                String type = m.options().messageType().map(Object::toString)
                        .orElse(m.op() == BootpMessage.BOOTREQUEST ? "BOOTREQUEST" : "BOOTREPLY");
                out.add((f.at() - L) + " " + type + " " + new Ipv4Address(f.ip().src()) + ":" + sp + " > "
                        + new Ipv4Address(f.ip().dst()) + ":" + dp);
            }
            return out;
        }

        BootReport report() {
            return assertInstanceOf(BootSequence.State.Done.class, boot.state()).report();
        }

        BootFailure failure() {
            return assertInstanceOf(BootSequence.State.Failed.class, boot.state()).failure();
        }
    }

    static Run run(Scenario sc, byte[] image, Flash flash) {
        return run(sc, image, flash, TAP);
    }

    /** Runs with the tap at {@code tapMac}. */
    static Run run(Scenario sc, byte[] image, Flash flash, MacAddress tapMac) {
        EmulatedLan lan = EmulatedLan.of(sc);
        lan.tftp().serve(sc.servedFile(), image);
        RawStation tap = lan.simulation().add(new RawStation(lan.clientSegment(), tapMac));
        BootSequence boot = EmulatedBoot.addBoard(lan, EmulatedBootTest.PROFILE, flash, new BootObserver() {
        });
        boot.start(0);
        lan.simulation().run(boot::finished, 600 * S).orThrow();
        return new Run(boot, lan, tap, flash, lan.simulation().now());
    }

    static Run run(Scenario sc, byte[] image) {
        return run(sc, image, SimulatedNorFlash.inMemory(EmulatedBootTest.PROFILE.flash()));
    }

    static void assertInFlash(Run r, byte[] img, int slot) {
        byte[] back = new byte[img.length];
        r.flash().read(EmulatedBootTest.PROFILE.slot(slot).offset(), back, 0, back.length);
        assertArrayEquals(img, back);
    }

    @Test
    void defaultScenarioIsDoraThenTheProbe() {
        byte[] img = EmulatedBootTest.image(30_000);
        Run r = run(scenario("default"), img);
        // The offer names server and file: the request goes at once; the ACK back at 4L; then 0.4 s of probing.
        assertEquals(List.of(
                "0 DHCPDISCOVER 0.0.0.0:68 > 255.255.255.255:67",
                "100000 DHCPOFFER 10.0.0.1:67 > 255.255.255.255:68",
                "200000 DHCPREQUEST 0.0.0.0:68 > 255.255.255.255:67",
                "300000 DHCPACK 10.0.0.1:67 > 255.255.255.255:68"), r.dhcp());
        BootReport rep = r.report();
        assertEquals(4 * L + PROBING, rep.boundAt());
        assertEquals(Lease.Source.DHCP, rep.lease().source());
        assertEquals(Ipv4Address.parse("10.0.0.1"), rep.lease().dhcpServer());
        assertEquals(3600, rep.lease().leaseSeconds());
        assertEquals(0, rep.renewals());
        assertEquals(2, rep.bootpRequests());
        assertInFlash(r, img, 0);
    }

    @Test
    void bootpOnlyServerAnswersTheDiscoverAndTheBoardTakesItAsABinding() {
        Run r = run(scenario("bootp"), EmulatedBootTest.image(5_000));
        assertEquals(List.of(
                "0 DHCPDISCOVER 0.0.0.0:68 > 255.255.255.255:67",
                "100000 BOOTREPLY 10.0.0.1:67 > 255.255.255.255:68"), r.dhcp());
        Lease l = r.report().lease();
        assertEquals(Lease.Source.BOOTP, l.source());
        assertTrue(l.infinite());
        assertEquals(2 * L + PROBING, r.report().boundAt());
    }

    @Test
    void theSlowServerNamingTheBootFileWinsTheOfferWindow() {
        Run r = run(scenario("two-servers"), EmulatedBootTest.image(5_000));
        assertEquals(List.of(
                "0 DHCPDISCOVER 0.0.0.0:68 > 255.255.255.255:67",
                "100000 DHCPOFFER 10.0.0.2:67 > 255.255.255.255:68",         // fast, no boot file: the window opens
                "300100000 DHCPOFFER 10.0.0.1:67 > 255.255.255.255:68",      // 300 ms later, server and file: taken at once
                "300200000 DHCPREQUEST 0.0.0.0:68 > 255.255.255.255:67",
                "300300000 DHCPACK 10.0.0.1:67 > 255.255.255.255:68"), r.dhcp());
        assertEquals(Ipv4Address.parse("10.0.0.42"), r.report().address());
        // The fast server saw our REQUEST name 10.0.0.1 and withdrew its offer.
        assertEquals(null, r.lan().otherDhcpServers().getFirst().addressOf(BOARD));
    }

    /**
     * The server host as ISC dhcpd runs by default: it pings an address for a second before offering it (ping-check,
     * ping-timeout 1 s), so its offer naming the boot file comes long after the offer window of the fast server's.
     * The board, holding the offer without a boot file, asks again and takes the server host's.
     */
    @Test
    void aServerNamingTheBootFileASecondLateStillWins() throws Exception {
        String text = java.nio.file.Files.readString(Path.of("emulator", "two-servers.scenario"))
                .replace("offer-delay = 300ms", "offer-delay = 1s   ");
        Run r = run(ScenarioFile.parse(text, "two-servers-ping-check.scenario"), EmulatedBootTest.image(5_000));
        List<String> d = r.dhcp();
        assertEquals("0 DHCPDISCOVER 0.0.0.0:68 > 255.255.255.255:67", d.get(0));
        assertEquals("100000 DHCPOFFER 10.0.0.2:67 > 255.255.255.255:68", d.get(1));   // fast, no boot file: held
        assertTrue(d.contains("1000100000 DHCPOFFER 10.0.0.1:67 > 255.255.255.255:68"), String.join("\n", d));
        assertTrue(d.contains("1000200000 DHCPREQUEST 0.0.0.0:68 > 255.255.255.255:67"), String.join("\n", d)); // at once
        assertEquals(Ipv4Address.parse("10.0.0.1"), r.report().lease().dhcpServer());
        assertEquals(Ipv4Address.parse("10.0.0.42"), r.report().address());
    }

    @Test
    void anAddressInUseIsDeclinedAndTheNextOneTakenTenSecondsLater() {
        byte[] img = EmulatedBootTest.image(5_000);
        Run r = run(scenario("conflict"), img);
        List<String> d = r.dhcp();
        assertEquals("600000 DHCPDECLINE 0.0.0.0:68 > 255.255.255.255:67", d.get(4)); // the squatter answered the probe at 5L
        assertEquals("10000600000 DHCPDISCOVER 0.0.0.0:68 > 255.255.255.255:67", d.get(5)); // decline-wait, 10 s
        assertEquals(9, d.size());
        assertEquals(Ipv4Address.parse("10.0.0.43"), r.report().address());
        assertEquals(1, r.lan().dhcp().stats().declines());
        assertEquals(1, r.boot().lease().conflicts());
        assertInFlash(r, img, 0);
    }

    @Test
    void aShortLeaseIsRenewedByUnicastWhileTheImageStreamsIntoFlash() throws Exception {
        byte[] img = EmulatedBootTest.image(EmulatedBoot.GENERATED_IMAGE_SIZE);
        EmulatedBoot.Result res = EmulatedBoot.run(new EmulatedBoot.Config(scenario("short-lease"), EmulatedBootTest.PROFILE, img,
                SimulatedNorFlash.inMemory(EmulatedBootTest.PROFILE.flash()), null, new BootObserver() {
                }, dev.netboot.flash.FlashTiming.Mode.TYPICAL));
        BootReport rep = assertInstanceOf(BootSequence.State.Done.class, res.state()).report();
        // 13.25 s of NOR datasheet time: T1 = 4 s after each request, first at 0.2 ms: renewals at 4, 8 and 12 s.
        assertEquals(3, rep.renewals());
        assertTrue(res.simulatedNanos() > 13 * S);
        assertEquals(8, rep.lease().leaseSeconds());
    }

    @Test
    void renewalsGoToTheServerThenRebindByBroadcastWhenItsUnicastPathIsBroken() {
        Scenario sc = scenario("short-lease").withDhcp(scenario("short-lease").dhcp().withRenewals(DhcpSettings.Renewals.REBIND));
        Run r = runTimed(sc);
        List<String> renewals = r.dhcp().subList(4, 8);
        // T1 at 4 s (the lease counts from the REQUEST at 2L): unicast, unanswered; T2 at 7 s: broadcast, answered.
        assertEquals(List.of(
                "4000200000 DHCPREQUEST 10.0.0.42:68 > 10.0.0.1:67",
                "7000200000 DHCPREQUEST 10.0.0.42:68 > 255.255.255.255:67",
                "7000300000 DHCPACK 10.0.0.1:67 > 10.0.0.42:68",
                "11000200000 DHCPREQUEST 10.0.0.42:68 > 10.0.0.1:67"), renewals);
        assertEquals(Lease.Source.DHCP, r.report().lease().source());
        assertTrue(r.report().renewals() >= 1);
    }

    Run runTimed(Scenario sc) {
        EmulatedLan lan = EmulatedLan.of(sc);
        lan.tftp().serve(sc.servedFile(), EmulatedBoot.generatedImage(1));
        RawStation tap = lan.simulation().add(new RawStation(lan.clientSegment(), TAP));
        Flash flash = new dev.netboot.flash.TimedFlash(SimulatedNorFlash.inMemory(EmulatedBootTest.PROFILE.flash()),
                EmulatedBootTest.PROFILE.timing(), dev.netboot.flash.FlashTiming.Mode.TYPICAL);
        BootSequence boot = EmulatedBoot.addBoard(lan, EmulatedBootTest.PROFILE, flash, new BootObserver() {
        });
        boot.start(0);
        lan.simulation().run(boot::finished, 600 * S).orThrow();
        return new Run(boot, lan, tap, flash, lan.simulation().now());
    }

    @Test
    void aLeaseLostMidTransferEndsTheBootAndThePreviousSlotStaysActive() {
        Flash flash = SimulatedNorFlash.inMemory(EmulatedBootTest.PROFILE.flash());
        byte[] first = EmulatedBootTest.image(40_000);
        Run ok = run(scenario("default"), first, flash);
        assertEquals("A", ok.report().slot());
        // The next boot's server never renews: an 8 s lease, the boot needs 13 s of flash time.
        Scenario gone = scenario("short-lease").withDhcp(scenario("short-lease").dhcp().withRenewals(DhcpSettings.Renewals.IGNORE));
        EmulatedLan lan = EmulatedLan.of(gone);
        lan.tftp().serve(gone.servedFile(), EmulatedBoot.generatedImage(2));
        Flash timed = new dev.netboot.flash.TimedFlash(flash, EmulatedBootTest.PROFILE.timing(),
                dev.netboot.flash.FlashTiming.Mode.TYPICAL);
        BootSequence boot = EmulatedBoot.addBoard(lan, EmulatedBootTest.PROFILE, timed, new BootObserver() {
        });
        boot.start(0);
        lan.simulation().run(boot::finished, 600 * S).orThrow();
        BootFailure f = assertInstanceOf(BootSequence.State.Failed.class, boot.state()).failure();
        assertEquals("dhcp", f.stage());
        assertEquals("lease of 10.0.0.42 from 10.0.0.1 lost at 8.0 s: no server answered the DHCPREQUESTs at T1 (unicast to"
                + " 10.0.0.1) and T2 (broadcast); slot A stays active", f.message());
        assertEquals(Ipv4Address.ANY, boot.net().address(), "the address is no longer used");
        // The flash as the bootloader finds it: slot A active and intact.
        BootSlots slots = EmulatedBootTest.PROFILE.bootSlots(flash);
        assertEquals(0, slots.load().active());
        byte[] back = new byte[first.length];
        flash.read(EmulatedBootTest.PROFILE.slot(0).offset(), back, 0, back.length);
        assertArrayEquals(first, back);
    }

    @Test
    void aNakSendsTheBoardBackToDiscovery() {
        // The server names no boot file, so the board waits out its 500 ms offer window; meanwhile a DHCPDECLINE of
        // the offered address comes from another station with the board's hardware address (a second system on its
        // NIC, or a peer that spoofs it: the server takes a DECLINE only from the client it gave the address to), and
        // the server then refuses the board's request for it.
        Scenario sc = ScenarioFile.parse("[bootp]\nannounce = none\n", "t.scenario");
        EmulatedLan lan = EmulatedLan.of(sc);
        RawStation tap = lan.simulation().add(new RawStation(lan.clientSegment(), TAP));
        TestClient other = lan.simulation().add(new TestClient(lan.clientSegment(), MacAddress.parse("02:00:00:00:0e:02")));
        BootSequence boot = EmulatedBoot.addBoard(lan, EmulatedBootTest.PROFILE, SimulatedNorFlash.inMemory(
                EmulatedBootTest.PROFILE.flash()), new BootObserver() {
        });
        boot.start(0);
        lan.simulation().runUntil(100 * MS);
        other.send(100 * MS, 68, Ipv4Address.BROADCAST, 67, DhcpServerTest.bytes(DhcpServerTest.from(BOARD, null,
                dev.netboot.wire.DhcpMessageType.Known.DECLINE,
                new DhcpOption.RequestedAddress(sc.clientIp()), new DhcpOption.ServerId(sc.serverIp()))));
        lan.simulation().run(boot::finished, 600 * S).orThrow();
        Run r = new Run(boot, lan, tap, null, lan.simulation().now());
        List<String> d = r.dhcp();
        // The offer (at 2L) names no boot file: the board asks again (the server offers again) and takes it when its third
        // DHCPDISCOVER is due, 2 s ± 0.5 s after the second (RFC 2131 section 4.1's backoff).
        assertTrue(d.get(3).endsWith(" DHCPDISCOVER 0.0.0.0:68 > 255.255.255.255:67"), d.get(3));
        assertTrue(d.get(5).endsWith(" DHCPREQUEST 0.0.0.0:68 > 255.255.255.255:67"), d.get(5));
        long second = Long.parseLong(d.get(3).split(" ")[0]);
        long request = Long.parseLong(d.get(5).split(" ")[0]);
        assertTrue(request - second >= 1_500 * MS && request - second <= 2_500 * MS, d.get(3) + " / " + d.get(5));
        assertEquals((request + 100_000) + " DHCPNAK 10.0.0.1:67 > 255.255.255.255:68", d.get(6));
        assertEquals((request + 200_000) + " DHCPDISCOVER 0.0.0.0:68 > 255.255.255.255:67", d.get(7));
        assertEquals(1, boot.lease().naks());
        // The second offer, 10.0.0.43, names no boot file either: the board says so.
        assertEquals("DHCP server 10.0.0.1 gave 10.0.0.43 but siaddr is 0.0.0.0 and there is no option 66, option 150 or"
                + " dotted sname (expected: a TFTP server); no boot file in the file field or option 67; no ProxyDHCP server"
                + " answered", r.failure().message());
    }

    @Test
    void aProxyDhcpServerNamesTheBootFileAndTheBoardMergesTheTwo() {
        byte[] img = EmulatedBootTest.image(5_000);
        Run r = run(scenario("proxy"), img);
        assertEquals(List.of(
                "0 DHCPDISCOVER 0.0.0.0:68 > 255.255.255.255:67",
                "100000 DHCPOFFER 10.0.0.1:67 > 255.255.255.255:68",
                "100000 DHCPOFFER 10.0.0.3:67 > 255.255.255.255:68",          // the ProxyDHCP offer: no address
                "500200000 DHCPREQUEST 0.0.0.0:68 > 255.255.255.255:67",     // the window closed at 2L + 500 ms
                "500300000 DHCPACK 10.0.0.1:67 > 255.255.255.255:68"), r.dhcp());
        Lease l = r.report().lease();
        assertEquals(Lease.Source.PROXY, l.source());
        assertEquals(Ipv4Address.parse("10.0.0.1"), l.dhcpServer());
        assertEquals(Ipv4Address.parse("10.0.0.3"), l.proxyServer());
        assertEquals("10.0.0.1 (siaddr), boot.img (file)", l.boot().describe());
        assertInFlash(r, img, 0);
    }

    @Test
    void aProxyThatKeepsTheFileForPort4011IsAskedThere() {
        Scenario sc = scenario("proxy");
        sc = sc.withNeighbours(new Neighbours(List.of(), new Neighbours.Proxy(sc.neighbours().proxy().mac(),
                sc.neighbours().proxy().address(), "boot.img", sc.serverIp(), false), List.of()));
        Run r = run(sc, EmulatedBootTest.image(5_000));
        List<String> d = r.dhcp();
        // The ACK arrives at 4L + 500 ms; after the probe, an ARP round trip for 10.0.0.3 (2L), then the request to
        // port 4011 and the answer to our address, from port 4011.
        long asked = 6 * L + 500 * MS + PROBING;
        assertEquals(asked + " DHCPREQUEST 10.0.0.42:68 > 10.0.0.3:4011", d.get(5));
        assertEquals((asked + L) + " DHCPACK 10.0.0.3:4011 > 10.0.0.42:68", d.get(6));
        assertEquals(Lease.Source.PROXY, r.report().lease().source());
        assertEquals(1, r.lan().proxyDhcp().stats().acks());
    }

    @Test
    void theRelayCarriesDhcpAndTheRenewalGoesThroughTheRouter() {
        Scenario relay = scenario("relay").withDhcp(DhcpSettings.DEFAULTS.withLease(8));
        Run r = runTimed(relay);
        List<String> d = r.dhcp();
        // On the board's segment the relay answers from its address 10.0.1.1 (RFC 1542 4.1.2).
        assertEquals("0 DHCPDISCOVER 0.0.0.0:68 > 255.255.255.255:67", d.get(0));
        assertTrue(d.get(1).endsWith("DHCPOFFER 10.0.1.1:67 > 255.255.255.255:68"), d.get(1));
        assertTrue(d.get(3).endsWith("DHCPACK 10.0.1.1:67 > 255.255.255.255:68"), d.get(3));
        // The renewal is unicast to the server, 10.0.0.1, through the gateway.
        assertTrue(d.get(4).endsWith("DHCPREQUEST 10.0.1.42:68 > 10.0.0.1:67"), d.get(4));
        BootReport rep = r.report();
        assertEquals(Ipv4Address.parse("10.0.0.1"), rep.lease().dhcpServer());
        assertEquals(Ipv4Address.parse("10.0.1.1"), rep.gateway());
        assertTrue(rep.renewals() >= 3, "renewals: " + rep.renewals() + "\n" + String.join("\n", d));
    }

    @Test
    void aLongBootFileNameComesInOption67AndTheOptionsOverflowIntoTheFileField() {
        String name = "boards/" + "x".repeat(236) + "/boot.img";
        Scenario sc = ScenarioFile.parse("[bootp]\nboot-file = " + name + "\n[tftp]\nserved-file = " + name + "\n"
                + "[dhcp]\nmax-message = 576\ntftp-servers-option = yes\n"
                + "[server]\ndns = 10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, 10.0.0.5, 10.0.0.6, 10.0.0.7, 10.0.0.8\n", "t.scenario");
        byte[] img = EmulatedBootTest.image(5_000);
        Run r = run(sc, img);
        assertEquals(name, r.report().bootFile());
        assertEquals("10.0.0.1 (siaddr), " + name + " (option 67)", r.report().lease().boot().describe());
        assertEquals(2, r.lan().dhcp().stats().overloaded(), "the DHCPOFFER and the DHCPACK");
        long overloaded = r.tap().heard(EthernetFrame.TYPE_IPV4).stream()
                .filter(f -> f.udp().srcPort() == 67 && f.bootp().options().has(DhcpOption.OVERLOAD)).count();
        assertEquals(2, overloaded);
        assertInFlash(r, img, 0);
    }
}
