package dev.netboot.dhcp;

import dev.netboot.bootp.BootTarget;
import dev.netboot.bootp.BootpConfig;
import dev.netboot.bootp.BootpException;
import dev.netboot.bootp.BootpLease;
import dev.netboot.net.NetStack;
import dev.netboot.net.SendResult;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.DhcpMessageType;
import dev.netboot.wire.DhcpOption;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.MalformedPacketException;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Getting a lease (RFC 2131 section 4.4.1, the INIT, SELECTING and REQUESTING states of figure 5), with what
 * real networks add: BOOTP replies taken as bindings, ProxyDHCP offers merged in (PXE 2.1), and the address
 * checked with ARP before it is used (RFC 5227), declined on a conflict.
 *
 * <pre>
 *  Selecting --offer naming server+file, or the offer window ends--> Requesting --DHCPACK--> Probing --clear--> Done
 *      ^   \--BOOTP reply chosen-----------------------------------------------------------/   |        \--proxy
 *      |        DHCPNAK, or no answer to 4 requests: back to Selecting                     conflict       asked on
 *      +--------------------------------------- Declined <-- DHCPDECLINE ------------------+        4011 --> Done
 * </pre>
 *
 * <p>Its states are {@link AcquisitionState}'s. Replies reach it through {@link #onReply} (the owner binds port 68
 * and checks op, hardware type and chaddr); timers through {@link #poll}. The {@link OfferBook} weighs the offers and
 * keeps the servers behind them; from the lease chosen on, the {@link Binding} drives the ARP probe
 * ({@link dev.netboot.net.AddressProbe}), the DHCPDECLINE and the question to a ProxyDHCP server's port 4011
 * ({@link ProxyBoot}). The whole acquisition, restarts included, has the profile's give-up budget.
 */
final class Acquisition {
    /** Requests sent for one offer before the client goes back to discovery (RFC 2131 4.4.1: "after employing the retransmission algorithm"). */
    static final int REQUEST_TRIES = 4;
    /**
     * DHCPDISCOVERs sent before an offer that names no boot (no server and file, and no ProxyDHCP offer beside it) is
     * taken: it is held until the next one is due, about 3 s in (1 s + 2 s, each ±0.5 s), while an offer naming the boot
     * is taken the moment it comes. Such a lease can only fail the boot ("no boot file ..."), and the server that names
     * the boot may be the slower one: ISC dhcpd pings an address for a second before offering it (ping-check, on by
     * default). PXE 2.1 clients wait out 4 s of offers on their first DHCPDISCOVER for the same reason.
     */
    static final int DISCOVERS_BEFORE_BOOTLESS = 2;

    private final NetStack net;
    private final BootpConfig retry;
    private final DhcpConfig config;
    private final ClientMessages messages;
    private final RandomGenerator random;
    private final Binding binding;
    private AcquisitionState state = new AcquisitionState.Idle();
    private long startedAt;
    private int discovers;
    private int requests;
    private int resent;
    private int naks;
    private String lastIgnored = "";
    private int xid;            // the exchange's, kept once the lease is bound: later offers carry it
    private final OfferBook book;
    private final Refusals refusals = new Refusals();

    Acquisition(NetStack net, BootpConfig retry, DhcpConfig config, ClientMessages messages, RandomGenerator random) {
        this.net = net;
        this.retry = retry;
        this.config = config;
        this.messages = messages;
        this.random = random;
        this.binding = new Binding(net, config, messages, this::retryAt, this::ignored);
        this.book = new OfferBook(config);
    }

    AcquisitionState state() {
        return state;
    }

    /** Returns the messages sent again: DHCPDISCOVERs and DHCPREQUESTs past the first of each transaction. */
    int retransmissions() {
        return resent + binding.retransmissions();
    }

    /** Returns every DHCPDISCOVER and DHCPREQUEST sent. */
    int requestsSent() {
        return discovers + requests;
    }

    int naks() {
        return naks;
    }

    int conflicts() {
        return binding.conflicts();
    }

    /** Returns true while the board waits for the DHCPACK of transaction {@code xid}. */
    boolean awaitsAck(int xid) {
        return state instanceof AcquisitionState.Requesting r && r.xid() == xid;
    }

    /** Returns true while the board waits for a DHCPACK, of whatever transaction. */
    boolean awaitsAnyAck() {
        return state instanceof AcquisitionState.Requesting;
    }

    /** Notes a reply of the transaction requested that names another client's hardware address: a server's mistake. */
    void forAnotherClient(MacAddress chaddr) {
        lastIgnored = "a reply of this transaction for another client, chaddr " + chaddr;
        refusals.unusableAck(lastIgnored);
    }

    /** Notes why a reply was not used, for the failure message. */
    void ignored(String why) {
        lastIgnored = why;
    }

    void start(long now) {
        startedAt = now;
        refusals.clear();
        discover(now);
    }

    /** Returns true when a server other than the one whose lease was taken offered an address in the same exchange. */
    boolean alternativeSeen() {
        return book.alternativeSeen();
    }

    /**
     * Starts again, taking no offer from {@code server} (nor from a server excluded before): the boot its lease named
     * could not start. The give-up budget counts from now.
     */
    void startWithout(long now, Ipv4Address server) {
        book.exclude(server);
        lastIgnored = "";
        startedAt = now;
        refusals.clear();
        discover(now);
    }

    private void discover(long now) {
        discover(now, now);
    }

    /** Starts discovery again with a new xid, its first DHCPDISCOVER due at {@code at} (not past the give-up time). */
    private void discover(long now, long at) {
        xid = random.nextInt();
        transition(new AcquisitionState.Selecting(xid, 0, 0, Math.min(at, startedAt + retry.giveUp()), Long.MAX_VALUE, List.of()));
        poll(now);
    }

    /** Returns when {@link #poll} next has work. */
    long pollAt() {
        return switch (state) {
            case AcquisitionState.Selecting s -> Math.min(s.retryAt(), s.decideAt());
            case AcquisitionState.Requesting r -> r.retryAt();
            case AcquisitionState.Probing _, AcquisitionState.Proxying _ -> binding.pollAt(state);
            case AcquisitionState.Declined d -> d.restartAt();
            default -> Long.MAX_VALUE;
        };
    }

    void poll(long now) {
        switch (state) {
            case AcquisitionState.Selecting s when now >= s.decideAt() -> decide(now, s, false);
            case AcquisitionState.Selecting s when now >= s.retryAt() && s.sent() >= DISCOVERS_BEFORE_BOOTLESS
                    && Offer.best(s.offers()) != null -> decide(now, s, true); // the wait for an offer naming the boot is over
            case AcquisitionState.Selecting s when now >= s.retryAt() -> {
                if (overBudget(now) && refusals.count() > 0) {
                    fail("DHCP: no lease after " + discovers + " DHCPDISCOVERs in " + Timing.seconds(now - startedAt) + " s: "
                            + refusals.describe());
                    return;
                }
                if (overBudget(now)) {
                    fail("DHCP: no usable offer after " + discovers + " DHCPDISCOVERs in " + Timing.seconds(now - startedAt)
                            + " s" + (lastIgnored.isEmpty() ? "" : " (last reply ignored: " + lastIgnored + ")"));
                    return;
                }
                int len = messages.discover(s.xid(), secs(now));
                if (broadcast(now, len)) {
                    discovers++;
                    resent += s.sent() > 0 ? 1 : 0;
                    transition(new AcquisitionState.Selecting(s.xid(), secs(now), s.sent() + 1, retryAt(now, s.sent()),
                            s.decideAt(), s.offers()));
                }
            }
            case AcquisitionState.Requesting r when now >= r.retryAt() -> {
                if (r.sent() >= REQUEST_TRIES && !overBudget(now)) {
                    lastIgnored = refusals.noAck(r.chosen().server(), " to " + r.sent() + " DHCPREQUESTs");
                    discover(now);
                    return;
                }
                if (overBudget(now)) { // the requests of the offer taken are the last thing the board did: say so
                    fail("DHCP: " + refusals.noAck(r.chosen().server(), " for " + r.chosen().message().yiaddr() + " after "
                            + requests + " DHCPREQUESTs in " + Timing.seconds(now - startedAt) + " s"));
                    return;
                }
                int len = messages.select(r.xid(), r.secs(), r.chosen().message().yiaddr(), r.chosen().server());
                if (broadcast(now, len)) {
                    requests++;
                    resent += r.sent() > 0 ? 1 : 0;
                    transition(new AcquisitionState.Requesting(r.xid(), r.secs(), r.chosen(), r.proxy(), r.sent() + 1,
                            retryAt(now, r.sent()), r.sent() == 0 ? now : r.firstAt()));
                }
            }
            case AcquisitionState.Probing p -> enter(binding.poll(now, secs(now), p));
            case AcquisitionState.Proxying p -> enter(binding.poll(now, secs(now), p));
            case AcquisitionState.Declined d when now >= d.restartAt() -> {
                if (overBudget(now)) {
                    fail("DHCP: " + binding.conflicts() + " offered address(es) in use by other hosts; gave up after "
                            + Timing.seconds(now - startedAt) + " s");
                    return;
                }
                discover(now);
            }
            default -> {
            }
        }
    }

    /** Handles a reply for our hardware address from {@code src}. */
    void onReply(long now, BootpMessage m, Ipv4Address src) {
        int xid = switch (state) {
            case AcquisitionState.Selecting s -> s.xid();
            case AcquisitionState.Requesting r -> r.xid();
            case AcquisitionState.Probing p -> p.xid();
            case AcquisitionState.Proxying p -> p.xid();
            default -> 0;
        };
        if (state instanceof AcquisitionState.Idle || state instanceof AcquisitionState.Done
                || state instanceof AcquisitionState.Failed || state instanceof AcquisitionState.Declined) {
            return;
        }
        if (m.xid() != xid) {
            lastIgnored = "xid 0x" + Integer.toHexString(m.xid()) + " (expected: 0x" + Integer.toHexString(xid) + ")";
            if (state instanceof AcquisitionState.Requesting r && Offer.names(m, src, r.chosen().server())) {
                refusals.unusableAck(Offer.describe(m) + " for " + lastIgnored); // another transaction's xid
            }
            return;
        }
        try {
            switch (state) {
                case AcquisitionState.Selecting s -> selecting(now, s, m, src);
                case AcquisitionState.Requesting r -> requesting(now, r, m, src);
                case AcquisitionState.Probing p -> {
                    Offer o = Offer.of(m, src, now);
                    if (o != null && o.kind() == Offer.Kind.PROXY && p.proxy() == null) {
                        transition(new AcquisitionState.Probing(p.xid(), p.lease(), o, p.leaseStart()));
                    } else if (o != null) {
                        book.note(o, p.lease().dhcpServer()); // a late offer, kept in mind as in requesting
                    }
                }
                case AcquisitionState.Proxying p -> enter(binding.onReply(p, m, src));
                default -> {
                }
            }
        } catch (MalformedPacketException | BootpException e) {
            lastIgnored = e.getMessage();
            if (state instanceof AcquisitionState.Requesting) { // our xid, while we wait for the DHCPACK: most likely it
                refusals.unusableAck(e.getMessage());
            }
        }
    }

    /**
     * Handles a reply that came once the lease was bound, while the boot it names starts: a DHCPOFFER of this exchange
     * from another server is kept in mind, as in requesting and probing, so that a boot that cannot start falls back to
     * it. ISC dhcpd pings an address for a second before it offers it (busybox udhcpd ARP-pings for longer): by then the
     * board took a faster server's offer and may be asking ARP for the TFTP server that one named.
     */
    void onLateReply(long now, BootpMessage m, Ipv4Address src) {
        if (!(state instanceof AcquisitionState.Done d) || m.xid() != xid) {
            return;
        }
        try {
            Offer o = Offer.of(m, src, now);
            if (o != null) {
                book.note(o, d.lease().dhcpServer());
            }
        } catch (MalformedPacketException e) {
            lastIgnored = e.getMessage();
        }
    }

    private void selecting(long now, AcquisitionState.Selecting s, BootpMessage m, Ipv4Address src) {
        Offer o = Offer.of(m, src, now);
        if (o == null) {
            lastIgnored = Offer.whyNot(m, src);
            return;
        }
        String refused = book.refusal(o, m, src);
        if (refused != null) {
            lastIgnored = refused;
            return;
        }
        List<Offer> offers = new ArrayList<>(s.offers());
        offers.add(o);
        long decideAt = book.decideAt(o, now, s.decideAt());
        AcquisitionState.Selecting next =
                new AcquisitionState.Selecting(s.xid(), s.secs(), s.sent(), s.retryAt(), decideAt, offers);
        transition(next);
        // An offer naming both the boot server and the file cannot be beaten: take it without waiting. A ProxyDHCP
        // offer while an offer without the boot is held (no window open, an address offered) completes that one.
        boolean held = decideAt == Long.MAX_VALUE && o.kind() == Offer.Kind.PROXY && Offer.best(offers) != null;
        if ((o.givesAddress() && o.target().complete()) || now >= decideAt || held) {
            decide(now, next, false);
        }
    }

    /**
     * Chooses among the offers (see {@link Offer#best}); with none giving an address yet, keeps asking. An offer that
     * names no boot, with no ProxyDHCP offer to complete it, is held (keeps asking) until {@code waited}: the
     * DHCPDISCOVER after the {@link #DISCOVERS_BEFORE_BOOTLESS}th is due. Held only while no more than that many went.
     */
    private void decide(long now, AcquisitionState.Selecting s, boolean waited) {
        Offer proxy = Offer.bestProxy(s.offers());
        Offer best = Offer.best(s.offers());
        if (best == null || (!waited && !best.target().complete() && proxy == null && s.sent() <= DISCOVERS_BEFORE_BOOTLESS)) {
            // Only ProxyDHCP offers so far (they give no address), or only offers naming no boot: keep asking.
            transition(new AcquisitionState.Selecting(s.xid(), s.secs(), s.sent(), s.retryAt(), Long.MAX_VALUE, s.offers()));
            if (best != null && now >= s.retryAt()) {
                poll(now); // the next DHCPDISCOVER (or the end of the hold) is due in this very poll
            }
            return;
        }
        book.chose(best, s.offers());
        if (best.kind() == Offer.Kind.BOOTP) {
            Lease lease = Lease.of(BootpLease.read(best.message(), best.server(), Ipv4Address.ANY, "BOOTP"));
            enter(binding.check(now, secs(now), s.xid(), lease, proxy, now));
            return;
        }
        refusals.unusableAck(null);
        transition(new AcquisitionState.Requesting(s.xid(), s.secs(), best, proxy, 0, now, now));
        poll(now);
    }

    private void requesting(long now, AcquisitionState.Requesting r, BootpMessage m, Ipv4Address src) {
        var type = m.options().messageType().orElse(null);
        Ipv4Address server = Offer.serverId(m, src);
        if (type == DhcpMessageType.Known.OFFER) {
            Offer o = Offer.of(m, src, now);
            if (o != null && o.kind() == Offer.Kind.PROXY && r.proxy() == null) {
                transition(new AcquisitionState.Requesting(r.xid(), r.secs(), r.chosen(), o, r.sent(), r.retryAt(), r.firstAt()));
            } else if (o != null) {
                book.note(o, r.chosen().server()); // a late offer: the choice is made, but it is there if the boot cannot start
            }
            return;
        }
        if (!server.equals(r.chosen().server())) {
            lastIgnored = Offer.describe(m) + " from server " + server + " (expected: " + r.chosen().server() + ")";
            return;
        }
        if (type == DhcpMessageType.Known.NAK) {
            naks++;
            String text = m.options().option(DhcpOption.MESSAGE).map(x -> ((DhcpOption.Message) x).text()).orElse("");
            lastIgnored = "DHCPNAK from " + server + (text.isEmpty() ? "" : ": " + text);
            // RFC 2131 section 4.4.1: "If the client receives a DHCPNAK message, the client restarts"; at once after the
            // first, after the backoff of an unanswered DHCPDISCOVER after each further one (see Refusals).
            discover(now, refusals.refused(now, server, text, retry, random));
            return;
        }
        if (type != DhcpMessageType.Known.ACK) {
            lastIgnored = Offer.describe(m) + " from " + server + " while requesting";
            return;
        }
        BootpLease b = BootpLease.read(m, src, server, "DHCP");
        long[] t = Timing.leaseTimes(m.options());
        // Some servers name the boot file in the DHCPOFFER only: keep it when the DHCPACK names none.
        BootTarget target = b.boot().complete() ? b.boot() : b.boot().orElse(r.chosen().target());
        Lease lease = new Lease(Lease.Source.DHCP, b.address(), b.netmask(), b.gateway(), b.routers(), b.dns(), b.hostname(), b.domain(),
                b.broadcast(), target, b.bootFileSize(), server, Ipv4Address.ANY, t[0], t[1], t[2]);
        enter(binding.check(now, secs(now), r.xid(), lease, r.proxy(), r.firstAt()));
    }

    private boolean overBudget(long now) {
        return now - startedAt >= retry.giveUp();
    }

    private long retryAt(long now, int sentBefore) {
        return Math.min(now + Timing.backoff(retry, sentBefore, random), startedAt + retry.giveUp());
    }

    private int secs(long now) {
        return (int) Math.min(0xFFFF, (now - startedAt) / Timing.SECOND);
    }

    private boolean broadcast(long now, int len) {
        // State moves only once the message is on the link (GUIDE H9); a busy link is tried on the next poll.
        return net.sendUdp(now, BootpMessage.CLIENT_PORT, Ipv4Address.BROADCAST, BootpMessage.SERVER_PORT, len, messages)
                == SendResult.SENT;
    }

    private void fail(String reason) {
        enter(new AcquisitionState.Failed(reason));
    }

    /** Moves to {@code next}; on failure the stack stops watching ARP for an address it will not take. */
    private void enter(AcquisitionState next) {
        if (next instanceof AcquisitionState.Failed) {
            net.watchAddress(Ipv4Address.ANY);
        }
        transition(next);
    }

    private void transition(AcquisitionState next) {
        if (state instanceof AcquisitionState.Requesting || next instanceof AcquisitionState.Requesting) {
            net.portChanged(); // awaitsAck, which LeaseStage.ignores reads, may answer otherwise
        }
        state = next;
    }
}
