package dev.netboot.emulator;

import dev.netboot.emulator.Scenario.Relay;
import dev.netboot.emulator.Scenario.TftpHost;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.util.List;

/**
 * A {@link Scenario}'s checks across its sections, once each value passed its own: the address the [tftp] stranger
 * needs and those the background talkers of the faults use are clear of the pool, the server, the router and the
 * neighbours; the neighbours and the TFTP servers are other hosts of the server's subnet, each with its own MAC, and a
 * relayed board has no neighbours; the relay's router is a host of the server's subnet, the relayed subnet apart from
 * it. The first that fails throws {@link IllegalArgumentException}, in that order.
 *
 * @param serverMac  the server host's MAC
 * @param serverIp   the server host's address
 * @param netmask    the server's subnet mask
 * @param gateway    the server's gateway
 * @param clientIp   the first address of the server subnet's pool
 * @param relay      the relay, or null
 * @param neighbours the other machines on the server's segment
 * @param tftpQuirks how the TFTP server misbehaves
 * @param faults     the faults, background traffic among them
 * @param fleet      the pool size and the TFTP servers besides the server host
 */
record ScenarioChecks(MacAddress serverMac, Ipv4Address serverIp, Ipv4Address netmask, Ipv4Address gateway,
                      Ipv4Address clientIp, Relay relay, Neighbours neighbours, TftpQuirks tftpQuirks, FaultPlan faults,
                      FleetSettings fleet) {
    /** Runs the checks in order: the stranger, the background talkers, the neighbours and TFTP servers, the relay. */
    void check() {
        stranger();
        background();
        hosts();
        relayRouter();
    }

    /** The stranger host of {@link TftpQuirks#stranger()} takes the server subnet's third-last address: it must be free. */
    private void stranger() {
        if (tftpQuirks.stranger() > 0) {
            Ipv4Address st = Scenario.strangerIp(serverIp, netmask);
            long first = clientIp.value() & 0xFFFF_FFFFL;
            long at = st.value() & 0xFFFF_FFFFL;
            long last = ScenarioPools.mainPoolLast(clientIp, serverIp, netmask, gateway, relay, fleet).value() & 0xFFFF_FFFFL;
            boolean clash = st.equals(serverIp) || (at >= first && at <= last)
                    || (relay != null && st.equals(relay.routerServerIp()));
            for (Object[] m : neighbours.machines()) {
                clash |= m[2].equals(st);
            }
            if (clash) {
                throw new IllegalArgumentException("scenario: [tftp] stranger needs " + st + " (the subnet's third-last address)"
                        + " for the stranger host, and it is taken");
            }
        }
    }

    /** Background talkers take the board subnet's fourth- to eleventh-last addresses: the pool and hosts keep off them. */
    private void background() {
        if (faults.background().any()) {
            // Background talkers use the board subnet's fourth- to eleventh-last addresses (BackgroundTraffic).
            Ipv4Address net = relay == null ? serverIp : relay.clientSubnet();
            Ipv4Address mask = relay == null ? netmask : relay.clientNetmask();
            long top = (net.value() | ~mask.value()) & 0xFFFF_FFFFL;
            List<Ipv4Address> taken = new java.util.ArrayList<>(List.of(serverIp, gateway));
            Ipv4Address first = relay == null ? clientIp : relay.clientIp();
            Ipv4Address last = relay == null ? ScenarioPools.mainPoolLast(clientIp, serverIp, netmask, gateway, null, fleet)
                    : relay.bootpSubnet(fleet.poolSize()).poolLast();
            if (relay != null) {
                taken.add(relay.routerClientIp());
            }
            for (Object[] m : neighbours.machines()) {
                taken.add((Ipv4Address) m[2]);
            }
            String talkers = "background traffic comes from the subnet's fourth- to eleventh-last addresses, "
                    + new Ipv4Address((int) (top - 10)) + ".." + new Ipv4Address((int) (top - 3));
            // The pool's addresses, as a range: the first of them that a talker would use is the one named.
            long clash = Math.max(top - 10, first.value() & 0xFFFF_FFFFL);
            if (clash <= Math.min(top - 3, last.value() & 0xFFFF_FFFFL)) {
                throw new IllegalArgumentException("scenario: " + talkers + ", and the pool " + first + ".." + last + " holds "
                        + new Ipv4Address((int) clash) + " (expected: a pool that ends before them)");
            }
            for (Ipv4Address a : taken) {
                long v = a.value() & 0xFFFF_FFFFL;
                if (v >= top - 10 && v <= top - 3) {
                    throw new IllegalArgumentException("scenario: " + talkers + ", and " + a + " is taken");
                }
            }
        }
    }

    /** The neighbours and the TFTP servers are other hosts of the server's subnet; a relayed board has no neighbours. */
    private void hosts() {
        if (relay != null && !neighbours.none()) {
            throw new IllegalArgumentException("scenario: other DHCP servers, a ProxyDHCP server or hosts share the board's"
                    + " segment; with a relay the board is alone on its own (expected: [relay] or neighbours, not both)");
        }
        for (Object[] m : neighbours.machines()) {
            if (m[1].equals(serverMac) || m[2].equals(serverIp) || !((Ipv4Address) m[2]).sameSubnet(serverIp, netmask)) {
                throw new IllegalArgumentException("scenario: " + m[0] + " at " + m[2] + " / " + m[1]
                        + " (expected: another host of the server's subnet " + serverIp + "/" + netmask.prefixLength()
                        + ", with its own MAC)");
            }
        }
        java.util.Set<Object> seen = new java.util.HashSet<>(List.of(serverMac, serverIp));
        for (TftpHost h : fleet.tftpHosts()) {
            if (!seen.add(h.mac()) || !seen.add(h.address()) || !h.address().sameSubnet(serverIp, netmask)) {
                throw new IllegalArgumentException("scenario: TFTP server " + h.name() + " at " + h.address() + " / " + h.mac()
                        + " (expected: another host of the server's subnet " + serverIp + "/" + netmask.prefixLength()
                        + ", with its own MAC)");
            }
        }
    }

    /** The relay's router is another host of the server's subnet, the relayed subnet apart from it. */
    private void relayRouter() {
        if (relay != null) {
            if (!relay.routerServerIp().sameSubnet(serverIp, netmask) || relay.routerServerIp().equals(serverIp)) {
                throw new IllegalArgumentException("scenario: router address " + relay.routerServerIp()
                        + " (expected: another host of the server's subnet " + serverIp + "/" + netmask.prefixLength() + ")");
            }
            Ipv4Address shorter = relay.clientNetmask().compareTo(netmask) < 0 ? relay.clientNetmask() : netmask;
            if (relay.clientSubnet().sameSubnet(serverIp, shorter)) {
                throw new IllegalArgumentException("scenario: relayed subnet " + relay.clientSubnet() + "/"
                        + relay.clientNetmask().prefixLength() + " overlaps the server's " + serverIp + "/" + netmask.prefixLength());
            }
            if (serverMac.equals(relay.routerServerMac())) {
                throw new IllegalArgumentException("scenario: server and router share MAC " + serverMac);
            }
        }
    }
}
