package dev.netboot.tftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.netboot.device.BootObserver;
import dev.netboot.device.SlotUpdate;
import dev.netboot.flash.BootSlots;
import dev.netboot.flash.FlashException;
import dev.netboot.flash.FlashGeometry;
import dev.netboot.flash.FlashTiming;
import dev.netboot.flash.FlashWriter;
import dev.netboot.flash.Partition;
import dev.netboot.flash.SimulatedNorFlash;
import dev.netboot.flash.SlotReader;
import dev.netboot.flash.TimedFlash;
import dev.netboot.net.PayloadWriter;
import dev.netboot.net.SendResult;
import dev.netboot.net.UdpHandler;
import dev.netboot.net.UdpTransport;
import dev.netboot.wire.FuzzInput;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes the TFTP client in both directions against a "server" whose every packet the fuzzer chooses:
 * DATA, ACK, OACK, ERROR or raw bytes, from the transfer ID or from strangers, with the time between
 * them, ICMP unreachables and a link that is sometimes busy. The script format is {@link Script}'s.
 *
 * <p>Properties, checked after every step:
 * <ul>
 *   <li>nothing the client does throws;</li>
 *   <li>progress: after a few polls at one instant, {@code pollAt()} lies in the future; once the server
 *       falls silent the transfer ends (done or failed) within its retry budget of virtual time;</li>
 *   <li>a download hands its sink only blocks the server sent from the transfer ID, in order, under
 *       their own block numbers, each full-sized but the last; it acknowledges no block it has not
 *       handed on; when it reports Done, that is exactly the file (and the tsize it was told, if any);</li>
 *   <li>an upload sends each block's true bytes, and reports Done only after the server acknowledged
 *       the last block from the transfer ID.</li>
 * </ul>
 */
class TftpFuzzTest {
    static final long MS = 1_000_000L;
    static final Ipv4Address SERVER = Ipv4Address.parse("192.0.2.1");
    static final Ipv4Address STRANGER = Ipv4Address.parse("192.0.2.99");
    static final List<String> OPTION_NAMES = List.of("blksize", "tsize", "windowsize", "timeout", "rollover", "BLKSIZE", "x");

    // ------------------------------------------------------------------ the script

    /** Operations of a script, one byte each (modulo their count), followed by their operands. */
    enum Op { WAIT, DATA, OACK, ACK, ERROR, RAW, STRANGER, UNREACHABLE, BUSY }

    /** Builds seed scripts: a header, then operations. */
    static final class Script {
        final FuzzInput.Script s = new FuzzInput.Script();

        /**
         * Header, in {@link Run}'s order: direction, block size (index into {@link Run#BLOCK_SIZES}), window,
         * options, tsize on, rollover not asked, no server timeout, 1 s timeout, 6 retries, a reorder budget
         * of one window, the file size, server port 1034, no pacing, no sink limit, no read failure, MTU 1500.
         */
        Script header(boolean write, int blkChoice, int window, boolean options, int fileSize) {
            return op(write ? 1 : 0).op(blkChoice).op(window - 1).op(options ? 1 : 0).op(0).op(0).op(0).op(19).op(6).op(1)
                    .u16(fileSize).op(10).op(0).op(0).op(0).op(0);
        }

        Script op(int v) {
            s.u8(v);
            return this;
        }

        Script u16(int v) {
            s.u16(v);
            return this;
        }

        /** Waits {@code ms} milliseconds (in 1 ms steps, at most 255). */
        Script waitMs(int ms) {
            return op(Op.WAIT.ordinal()).op(0).op(ms);
        }

        /** Jumps to the client's next deadline. */
        Script waitDeadline() {
            return op(Op.WAIT.ordinal()).op(3).op(0);
        }

        /** DATA for the server's next block, full size, honest content. */
        Script nextData() {
            return op(Op.DATA.ordinal()).op(0).op(0).op(0);
        }

        /** DATA for the server's next block, {@code len} bytes (short: the last). */
        Script lastData(int len) {
            return op(Op.DATA.ordinal()).op(0).op(1).u16(len).op(0);
        }

        Script oack(String... nameValue) {
            op(Op.OACK.ordinal()).op(nameValue.length / 2);
            for (int i = 0; i < nameValue.length; i += 2) {
                int idx = OPTION_NAMES.indexOf(nameValue[i]);
                op(idx).op(0).s.u32(Integer.parseInt(nameValue[i + 1]));
            }
            return this;
        }

