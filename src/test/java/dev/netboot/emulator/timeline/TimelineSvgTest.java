package dev.netboot.emulator.timeline;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link TimelineSvg}: what a peer put in a label cannot make the drawing unwritable. */
class TimelineSvgTest {
    /**
     * A request's file name is read byte for byte (a byte that is not UTF-8 kept as U+DC80..U+DCFF, {@code TftpText.name}),
     * so a client asking for the Latin-1 name "\xff.img" puts a lone surrogate in the label. No UTF-8 encoder writes one:
     * {@code Files.writeString} would refuse the whole drawing. It is drawn as the byte, {@code \xff}, as the terminal shows it.
     */
    @Test
    void aFileNameByteThatIsNotUtf8IsDrawnAsTheByte() {
        String svg = TimelineSvg.render("t", List.of(new TimelineSvg.Lane("c", "client"), new TimelineSvg.Lane("s", "server")),
                List.of(new TimelineSvg.Message(1_000_000L, 0, 1, "RRQ \udcff.img", WireFrame.Kind.TFTP_REQUEST, null, -1, false,
                        false, false, null)), List.of(), List.of());
        assertTrue(svg.contains("RRQ \\xff.img"), svg);
        assertTrue(StandardCharsets.UTF_8.newEncoder().canEncode(svg), "the drawing can be written as UTF-8");
        assertFalse(svg.contains("\udcff"));
    }
}
