package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.device.BootFailure;
import dev.netboot.device.BootReport;
import dev.netboot.device.ConfigException;
import dev.netboot.flash.BootSlots;
import dev.netboot.flash.Flash;
import dev.netboot.flash.SimulatedNorFlash;
import dev.netboot.flash.SlotMetadata;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.MacAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 10: a rogue DHCP server on the board's segment answers first (at once; the honest server, the server
 * host, takes 300 ms) with a reply that is wrong: another transaction's xid, another machine's chaddr, an option
 * whose length runs past the end, a mask that is not contiguous, or a boot file the TFTP server does not have.
 * Timelines of the DHCP exchange as a tap on the segment hears it (times are when each was sent; the one-way
 * latency is L = 100 us): the board ignores the wrong reply and takes the honest server's offer the moment it
 * comes, or, where the rogue's offer is a good one naming a file nobody has, gives that lease up once the TFTP
 * server says so and boots from the honest server, whose offer it saw.
 */
class RogueDhcpBootTest {
    static final MacAddress TAP = MacAddress.parse("02:00:00:00:0e:01");

    static Scenario rogue(String kind, String file) {
        return ScenarioFile.parse("""
                [dhcp]
                offer-delay = 300ms
                [dhcp-server rogue]
                mac = 02:00:00:00:00:66
                address = 10.0.0.6
                pool-start = 10.0.0.200
                boot-file = %s
                rogue = %s
                """.formatted(file, kind), "rogue.scenario");
    }

    /** "SENT-AT TYPE from > to [xid ok|other, chaddr ok|other]" per DHCP message, or "malformed" where it does not parse. */
    static List<String> timeline(DhcpLanTest.Run r) {
        List<String> out = new ArrayList<>();
        int xid = 0;
        for (RawStation.Frame f : r.tap().heard) {
            if (!f.isIpv4() || f.ip().protocol() != 17) {
                continue;
            }
            int sp = f.udp().srcPort();
            int dp = f.udp().dstPort();
            if (!(sp == 67 || sp == 68)) {
                continue;
            }
            String who = (f.at() - DhcpLanTest.L) + " ";
            String route = " " + new Ipv4Address(f.ip().src()) + ":" + sp + " > " + new Ipv4Address(f.ip().dst()) + ":" + dp;
            BootpMessage m;
            try {
                m = f.bootp();
                m.options().messageType(); // the options are read here
            } catch (MalformedPacketException e) {
                out.add(who + "malformed" + route);
                continue;
            }
            if (m.op() == BootpMessage.BOOTREQUEST) {
                xid = m.xid();
                out.add(who + m.options().messageType().orElseThrow() + route);
            } else {
                out.add(who + m.options().messageType().orElseThrow() + route + (m.xid() == xid ? "" : " xid other")
                        + (m.chaddr().equals(DhcpLanTest.BOARD) ? "" : " chaddr other"));
            }
        }
        return out;
    }

    /** The rogue's reply at L is ignored; the honest offer comes at 300 ms + L and is taken at once. */
    static void bootsFromTheHonestServer(String kind, String rogueOffer) {
        byte[] img = EmulatedBootTest.image(20_000);
        DhcpLanTest.Run r = run(rogue(kind, "boot.img"), img, SimulatedNorFlash.inMemory(EmulatedBootTest.PROFILE.flash()));
        assertEquals(List.of(
                "0 DHCPDISCOVER 0.0.0.0:68 > 255.255.255.255:67",
                "100000 " + rogueOffer,
                "300100000 DHCPOFFER 10.0.0.1:67 > 255.255.255.255:68",
                "300200000 DHCPREQUEST 0.0.0.0:68 > 255.255.255.255:67",
                "300300000 DHCPACK 10.0.0.1:67 > 255.255.255.255:68"), timeline(r), kind);
        BootReport rep = r.report();
        assertEquals(Ipv4Address.parse("10.0.0.1"), rep.lease().dhcpServer());
        assertEquals(Ipv4Address.parse("10.0.0.42"), rep.address(), "the honest server's pool");
        assertEquals(Ipv4Address.parse("255.255.255.0"), rep.netmask());
        assertEquals(300_300_000L + DhcpLanTest.L + DhcpLanTest.PROBING, rep.boundAt());
        DhcpLanTest.assertInFlash(r, img, 0);
    }

    static DhcpLanTest.Run run(Scenario sc, byte[] img, Flash flash) {
        return DhcpLanTest.run(sc, img, flash, TAP);
    }

    @Test
    void aRogueAnsweringAnotherTransaction() {
        bootsFromTheHonestServer("wrong-xid", "DHCPOFFER 10.0.0.6:67 > 255.255.255.255:68 xid other");
    }

    @Test
    void aRogueAnsweringAnotherMachine() {
        bootsFromTheHonestServer("wrong-chaddr", "DHCPOFFER 10.0.0.6:67 > 255.255.255.255:68 chaddr other");
    }

    @Test
    void aRogueWithAnOptionRunningPastTheEnd() {
        bootsFromTheHonestServer("bad-length", "malformed 10.0.0.6:67 > 255.255.255.255:68");
    }

    /**
     * A mask of 255.0.255.0 could never be used. Before issue 10 the board took such an offer (it named server and
     * file, so it could not be beaten), refused each DHCPACK that followed, and failed after 60 s with "no DHCPACK
     * from 10.0.0.6"; now the offer is no offer, and the honest one wins.
     */
    @Test
    void aRogueWithANonContiguousMask() {
        bootsFromTheHonestServer("bad-values", "DHCPOFFER 10.0.0.6:67 > 255.255.255.255:68");
    }

