package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.netboot.device.ConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A scenario's numbers are read as a scenario writes them, and a value too long is said in its key's words. Seen in the QA
 * pass: {@code loss = 0.5f} (a typo) ran a boot at 50% loss, as Java's parser takes a float suffix, and so did
 * {@code 0x1p-1}; and a 2,000-character {@code error-text} was refused with every other quirk's value and none of its own
 * ("TFTP quirks: junk 0.0, stranger 0.0, ..., stall 0 ns (expected: ...)").
 */
class ScenarioValuesTest {
    private static String refused(String text) {
        return assertThrows(ConfigException.class, () -> ScenarioFile.parse(text, "t.scenario")).getMessage();
    }

    @Test
    void aProbabilityOrRateIsDigitsNotWhateverJavaParses() {
        for (String typo : List.of("0.5f", "0.5d", "0x1p-1", "NaN", "Infinity", "1/2", "5%")) {
            assertEquals("t.scenario:2: [faults] loss: '" + typo + "' is not a number (expected: a probability 0..1, like 0.05)",
                    refused("[faults]\nloss = " + typo + "\n"));
            assertEquals("t.scenario:2: [faults] broadcasts: '" + typo + "' is not a number (expected: frames per second, like 20)",
                    refused("[faults]\nbroadcasts = " + typo + "\n"));
        }
        assertEquals("t.scenario:2: [faults] duplicate: -0.1 is out of range (expected: a probability 0..1)",
                refused("[faults]\nduplicate = -0.1\n"));
        assertEquals("t.scenario:2: [faults] corrupt: 1.5 is out of range (expected: a probability 0..1)",
                refused("[faults]\ncorrupt = 1.5\n"));
        // Numbers as people write them still are: a fraction, a leading point, an exponent.
        Scenario sc = ScenarioFile.parse("[faults]\nloss = .25\nduplicate = 1e-2\nreorder = 0.5\nudp-noise = 20\n", "t.scenario");
        assertEquals(0.25, sc.faults().loss());
        assertEquals(0.01, sc.faults().duplicate());
        assertEquals(0.5, sc.faults().reorder());
        assertEquals(20.0, sc.faults().background().udpNoise());
    }

    @Test
    void anErrorTextTooLongIsSaidAtItsKey() {
        assertEquals("t.scenario:3: [tftp] error-text: 201 characters (expected: at most 200)",
                refused("[tftp]\nerror-after = 3\nerror-text = " + "x".repeat(201) + "\n"));
        Scenario sc = ScenarioFile.parse("[tftp]\nerror-text = " + "x".repeat(200) + "\n", "t.scenario");
        assertEquals("x".repeat(200), sc.tftpQuirks().errorText());
    }
}
