package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The classes the AOT training loads for {@code boot --interface} are named by string (most are package-private in
 * {@code dev.netboot.link}); the training stops at the first it cannot load, so a class renamed or a libc call
 * given a holder class of its own without its name here would quietly leave the rest out of the cache.
 */
class TrainingClassesTest {
    private static final ClassLoader LOADER = TrainingClassesTest.class.getClassLoader();

    @Test
    void everyNamedClassExists() {
        for (String name : Training.REAL_WIRE_CLASSES) {
            assertDoesNotThrow(() -> Class.forName(name, false, LOADER), name);
        }
    }

    @Test
    void everyLazilyLinkedLibcCallIsNamed() throws ClassNotFoundException {
        List<String> holders = Arrays.stream(Class.forName("dev.netboot.link.Libc", false, LOADER).getDeclaredClasses())
                .map(Class::getName).toList();
        assertTrue(holders.size() >= 6, holders.toString()); // recvfrom, getsockopt, poll, close, munmap, strerror
        for (String h : holders) {
            assertTrue(Training.REAL_WIRE_CLASSES.contains(h), h + " is not in Training.REAL_WIRE_CLASSES");
        }
    }
}
