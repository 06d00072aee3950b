package dev.netboot.emulator;

import dev.netboot.net.NetStack;
import dev.netboot.net.UdpHandler;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.BootpOptions;
import dev.netboot.wire.DhcpMessageType;
import dev.netboot.wire.DhcpOption;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.TftpText;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A ProxyDHCP server (PXE 2.1 section 2.2.3; dnsmasq's {@code --dhcp-range=NET,proxy}): it gives no addresses, only
 * the boot server and file, and only to PXE clients (vendor class "PXEClient" and an architecture, option 93, as
 * dnsmasq requires). On port 67 it answers a DHCPDISCOVER with a broadcast DHCPOFFER: yiaddr 0, option 60
 * "PXEClient", its server identifier, and (when {@link Neighbours.Proxy#fileInOffer()}) siaddr and file with
 * PXE_DISCOVERY_CONTROL 8 in option 43, "use the boot file in the offer". On port 4011 it answers a DHCPREQUEST
 * from a client that has its address with a DHCPACK naming the boot server and file, unicast to ciaddr.
 */
public final class ProxyDhcpServer {
    /** The port of boot server discovery. */
    public static final int PXE_PORT = 4011;

    /**
     * Counters.
     *
     * @param offers    DHCPOFFERs sent on port 67
     * @param acks      DHCPACKs sent on port 4011
     * @param ignored   requests not from PXE clients, or of other types
     * @param malformed datagrams that did not parse
     */
    public record Stats(long offers, long acks, long ignored, long malformed) {
    }

    private final NetStack stack;
    private final Neighbours.Proxy config;
    private long offers, acks, ignored, malformed;

    ProxyDhcpServer(NetStack stack, Neighbours.Proxy config) {
        this.stack = stack;
        this.config = config;
        stack.bind(BootpMessage.SERVER_PORT, (now, src, sp, dst, buf, off, len) -> onRequest(now, buf, off, len, false));
        stack.bind(PXE_PORT, (now, src, sp, dst, buf, off, len) -> onRequest(now, buf, off, len, true));
    }

    /** Returns the counters. */
    public Stats stats() {
        return new Stats(offers, acks, ignored, malformed);
    }

    private void onRequest(long now, ByteBuffer buf, int off, int len, boolean pxePort) {
        BootpMessage req;
        DhcpMessageType type;
        boolean pxe;
        try {
            req = BootpMessage.parse(buf, off, len);
            type = req.options().messageType().orElse(null);
            pxe = req.options().option(DhcpOption.VENDOR_CLASS).map(o -> ((DhcpOption.VendorClass) o).isPxe()).orElse(false)
                    && req.options().has(DhcpOption.CLIENT_ARCH);
        } catch (MalformedPacketException e) {
            malformed++;
            return;
        }
        if (!pxe || req.op() != BootpMessage.BOOTREQUEST || req.htype() != 1 || req.hlen() != MacAddress.LENGTH) {
            ignored++;
            return;
        }
        if (!pxePort && type == DhcpMessageType.Known.DISCOVER) {
            offers++;
            BootpMessage offer = reply(req, DhcpMessageType.Known.OFFER, config.fileInOffer());
            ServerReplies.send(stack, now, req, offer, req.giaddr().isAny(), DhcpOption.MIN_MAX_MESSAGE_SIZE - 28);
        } else if (pxePort && type == DhcpMessageType.Known.REQUEST && !req.ciaddr().isAny()) {
            acks++;
            ServerReplies.send(stack, now, req, reply(req, DhcpMessageType.Known.ACK, true), false, DhcpOption.MIN_MAX_MESSAGE_SIZE - 28,
                    PXE_PORT);
        } else {
            ignored++;
        }
    }

    private BootpMessage reply(BootpMessage req, DhcpMessageType type, boolean boot) {
        List<DhcpOption> o = new ArrayList<>(List.of(new DhcpOption.MessageType(type), new DhcpOption.ServerId(config.address()),
                new DhcpOption.VendorClass("PXEClient")));
        req.options().option(DhcpOption.CLIENT_MACHINE_ID).ifPresent(o::add); // PXE 2.1: echoed
        if (boot) {
            o.add(new DhcpOption.VendorSpecific(new byte[] {
                    (byte) DhcpOption.VendorSpecific.PXE_DISCOVERY_CONTROL, 1, DhcpOption.VendorSpecific.PXE_USE_BOOT_FILE,
                    (byte) 255}));
        }
        // PXE 2.1: "yiaddr 0" — a ProxyDHCP server never gives an address; ciaddr echoed on port 4011.
        return new BootpMessage(BootpMessage.BOOTREPLY, 1, MacAddress.LENGTH, req.hops(), req.xid(), 0,
                req.ciaddr().isAny() ? req.flags() | BootpMessage.FLAG_BROADCAST : req.flags(), req.ciaddr(), Ipv4Address.ANY,
                boot ? config.tftpServer() : Ipv4Address.ANY, req.giaddr(), req.chaddr(), "", boot ? TftpText.toCarrier(config.bootFile()) : "",
                BootpOptions.of(o));
    }
}