        /** ACK of the last DATA block the client sent (mode 0). */
        Script ackLast() {
            return op(Op.ACK.ordinal()).op(0).u16(0);
        }

        byte[] build() {
            return s.build();
        }
    }

    static Stream<Arguments> seeds() {
        List<byte[]> s = new ArrayList<>();
        // A plain RFC 1350 read of 1000 bytes: DATA 1 (512), DATA 2 (488).
        // (waitDeadline: until the client's next deadline, when an ACK held for the flash goes out.)
        s.add(new Script().header(false, 0, 1, false, 1000).waitMs(5).nextData().waitDeadline().lastData(488).waitDeadline().build());
        // A read with blksize 1024, windowsize 4 and tsize: OACK, then windows.
        Script w = new Script().header(false, 2, 4, true, 5000).waitMs(3).oack("blksize", "1024", "windowsize", "4", "tsize", "5000");
        for (int i = 0; i < 4; i++) {
            w.waitMs(1).nextData();
        }
        w.waitDeadline().lastData(5000 - 4 * 1024).waitDeadline();
        s.add(w.build());
        // A plain write of 700 bytes: ACK 0, DATA 1, ACK 1, DATA 2, ACK 2.
        s.add(new Script().header(true, 0, 1, false, 700).waitMs(2).op(Op.ACK.ordinal()).op(1).u16(0)
                .waitMs(2).ackLast().waitMs(2).ackLast().waitDeadline().build());
        // A write with options: OACK blksize 600 windowsize 2, then ACKs.
        s.add(new Script().header(true, 1, 2, true, 2000).waitMs(2).oack("blksize", "600", "windowsize", "2", "tsize", "2000")
                .waitMs(2).ackLast().waitMs(2).ackLast().waitMs(2).ackLast().waitDeadline().build());
        return s.stream().map(b -> arguments((Object) b));
    }

    /** The seeds are honest transfers: each ends Done with the whole file, so the fuzzer starts from deep inside. */
    @Test
    void seedsCompleteTheirTransfers() {
        seeds().forEach(a -> {
            Run r = new Run(new FuzzInput((byte[]) a.get()[0]), false);
            r.run();
            TftpClient.State.Done d = assertInstanceOf(TftpClient.State.Done.class, r.client.state(), () -> "write " + r.write);
            assertEquals(r.file.length, d.bytes());
            if (!r.write) {
                assertArrayEquals(r.file, r.sink.bytes());
                Run f = new Run(new FuzzInput((byte[]) a.get()[0]), true);
                f.run(); // reads the slot back after Done
                assertEquals(new TftpClient.State.Done(r.file.length, f.client.finishedAt()), f.client.state());
                assertTrue(f.update.peakBufferedBytes() > 0);
            }
        });
    }

    // ------------------------------------------------------------------ the harness

    @MethodSource("seeds")
    @FuzzTest
    void transfer(byte[] input) {
        new Run(new FuzzInput(input), false).run();
    }

    /**
     * The same scripts read into the board's own sink: a {@link SlotUpdate} on a timed NOR chip, whose RAM
     * budget for bytes waiting for the chip is a window and a page plus the header's pacing byte × 64. On
     * top of the download's properties: the bytes waiting never pass that budget, and a Done download
     * finishes into a slot that reads back exactly the bytes the sink got.
     */
    @MethodSource("seeds")
    @FuzzTest
    void downloadIntoFlash(byte[] input) {
        new Run(new FuzzInput(input), true).run();
    }

    /** One fuzzed transfer and its checks. */
    static final class Run {
        static final int[] BLOCK_SIZES = {512, 600, 1024, 1468, 8, 100, 4096, 65464};
        final FuzzInput in;
        final Transport net = new Transport();
        final boolean write;
        final TftpConfig config;
        final TftpClient client;
        final int serverPort;
        final byte[] file;
        final RecordingSink sink;
        final Source source;
        final TimedFlash flash;    // downloadIntoFlash: the board's chip and update, else null
        final SlotUpdate update;
        long now = 1_000 * MS;
        // What the fuzzer's server sent from each port of its address: (port, wire block) -> payloads.
        final Map<Long, List<byte[]>> sentData = new HashMap<>();
        final Set<Long> ackedByServer = new HashSet<>();
        int serverNext = 1;   // the block an honest server sends next (read): after the client's last ACK
        int lastDataSeen;     // the highest DATA block the client sent (write)

