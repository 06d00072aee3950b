package dev.netboot.emulator;

import dev.netboot.device.ConfigException;
import dev.netboot.device.ConfigText;
import dev.netboot.wire.Ipv4Address;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How a scenario file's values are read where the profile format ({@link ConfigText}) has no reader of its own, and the
 * limits they share with the command line ({@code netboot boot --jitter}, {@code --rtt}, {@code --flood}): one place,
 * so a value the command line refuses is refused in a scenario too, at its key's line, in the file's words.
 */
public final class ScenarioValues {
    /**
     * The longest jitter, reorder delay, link-down time, flood start, server stall or offer delay: an hour, far beyond
     * any boot's give-up budget.
     */
    public static final long MAX_FAULT_TIME = 3_600_000_000_000L;
    /** {@link #MAX_FAULT_TIME} as a duration is written: {@code 60min} (durations have no hours). */
    public static final String MAX_FAULT_TIME_TEXT = "60min";
    /** The longest one-way latency of a segment: 5 s, half the longest round trip {@code --rtt} takes (10 s). */
    public static final long MAX_LATENCY = 5_000_000_000L;
    /** The most flood frames: 100,000,000. */
    public static final long MAX_FLOOD = 100_000_000L;
    /** The most frames per second a flood sends ({@code flood-rate}): 100,000,000. */
    public static final long MAX_FRAME_RATE = 100_000_000L;
    /** The most frames per second of each kind of chatter ({@code broadcasts}, {@code arp-chatter}, {@code udp-noise}). */
    public static final double MAX_CHATTER = 1e6;
    /** The longest lease, T1 or T2: a 32-bit count of seconds, 0xffffffff meaning infinite (RFC 2132 9.2), so one less. */
    public static final long MAX_LEASE_SECONDS = 0xFFFF_FFFEL;

    /**
     * A number as a scenario writes one: digits with an optional fraction and exponent ({@code 0.05}, {@code .5},
     * {@code 1e-3}). Java's own parser also takes {@code 0.5f}, {@code 0.5d} and hex ({@code 0x1p-3}), which are typos
     * here, not numbers.
     */
    private static final Pattern NUMBER = Pattern.compile("[-+]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?");

    private ScenarioValues() {
    }

    /**
     * Parses {@code text} as {@link #NUMBER}, else throws NumberFormatException (so NaN and Infinity are no numbers
     * either, nor Java's {@code 0.5f} or {@code 0x1p-1}); the command line reads its numbers so too.
     */
    public static double number(String text) {
        if (!NUMBER.matcher(text).matches()) {
            throw new NumberFormatException(text);
        }
        return Double.parseDouble(text);
    }

    /** Returns an error at {@code key}'s line quoting its value: {@code "t.scenario:3: [dhcp] rebinding-time: '30s' problem"}. */
    static ConfigException at(Optional<ConfigText.Value> key, String problem) {
        return at(key.orElseThrow(), problem);
    }

    /** Returns an error at {@code v}'s line quoting it. */
    static ConfigException at(ConfigText.Value v, String problem) {
        return v.error("'" + v.text() + "' " + problem);
    }

    /** Reads a duration of 0..{@code max}; {@code limit} says the bound in words, like {@code 60min}. */
    static long time(ConfigText.Value v, long max, String limit) {
        long ns = v.asDuration();
        if (ns < 0 || ns > max) {
            throw at(v, "is out of range (expected: 0.." + limit + ")");
        }
        return ns;
    }

    /** Reads a fault's time: 0..60min, as the command line's {@code --jitter} and {@code --link-down}. */
    static long faultTime(ConfigText.Value v) {
        return time(v, MAX_FAULT_TIME, MAX_FAULT_TIME_TEXT);
    }

