package dev.netboot.dhcp;

import dev.netboot.net.PayloadWriter;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.BootpOptions;
import dev.netboot.wire.DhcpMessageType;
import dev.netboot.wire.DhcpOption;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages the board's DHCP client sends (RFC 2131 section 4.4.1, table 5), each written into one reusable
 * buffer that the network stack then copies into a frame ({@link PayloadWriter}).
 *
 * <pre>
 *  message                   ciaddr   flags      options
 *  DHCPDISCOVER              0        BROADCAST  53 61 57 55 60 [93 94 97] [12]
 *  DHCPREQUEST  selecting    0        BROADCAST  53 61 57 55 60 [93 94 97] [12] 50 54
 *  DHCPREQUEST  renew/rebind ours     0          53 61 57 55 60 [93 94 97] [12]
 *  DHCPREQUEST  to ProxyDHCP ours     0          53 61 57 55 60 93 94 97 (PXE 2.1, to port 4011)
 *  DHCPDECLINE               0        0          53 61 50 54 56
 * </pre>
 *
 * <p>The BROADCAST flag (RFC 1542 section 3.1.1) asks servers and relays to broadcast their answer while the
 * board has no address; with an address, replies come unicast.
 */
final class ClientMessages implements PayloadWriter {
    /**
     * Option 55: every option the board reads, so that servers which send only what was asked for (ISC dhcpd,
     * kea) send it: 1 mask, 3 router, 6 DNS, 12 host name, 13 boot file size, 15 domain, 28 broadcast, 51, 54,
     * 58, 59 lease times, 66, 67 boot server and file, 150 TFTP servers; 43 for PXE.
     */
    static final List<Integer> REQUESTED = List.of(DhcpOption.SUBNET_MASK, DhcpOption.ROUTER, DhcpOption.DNS,
            DhcpOption.HOST_NAME, DhcpOption.BOOT_FILE_SIZE, DhcpOption.DOMAIN_NAME, DhcpOption.BROADCAST_ADDRESS,
            DhcpOption.LEASE_TIME, DhcpOption.SERVER_ID, DhcpOption.RENEWAL_TIME, DhcpOption.REBINDING_TIME,
            DhcpOption.TFTP_SERVER_NAME, DhcpOption.BOOTFILE_NAME, DhcpOption.TFTP_SERVER_ADDRESSES);

    private final MacAddress mac;
    private final DhcpConfig config;
    private final int maxMessageSize;
    private final ByteBuffer buf = ByteBuffer.allocate(DhcpOption.MIN_MAX_MESSAGE_SIZE);
    private int length;

    /**
     * Creates the messages of a board with {@code mac}, whose link carries UDP payloads of up to
     * {@code maxUdpPayload} bytes: option 57 announces that, so a server never sends a reply the link would
     * have to fragment (RFC 2131 section 2: "the maximum DHCP message size the client is willing to accept").
     */
    ClientMessages(MacAddress mac, DhcpConfig config, int maxUdpPayload) {
        this.mac = mac;
        this.config = config;
        this.maxMessageSize = Math.max(DhcpOption.MIN_MAX_MESSAGE_SIZE, Math.min(0xFFFF, maxUdpPayload));
    }

    /** Writes a DHCPDISCOVER and returns its length. */
    int discover(int xid, int secs) {
        return write(xid, secs, BootpMessage.FLAG_BROADCAST, Ipv4Address.ANY, common(DhcpMessageType.Known.DISCOVER, true));
    }

    /** Writes the DHCPREQUEST that takes {@code offered} from the server {@code serverId} (SELECTING) and returns its length. */
    int select(int xid, int secs, Ipv4Address offered, Ipv4Address serverId) {
        List<DhcpOption> o = common(DhcpMessageType.Known.REQUEST, true);
        // RFC 2131 section 4.3.2: "'server identifier' MUST be set ... 'requested IP address' MUST be filled in".
        o.add(new DhcpOption.RequestedAddress(offered));
        o.add(new DhcpOption.ServerId(serverId));
        return write(xid, secs, BootpMessage.FLAG_BROADCAST, Ipv4Address.ANY, o);
    }

