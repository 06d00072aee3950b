package dev.netboot.testkit;

import dev.netboot.device.DeviceProfile;
import dev.netboot.emulator.BootpServer;
import dev.netboot.emulator.DhcpServer;
import dev.netboot.emulator.EmulatedLan;
import dev.netboot.emulator.ProxyDhcpServer;
import dev.netboot.emulator.Router;
import dev.netboot.emulator.Scenario;
import dev.netboot.emulator.Simulation;
import dev.netboot.emulator.TftpServer;
import dev.netboot.flash.FlashTiming;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * A JUnit 5 extension that gives each test an emulated LAN to boot boards on, in virtual time. A test asks for what it
 * needs as parameters:
 * <ul>
 *   <li>{@link TestLan}: the LAN (serve an image, add boards, run, read the capture and the timeline);</li>
 *   <li>{@link TestBoard}: a board of the LAN's profile, powered on; each such parameter is another board;</li>
 *   <li>the LAN's parts: {@link TftpServer}, {@link DhcpServer}, {@link BootpServer}, {@link ProxyDhcpServer},
 *       {@link Router}, {@link Simulation}, {@link EmulatedLan}, {@link Scenario}, {@link DeviceProfile}.</li>
 * </ul>
 * The LAN is declared with {@link Lan} on the class or the method, or built in code by registering the extension:
 *
 * <pre>{@code
 * @RegisterExtension
 * static NetbootExtension lan = NetbootExtension.of(Scenario.DEFAULT.withRelay(Scenario.Relay.DEFAULT).withLoss(0.1),
 *         DeviceProfile.builder("my-board")...build());
 * }</pre>
 *
 * A {@link Lan} on a test method wins over the code's LAN, which wins over a {@link Lan} on the class (for a
 * {@code @Nested} class without one, on the nearest class enclosing it). Use one
 * extension per class: {@code @ExtendWith(NetbootExtension.class)} or {@code @RegisterExtension}, not both.
 *
 * <p>When a test fails, the extension prints the LAN's {@link Timeline} (the boards' events among the frames on the
 * wire) to standard output, and writes the capture as a pcap file and the timeline drawn as an SVG sequence diagram
 * ({@link TestLan#timelineSvg(String)}) under {@code target/netboot-lan/} (the working directory's {@code target}, as
 * Maven runs tests; else the temporary directory), naming both in the output: {@code CLASS.METHOD.pcap} (CLASS the
 * test class's binary name, {@code com.example.BoardTest$Renewal} for a nested one), and for an invocation of a
 * {@code @RepeatedTest} or {@code @ParameterizedTest} its number too, {@code CLASS.METHOD[3].pcap}.
 */
public final class NetbootExtension implements ParameterResolver, TestExecutionExceptionHandler {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(NetbootExtension.class);
    private static final Set<Class<?>> PARTS = Set.of(TestLan.class, TestBoard.class, TftpServer.class, DhcpServer.class,
            BootpServer.class, ProxyDhcpServer.class, Router.class, Simulation.class, EmulatedLan.class, Scenario.class,
            DeviceProfile.class);

    private final Scenario scenario;
    private final DeviceProfile profile;
    private final FlashTiming.Mode timing;
    private final PrintStream out;

    /** The extension as {@code @ExtendWith} makes it: the LAN comes from {@link Lan}, or the defaults. */
    public NetbootExtension() {
        this(null, null, FlashTiming.Mode.TYPICAL, null);
    }

    private NetbootExtension(Scenario scenario, DeviceProfile profile, FlashTiming.Mode timing, PrintStream out) {
        this.scenario = scenario;
        this.profile = profile;
        this.timing = timing;
        this.out = out;
    }

    /** Returns an extension whose tests boot boards of {@code profile} on the LAN of {@code scenario}, flash at typical times. */
    public static NetbootExtension of(Scenario scenario, DeviceProfile profile) {
        return new NetbootExtension(Objects.requireNonNull(scenario, "scenario"), Objects.requireNonNull(profile, "profile"),
                FlashTiming.Mode.TYPICAL, null);
    }

    /** Returns this extension with the flash taking {@code mode}'s datasheet times ({@code NONE}: no time at all). */
    public NetbootExtension flashTiming(FlashTiming.Mode mode) {
        return new NetbootExtension(scenario, profile, Objects.requireNonNull(mode, "mode"), out);
    }

    /** Returns this extension printing failed tests' timelines to {@code stream} instead of standard output. */
    public NetbootExtension printingTo(PrintStream stream) {
        return new NetbootExtension(scenario, profile, timing, Objects.requireNonNull(stream, "stream"));
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return PARTS.contains(parameter.getParameter().getType());
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        TestLan lan = lan(context);
        Class<?> type = parameter.getParameter().getType();
        Object part;
        if (type == TestLan.class) {
            part = lan;
        } else if (type == TestBoard.class) {
            part = lan.board();
        } else if (type == TftpServer.class) {
            part = lan.tftp();
        } else if (type == DhcpServer.class) {
            part = lan.dhcp();
        } else if (type == BootpServer.class) {
            part = lan.bootp();
        } else if (type == ProxyDhcpServer.class) {
            part = lan.proxyDhcp();
        } else if (type == Router.class) {
            part = lan.router();
        } else if (type == Simulation.class) {
            part = lan.simulation();
        } else if (type == EmulatedLan.class) {
            part = lan.network();
        } else if (type == Scenario.class) {
            part = lan.scenario();
        } else {
            part = lan.profile();
        }
        if (part == null) {
            throw new ParameterResolutionException("the LAN of scenario " + describe(lan.scenario()) + " has no " + type.getSimpleName()
                    + " (a DhcpServer needs answers = dhcp or both, a BootpServer answers = bootp, a ProxyDhcpServer a"
                    + " [proxy-dhcp] section, a Router a [relay] section)");
        }
        return part;
    }

    private static String describe(Scenario s) {
        return "seed " + s.seed() + (s.relay() != null ? ", relayed" : "");
    }

    /** Returns this test's LAN, building it at the first parameter that needs it. */
    private TestLan lan(ExtensionContext context) {
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(TestLan.class, k -> build(context), TestLan.class);
    }

    private TestLan build(ExtensionContext context) {
        Optional<Lan> onMethod = context.getTestMethod().flatMap(m -> AnnotationSupport.findAnnotation(m, Lan.class));
        if (onMethod.isPresent()) {
            return fromAnnotation(onMethod.get());
        }
        if (scenario != null) {
            return new TestLan(scenario, profile, timing);
        }
        return context.getTestClass().flatMap(NetbootExtension::onClass).map(NetbootExtension::fromAnnotation)
                .orElseGet(() -> new TestLan(Shipped.scenario("default"), Shipped.profile("spi-nor-16m"), FlashTiming.Mode.TYPICAL));
    }

    /**
     * Returns the {@link Lan} of {@code c}, or of the nearest class enclosing it when it is a {@code @Nested} (inner)
     * class without one: an outer class's LAN holds for its nested tests, as its extensions do.
     */
    private static Optional<Lan> onClass(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.isMemberClass() && !Modifier.isStatic(k.getModifiers()) ? k.getEnclosingClass() : null) {
            Optional<Lan> lan = AnnotationSupport.findAnnotation(k, Lan.class);
            if (lan.isPresent()) {
                return lan;
            }
        }
        return Optional.empty();
    }

    private static TestLan fromAnnotation(Lan lan) {
        Scenario s = Shipped.scenario(lan.scenario());
        if (lan.seed() >= 0) {
            s = s.withSeed(lan.seed());
        }
        if (lan.loss() >= 0) {
            try {
                s = s.withLoss(lan.loss());
            } catch (IllegalArgumentException e) {
                throw new ParameterResolutionException("@Lan(loss = " + lan.loss() + "): " + e.getMessage());
            }
        }
        return new TestLan(s, Shipped.profile(lan.profile()), lan.flashTiming());
    }

    /** An invocation's number in a unique id: {@code [test-template-invocation:#3]}, {@code [dynamic-test:#2]}. */
    private static final Pattern INVOCATION = Pattern.compile(":#(\\d+)]");

    /**
     * Returns the name a failed test's artifacts take: {@code CLASS.METHOD}, CLASS the test class's binary name as
     * Surefire names its reports ({@code com.example.BoardTest$Renewal}: two {@code @Nested} classes called
     * {@code Renewal} in two test classes, or two {@code BoardTest}s in two packages, are two names), and for each
     * invocation of a test template ({@code @RepeatedTest}, {@code @ParameterizedTest}) it runs in, its number:
     * {@code CLASS.METHOD[3]}, so that one invocation's capture does not overwrite another's.
     */
    static String artifactName(ExtensionContext context) {
        StringBuilder name = new StringBuilder(context.getRequiredTestClass().getName()).append('.')
                .append(context.getRequiredTestMethod().getName());
        Matcher m = INVOCATION.matcher(context.getUniqueId());
        while (m.find()) {
            name.append('[').append(m.group(1)).append(']');
        }
        return name.toString();
    }

    /** Prints the timeline of the failed test's LAN (if it had one) and writes its capture; then lets the failure go on. */
    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        TestLan lan = context.getStore(NAMESPACE).get(TestLan.class, TestLan.class);
        if (lan != null) {
            PrintStream to = out != null ? out : System.out;
            String name = artifactName(context);
            Capture capture = lan.capture();
            String saved = null;
            try {
                Path dir = Files.isDirectory(Path.of("target")) ? Path.of("target", "netboot-lan")
                        : Path.of(System.getProperty("java.io.tmpdir"), "netboot-lan");
                Files.createDirectories(dir);
                Path pcap = dir.resolve(name + ".pcap");
                capture.writePcap(pcap);
                saved = "capture in " + pcap.toAbsolutePath();
                Path svg = lan.writeTimeline(dir.resolve(name + ".svg"));
                saved += ", drawing in " + svg.toAbsolutePath();
            } catch (IOException | RuntimeException e) {
                saved = saved == null ? "capture not saved: " + e.getMessage() : saved + "; drawing not saved: " + e.getMessage();
            }
            to.println("netboot: " + name + " failed; what happened on its LAN (" + capture.frames().size() + " frames, " + saved + "):");
            to.print(Timeline.of(lan.eventsSoFar(), capture));
            to.flush();
        }
        throw failure;
    }
}
