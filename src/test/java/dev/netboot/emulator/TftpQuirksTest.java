package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import org.junit.jupiter.api.Test;

/** {@link TftpQuirks#any()}: true as soon as one quirk differs from a well-behaved server, whichever it is. */
class TftpQuirksTest {
    @Test
    void aWellBehavedServerHasNoneWhateverItsErrorText() {
        assertFalse(TftpQuirks.NONE.any());
        assertFalse(TftpQuirks.NONE.withErrorText("Access violation").any());
    }

    /** Every component of the record but the error text, changed alone, is a quirk: a component added later too. */
    @Test
    void eachComponentChangedAloneIsAQuirk() throws ReflectiveOperationException {
        RecordComponent[] components = TftpQuirks.class.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
        }
        Constructor<TftpQuirks> canonical = TftpQuirks.class.getDeclaredConstructor(types);
        int checked = 0;
        for (int i = 0; i < components.length; i++) {
            if (components[i].getName().equals("errorText")) {
                continue;
            }
            Object[] args = new Object[components.length];
            for (int j = 0; j < components.length; j++) {
                args[j] = components[j].getAccessor().invoke(TftpQuirks.NONE);
            }
            args[i] = changed(types[i], args[i]);
            TftpQuirks q = canonical.newInstance(args);
            assertTrue(q.any(), components[i].getName() + " changed alone: " + q);
            checked++;
        }
        assertTrue(checked >= 15, "components checked: " + checked);
    }

    @Test
    void aNegativeZeroProbabilityCountsAsTheRecordsEqualsCountsIt() {
        // Double.compare tells -0.0 from 0.0, as the record's equals did when any() was !equals(NONE...).
        TftpQuirks q = new TftpQuirks(false, false, false, -0.0, 0, TftpQuirks.Oack.NONE, 0, 0, 0, 0, "Disk read failure",
                false, false, 0, 0, false);
        assertTrue(q.any());
    }

    private static Object changed(Class<?> type, Object value) {
        if (type == boolean.class) {
            return !(Boolean) value;
        } else if (type == double.class) {
            return 0.5;
        } else if (type == long.class) {
            return (Long) value + 1;
        } else if (type == TftpQuirks.Oack.class) {
            return TftpQuirks.Oack.values()[(((TftpQuirks.Oack) value).ordinal() + 1) % TftpQuirks.Oack.values().length];
        }
        throw new AssertionError("a component of a type this test does not know: " + type);
    }
}