        Run(FuzzInput in, boolean intoFlash) {
            this.in = in;
            write = in.bool() && !intoFlash;
            int blkSize = BLOCK_SIZES[in.below(BLOCK_SIZES.length)];
            int window = 1 + in.below(16);
            boolean options = in.bool();
            boolean tsize = !in.bool();
            int rollover = in.below(3) - 1;
            int serverTimeout = in.below(4);
            long timeout = (1 + in.below(20)) * 50 * MS;
            int retries = in.below(9);
            long budget = in.below(4) == 0 ? 0 : (long) window * blkSize;
            config = new TftpConfig(timeout, Math.min(timeout, 20 * MS), timeout * 8, retries, blkSize, window, options, tsize,
                    rollover, serverTimeout, budget);
            int size = in.u16() % 20_000;
            file = pattern(0, size, 0);
            int portChoice = in.u8();
            serverPort = portChoice == 0 ? TftpWire.SERVER_PORT : 1024 + portChoice;
            int pacing = in.u8();
            if (intoFlash) {
                FlashGeometry g = new FlashGeometry(256 * 1024, 4096, 256, 0xFF);
                flash = new TimedFlash(SimulatedNorFlash.inMemory(g), new FlashTiming(400_000, 3_000_000, 45_000_000, 400_000_000),
                        FlashTiming.Mode.TYPICAL);
                flash.at(now);
                BootSlots slots = new BootSlots(flash, new Partition("slot-a", 0, 96 * 1024), new Partition("slot-b", 96 * 1024, 96 * 1024),
                        new Partition("meta", 192 * 1024, 8 * 1024));
                long ram = (long) window * config.requestedBlockSize(1472) + g.pageSize() + pacing * 64L;
                update = new SlotUpdate(slots, flash, FlashWriter.Options.DEFAULTS, ram, 1, new BootObserver() {
                });
                update.at(now);
            } else {
                flash = null;
                update = null;
            }
            sink = new RecordingSink(update == null ? pacing * MS : 0, in.u8() == 1 ? in.u16() : -1, update);
            source = new Source(file, in.u8() == 1 ? in.u16() : -1);
            // Ethernet's 1472, the 548 of IPv4's minimum reassembly size (576), loopback's largest datagram.
            int[] payloads = {1472, 1472, 548, 65507};
            net.maxPayload = payloads[in.below(payloads.length)];
            client = new TftpClient(net, config, new SplittableRandom(7));
        }

        void run() {
            if (write) {
                client.startWrite(now, SERVER, TftpWire.SERVER_PORT, "image.bin", source);
            } else {
                client.startRead(now, SERVER, TftpWire.SERVER_PORT, "image.bin", sink);
            }
            check();
            int steps = 0;
            while (in.more() && steps++ < 2_000) {
                step(Op.values()[in.below(Op.values().length)]);
                check();
            }
            silence();
        }

        void step(Op op) {
            switch (op) {
                case WAIT -> {
                    int scale = in.below(4);
                    int v = in.u8();
                    long next = switch (scale) {
                        case 0 -> now + v * MS;
                        case 1 -> now + v * 10 * MS;
                        case 2 -> now + v * 100 * MS;
                        default -> Math.max(now, client.pollAt() == Long.MAX_VALUE ? now : client.pollAt());
                    };
                    now = next;
                    pollUntilQuiet();
                }
                case DATA -> deliverFromServer(serverPort, data());
                case OACK -> deliverFromServer(serverPort, oack());
                case ACK -> deliverFromServer(serverPort, ack());
                case ERROR -> deliverFromServer(serverPort, error());
                case RAW -> deliverFromServer(serverPort, in.bytes(in.u8()));
                case STRANGER -> {
                    boolean otherIp = in.bool();
                    int port = otherIp ? serverPort : serverPort + 1 + in.u8();
                    byte[] payload = switch (in.below(4)) {
                        case 0 -> data();
                        case 1 -> ack();
                        case 2 -> oack();
                        default -> error();
                    };
                    if (otherIp) {
                        tick();
                        net.deliver(now, STRANGER, port, client.localPort(), payload);
                    } else {
                        deliverFromServer(port & 0xFFFF, payload); // the server's address: its first answer may set the TID
                    }
                }
                case UNREACHABLE -> {
                    tick();
                    UdpHandler h = net.bound.get(client.localPort());
                    if (h != null) {
                        // About the request's port, the transfer ID, or a stranger's port (an ERROR 5 it drew).
                        int[] ports = {69, client.tid, in.below(65_536)};
                        h.onUnreachable(now, SERVER, ports[in.below(3)], true, "ICMP port unreachable (fuzz)");
                    }
                }
                case BUSY -> {
                    net.refuseNext = in.below(4);
                    net.refusal = SendResult.values()[in.below(SendResult.values().length)];
                }
            }
        }

