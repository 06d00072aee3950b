/**
 * A boot drawn as an SVG sequence diagram: {@link dev.netboot.emulator.timeline.WireFrame} says what a frame on the
 * wire is, {@link dev.netboot.emulator.timeline.TimelineRecorder} collects frames, stage boundaries and flash busy
 * periods on lanes, and {@link dev.netboot.emulator.timeline.TimelineSvg} draws them. Used by {@code netboot boot
 * --timeline}, {@code netboot serve --timeline} and the test kit's JUnit extension; host-side tooling, like the
 * emulator it is part of.
 */
package dev.netboot.emulator.timeline;
