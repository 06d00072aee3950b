package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A QEMU guest on a TAP device in a network namespace, for tests that boot a guest's own firmware from
 * {@code netboot serve}: its serial console is a file the test reads ({@code serial.log}) and a pipe it types into,
 * and its QMP socket lets the test copy guest memory out ({@code pmemsave}), so the bytes the firmware put in memory
 * are compared with the served image byte for byte. TCG only (no KVM needed). {@link #close()} quits it.
 */
final class QemuGuest implements AutoCloseable {
    private final Process process;
    private final Path serial;
    private final Path qmp;
    private final Path dir;
    private final OutputStream console;

    private QemuGuest(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
        this.serial = dir.resolve("serial.log");
        this.qmp = dir.resolve("qmp.sock");
        this.console = process.getOutputStream();
    }

    /**
     * Starts {@code binary} in {@code ns} with {@code machine} (its firmware, e.g. {@code -bios FILE}) and an e1000 NIC
     * with {@code mac} on {@code tap}; files go to {@code dir}.
     */
    static QemuGuest start(String ns, Path dir, String binary, String tap, String mac, String... machine) throws IOException {
        Path serial = dir.resolve("serial.log");
        Files.deleteIfExists(serial);
        Files.createFile(serial);
        Files.deleteIfExists(dir.resolve("qmp.sock"));
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, binary, "-accel", "tcg", "-m", "128", "-display", "none",
                "-monitor", "none", "-qmp", "unix:" + dir.resolve("qmp.sock") + ",server=on,wait=off", "-serial", "stdio", "-netdev",
                "tap,id=n0,ifname=" + tap + ",script=no,downscript=no", "-device", "e1000,netdev=n0,mac=" + mac));
        cmd.addAll(List.of(machine));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(serial.toFile()).start();
        return new QemuGuest(p, dir);
    }

    /** Returns what the guest wrote on its serial console so far, carriage returns dropped. */
    String console() {
        try {
            return Files.readString(serial, StandardCharsets.ISO_8859_1).replace("\r", "");
        } catch (IOException e) {
            throw new AssertionError("cannot read " + serial, e);
        }
    }

    /** Waits until the console holds {@code text} more than {@code count} times, or fails with {@code why} and the console. */
    void await(String text, int count, long deadlineNanos, java.util.function.Supplier<String> why) throws InterruptedException {
        await(() -> occurrences(console(), text) > count, deadlineNanos, () -> why.get() + " (waiting for '" + text + "')");
    }

    /** Waits until {@code done}, or fails with {@code why}, the guest's console following. */
    void await(BooleanSupplier done, long deadlineNanos, java.util.function.Supplier<String> why) throws InterruptedException {
        while (!done.getAsBoolean()) {
            assertTrue(process.isAlive() && System.nanoTime() < deadlineNanos, () -> why.get() + "\n--- guest console:\n" + console());
            Thread.sleep(50);
        }
    }

    static int occurrences(String s, String text) {
        int n = 0;
        for (int i = s.indexOf(text); i >= 0; i = s.indexOf(text, i + text.length())) {
            n++;
        }
        return n;
    }

    /** Types {@code line} and a carriage return on the guest's serial console. */
    void type(String line) throws IOException {
        console.write((line + "\r").getBytes(StandardCharsets.US_ASCII));
        console.flush();
    }

    /** Types {@code keys} as they are. */
    void press(String keys) throws IOException {
        console.write(keys.getBytes(StandardCharsets.US_ASCII));
        console.flush();
    }

    /** Returns {@code size} bytes of guest physical memory from {@code address}, read through QMP's pmemsave. */
    byte[] memory(long address, int size) throws IOException {
        Path out = dir.resolve("memory-" + Long.toHexString(address) + ".bin");
        Files.deleteIfExists(out);
        qmp("{\"execute\":\"pmemsave\",\"arguments\":{\"val\":" + address + ",\"size\":" + size + ",\"filename\":\"" + out + "\"}}");
        return Files.readAllBytes(out);
    }

    /** Sends QMP {@code command} after the capabilities handshake; fails unless QEMU answers {@code "return"}. */
    private void qmp(String command) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(qmp));
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            OutputStream out = Channels.newOutputStream(ch);
            String greeting = in.readLine();
            assertTrue(greeting != null && greeting.contains("\"QMP\""), "QMP greeting: " + greeting);
            for (String c : List.of("{\"execute\":\"qmp_capabilities\"}", command)) {
                out.write((c + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                String reply;
                do {
                    reply = in.readLine(); // events ({"event": ...}) may come first
                    assertTrue(reply != null, "QMP closed after " + c);
                } while (reply.contains("\"event\""));
                String r = reply;
                assertTrue(r.contains("\"return\""), () -> c + ": " + r);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