        /**
         * A DATA packet: the server's next block (or one past it, or the one before), or any number; full, short,
         * too long or tiny; the file's bytes or other bytes.
         */
        byte[] data() {
            int mode = in.u8();
            int blockSize = client.blockSize();
            int block;
            if (mode >= 200) {
                block = in.u16();
            } else {
                block = switch (mode % 8) {
                    case 6 -> serverNext + 1;
                    case 7 -> Math.max(1, serverNext - 1);
                    default -> serverNext;
                };
                serverNext = Math.max(serverNext, block + 1);
            }
            block &= 0xFFFF;
            int lenMode = in.below(4);
            int len = switch (lenMode) {
                case 0 -> blockSize;
                case 1 -> in.u16() % (blockSize + 1);
                case 2 -> blockSize + 1 + in.u8();
                default -> in.u8();
            };
            int variant = in.u8() < 240 ? 0 : 1 + in.u8();
            byte[] content = variant == 0 ? slice(file, (long) (block - 1) * blockSize, len) : pattern(block, len, variant);
            ByteBuffer b = ByteBuffer.allocate(4 + content.length);
            TftpWire.writeDataHeader(b, 0, block);
            b.put(4, content);
            return b.array();
        }

        byte[] oack() {
            int n = in.below(6);
            List<TftpPacket.Option> o = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = OPTION_NAMES.get(in.below(OPTION_NAMES.size()));
                String value = switch (in.below(4)) {
                    case 0 -> Long.toString(in.u32() & 0xFFFF_FFFFL);
                    case 1 -> Integer.toString(in.u16());
                    case 2 -> "-" + in.u8();
                    default -> text(in.bytes(in.below(12)));
                };
                o.add(new TftpPacket.Option(name, value));
            }
            return encode(new TftpPacket.Oack(o));
        }

        byte[] ack() {
            int mode = in.u8();
            int block = switch (mode % 4) {
                case 0 -> lastDataSeen;
                case 1 -> 0;
                case 2 -> Math.max(0, lastDataSeen - 1 - in.u8() % 4);
                default -> in.u16();
            };
            ByteBuffer b = ByteBuffer.allocate(4);
            TftpWire.writeAck(b, 0, block & 0xFFFF);
            in.u16(); // spare operand, keeps seed scripts aligned
            return b.array();
        }

        byte[] error() {
            int code = in.below(10);
            byte[] msg = in.bytes(in.below(16));
            if (in.bool()) {
                return encode(new TftpPacket.Error(code, text(msg)));
            }
            ByteBuffer b = ByteBuffer.allocate(4 + msg.length); // no terminating NUL
            b.putShort(0, (short) TftpPacket.OP_ERROR).putShort(2, (short) code).put(4, msg);
            return b.array();
        }

        void deliverFromServer(int port, byte[] payload) {
            if (payload.length >= 4) {
                int op = ByteBuffer.wrap(payload).getShort(0) & 0xFFFF;
                int block = ByteBuffer.wrap(payload).getShort(2) & 0xFFFF;
                long key = ((long) port << 16) | block;
                if (op == TftpPacket.OP_DATA) {
                    sentData.computeIfAbsent(key, k -> new ArrayList<>()).add(Arrays.copyOfRange(payload, 4, payload.length));
                } else if (op == TftpPacket.OP_ACK) {
                    ackedByServer.add(key);
                }
            }
            tick();
            net.deliver(now, SERVER, port, client.localPort(), payload);
        }

