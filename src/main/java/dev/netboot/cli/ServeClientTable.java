package dev.netboot.cli;

import dev.netboot.wire.MacAddress;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * {@code netboot serve}'s clients, by MAC in the order they first spoke, and the IPv4 addresses they are known at (a
 * lease, or the source of a TFTP request), holding at most {@link #limit} clients, as dnsmasq holds at most
 * {@code dhcp-lease-max} (1,000) leases: a flood of DHCPDISCOVERs from random MACs, or of read requests from random
 * addresses, would otherwise grow the table by every MAC or address it made up (about 320 bytes each, 12 MB after 38,000).
 * A new client past the limit makes room by dropping one that is not running a transfer: first one that only ever sent
 * DHCP or BOOTP requests and has no address and asked for no file, the one that first spoke earliest; else the earliest
 * whose file was not served (refused, given up on, never started); else the earliest served. Dropped clients are
 * counted ({@link Unlisted}) instead of listed: the summary says how many and what they did, in one line. A client that
 * speaks again after it was dropped is listed again from then on (and counted among the dropped for what it did before).
 */
final class ServeClientTable {
    /** The clients listed one by one by default: dnsmasq's default {@code dhcp-lease-max}. */
    static final int DEFAULT_LIMIT = 1000;

    /**
     * What the clients dropped from the table had done when they were dropped.
     *
     * @param clients   how many
     * @param requests  their DHCP/BOOTP requests
     * @param replies   the server's replies to them
     * @param addressed how many had an address
     * @param asked     how many had asked for a file
     * @param finished  how many had finished ({@link ServeClient#finished})
     * @param givenUp   how many the server had given up on
     */
    record Unlisted(long clients, long requests, long replies, long addressed, long asked, long finished, long givenUp) {
        /** Returns the summary's line for them, under a table of {@code limit}. */
        String line(int limit) {
            return String.format(java.util.Locale.ROOT, "  and %d more %s not listed (the summary lists %d): %d DHCP/BOOTP requests,"
                    + " %d replies, %d given an address, %d asked for a file, %d finished, %d given up", clients,
                    clients == 1 ? "client" : "clients", limit, requests, replies, addressed, asked, finished, givenUp);
        }

        /** Returns them as {@code --json}'s {@code unlisted} (README). */
        Json json() {
            return Json.object().put("clients", clients).put("dhcpRequests", requests).put("dhcpReplies", replies)
                    .put("addressed", addressed).put("asked", asked).put("finished", finished).put("givenUp", givenUp);
        }
    }

    private final int limit;
    private final Consumer<ServeClient> onDrop;
    private final Map<Long, ServeClient> clients = new LinkedHashMap<>();
    private final Map<Integer, MacAddress> byIp = new HashMap<>();
    // Clients that had no address and had asked for no file when they came, in that order: the first to go. One that has
    // an address or a file by the time its turn comes is passed over (and left out of this queue).
    private final Map<Long, ServeClient> plain = new LinkedHashMap<>();
    private long dropped, requests, replies, addressed, asked, finished, givenUp;

    /** A table of at most {@code limit} clients; {@code onDrop} hears of each client dropped, once it is gone. */
    ServeClientTable(int limit, Consumer<ServeClient> onDrop) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit " + limit + " (expected: at least 1)");
        }
        this.limit = limit;
        this.onDrop = java.util.Objects.requireNonNull(onDrop);
    }

    /** Returns the most clients listed one by one. */
    int limit() {
        return limit;
    }

    /** Returns the client with MAC {@code mac}, or null. */
    ServeClient get(MacAddress mac) {
        return clients.get(mac.value());
    }

    /**
     * Returns the client with MAC {@code mac}, listed as new at {@code now} when it is not listed: at the limit, a client
     * {@code running} does not hold is dropped first (none: the table goes past the limit until one ends).
     */
    ServeClient client(MacAddress mac, long now, Predicate<ServeClient> running) {
        ServeClient c = clients.get(mac.value());
        if (c != null) {
            return c;
        }
        if (clients.size() >= limit) {
            drop(running);
        }
        c = new ServeClient(mac, now);
        clients.put(mac.value(), c);
        plain.put(mac.value(), c);
        return c;
    }

    /** Returns the MAC of the client known at IPv4 address {@code ip}, or null. */
    MacAddress at(int ip) {
        return byIp.get(ip);
    }

    /** Knows {@code c} at {@code ip} (its lease): instead of any client known there before. */
    void knowAt(int ip, ServeClient c) {
        MacAddress before = byIp.put(ip, c.mac);
        if (before == null || !before.equals(c.mac)) {
            c.ips.add(ip);
        }
    }

    /** Knows {@code c} at {@code ip} (the source of its request) unless another client is known there. */
    void knowAtIfNone(int ip, ServeClient c) {
        if (byIp.putIfAbsent(ip, c.mac) == null) {
            c.ips.add(ip);
        }
    }

    /** Forgets {@code c} at {@code ip} (an address it declined). */
    void forgetAt(int ip, ServeClient c) {
        if (byIp.remove(ip, c.mac)) {
            c.ips.remove((Integer) ip);
        }
    }

    /** Returns the listed clients, in the order they first spoke (a view). */
    Collection<ServeClient> listed() {
        return clients.values();
    }

    /** Returns what the dropped clients had done. */
    Unlisted unlisted() {
        return new Unlisted(dropped, requests, replies, addressed, asked, finished, givenUp);
    }

    private void drop(Predicate<ServeClient> running) {
        for (Iterator<ServeClient> it = plain.values().iterator(); it.hasNext(); ) {
            ServeClient c = it.next();
            it.remove();
            if (c.address == null && c.transfers.isEmpty() && clients.get(c.mac.value()) == c && !running.test(c)) {
                drop(c);
                return;
            }
        }
        ServeClient served = null;
        for (ServeClient c : clients.values()) {
            if (running.test(c)) {
                continue;
            }
            ServeTransfer main = c.main();
            if (main != null && main.served()) {
                served = served == null ? c : served;
                continue;
            }
            drop(c);
            return;
        }
        if (served != null) {
            drop(served);
        }
    }

    private void drop(ServeClient c) {
        clients.remove(c.mac.value());
        plain.remove(c.mac.value());
        for (int ip : c.ips) {
            byIp.remove(ip, c.mac);
        }
        dropped++;
        requests += c.dhcpRequests;
        replies += c.dhcpReplies;
        addressed += c.address != null ? 1 : 0;
        asked += c.transfers.isEmpty() ? 0 : 1;
        finished += c.finished() ? 1 : 0;
        givenUp += c.givenUp() ? 1 : 0;
        onDrop.accept(c);
    }
}
