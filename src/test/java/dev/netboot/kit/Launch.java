package dev.netboot.kit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs a test class through the JUnit launcher, as a build tool would, and reports which of its tests passed and
 * which failed (with the failure), and what it printed: how the test kit's own tests watch a suite fail.
 */
final class Launch {
    /**
     * What a run gave.
     *
     * @param passed the methods that passed
     * @param failed the methods that failed, with why
     * @param output what the tests printed on standard output
     */
    record Outcome(TreeSet<String> passed, Map<String, Throwable> failed, String output) {
    }

    private Launch() {
    }

    static Outcome run(Class<?> testClass) {
        TreeSet<String> passed = new TreeSet<>();
        Map<String, Throwable> failed = new TreeMap<>();
        TestExecutionListener listener = new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (!id.isTest() || !(id.getSource().orElse(null) instanceof MethodSource m)) {
                    return;
                }
                if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                    passed.add(m.getMethodName());
                } else {
                    failed.put(m.getMethodName(), result.getThrowable().orElse(new AssertionError(result.getStatus().toString())));
                }
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build(),
                    listener);
        } finally {
            System.setOut(old);
        }
        return new Outcome(passed, failed, out.toString(StandardCharsets.UTF_8));
    }
}