        /** Polls at {@code now} until the client's next deadline is in the future. */
        void pollUntilQuiet() {
            for (int i = 0; client.pollAt() <= now; i++) {
                if (i == 64) {
                    throw new AssertionError("no progress: pollAt() " + client.pollAt() + " is still at or before now " + now
                            + " after 64 polls, state " + client.state());
                }
                tick();
                client.poll(now);
                check();
            }
        }

        /** Tells the board's chip and update the time, as BootSequence.poll does before the clients run. */
        void tick() {
            if (flash != null) {
                flash.at(now);
                update.at(now);
            }
        }

        /** The server falls silent: the transfer must end within its budget of virtual time. */
        void silence() {
            long start = now;
            long chip = flash == null ? 0 : Math.max(0, flash.busyUntil() - now); // ACKs held until the chip has room
            long budget = (config.maxRetries() + 2L) * config.maxTimeout() + 2 * sink.hold + chip + 1_000 * MS;
            for (int i = 0; client.pollAt() != Long.MAX_VALUE; i++) {
                if (i == 10_000 || client.pollAt() - start > budget) {
                    throw new AssertionError("a silent server did not end the transfer: state " + client.state() + ", pollAt "
                            + client.pollAt() + " after " + (now - start) / MS + " ms and " + i + " polls");
                }
                now = Math.max(now, client.pollAt());
                tick();
                client.poll(now);
                check();
            }
            if (!(client.state() instanceof TftpClient.State.Done || client.state() instanceof TftpClient.State.Failed)) {
                throw new AssertionError("the transfer stopped without ending: " + client.state());
            }
            if (net.bound.containsKey(client.localPort())) {
                throw new AssertionError("the transfer ended but port " + client.localPort() + " stays bound: " + client.state());
            }
            if (update != null && client.state() instanceof TftpClient.State.Done) {
                finishIntoFlash();
            }
        }

        /** A Done download finishes into a slot that holds exactly the bytes the sink was handed. */
        void finishIntoFlash() {
            byte[] got = sink.bytes();
            long n;
            try {
                n = update.finish();
            } catch (FlashException e) {
                if (got.length == 0) {
                    return; // an empty image is refused (smaller than the smallest image, 1 byte)
                }
                throw new AssertionError("a Done download of " + got.length + " bytes did not finish into flash: " + e, e);
            }
            ByteArrayOutputStream slot = new ByteArrayOutputStream();
            SlotReader.read(flash, update.partition(), n, new byte[256], (b, k) -> slot.write(b, 0, k));
            if (!Arrays.equals(got, slot.toByteArray())) {
                throw new AssertionError("the slot holds " + n + " bytes that are not the " + got.length + " the sink was handed");
            }
        }

        /** The properties that hold after every step. */
        void check() {
            int tid = client.tid;
            int blockSize = client.blockSize();
            for (Transport.Sent p : net.takeSent()) {
                onClientPacket(p);
            }
            if (update != null && update.peakBufferedBytes() > update.bufferBytes()) {
                throw new AssertionError(update.peakBufferedBytes() + " bytes waited for the flash chip, over the budget of "
                        + update.bufferBytes());
            }
            if (!write) {
                checkDownload();
            } else if (client.state() instanceof TftpClient.State.Done d) {
                long lastBlock = file.length / blockSize + 1;
                if (!ackedByServer.contains(((long) tid << 16) | (lastBlock & 0xFFFF))) {
                    throw new AssertionError("upload reported Done but the server never acknowledged block " + lastBlock
                            + " from the transfer ID " + tid);
                }
                if (d.bytes() != file.length) {
                    throw new AssertionError("upload reported " + d.bytes() + " bytes, the file has " + file.length);
                }
            }
        }

