package dev.netboot.dhcp;

import dev.netboot.net.AddressProbe;
import dev.netboot.net.NetStack;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;

/**
 * From the lease chosen to the lease bound: the DHCPACK's edge from REQUESTING to BOUND in RFC 2131's figure 5 (or a
 * BOOTP reply taken as a binding), with the address checked before it is used and the boot file completed when the
 * lease names none.
 *
 * <ol>
 *   <li>The address is probed with ARP (RFC 2131 section 4.4.1: "the client SHOULD perform a check on the suggested
 *       address to ensure that the address is not already in use"; RFC 5227's probes and announcement,
 *       {@link AddressProbe}), unless the profile asks for no probe.</li>
 *   <li>On a conflict, a DHCP lease is declined: "the client MUST send a DHCPDECLINE message to the server and restarts
 *       the configuration process" (RFC 2131 section 4.4.1), after the profile's decline wait. A BOOTP server's
 *       address cannot be declined, and its server would give it again: the acquisition fails.</li>
 *   <li>Once clear, the address is configured on the stack. A lease that names no boot file takes the ProxyDHCP
 *       offer's (PXE 2.1), or asks the ProxyDHCP server on port 4011 ({@link ProxyBoot}); with neither, it cannot
 *       boot.</li>
 * </ol>
 *
 * <p>{@link Acquisition} owns it as it owns the {@link OfferBook}: it hands over the lease ({@link #check}), its polls
 * and the replies while it is Probing or Proxying; each returns the state the acquisition moves to (the one it is in
 * when nothing changed).
 */
final class Binding {
    /** Takes note of why a reply was not used, or of the conflict that ended a probe, for the failure message. */
    interface Notes {
        void ignored(String why);
    }

    private final NetStack net;
    private final DhcpConfig config;
    private final ClientMessages messages;
    private final Notes notes;
    private final AddressProbe probe;   // null with arp-probes = 0: the address is taken as it is
    private final ProxyBoot proxyBoot;
    private int conflicts;

    Binding(NetStack net, DhcpConfig config, ClientMessages messages, ProxyBoot.Backoff backoff, Notes notes) {
        this.net = net;
        this.config = config;
        this.messages = messages;
        this.notes = notes;
        this.probe = config.arpProbes() == 0 ? null : new AddressProbe(net, config.arpProbes(), config.arpProbeInterval());
        this.proxyBoot = new ProxyBoot(net, messages, backoff);
    }

    /** Returns the offered addresses found in use by another host. */
    int conflicts() {
        return conflicts;
    }

    /** Returns the requests to a ProxyDHCP server's port 4011 sent again. */
    int retransmissions() {
        return proxyBoot.retransmissions();
    }

    /** Returns when the probe (while {@code current} is Probing) or the ProxyDHCP exchange (Proxying) next has work. */
    long pollAt(AcquisitionState current) {
        return current instanceof AcquisitionState.Probing ? probe.pollAt() : proxyBoot.pollAt();
    }

    /**
     * Checks the address of {@code lease} (xid {@code xid}, counting from {@code leaseStart}), with {@code proxy} the
     * ProxyDHCP offer seen so far or null; {@code secs} is the 'secs' of a request to the ProxyDHCP server.
     */
    AcquisitionState check(long now, int secs, int xid, Lease lease, Offer proxy, long leaseStart) {
        if (probe == null) {
            return addressIsOurs(now, secs, xid, lease, proxy, leaseStart);
        }
        probe.start(now, lease.address());
        return poll(now, secs, new AcquisitionState.Probing(xid, lease, proxy, leaseStart));
    }

    /** Advances the probe of {@code p}'s address: clear, a conflict, or still probing. */
    AcquisitionState poll(long now, int secs, AcquisitionState.Probing p) {
        probe.poll(now);
        return switch (probe.state()) {
            case AddressProbe.State.Clear _ -> addressIsOurs(now, secs, p.xid(), p.lease(), p.proxy(), p.leaseStart());
            case AddressProbe.State.Conflict c -> conflict(now, p, c);
            default -> p;
        };
    }

