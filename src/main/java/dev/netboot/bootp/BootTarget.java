package dev.netboot.bootp;

import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.BootpOptions;
import dev.netboot.wire.DhcpOption;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.TftpText;
import java.util.List;
import java.util.Optional;

/**
 * Where a BOOTP or DHCP reply says the boot file is: the TFTP server and the file name, each with the field
 * it came from. Servers put them in different places (dnsmasq and ISC dhcpd: {@code siaddr} and {@code file};
 * Windows and many appliances: options 66 and 67; Cisco-style gear: option 150), so the board reads them by one
 * precedence that boots wherever any of them is set:
 *
 * <ol>
 * <li>server: {@code siaddr} (RFC 951 "server IP address", the DHCP "next server"), unless it is the DHCP server's own
 *     address (option 54) and option 150 or a dotted option 66 names a server: dnsmasq fills siaddr with its own
 *     address by default, beside the option 66 its administrator set; else the first address of
 *     option 150 (RFC 5859); else option 66 (RFC 2132 section 9.4) when it is a dotted address; else the
 *     {@code sname} field when it is a dotted address; else, when a boot file is named, the server identifier
 *     (option 54): the DHCP server itself, which is where dnsmasq and udhcpd serve TFTP by default.</li>
 * <li>file: the {@code file} field (when option 52 did not turn it into options); else option 67 (RFC 2132
 *     section 9.5).</li>
 * </ol>
 *
 * <p>A host name in option 66 or {@code sname} is not used: the board has no DNS resolver, and says so.
 *
 * @param server       the TFTP server, {@link Ipv4Address#ANY} when the reply names none
 * @param serverSource where {@code server} came from: "siaddr", "option 150", "option 66", "sname", "server id", or ""
 * @param file         the boot file, empty when the reply names none: its bytes read as UTF-8, any byte that is not
 *                     so escaped ({@link TftpText}), so that the RRQ carries exactly the bytes the server gave
 * @param fileSource   where {@code file} came from: "file", "option 67", or ""
 * @param unresolved   a host name the reply gave as the server (option 66 or sname), else empty
 */
public record BootTarget(Ipv4Address server, String serverSource, String file, String fileSource, String unresolved) {
    /** A reply that names neither a server nor a file. */
    public static final BootTarget NONE = new BootTarget(Ipv4Address.ANY, "", "", "", "");

    /**
     * Reads the target out of {@code m}; {@code serverId} is the DHCP server identifier (option 54) or
     * {@link Ipv4Address#ANY} (a BOOTP reply has none).
     *
     * @throws MalformedPacketException when option 150 is not a list of addresses
     */
    public static BootTarget of(BootpMessage m, Ipv4Address serverId) {
        BootpOptions o = m.options();
        String file = m.file();
        String fileSource = "file";
        if (file.isEmpty()) {
            file = o.text(BootpOptions.BOOTFILE_NAME).orElse("");
            fileSource = file.isEmpty() ? "" : "option 67";
        }
        // The field's bytes, read one char per byte, become the TFTP name that goes back out as the same bytes.
        file = TftpText.fromCarrier(file);
        String unresolved = "";
        // dnsmasq puts its own address in siaddr whether or not it serves TFTP; an option naming another server is
        // then what its administrator configured (dhcp-option=66,...), so siaddr yields only when it is the DHCP server's.
        if (!m.siaddr().isAny() && !(m.siaddr().equals(serverId) && namesAnother(o, m.siaddr()))) {
            return new BootTarget(m.siaddr(), "siaddr", file, fileSource, unresolved);
        }
        List<Ipv4Address> list = o.addresses(DhcpOption.TFTP_SERVER_ADDRESSES);
        Optional<String> name = o.text(BootpOptions.TFTP_SERVER_NAME);
        if (!list.isEmpty()) {
            return new BootTarget(list.getFirst(), "option 150", file, fileSource, unresolved);
        }
        if (name.isPresent()) {
            Ipv4Address a = dotted(name.get());
            if (a != null) {
                return new BootTarget(a, "option 66", file, fileSource, unresolved);
            }
            unresolved = name.get().equals("0.0.0.0") ? "" : name.get();
        }
        if (!m.sname().isEmpty()) {
            Ipv4Address a = dotted(m.sname());
            if (a != null) {
                return new BootTarget(a, "sname", file, fileSource, unresolved);
            }
            unresolved = unresolved.isEmpty() ? m.sname() : unresolved;
        }
        if (!file.isEmpty() && !serverId.isAny()) {
            return new BootTarget(serverId, "server id", file, fileSource, unresolved);
        }
        return new BootTarget(Ipv4Address.ANY, "", file, fileSource, unresolved);
    }