        void onClientPacket(Transport.Sent p) {
            if (p.payload().length < 4) {
                return;
            }
            ByteBuffer b = ByteBuffer.wrap(p.payload());
            int op = b.getShort(0) & 0xFFFF;
            int block = b.getShort(2) & 0xFFFF;
            int blockSize = client.blockSize();
            if (op == TftpPacket.OP_ACK && !write) {
                // An ACK says "I have everything up to here": never for a block the sink did not get.
                if (block > sink.blocks() && sink.blocks() < 0xFFFF) {
                    throw new AssertionError("ACK " + block + " sent with only " + sink.blocks() + " blocks handed to the sink");
                }
                serverNext = block + 1; // RFC 7440: the sender goes on after the block acknowledged
            } else if (op == TftpPacket.OP_DATA && write) {
                byte[] expected = slice(file, (long) (block - 1) * blockSize, blockSize);
                byte[] got = Arrays.copyOfRange(p.payload(), 4, p.payload().length);
                if (!Arrays.equals(expected, got)) {
                    throw new AssertionError("DATA " + block + " carries " + got.length + " bytes that are not the file's "
                            + expected.length + " at offset " + (long) (block - 1) * blockSize);
                }
                lastDataSeen = Math.max(lastDataSeen, block);
            }
        }

