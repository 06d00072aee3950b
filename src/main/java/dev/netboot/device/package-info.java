/**
 * The board: what boots it, and the entry point of netboot's device side.
 *
 * <p><b>API</b> (stable: what a board's firmware and its tests use):
 * <ul>
 *   <li>{@link dev.netboot.device.Board}: give it a {@link dev.netboot.link.Link}, a {@link dev.netboot.flash.Flash},
 *       a profile and the time, and poll it; its {@link dev.netboot.device.Board.Result} says how the boot ended;</li>
 *   <li>{@link dev.netboot.device.DeviceProfile}: what the board is (RAM, flash chip, partitions, A/B slots, DHCP,
 *       BOOTP and TFTP settings), read from a {@code .profile} file ({@link dev.netboot.device.DeviceProfile#load})
 *       or built in code ({@link dev.netboot.device.DeviceProfile#builder}, {@link dev.netboot.device.ProfileBuilder});
 *       {@link dev.netboot.device.BootLayout}, {@link dev.netboot.device.ConfigException};</li>
 *   <li>{@link dev.netboot.device.BootReport} and {@link dev.netboot.device.BootFailure}, the outcome, and
 *       {@link dev.netboot.device.BootObserver}, which hears the progress;</li>
 *   <li>{@link dev.netboot.device.ImageSignature}: checking a detached Ed25519 signature.</li>
 * </ul>
 * With them, from the layers below: {@code dev.netboot.link} ({@code Link}, {@code WaitableLink},
 * {@code RawSocketLink}), {@code dev.netboot.flash} ({@code Flash}, {@code FileFlash}, {@code FlashGeometry},
 * {@code FlashException}, {@code BootSlots} for select and confirm at power-up), the settings records
 * {@code TftpConfig}, {@code DhcpConfig}, {@code BootpConfig}, {@code NetConfig}, and the values {@code MacAddress},
 * {@code Ipv4Address} of {@code dev.netboot.wire}.
 *
 * <p><b>Internal</b> (public so that the emulator and the command line in this repository can use them; they may
 * change without notice): {@link dev.netboot.device.BootSequence}, the state machine behind {@code Board};
 * {@link dev.netboot.device.RealTimeBoot}; {@link dev.netboot.device.SlotUpdate}; {@link dev.netboot.device.RamBudget};
 * {@code ConfigText}; and the protocol machinery of the layers below ({@code NetStack}, {@code TftpClient},
 * {@code LeaseStage}, the wire views).
 *
 * <p>Everything here uses {@code java.base} only, is single-threaded, and never reads a clock or sleeps but in
 * {@code RealTimeBoot}: time is an argument.
 */
package dev.netboot.device;