    /**
     * Writes the DHCPREQUEST that extends the lease on {@code address} (RENEWING, unicast; REBINDING, broadcast)
     * and returns its length: "'server identifier' MUST NOT be filled in, 'requested IP address' option MUST NOT be
     * filled in, 'ciaddr' MUST be filled in with client's IP address" (RFC 2131 section 4.3.2).
     */
    int extend(int xid, int secs, Ipv4Address address) {
        return write(xid, secs, 0, address, common(DhcpMessageType.Known.REQUEST, true));
    }

    /** Writes the DHCPREQUEST a PXE client sends to a ProxyDHCP server's port 4011 for its boot file, and returns its length. */
    int proxyRequest(int xid, int secs, Ipv4Address address) {
        return write(xid, secs, 0, address, common(DhcpMessageType.Known.REQUEST, true));
    }

    /**
     * Writes the DHCPDECLINE of {@code address} from {@code serverId} and returns its length (RFC 2131 section 4.4.1:
     * "the client MUST include ... 'requested IP address'"; "'server identifier' MUST"; no parameter request list).
     */
    int decline(int xid, Ipv4Address address, Ipv4Address serverId, String why) {
        List<DhcpOption> o = common(DhcpMessageType.Known.DECLINE, false);
        o.add(new DhcpOption.RequestedAddress(address));
        o.add(new DhcpOption.ServerId(serverId));
        o.add(new DhcpOption.Message(why));
        // Table 5: 'secs' 0, 'flags' 0 (no reply comes to a DHCPDECLINE: there is nothing to ask broadcast for).
        return write(xid, 0, 0, Ipv4Address.ANY, o);
    }

    /** Returns the length of the message last written. */
    int length() {
        return length;
    }

    @Override
    public void writePayload(ByteBuffer dst, int off, int len) {
        dst.put(off, buf, 0, len);
    }

    private List<DhcpOption> common(DhcpMessageType type, boolean parameters) {
        List<DhcpOption> o = new ArrayList<>(12);
        o.add(new DhcpOption.MessageType(type));
        o.add(DhcpOption.ClientId.of(mac));
        if (!parameters) {
            return o;
        }
        o.add(new DhcpOption.MaxMessageSize(maxMessageSize));
        List<Integer> wanted = new ArrayList<>(REQUESTED);
        if (config.pxe()) {
            wanted.add(DhcpOption.VENDOR_SPECIFIC);
        }
        o.add(new DhcpOption.ParameterRequestList(wanted));
        String vendorClass = config.vendorClassId();
        if (!vendorClass.isEmpty()) {
            o.add(new DhcpOption.VendorClass(vendorClass));
        }
        if (config.pxe()) {
            // RFC 4578: architecture, UNDI version and machine identity, which ProxyDHCP servers (dnsmasq) require.
            o.add(new DhcpOption.ClientArch(List.of(config.pxeArch())));
            o.add(new DhcpOption.ClientNdi(1, DhcpConfig.UNDI_MAJOR, DhcpConfig.UNDI_MINOR));
            o.add(new DhcpOption.ClientMachineId(machineGuid(mac)));
        }
        if (!config.hostname().isEmpty()) {
            o.add(new DhcpOption.HostName(config.hostname()));
        }
        return o;
    }

    /** Returns the board's GUID for option 97: ten zero bytes and the MAC, stable for a board without SMBIOS. */
    static byte[] machineGuid(MacAddress mac) {
        byte[] g = new byte[DhcpOption.ClientMachineId.GUID_LENGTH];
        System.arraycopy(mac.toBytes(), 0, g, g.length - MacAddress.LENGTH, MacAddress.LENGTH);
        return g;
    }

    private int write(int xid, int secs, int flags, Ipv4Address ciaddr, List<DhcpOption> options) {
        BootpMessage m = new BootpMessage(BootpMessage.BOOTREQUEST, 1, MacAddress.LENGTH, 0, xid, Math.min(secs, 0xFFFF), flags,
                ciaddr, Ipv4Address.ANY, Ipv4Address.ANY, Ipv4Address.ANY, mac, "", "", BootpOptions.of(options));
        length = m.emit(buf, 0);
        return length;
    }
}