    /** Reads a duration that must be whole seconds (lease times are seconds on the wire), at most {@link #MAX_LEASE_SECONDS}. */
    static long seconds(ConfigText.Value v) {
        long ns = v.asDuration();
        if (ns <= 0 || ns % 1_000_000_000L != 0) {
            throw v.error("'" + v.text() + "' (expected: a whole number of seconds, like 120s or 2min)");
        }
        if (ns / 1_000_000_000L > MAX_LEASE_SECONDS) {
            throw at(v, "is out of range (expected: at most 4294967294s, what 32 bits hold besides 'infinite')");
        }
        return ns / 1_000_000_000L;
    }

    static long rate(ConfigText.Value v) {
        try {
            return LinkModel.parseRate(v.asString());
        } catch (IllegalArgumentException e) {
            throw v.error(e.getMessage());
        }
    }

    /** Returns frames per second: a number 0..1000000. */
    static double perSecond(ConfigText.Value v) {
        double r;
        try {
            r = number(v.asString());
        } catch (NumberFormatException e) {
            throw v.error("'" + v.asString() + "' is not a number (expected: frames per second, like 20)");
        }
        if (!(r >= 0 && r <= MAX_CHATTER)) {
            throw v.error(v.asString() + " is out of range (expected: 0..1000000 frames per second)");
        }
        return r;
    }

    static double probability(ConfigText.Value v) {
        double p;
        try {
            p = number(v.asString());
        } catch (NumberFormatException e) {
            throw v.error("'" + v.asString() + "' is not a number (expected: a probability 0..1, like 0.05)");
        }
        if (!(p >= 0 && p <= 1)) {
            throw v.error(v.asString() + " is out of range (expected: a probability 0..1)");
        }
        return p;
    }

    /**
     * Returns why {@code a} can be no machine's address on a LAN, or null when it can be: 0.0.0.0/8 ("this network", RFC
     * 1122 3.2.1.3), 127.0.0.0/8 (loopback: the board itself), 224.0.0.0/4 (multicast groups), 240.0.0.0/4 (reserved,
     * with 255.255.255.255, the limited broadcast).
     */
    static String notAMachine(Ipv4Address a) {
        return a.notAMachine();
    }

    /**
     * Reads an address a board is sent to, which a reply of the server's names ({@code [server] dns}, {@code [bootp]
     * tftp-server}): a machine's unicast address ({@link #notAMachine}), on the server's subnet {@code net}/{@code mask}
     * or beyond its router, but not that subnet's network or broadcast address.
     */
    static Ipv4Address machine(ConfigText.Value v, Ipv4Address a, Ipv4Address net, Ipv4Address mask, String expected) {
        String why = notAMachine(a);
        int host = a.value() & ~mask.value();
        if (why == null && a.sameSubnet(net, mask) && (host == 0 || host == ~mask.value())) {
            why = "it is the " + (host == 0 ? "network" : "broadcast") + " address of the server's subnet " + net + "/"
                    + mask.prefixLength();
        }
        if (why != null) {
            throw v.error("'" + a + "' is no machine's address: " + why + " (expected: " + expected + ")");
        }
        return a;
    }

    /**
     * Checks that {@code v}'s address is a host of the subnet {@code net}/{@code mask}: a machine's address ({@link
     * #notAMachine}), in it, neither its network nor its broadcast address; {@code what} names the subnet in the error, like "the server's subnet 10.0.0.1/24", and
     * {@code expected} what the key wants, like "another host of the server's subnet".
     */
    static Ipv4Address hostOf(ConfigText.Value v, Ipv4Address net, Ipv4Address mask, String what, String expected) {
        Ipv4Address a = v.asIpv4();
        if (a.notAMachine() != null) {
            // In a subnet as wide as 0.0.0.0/0, even 127.0.0.42 or 224.0.0.42 lies inside: still no host's address.
            throw at(v, "is no machine's address: " + a.notAMachine() + " (expected: " + expected + ")");
        }
        int host = a.value() & ~mask.value();
        String why = !a.sameSubnet(net, mask) ? "it lies outside" : host == 0 ? "it is its network address"
                : host == ~mask.value() ? "it is its broadcast address" : null;
        if (why != null) {
            throw at(v, "is not a host address of " + what + ": " + why + " (expected: " + expected + ")");
        }
        return a;
    }
}