        void checkDownload() {
            byte[] got = sink.bytes();
            int bs = client.blockSize();
            int tid = client.tid;
            int blocks = sink.blocks();
            for (int i = 0; i < blocks; i++) {
                int from = Math.min(got.length, i * bs);
                int to = Math.min(got.length, from + bs);
                byte[] chunk = Arrays.copyOfRange(got, from, to);
                boolean last = i == blocks - 1;
                if (chunk.length != bs && !(last && client.state() instanceof TftpClient.State.Done)) {
                    throw new AssertionError("block " + (i + 1) + " reached the sink with " + chunk.length + " bytes at block size " + bs
                            + " in state " + client.state());
                }
                List<byte[]> candidates = sentData.getOrDefault(((long) tid << 16) | ((i + 1) & 0xFFFF), List.of());
                if (candidates.stream().noneMatch(c -> Arrays.equals(c, chunk))) {
                    throw new AssertionError("block " + (i + 1) + " in the sink (" + chunk.length + " bytes) is no DATA "
                            + (i + 1) + " the server sent from transfer ID " + tid);
                }
            }
            if (client.state() instanceof TftpClient.State.Done d) {
                if (d.bytes() != got.length) {
                    throw new AssertionError("Done with " + d.bytes() + " bytes, the sink got " + got.length);
                }
                if (blocks == 0 || (got.length % bs == 0 && got.length > 0 && got.length / bs == blocks)) {
                    throw new AssertionError("Done without a short last block: " + got.length + " bytes in " + blocks + " blocks of " + bs);
                }
                if (sink.expected >= 0 && sink.expected != got.length) {
                    throw new AssertionError("Done with " + got.length + " bytes after the server announced tsize " + sink.expected);
                }
            }
        }
    }

    // ------------------------------------------------------------------ test doubles

    /** A UDP transport that records what the client sends and hands it the fuzzer's datagrams. */
    static final class Transport implements UdpTransport {
        record Sent(int srcPort, Ipv4Address dst, int dstPort, byte[] payload) {
        }

        final Map<Integer, UdpHandler> bound = new HashMap<>();
        final List<Sent> sent = new ArrayList<>();
        int maxPayload = 1472;
        int refuseNext;
        SendResult refusal = SendResult.LINK_BUSY;
        /** Whether it joins multicast groups (an RFC 2090 read); off, it cannot, like the interface's default. */
        boolean groups;
        final Set<Ipv4Address> joined = new HashSet<>();

        @Override
        public boolean joinGroup(long now, Ipv4Address group) {
            if (groups) {
                joined.add(group);
            }
            return groups;
        }

        @Override
        public void leaveGroup(long now, Ipv4Address group) {
            joined.remove(group);
        }

        @Override
        public boolean multicast() {
            return groups;
        }

        @Override
        public void bind(int port, UdpHandler handler) {
            if (bound.putIfAbsent(port, handler) != null) {
                throw new IllegalStateException("UDP port " + port + " is already bound");
            }
        }

        @Override
        public void unbind(int port) {
            bound.remove(port);
        }

        @Override
        public boolean isBound(int port) {
            return bound.containsKey(port);
        }

        @Override
        public SendResult sendUdp(long now, int srcPort, Ipv4Address dst, int dstPort, int len, PayloadWriter writer) {
            if (len < 0 || len > maxPayload) {
                throw new AssertionError("datagram of " + len + " bytes on a transport that carries " + maxPayload);
            }
            if (!bound.containsKey(srcPort)) {
                throw new AssertionError("sent from port " + srcPort + ", which is not bound");
            }
            SendResult result = SendResult.SENT;
            if (refuseNext > 0) {
                refuseNext--;
                result = refusal;
            }
            if (result == SendResult.SENT || result == SendResult.PENDING_ARP) { // both go out, now or after ARP
                ByteBuffer b = ByteBuffer.allocate(len + 8);
                writer.writePayload(b, 8, len);
                sent.add(new Sent(srcPort, dst, dstPort, Arrays.copyOfRange(b.array(), 8, 8 + len)));
            }
            return result;
        }

        @Override
        public int maxUdpPayload() {
            return maxPayload;
        }

        void deliver(long now, Ipv4Address src, int srcPort, int dstPort, byte[] payload) {
            UdpHandler h = bound.get(dstPort);
            if (h != null) {
                // Lend a buffer with junk around the datagram, as a frame buffer would have.
                ByteBuffer b = ByteBuffer.allocate(payload.length + 50);
                for (int i = 0; i < b.capacity(); i++) {
                    b.put(i, (byte) 0xA5);
                }
                b.put(42, payload);
                h.onDatagram(now, src.value(), srcPort, Ipv4Address.parse("192.0.2.2").value(), b, 42, payload.length);
            }
        }

        List<Sent> takeSent() {
            List<Sent> out = List.copyOf(sent);
            sent.clear();
            return out;
        }
    }

    /**
     * Records a download, passing it on to {@code board} when there is one; without one it holds the ACK for
     * {@code hold} after every window. Refuses past {@code limit} bytes.
     */
    static final class RecordingSink implements TftpSink {
        final long hold;
        final int limit;
        final TftpSink board;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        long expected = -1;
        int blocks;

        RecordingSink(long hold, int limit, TftpSink board) {
            this.hold = hold;
            this.limit = limit;
            this.board = board;
        }

        @Override
        public void begin(long expectedSize) {
            expected = expectedSize;
            if (limit >= 0 && expectedSize > limit) {
                throw new TftpSinkException(TftpWire.ERR_DISK_FULL, "too large", null);
            }
            if (board != null) {
                board.begin(expectedSize);
            }
        }

        @Override
        public void write(ByteBuffer buf, int off, int len) {
            if (limit >= 0 && out.size() + len > limit) {
                throw new TftpSinkException(TftpWire.ERR_DISK_FULL, "full", null);
            }
            if (board != null) {
                board.write(buf, off, len);
            }
            byte[] b = new byte[len];
            buf.get(off, b);
            out.writeBytes(b);
            blocks++;
        }

        @Override
        public long readyAt(long now, long bytes) {
            return board != null ? board.readyAt(now, bytes) : now + hold;
        }

        @Override
        public boolean hasRoom(long now, int bytes) {
            return board == null || board.hasRoom(now, bytes);
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        int blocks() {
            return blocks;
        }
    }

    /** The file an upload sends; fails reads past {@code failAt} when that is not -1. */
    record Source(byte[] file, int failAt) implements TftpSource {
        @Override
        public long size() {
            return file.length;
        }

        @Override
        public int read(long offset, ByteBuffer dst, int off, int len) {
            if (failAt >= 0 && offset + len > failAt) {
                throw new TftpSinkException(TftpWire.ERR_ACCESS, "read failed", null);
            }
            int n = (int) Math.max(0, Math.min(len, file.length - offset));
            dst.put(off, file, (int) Math.min(offset, file.length), n);
            return n;
        }
    }

    // ------------------------------------------------------------------ helpers

    static byte[] pattern(long from, int n, int variant) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            long x = from + i;
            b[i] = (byte) (x * 31 + (x >>> 8) + variant * 101);
        }
        return b;
    }

    static byte[] slice(byte[] file, long from, int n) {
        if (from < 0 || from >= file.length) {
            return new byte[0];
        }
        return Arrays.copyOfRange(file, (int) from, (int) Math.min(file.length, from + n));
    }

    static byte[] encode(TftpPacket p) {
        ByteBuffer b = ByteBuffer.allocate(p.encodedLength());
        p.emit(b, 0);
        return b.array();
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1).replace('\0', ' ');
    }
}