    /** Advances the question to the ProxyDHCP server. */
    AcquisitionState poll(long now, int secs, AcquisitionState.Proxying p) {
        ProxyBoot.Asking a = proxyBoot.asking();
        proxyBoot.poll(now, secs);
        return proxyDone(p, a.lease());
    }

    /** Handles a reply for our xid from {@code src} while the ProxyDHCP server is asked. */
    AcquisitionState onReply(AcquisitionState.Proxying p, BootpMessage m, Ipv4Address src) {
        ProxyBoot.Asking a = proxyBoot.asking();
        String why = proxyBoot.onReply(m, src);
        if (why != null) {
            notes.ignored(why);
        }
        return proxyDone(p, a.lease());
    }

    private AcquisitionState conflict(long now, AcquisitionState.Probing p, AddressProbe.State.Conflict c) {
        conflicts++;
        String why = p.lease().address() + " is in use by " + c.by();
        notes.ignored(why);
        if (p.lease().source() == Lease.Source.BOOTP) {
            // BOOTP has no DHCPDECLINE and its server would give the same address again.
            return new AcquisitionState.Failed(bootpConflict(p.lease(), c.by()));
        }
        // RFC 2131 section 4.4.1: "If the client detects that the address is already in use ..., the client MUST send a
        // DHCPDECLINE message to the server and restarts the configuration process."
        int len = messages.decline(p.xid(), p.lease().address(), p.lease().dhcpServer(), "address in use by " + c.by());
        net.sendUdp(now, BootpMessage.CLIENT_PORT, Ipv4Address.BROADCAST, BootpMessage.SERVER_PORT, len, messages);
        return new AcquisitionState.Declined(now + config.declineWait());
    }

    /**
     * Returns the one line that ends a BOOTP binding whose address {@code by} answered the ARP probe for, whichever
     * client took the BOOTP reply (a DHCP client's, or {@code protocol = bootp}'s in {@code LeaseStage}).
     */
    static String bootpConflict(Lease lease, MacAddress by) {
        return "BOOTP server " + lease.dhcpServer() + " gave " + lease.address() + ", which is in use by " + by
                + " (ARP probe, RFC 5227); BOOTP cannot decline it";
    }

    private AcquisitionState addressIsOurs(long now, int secs, int xid, Lease lease, Offer proxy, long leaseStart) {
        net.configure(lease.address(), lease.netmask(), lease.gateway(), lease.broadcast());
        if (lease.boot().complete()) {
            return new AcquisitionState.Done(lease, leaseStart);
        } else if (proxy != null && proxy.target().complete()) {
            // PXE 2.1: the ProxyDHCP offer names the boot file itself (dnsmasq's proxy mode does): no need to ask.
            return new AcquisitionState.Done(lease.withProxyBoot(proxy.target(), proxy.server()), leaseStart);
        } else if (proxy != null) {
            AcquisitionState.Proxying p = new AcquisitionState.Proxying(xid, leaseStart);
            proxyBoot.start(now, xid, lease, proxy, secs);
            return proxyDone(p, lease); // a request that cannot go (no route) ends it at once
        }
        return incomplete(lease, "no ProxyDHCP server answered");
    }

    /** Moves on once the ProxyDHCP exchange of {@code lease} has ended: done with its lease, or failed. */
    private AcquisitionState proxyDone(AcquisitionState.Proxying p, Lease lease) {
        if (proxyBoot.lease() != null) {
            return new AcquisitionState.Done(proxyBoot.lease(), p.leaseStart());
        } else if (proxyBoot.failure() != null) {
            return incomplete(lease, proxyBoot.failure());
        }
        return p;
    }

    private static AcquisitionState incomplete(Lease lease, String why) {
        return new AcquisitionState.Failed("DHCP server " + lease.dhcpServer() + " gave " + lease.address() + " but "
                + lease.boot().missing() + "; " + why);
    }
}
