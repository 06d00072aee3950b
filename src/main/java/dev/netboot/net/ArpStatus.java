package dev.netboot.net;

import dev.netboot.wire.MacAddress;

/** The state of resolving one IPv4 address, as {@link NetStack#resolve} reports it. */
public sealed interface ArpStatus {
    /** The address is in the cache. */
    record Resolved(MacAddress mac) implements ArpStatus {
    }

    /** Requests are out; no answer yet. */
    record Pending(int requestsSent) implements ArpStatus {
    }

    /** Every request went unanswered; reported once, then the next call starts afresh. */
    record Failed(int requestsSent) implements ArpStatus {
    }
}
