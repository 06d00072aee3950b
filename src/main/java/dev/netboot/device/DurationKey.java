package dev.netboot.device;

import dev.netboot.device.ConfigText.Section;
import dev.netboot.device.ConfigText.Value;
import java.util.Optional;

/**
 * A duration key of a profile section as read: the value the file gives (and its line, where an error about it is
 * reported) or the default. Rules that tie two keys together (a retransmission's initial and maximum wait, say) name
 * the other key's value in the file's own words, or the default and that it is one.
 *
 * @param key   the key
 * @param value the entry, when the file has it
 * @param ns    its value in nanoseconds, or the default's
 */
record DurationKey(String key, Optional<Value> value, long ns) {
    /** Reads {@code key} of {@code section}, or takes {@code defaultNs}. */
    static DurationKey of(Section section, String key, long defaultNs) {
        Optional<Value> v = section.optional(key);
        return new DurationKey(key, v, v.map(Value::asDuration).orElse(defaultNs));
    }

    /** Returns whether the file gives this key. */
    boolean given() {
        return value.isPresent();
    }

    /** Returns the value as the file says it ({@code 500ms}), or the default's, saying so ({@code 1s, the default}). */
    String shown() {
        return value.map(Value::text).orElseGet(() -> format(ns) + ", the default");
    }

    /** Returns an error at this key's line: {@code "x.profile:29: [bootp] jitter: '2s' problem"}; the key must be given. */
    ConfigException error(String problem) {
        Value v = value.orElseThrow(() -> new IllegalStateException(key + " is not in the file"));
        return v.error("'" + v.text() + "' " + problem);
    }

    /** Formats {@code ns} in the largest unit that keeps it whole: 16s, 500ms, 400us, 7ns. */
    static String format(long ns) {
        if (ns != 0 && ns % 1_000_000_000L == 0) {
            return ns / 1_000_000_000L + "s";
        }
        if (ns != 0 && ns % 1_000_000L == 0) {
            return ns / 1_000_000L + "ms";
        }
        if (ns != 0 && ns % 1_000L == 0) {
            return ns / 1_000L + "us";
        }
        return ns + "ns";
    }
}
