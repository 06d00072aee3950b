package dev.netboot.emulator;

import dev.netboot.device.DeviceProfile;
import dev.netboot.flash.FlashTiming;
import dev.netboot.flash.Flashes;
import dev.netboot.wire.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A fleet of boards booting at once on the emulated LAN of a {@link Scenario}: N boards of one profile, each with
 * its own MAC (the profile's plus its index), stack, flash and randomness, powered up together or spread over a
 * stagger, against the scenario's servers. The run samples the servers' transmit ports every
 * {@link #SAMPLE_NANOS} of virtual time (link use over time) and ends when every board has booted or failed, or
 * after the virtual budget. {@link FleetReport} turns it into figures.
 */
public final class FleetBoot {
    /** Virtual time between two samples of the servers' ports and of the boards booted. */
    public static final long SAMPLE_NANOS = 10_000_000L;

    /**
     * What to run.
     *
     * @param scenario the LAN and servers
     * @param profile  the boards' profile
     * @param image    the file every TFTP server serves under the scenario's served-file name
     * @param boards   how many boards
     * @param stagger  boards power up at instants drawn evenly at random from [0, stagger); 0: all at once
     * @param timing   which of the profile's flash times the chips take in virtual time
     * @param budget   virtual time after which the run stops, boards still busy counted as failed
     */
    public record Config(Scenario scenario, DeviceProfile profile, ServedFile image, int boards, long stagger,
                         FlashTiming.Mode timing, long budget) {
        /** Checks the counts. */
        public Config {
            Objects.requireNonNull(scenario, "scenario");
            Objects.requireNonNull(profile, "profile");
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(timing, "timing");
            if (boards < 1 || boards > MAX_BOARDS || stagger < 0 || budget <= 0) {
                throw new IllegalArgumentException("fleet of " + boards + " boards, stagger " + stagger + " ns, budget " + budget
                        + " ns (expected: 1.." + MAX_BOARDS + " boards, stagger >= 0, budget > 0)");
            }
        }
    }

    /** Most boards a fleet may have: the MACs after the profile's stay in its 24-bit device part. */
    public static final int MAX_BOARDS = 100_000;

    /** Hears the run's progress, in wall time between chunks of virtual time. */
    public interface Progress {
        /** At virtual time {@code now}, {@code ended} of {@code boards} have booted or failed ({@code booted} booted). */
        void at(long now, int boards, int booted, int ended);

        /**
         * Returns whether the run is to end now, after the sample just told ({@code netboot fleet} interrupted by SIGINT or
         * SIGTERM): the report is then of the run so far, the boards still busy unfinished.
         */
        default boolean stopping() {
            return false;
        }
    }

    /**
     * One sample of the servers' ports.
     *
     * @param at     virtual time at the sample's end
     * @param bytes  bytes the servers' ports sent in the sample (frames without FCS)
     * @param frames frames they sent in it
     * @param booted boards booted by then
     */
    public record Sample(long at, long bytes, long frames, int booted) {
        /** Returns the bytes these frames took on the wire: padding, FCS, preamble and gap added ({@link LinkModel#wireBytes}). */
        public long wireBytes() {
            return bytes + frames * LinkModel.OVERHEAD;
        }
    }

    /**
     * What happened, for {@link FleetReport}.
     *
     * @param config     what ran
     * @param lan        the network after the run (servers' counters)
     * @param boards     the boards, in index order
     * @param outcome    why the simulation stopped
     * @param end        virtual time at the end
     * @param samples    the servers' ports and boards booted every {@link #SAMPLE_NANOS}
     * @param wallNanos  wall time of the run (setup included)
     */
    record Run(Config config, EmulatedLan lan, List<FleetBoard> boards, Simulation.Outcome outcome, long end,
               List<Sample> samples, long wallNanos) {
    }

    private FleetBoot() {
    }

    /**
     * Runs the fleet to its end and returns its figures.
     *
     * @param progress hears how far it got, after each sample; null for nobody
     */
    public static FleetReport run(Config c, Progress progress) {
        return FleetReport.of(simulate(c, progress, true));
    }

    /**
     * Runs the fleet to its end. With {@code filter}, a board's port spares it the frames its stack would only count
     * ({@link EmulatedPort#filterWith}); without, every frame wakes it: the same run, at the cost of N x N broadcasts.
     */
    static Run simulate(Config c, Progress progress, boolean filter) {
        long wallStart = System.nanoTime();
        Scenario sc = c.scenario();
        EmulatedLan lan = EmulatedLan.of(sc);
        lan.serve(sc.servedFile(), c.image());
        SplittableRandom power = Seeds.random(sc.seed(), "power-up");
        List<FleetBoard> boards = new ArrayList<>(c.boards());
        int[] ended = new int[1];
        int[] booted = new int[1];
        Flashes.Sharing sharing = new Flashes.Sharing();
        for (int i = 0; i < c.boards(); i++) {
            long at = c.stagger() == 0 ? 0 : power.nextLong(c.stagger());
            MacAddress mac = new MacAddress(c.profile().mac().value() + i);
            FleetBoard[] self = new FleetBoard[1];
            FleetBoard b = new FleetBoard(i, lan, c.profile(), mac, at, c.timing(), sharing, () -> {
                ended[0]++;
                if (self[0].report != null) {
                    booted[0]++;
                }
            });
            self[0] = b;
            boards.add(lan.simulation().add(b));
            if (filter) {
                b.filterAs(lan.simulation().nodeCount() - 1);
            }
        }
        List<EmulatedPort> serverPorts = new ArrayList<>();
        serverPorts.add(lan.server().port());
        for (ServerHost h : lan.tftpHosts()) {
            serverPorts.add(h.port());
        }
        Simulation sim = lan.simulation();
        List<Sample> samples = new ArrayList<>();
        long sent = 0;
        long sentFrames = 0;
        Simulation.RunResult r = null;
        boolean first = true;
        while (true) {
            long until = Math.min(c.budget(), sim.now() + SAMPLE_NANOS);
            r = first ? sim.run(() -> ended[0] == c.boards(), until - sim.now()) : sim.advance(() -> ended[0] == c.boards(), until);
            first = false;
            long total = 0;
            long frames = 0;
            for (EmulatedPort p : serverPorts) {
                total += p.bytesSent();
                frames += p.framesSent();
            }
            samples.add(new Sample(sim.now(), total - sent, frames - sentFrames, booted[0]));
            sent = total;
            sentFrames = frames;
            if (progress != null) {
                progress.at(sim.now(), c.boards(), booted[0], ended[0]);
            }
            if (r.outcome() != Simulation.Outcome.TIMED_OUT || sim.now() >= c.budget() || (progress != null && progress.stopping())) {
                break;
            }
        }
        for (EthernetSegment s : lan.segments()) {
            s.settle(); // the boards' counters of the frames their stacks only counted, up to the end
        }
        return new Run(c, lan, boards, r.outcome(), sim.now(), samples, System.nanoTime() - wallStart);
    }
}
