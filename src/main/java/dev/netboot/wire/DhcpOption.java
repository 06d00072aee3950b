package dev.netboot.wire;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * One DHCP option as a typed value (RFC 2132, RFC 4578 for PXE, RFC 5859 for option 150): decoded from
 * the raw bytes a {@link BootpOptions} holds, encoded back to them. Codes this class does not model are
 * {@link Unknown}, kept as they came.
 *
 * <pre>
 *  Code   Len   Data            Code   Len   Data
 *  +-----+-----+-----+----      +-----+-----+-----+-----+-----+-----+
 *  |  53 |  1  | t   |          |  51 |  4  | t1  | t2  | t3  | t4  |   lease time, seconds, network order
 *  +-----+-----+-----+          +-----+-----+-----+-----+-----+-----+
 * </pre>
 *
 * <p>{@link #decode} checks every length rule the RFCs state ("The minimum length for this option is
 * 4 octets, and the length MUST be a multiple of 4") and throws {@link MalformedPacketException} with
 * the rule; it throws nothing else. Text options are NVT ASCII, read as ISO-8859-1 so every byte maps
 * to one character; a trailing NUL, which some servers add, is dropped. The codes and the records are this
 * interface's; the codec, which record a code's bytes become and the length rules, is {@code OptionCodec}'s.
 */
public sealed interface DhcpOption {
    /** Subnet Mask (RFC 2132 section 3.3). */
    int SUBNET_MASK = 1;
    /** Router, in order of preference (section 3.5). */
    int ROUTER = 3;
    /** Domain Name Server (section 3.8). */
    int DNS = 6;
    /** Host Name (section 3.14). */
    int HOST_NAME = 12;
    /** Boot File Size in 512-octet blocks (section 3.15). */
    int BOOT_FILE_SIZE = 13;
    /** Domain Name (section 3.17). */
    int DOMAIN_NAME = 15;
    /** Broadcast Address (section 5.3). */
    int BROADCAST_ADDRESS = 28;
    /** Vendor Specific Information (section 8.4); PXE puts its sub-options here. */
    int VENDOR_SPECIFIC = 43;
    /** Requested IP Address (section 9.1). */
    int REQUESTED_ADDRESS = 50;
    /** IP Address Lease Time (section 9.2). */
    int LEASE_TIME = 51;
    /** Option Overload (section 9.3). */
    int OVERLOAD = 52;
    /** DHCP Message Type (section 9.6). */
    int MESSAGE_TYPE = 53;
    /** Server Identifier (section 9.7). */
    int SERVER_ID = 54;
    /** Parameter Request List (section 9.8). */
    int PARAMETER_REQUEST_LIST = 55;
    /** Message: why a server sent DHCPNAK, or a client DHCPDECLINE (section 9.9). */
    int MESSAGE = 56;
    /** Maximum DHCP Message Size (section 9.10). */
    int MAX_MESSAGE_SIZE = 57;
    /** Renewal (T1) Time Value (section 9.11). */
    int RENEWAL_TIME = 58;
    /** Rebinding (T2) Time Value (section 9.12). */
    int REBINDING_TIME = 59;
    /** Vendor class identifier (section 9.13). */
    int VENDOR_CLASS = 60;
    /** Client-identifier (section 9.14). */
    int CLIENT_ID = 61;
    /** TFTP server name (section 9.4). */
    int TFTP_SERVER_NAME = 66;
    /** Bootfile name (section 9.5). */
    int BOOTFILE_NAME = 67;
    /** Client System Architecture Type (RFC 4578 section 2.1). */
    int CLIENT_ARCH = 93;
    /** Client Network Interface Identifier (RFC 4578 section 2.2). */
    int CLIENT_NDI = 94;
    /** Client Machine Identifier (RFC 4578 section 2.3). */
    int CLIENT_MACHINE_ID = 97;
    /** TFTP Server Address, a list (RFC 5859). */
    int TFTP_SERVER_ADDRESSES = 150;
    /** An infinite lease (RFC 2131 section 3.3: 0xffffffff). */
    long INFINITE = 0xFFFF_FFFFL;
    /** The smallest Maximum DHCP Message Size (RFC 2132 section 9.10): a 576-octet IP datagram. */
    int MIN_MAX_MESSAGE_SIZE = 576;

    /** Returns the option's code. */
    int code();

    /** Returns the option's value bytes (without code and length). */
    byte[] encode();

    /** Subnet Mask. @param mask the mask */
    record SubnetMask(Ipv4Address mask) implements DhcpOption {
        @Override public int code() { return SUBNET_MASK; }
        @Override public byte[] encode() { return OptionCodec.addresses(List.of(mask)); }
    }

    /** Router. @param routers one or more gateways, in order of preference */
    record Router(List<Ipv4Address> routers) implements DhcpOption {
        /** Copies the list and requires one address at least. */
        public Router { routers = OptionCodec.nonEmpty(routers, "routers"); }
        @Override public int code() { return ROUTER; }
        @Override public byte[] encode() { return OptionCodec.addresses(routers); }
    }

    /** Domain Name Server. @param servers one or more name servers */
    record DomainNameServers(List<Ipv4Address> servers) implements DhcpOption {
        /** Copies the list and requires one address at least. */
        public DomainNameServers { servers = OptionCodec.nonEmpty(servers, "servers"); }
        @Override public int code() { return DNS; }
        @Override public byte[] encode() { return OptionCodec.addresses(servers); }
    }

    /** Host Name. @param name the name, 1..255 characters */
    record HostName(String name) implements DhcpOption {
        /** Checks the length. */
        public HostName { OptionCodec.checkText(name, "host name"); }
        @Override public int code() { return HOST_NAME; }
        @Override public byte[] encode() { return OptionCodec.text(name); }
    }

    /** Boot File Size. @param blocks the file's length in 512-octet blocks */
    record BootFileSize(int blocks) implements DhcpOption {
        /** Checks the 16-bit range. */
        public BootFileSize { OptionCodec.checkRange(blocks, 0, 0xFFFF, "boot file size"); }
        @Override public int code() { return BOOT_FILE_SIZE; }
        @Override public byte[] encode() { return OptionCodec.u16(blocks); }
    }

    /** Domain Name. @param name the domain */
    record DomainName(String name) implements DhcpOption {
        /** Checks the length. */
        public DomainName { OptionCodec.checkText(name, "domain name"); }
        @Override public int code() { return DOMAIN_NAME; }
        @Override public byte[] encode() { return OptionCodec.text(name); }
    }

    /** Broadcast Address. @param address the subnet's broadcast address */
    record BroadcastAddress(Ipv4Address address) implements DhcpOption {
        @Override public int code() { return BROADCAST_ADDRESS; }
        @Override public byte[] encode() { return OptionCodec.addresses(List.of(address)); }
    }

    /**
     * Vendor Specific Information: opaque bytes, by convention (and for PXE) code/length/value sub-options.
     *
     * @param data the value, 1..255 bytes per instance (longer values are split on emit, RFC 3396)
     */
    record VendorSpecific(byte[] data) implements DhcpOption {
        /** The PXE sub-option PXE_DISCOVERY_CONTROL (PXE 2.1 table 2-1). */
        public static final int PXE_DISCOVERY_CONTROL = 6;
        /** Bit 3 of PXE_DISCOVERY_CONTROL: "download the boot file in the offer, no boot server discovery". */
        public static final int PXE_USE_BOOT_FILE = 8;

        /** Copies the bytes. */
        public VendorSpecific { data = OptionCodec.nonEmpty(data, "vendor specific information"); }
        @Override public int code() { return VENDOR_SPECIFIC; }
        @Override public byte[] encode() { return data.clone(); }
        @Override public byte[] data() { return data.clone(); }

        /**
         * Reads the value as sub-options (code, length, value; Pad 0 and End 255 as in the options field).
         *
         * @throws MalformedPacketException when a sub-option runs past the value
         */
        public Map<Integer, byte[]> subOptions() {
            return OptionCodec.subOptions(data);
        }

        /** Returns PXE_DISCOVERY_CONTROL when the value holds it as one byte. */
        public OptionalInt pxeDiscoveryControl() {
            byte[] v;
            try {
                v = subOptions().get(PXE_DISCOVERY_CONTROL);
            } catch (MalformedPacketException e) {
                return OptionalInt.empty(); // not PXE's layout: opaque vendor bytes
            }
            return v != null && v.length == 1 ? OptionalInt.of(v[0] & 0xFF) : OptionalInt.empty();
        }

        @Override public boolean equals(Object o) { return o instanceof VendorSpecific v && Arrays.equals(data, v.data); }
        @Override public int hashCode() { return Arrays.hashCode(data); }
        @Override public String toString() { return "VendorSpecific[" + HexFormat.of().formatHex(data) + "]"; }
    }

    /** Requested IP Address. @param address the address the client asks for */
    record RequestedAddress(Ipv4Address address) implements DhcpOption {
        @Override public int code() { return REQUESTED_ADDRESS; }
        @Override public byte[] encode() { return OptionCodec.addresses(List.of(address)); }
    }

    /** IP Address Lease Time. @param seconds 0..0xffffffff; {@link #INFINITE} for ever */
    record LeaseTime(long seconds) implements DhcpOption {
        /** Checks the 32-bit range. */
        public LeaseTime { OptionCodec.checkU32(seconds, "lease time"); }
        @Override public int code() { return LEASE_TIME; }
        @Override public byte[] encode() { return OptionCodec.u32(seconds); }
    }

    /** Option Overload. @param fields 1: file holds options, 2: sname, 3: both */
    record Overload(int fields) implements DhcpOption {
        /** Checks the value. */
        public Overload { OptionCodec.checkRange(fields, 1, 3, "overload"); }
        @Override public int code() { return OVERLOAD; }
        @Override public byte[] encode() { return new byte[] {(byte) fields}; }
    }

    /** DHCP Message Type. @param type the type, known or not */
    record MessageType(DhcpMessageType type) implements DhcpOption {
        @Override public int code() { return MESSAGE_TYPE; }
        @Override public byte[] encode() { return new byte[] {(byte) type.value()}; }
    }

    /** Server Identifier. @param address the server's address */
    record ServerId(Ipv4Address address) implements DhcpOption {
        @Override public int code() { return SERVER_ID; }
        @Override public byte[] encode() { return OptionCodec.addresses(List.of(address)); }
    }

    /** Parameter Request List. @param codes the option codes asked for, in order of preference */
    record ParameterRequestList(List<Integer> codes) implements DhcpOption {
        /** Copies the list and checks the codes. */
        public ParameterRequestList {
            codes = OptionCodec.nonEmpty(codes, "parameter request list");
            codes.forEach(c -> OptionCodec.checkRange(c, 1, 254, "requested option code"));
        }
        @Override public int code() { return PARAMETER_REQUEST_LIST; }
        @Override public byte[] encode() {
            byte[] b = new byte[codes.size()];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (int) codes.get(i);
            }
            return b;
        }
    }

    /** Message. @param text a human-readable reason */
    record Message(String text) implements DhcpOption {
        /** Checks the length. */
        public Message { OptionCodec.checkText(text, "message"); }
        @Override public int code() { return MESSAGE; }
        @Override public byte[] encode() { return OptionCodec.text(text); }
    }

    /** Maximum DHCP Message Size. @param size 576..65535 octets (the whole message, RFC 2132 section 9.10) */
    record MaxMessageSize(int size) implements DhcpOption {
        /** Checks the range. */
        public MaxMessageSize { OptionCodec.checkRange(size, MIN_MAX_MESSAGE_SIZE, 0xFFFF, "maximum message size"); }
        @Override public int code() { return MAX_MESSAGE_SIZE; }
        @Override public byte[] encode() { return OptionCodec.u16(size); }
    }

    /** Renewal (T1) Time Value. @param seconds from the time the lease was granted */
    record RenewalTime(long seconds) implements DhcpOption {
        /** Checks the 32-bit range. */
        public RenewalTime { OptionCodec.checkU32(seconds, "renewal time"); }
        @Override public int code() { return RENEWAL_TIME; }
        @Override public byte[] encode() { return OptionCodec.u32(seconds); }
    }

    /** Rebinding (T2) Time Value. @param seconds from the time the lease was granted */
    record RebindingTime(long seconds) implements DhcpOption {
        /** Checks the 32-bit range. */
        public RebindingTime { OptionCodec.checkU32(seconds, "rebinding time"); }
        @Override public int code() { return REBINDING_TIME; }
        @Override public byte[] encode() { return OptionCodec.u32(seconds); }
    }

    /** Vendor class identifier. @param id e.g. "PXEClient:Arch:00000:UNDI:002001" */
    record VendorClass(String id) implements DhcpOption {
        /** Checks the length. */
        public VendorClass { OptionCodec.checkText(id, "vendor class"); }
        @Override public int code() { return VENDOR_CLASS; }
        @Override public byte[] encode() { return OptionCodec.text(id); }

        /** Returns true for the class PXE clients and ProxyDHCP servers send: it starts with "PXEClient". */
        public boolean isPxe() {
            return id.startsWith("PXEClient");
        }
    }

    /**
     * Client-identifier: a type (1 is Ethernet, "as assigned in the ARP section of Assigned Numbers") and the identifier.
     *
     * @param type the hardware type, or 0 for an identifier that is not a hardware address
     * @param id   the identifier, at least one byte
     */
    record ClientId(int type, byte[] id) implements DhcpOption {
        /** Checks the type and copies the identifier. */
        public ClientId {
            OptionCodec.checkRange(type, 0, 0xFF, "client identifier type");
            id = OptionCodec.nonEmpty(id, "client identifier");
        }

        /** Returns the identifier RFC 2132 recommends for Ethernet: type 1 and the MAC address. */
        public static ClientId of(MacAddress mac) {
            return new ClientId(1, mac.toBytes());
        }

        @Override public int code() { return CLIENT_ID; }
        @Override public byte[] id() { return id.clone(); }
        @Override public byte[] encode() {
            byte[] b = new byte[1 + id.length];
            b[0] = (byte) type;
            System.arraycopy(id, 0, b, 1, id.length);
            return b;
        }
        @Override public boolean equals(Object o) { return o instanceof ClientId c && c.type == type && Arrays.equals(id, c.id); }
        @Override public int hashCode() { return 31 * type + Arrays.hashCode(id); }
        @Override public String toString() { return "ClientId[type=" + type + ", id=" + HexFormat.of().formatHex(id) + "]"; }
    }

    /** TFTP server name. @param name a host name or a dotted address */
    record TftpServerName(String name) implements DhcpOption {
        /** Checks the length. */
        public TftpServerName { OptionCodec.checkText(name, "TFTP server name"); }
        @Override public int code() { return TFTP_SERVER_NAME; }
        @Override public byte[] encode() { return OptionCodec.text(name); }
    }

    /** Bootfile name. @param name the boot file */
    record BootfileName(String name) implements DhcpOption {
        /** Checks the length. */
        public BootfileName { OptionCodec.checkText(name, "boot file name"); }
        @Override public int code() { return BOOTFILE_NAME; }
        @Override public byte[] encode() { return OptionCodec.text(name); }
    }

    /**
     * Client System Architecture Type (RFC 4578 section 2.1): 16-bit types from the IANA registry, e.g. 0 x86 BIOS,
     * 7 x64 UEFI, 11 ARM 64-bit UEFI, 21/22 ARM 32/64-bit U-Boot.
     *
     * @param types one or more architecture types
     */
    record ClientArch(List<Integer> types) implements DhcpOption {
        /** Copies the list and checks the range. */
        public ClientArch {
            types = OptionCodec.nonEmpty(types, "architecture types");
            types.forEach(t -> OptionCodec.checkRange(t, 0, 0xFFFF, "architecture type"));
        }
        @Override public int code() { return CLIENT_ARCH; }
        @Override public byte[] encode() {
            ByteBuffer b = ByteBuffer.allocate(2 * types.size());
            types.forEach(t -> b.putShort((short) (int) t));
            return b.array();
        }
    }

    /**
     * Client Network Interface Identifier (RFC 4578 section 2.2): type 1 (UNDI) and the UNDI version.
     *
     * @param type  interface type, 1 for UNDI
     * @param major major version
     * @param minor minor version
     */
    record ClientNdi(int type, int major, int minor) implements DhcpOption {
        /** Checks the byte ranges. */
        public ClientNdi {
            OptionCodec.checkRange(type, 0, 0xFF, "interface type");
            OptionCodec.checkRange(major, 0, 0xFF, "major version");
            OptionCodec.checkRange(minor, 0, 0xFF, "minor version");
        }
        @Override public int code() { return CLIENT_NDI; }
        @Override public byte[] encode() { return new byte[] {(byte) type, (byte) major, (byte) minor}; }
    }

    /**
     * Client Machine Identifier (RFC 4578 section 2.3): type 0 and a 16-byte GUID.
     *
     * @param guid the machine's GUID, 16 bytes
     */
    record ClientMachineId(byte[] guid) implements DhcpOption {
        /** Length of the GUID. */
        public static final int GUID_LENGTH = 16;

        /** Checks and copies the GUID. */
        public ClientMachineId {
            if (guid.length != GUID_LENGTH) {
                throw new IllegalArgumentException("machine GUID of " + guid.length + " bytes (expected: 16)");
            }
            guid = guid.clone();
        }
        @Override public int code() { return CLIENT_MACHINE_ID; }
        @Override public byte[] guid() { return guid.clone(); }
        @Override public byte[] encode() {
            byte[] b = new byte[1 + GUID_LENGTH];
            System.arraycopy(guid, 0, b, 1, GUID_LENGTH);
            return b;
        }
        @Override public boolean equals(Object o) { return o instanceof ClientMachineId m && Arrays.equals(guid, m.guid); }
        @Override public int hashCode() { return Arrays.hashCode(guid); }
        @Override public String toString() { return "ClientMachineId[" + HexFormat.of().formatHex(guid) + "]"; }
    }

    /** TFTP Server Address (RFC 5859): Cisco-style network gear's list of TFTP servers. @param servers one or more */
    record TftpServers(List<Ipv4Address> servers) implements DhcpOption {
        /** Copies the list and requires one address at least. */
        public TftpServers { servers = OptionCodec.nonEmpty(servers, "TFTP servers"); }
        @Override public int code() { return TFTP_SERVER_ADDRESSES; }
        @Override public byte[] encode() { return OptionCodec.addresses(servers); }
    }

    /**
     * An option this class does not model, kept as it came.
     *
     * @param code  1..254
     * @param value the raw value
     */
    record Unknown(int code, byte[] value) implements DhcpOption {
        /** Checks the code and copies the value. */
        public Unknown {
            OptionCodec.checkRange(code, 1, 254, "option code");
            value = value.clone();
        }
        @Override public byte[] value() { return value.clone(); }
        @Override public byte[] encode() { return value.clone(); }
        @Override public boolean equals(Object o) { return o instanceof Unknown u && u.code == code && Arrays.equals(value, u.value); }
        @Override public int hashCode() { return 31 * code + Arrays.hashCode(value); }
        @Override public String toString() { return "Unknown[" + code + "=" + HexFormat.of().formatHex(value) + "]"; }
    }

    /**
     * Decodes option {@code code} from its value bytes (several instances already concatenated, RFC 3396).
     *
     * @throws MalformedPacketException when the length or a value breaks the option's rule
     */
    static DhcpOption decode(int code, byte[] v) {
        return OptionCodec.decode(code, v);
    }
}