    /** Returns true when option 150, else a dotted option 66, names a TFTP server other than {@code siaddr}. */
    private static boolean namesAnother(BootpOptions o, Ipv4Address siaddr) {
        List<Ipv4Address> list;
        try {
            list = o.addresses(DhcpOption.TFTP_SERVER_ADDRESSES);
        } catch (MalformedPacketException e) {
            return false; // names no server; siaddr stands, as it did before any option was read
        }
        Ipv4Address named = !list.isEmpty() ? list.getFirst() : o.text(BootpOptions.TFTP_SERVER_NAME).map(BootTarget::dotted).orElse(null);
        return named != null && !named.equals(siaddr);
    }

    /** Returns {@code s} as an address, or null when it is not a dotted address or is 0.0.0.0 (no server at all). */
    private static Ipv4Address dotted(String s) {
        try {
            Ipv4Address a = Ipv4Address.parse(s);
            return a.isAny() ? null : a;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Returns true when both the server and the file are known. */
    public boolean complete() {
        return !server.isAny() && !file.isEmpty();
    }

    /** Returns true when neither the server nor the file is known. */
    public boolean empty() {
        return server.isAny() && file.isEmpty();
    }

    /**
     * Returns this target with the parts it lacks taken from {@code other}: how a ProxyDHCP answer completes a
     * DHCP lease (PXE 2.1), server and file always from the same reply.
     */
    public BootTarget orElse(BootTarget other) {
        return complete() || !other.complete() ? this : other;
    }

    /** Returns what is missing, as the end of a sentence: "no boot file (no file field, no option 67)", or "" when complete. */
    public String missing() {
        if (complete()) {
            return "";
        }
        String noServer = unresolved.isEmpty()
                ? "siaddr is 0.0.0.0 and there is no option 66, option 150 or dotted sname (expected: a TFTP server)"
                : "the TFTP server '" + unresolved + "' is a host name; netboot has no DNS resolver (expected: a dotted IPv4"
                        + " address in siaddr, option 150 or option 66)";
        String noFile = "no boot file in the file field or option 67";
        if (server.isAny() && file.isEmpty()) {
            return noServer + "; " + noFile;
        }
        return server.isAny() ? noServer : noFile;
    }

    /**
     * Returns, when the server is the DHCP server only because the reply named the TFTP server by a host name, what a
     * failure to reach it should add: " (the reply named the TFTP server 'tftp.example', a host name; netboot has no
     * DNS resolver and asked the DHCP server 198.51.100.1)"; else "". Option 66 with a name is common (Windows DHCP).
     */
    public String hostNameNote() {
        return serverSource.equals("server id") && !unresolved.isEmpty() ? " (the reply named the TFTP server '" + unresolved
                + "', a host name; netboot has no DNS resolver and asked the DHCP server " + server + ")" : "";
    }

    /**
     * Returns, when the file came from a full {@code file} field (128 bytes, no NUL), what a server's "no such file"
     * should add: a name that long may be a longer one cut to fit, as ISC dhcpd cuts its {@code filename} (it logs
     * "file name longer than packet field truncated"; the board cannot tell), and option 67 holds one of up to 255
     * bytes. Else "".
     */
    public String fullFileFieldNote() {
        return fileSource.equals("file") && TftpText.length(file) == BootpMessage.FILE_FIELD_LENGTH
                ? " (the reply's file field was full, 128 bytes with no NUL: a longer name cut to fit? ISC dhcpd cuts its"
                        + " filename so; option 67 holds up to 255 bytes)" : "";
    }

    /** Returns "10.0.0.1 (siaddr), boot.img (option 67)". */
    public String describe() {
        return server + " (" + serverSource + "), " + file + " (" + fileSource + ")";
    }
}