    /**
     * An honest-looking offer naming a file the TFTP server does not have, first: the board takes it (it names server
     * and file), and the server answers the RRQ with ERROR 1. The honest server's offer came too (late, while the
     * board probed its address), so the board gives up the rogue's lease and asks again, now ignoring the rogue's
     * offers: the second exchange is the first one's shape (the rogue at once, the honest server 300 ms later and
     * taken at once), and the board boots the honest server's image into the other slot.
     */
    @Test
    void aRogueNamingABootFileThatDoesNotExistIsLeftForTheServerThatAnswersRight() {
        Flash flash = SimulatedNorFlash.inMemory(EmulatedBootTest.PROFILE.flash());
        byte[] v1 = EmulatedBootTest.image(20_000);
        DhcpLanTest.run(ScenarioFile.parse("", "plain.scenario"), v1, flash);
        byte[] v2 = EmulatedBootTest.image(30_000);
        DhcpLanTest.Run r = run(rogue("none", "missing.img"), v2, flash);
        List<String> t = timeline(r);
        assertEquals(List.of(
                "0 DHCPDISCOVER 0.0.0.0:68 > 255.255.255.255:67",
                "100000 DHCPOFFER 10.0.0.6:67 > 255.255.255.255:68",
                "200000 DHCPREQUEST 0.0.0.0:68 > 255.255.255.255:67",
                "300000 DHCPACK 10.0.0.6:67 > 255.255.255.255:68",
                "300100000 DHCPOFFER 10.0.0.1:67 > 255.255.255.255:68"), t.subList(0, 5), String.join("\n", t));
        assertEquals(10, t.size(), String.join("\n", t));
        long again = Long.parseLong(t.get(5).split(" ")[0]);
        assertTrue(again > 300_100_000L, t.get(5));
        assertEquals(List.of(
                again + " DHCPDISCOVER 0.0.0.0:68 > 255.255.255.255:67",
                (again + 100_000) + " DHCPOFFER 10.0.0.6:67 > 255.255.255.255:68",
                (again + 300_100_000) + " DHCPOFFER 10.0.0.1:67 > 255.255.255.255:68",
                (again + 300_200_000) + " DHCPREQUEST 0.0.0.0:68 > 255.255.255.255:67",
                (again + 300_300_000) + " DHCPACK 10.0.0.1:67 > 255.255.255.255:68"), t.subList(5, 10));
        BootReport rep = r.report();
        assertEquals(Ipv4Address.parse("10.0.0.1"), rep.lease().dhcpServer());
        assertEquals("boot.img", rep.bootFile());
        DhcpLanTest.assertInFlash(r, v2, 1);
        SlotMetadata m = EmulatedBootTest.PROFILE.bootSlots(flash).load();
        assertEquals(1, m.active());
    }

    /**
     * The same rogue, with the honest server answering only after 60 s: when the TFTP server refuses the file, no
     * other server has offered, so there is nobody else to ask: the board fails at once with the TFTP server's own
     * words (as it does for a plain typo in a single server's boot file), and the slot that booted before stays active.
     */
    @Test
    void aBootFileThatDoesNotExistWithNoOtherOfferFailsWithTheServersWords() {
        Flash flash = SimulatedNorFlash.inMemory(EmulatedBootTest.PROFILE.flash());
        byte[] v1 = EmulatedBootTest.image(20_000);
        DhcpLanTest.run(ScenarioFile.parse("", "plain.scenario"), v1, flash);
        DhcpLanTest.Run r = run(ScenarioFile.parse("""
                [dhcp]
                offer-delay = 60s
                [dhcp-server rogue]
                mac = 02:00:00:00:00:66
                address = 10.0.0.6
                pool-start = 10.0.0.200
                boot-file = missing.img
                rogue = none
                """, "slow-honest.scenario"), EmulatedBootTest.image(30_000), flash);
        assertEquals(List.of(
                "0 DHCPDISCOVER 0.0.0.0:68 > 255.255.255.255:67",
                "100000 DHCPOFFER 10.0.0.6:67 > 255.255.255.255:68",
                "200000 DHCPREQUEST 0.0.0.0:68 > 255.255.255.255:67",
                "300000 DHCPACK 10.0.0.6:67 > 255.255.255.255:68"), timeline(r));
        BootFailure f = r.failure();
        assertEquals("tftp", f.stage());
        assertTrue(f.message().matches("TFTP: server 10\\.0\\.0\\.1:\\d+ sent ERROR 1 \\(file not found\\): File not found"),
                f.message());
        BootSlots slots = EmulatedBootTest.PROFILE.bootSlots(flash);
        SlotMetadata m = slots.load();
        assertEquals(0, m.active());
        assertTrue(slots.checks(m, 0));
        DhcpLanTest.assertInFlash(r, v1, 0);
    }

    @Test
    void anUnknownRogueKindIsAScenarioError() {
        var e = assertThrows(ConfigException.class, () -> rogue("evil", "boot.img"));
        assertTrue(e.getMessage().contains("rogue.scenario:8: [dhcp-server rogue] rogue")
                && e.getMessage().contains("(expected: none, wrong-xid, wrong-chaddr, bad-length or bad-values)"), e.getMessage());
    }

    @Test
    void theShippedRogueScenarioBoots() {
        byte[] img = EmulatedBootTest.image(20_000);
        DhcpLanTest.Run r = DhcpLanTest.run(DhcpLanTest.scenario("rogue-dhcp"), img);
        assertEquals(Ipv4Address.parse("10.0.0.1"), r.report().lease().dhcpServer());
        DhcpLanTest.assertInFlash(r, img, 0);
    }
}
