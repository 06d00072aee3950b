package dev.netboot.emulator;

import dev.netboot.device.ConfigText;

/**
 * Reads a scenario's {@code [faults]} section into a {@link FaultPlan}: each key at its line, with the command line's
 * limits where it has the same option ({@link ScenarioValues}).
 */
final class ScenarioFaults {
    private ScenarioFaults() {
    }

    /** Returns {@code faults} with the keys {@code s} gives. */
    static FaultPlan read(ConfigText.Section s, FaultPlan faults) {
        double loss = s.optional("loss").map(ScenarioValues::probability).orElse(faults.loss());
        double dup = s.optional("duplicate").map(ScenarioValues::probability).orElse(faults.duplicate());
        int maxQueue = s.optional("max-queue").map(v -> v.asInt(0, 1 << 20)).orElse(faults.maxQueue());
        double reorder = s.optional("reorder").map(ScenarioValues::probability).orElse(faults.reorder());
        long reorderDelay = s.optional("reorder-delay").map(ScenarioValues::faultTime).orElse(faults.reorderDelay());
        long jitter = s.optional("jitter").map(ScenarioValues::faultTime).orElse(faults.jitter());
        double corrupt = s.optional("corrupt").map(ScenarioValues::probability).orElse(faults.corrupt());
        double tamper = s.optional("tamper").map(ScenarioValues::probability).orElse(faults.tamper());
        long downAt = s.optional("link-down-at").map(ScenarioValues::faultTime).orElse(faults.linkDownAt());
        long downFor = s.optional("link-down-for").map(ScenarioValues::faultTime).orElse(faults.linkDownFor());
        Background bg = faults.background();
        double broadcasts = s.optional("broadcasts").map(ScenarioValues::perSecond).orElse(bg.broadcasts());
        double arp = s.optional("arp-chatter").map(ScenarioValues::perSecond).orElse(bg.arpChatter());
        double udp = s.optional("udp-noise").map(ScenarioValues::perSecond).orElse(bg.udpNoise());
        long flood = s.optional("flood").map(v -> v.asLong(0, ScenarioValues.MAX_FLOOD)).orElse(bg.flood());
        long floodAt = s.optional("flood-at").map(ScenarioValues::faultTime).orElse(bg.floodAt());
        long floodRate = s.optional("flood-rate").map(v -> v.asLong(1, ScenarioValues.MAX_FRAME_RATE)).orElse(bg.floodRate());
        try {
            faults = new FaultPlan(loss, dup, maxQueue, reorder, reorderDelay, jitter, corrupt, tamper, downAt, downFor,
                    new Background(broadcasts, arp, udp, flood, floodAt, floodRate));
        } catch (IllegalArgumentException e) {
            throw s.error(e.getMessage());
        }
        s.finish();
        return faults;
    }
}
