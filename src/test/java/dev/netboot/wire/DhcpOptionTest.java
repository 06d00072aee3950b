package dev.netboot.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * DHCP options as typed values (RFC 2132, RFC 4578, RFC 5859): each one's value bytes as the RFC lays them
 * out, both ways, and every length rule the RFCs state rejected with {@link MalformedPacketException}.
 */
class DhcpOptionTest {
    static final HexFormat HEX = HexFormat.of();

    static Ipv4Address ip(String s) {
        return Ipv4Address.parse(s);
    }

    /** Decodes {@code hex} as option {@code code}, checks it equals {@code expected}, and encodes it back to the same bytes. */
    static void golden(int code, String hex, DhcpOption expected) {
        byte[] value = HEX.parseHex(hex);
        DhcpOption decoded = DhcpOption.decode(code, value);
        assertEquals(expected, decoded);
        assertEquals(code, decoded.code());
        assertArrayEquals(value, expected.encode(), "encode of " + expected);
    }

    static MalformedPacketException rejects(int code, String hex) {
        return assertThrows(MalformedPacketException.class, () -> DhcpOption.decode(code, HEX.parseHex(hex)));
    }

    @Test
    void addressOptions() {
        golden(1, "ffffff00", new DhcpOption.SubnetMask(ip("255.255.255.0")));             // 3.3: 4 octets
        golden(3, "c0000201" + "c00002fe", new DhcpOption.Router(List.of(ip("192.0.2.1"), ip("192.0.2.254"))));
        golden(6, "c6336401", new DhcpOption.DomainNameServers(List.of(ip("198.51.100.1"))));
        golden(28, "c00002ff", new DhcpOption.BroadcastAddress(ip("192.0.2.255")));
        golden(50, "c000022a", new DhcpOption.RequestedAddress(ip("192.0.2.42")));          // 9.1
        golden(54, "c0000201", new DhcpOption.ServerId(ip("192.0.2.1")));                   // 9.7
        golden(150, "c0000201" + "c0000202", new DhcpOption.TftpServers(List.of(ip("192.0.2.1"), ip("192.0.2.2"))));
    }

    @Test
    void timesAreUnsigned32BitSeconds() {
        golden(51, "00000e10", new DhcpOption.LeaseTime(3600));                              // 9.2
        golden(51, "ffffffff", new DhcpOption.LeaseTime(DhcpOption.INFINITE));              // RFC 2131 3.3: infinity
        golden(58, "00000708", new DhcpOption.RenewalTime(1800));                            // 9.11, T1
        golden(59, "00000c4e", new DhcpOption.RebindingTime(3150));                          // 9.12, T2 = 0.875 x 3600
        golden(57, "05dc", new DhcpOption.MaxMessageSize(1500));                             // 9.10, 16 bits
        golden(57, "0240", new DhcpOption.MaxMessageSize(576));                              // its minimum
        golden(13, "0100", new DhcpOption.BootFileSize(256));                                // 3.15: 512-octet blocks
    }

    @Test
    void messageTypesKnownAndUnknown() {
        golden(53, "01", new DhcpOption.MessageType(DhcpMessageType.Known.DISCOVER));
        golden(53, "05", new DhcpOption.MessageType(DhcpMessageType.Known.ACK));
        golden(53, "08", new DhcpOption.MessageType(DhcpMessageType.Known.INFORM));
        golden(53, "2a", new DhcpOption.MessageType(new DhcpMessageType.Unknown(42)));      // kept, not rejected
        assertEquals("DHCPNAK", DhcpMessageType.of(6).toString());
        assertEquals("DHCP message type 0x2a", DhcpMessageType.of(42).toString());
    }

    @Test
    void textOptionsDropATrailingNul() {
        golden(12, "626f6172642d37", new DhcpOption.HostName("board-7"));
        golden(15, "6578616d706c652e6e6574", new DhcpOption.DomainName("example.net"));
        golden(56, "61646472657373206e6f7420617661696c61626c65", new DhcpOption.Message("address not available"));
        golden(60, HEX.formatHex("PXEClient:Arch:00022:UNDI:003016".getBytes()),
                new DhcpOption.VendorClass("PXEClient:Arch:00022:UNDI:003016"));
        golden(66, "3139322e302e322e31", new DhcpOption.TftpServerName("192.0.2.1"));
        golden(67, "7078656c696e75782e30", new DhcpOption.BootfileName("pxelinux.0"));
        // Some servers count a C string's NUL in the length: the name is the same.
        assertEquals(new DhcpOption.BootfileName("pxelinux.0"), DhcpOption.decode(67, HEX.parseHex("7078656c696e75782e3000")));
        assertTrue(new DhcpOption.VendorClass("PXEClient").isPxe());
        assertEquals(false, new DhcpOption.VendorClass("udhcp 1.35.0").isPxe());
    }

    @Test
    void clientIdentifierIsTypeThenId() {
        // RFC 2132 9.14: type 1 (Ethernet) then the hardware address, as udhcpc sends it (corpus/dhcp-discover-udhcpc.hex).
        golden(61, "01" + "020000990010", DhcpOption.ClientId.of(MacAddress.parse("02:00:00:99:00:10")));
        golden(61, "00" + "6e62", new DhcpOption.ClientId(0, new byte[] {'n', 'b'}));
    }

    @Test
    void parameterRequestListIsOneCodePerByte() {
        // udhcpc's list, from corpus/dhcp-discover-udhcpc.hex: 1 3 6 12 15 28 42.
        golden(55, "0103060c0f1c2a", new DhcpOption.ParameterRequestList(List.of(1, 3, 6, 12, 15, 28, 42)));
    }

    @Test
    void pxeOptionsOfRfc4578() {
        golden(93, "0016", new DhcpOption.ClientArch(List.of(22)));                         // 2.1: ARM 64-bit U-Boot
        golden(93, "00000007", new DhcpOption.ClientArch(List.of(0, 7)));
        golden(94, "010310", new DhcpOption.ClientNdi(1, 3, 16));                           // 2.2: UNDI 3.16
        byte[] guid = HEX.parseHex("00112233445566778899aabbccddeeff");
        golden(97, "00" + "00112233445566778899aabbccddeeff", new DhcpOption.ClientMachineId(guid)); // 2.3: type 0, GUID
    }

    @Test
    void overloadAndUnknownCodes() {
        golden(52, "03", new DhcpOption.Overload(3));
        golden(224, "cafe", new DhcpOption.Unknown(224, HEX.parseHex("cafe")));
        golden(82, "0104deadbeef", new DhcpOption.Unknown(82, HEX.parseHex("0104deadbeef")));   // relay agent info: kept
    }

    @Test
    void vendorSpecificReadsPxeSubOptions() {
        // dnsmasq's ProxyDHCP offer: PXE_DISCOVERY_CONTROL (6) = 8, "use the boot file in the offer", then End.
        DhcpOption.VendorSpecific v = (DhcpOption.VendorSpecific) DhcpOption.decode(43, HEX.parseHex("060108ff"));
        assertEquals(Map.of(6, new byte[] {8}).keySet(), v.subOptions().keySet());
        assertEquals(OptionalInt.of(8), v.pxeDiscoveryControl());
        // Opaque vendor bytes are not an error; they are simply not PXE's.
        DhcpOption.VendorSpecific opaque = (DhcpOption.VendorSpecific) DhcpOption.decode(43, HEX.parseHex("0605"));
        assertEquals(OptionalInt.empty(), opaque.pxeDiscoveryControl());
        MalformedPacketException e = assertThrows(MalformedPacketException.class, opaque::subOptions);
        assertEquals("DHCP option 43 sub-option 6 at offset 0: runs past the 2-byte value (expected: code, length, value)", e.getMessage());
    }

    @Test
    void lengthRulesOfTheRfcs() {
        assertEquals("DHCP option 1 length: 3 (expected: 4)", rejects(1, "ffffff").getMessage());
        assertEquals("DHCP option 3 length: 6 (expected: a positive multiple of 4)", rejects(3, "c0000201c000").getMessage());
        assertEquals("DHCP option 6 length: 0 (expected: a positive multiple of 4)", rejects(6, "").getMessage());
        assertEquals("DHCP option 51 length: 2 (expected: 4)", rejects(51, "0e10").getMessage());
        assertEquals("DHCP option 53 length: 2 (expected: 1)", rejects(53, "0105").getMessage());
        assertEquals("DHCP option 52 value: 4 (expected: 1 (file), 2 (sname) or 3 (both))", rejects(52, "04").getMessage());
        assertEquals("DHCP option 57 (maximum message size): 575 (expected: >= 576)", rejects(57, "023f").getMessage());
        assertEquals("DHCP option 55: requests option 0 (expected: 1..254)", rejects(55, "0100").getMessage());
        assertEquals("DHCP option 55 length: 0 (expected: >= 1)", rejects(55, "").getMessage());
        assertEquals("DHCP option 61 length: 1 (expected: >= 2)", rejects(61, "01").getMessage());
        assertEquals("DHCP option 67: empty text (expected: >= 1 character)", rejects(67, "00").getMessage());
        assertEquals("DHCP option 93 length: 3 (expected: a positive multiple of 2)", rejects(93, "000007").getMessage());
        assertEquals("DHCP option 94 length: 2 (expected: 3)", rejects(94, "0102").getMessage());
        assertEquals("DHCP option 97 length: 16 (expected: 17)", rejects(97, "00".repeat(16)).getMessage());
        assertEquals("DHCP option 97 (client machine identifier) type: 1 (expected: 0, a GUID)",
                rejects(97, "01" + "00".repeat(16)).getMessage());
        assertEquals("DHCP option 150 length: 5 (expected: a positive multiple of 4)", rejects(150, "c000020101").getMessage());
        assertEquals("DHCP option 43 length: 0 (expected: >= 1)", rejects(43, "").getMessage());
    }

    @Test
    void ourOwnMisuseIsAnIllegalArgument() {
        assertThrows(IllegalArgumentException.class, () -> new DhcpOption.MaxMessageSize(500));
        assertThrows(IllegalArgumentException.class, () -> new DhcpOption.LeaseTime(-1));
        assertThrows(IllegalArgumentException.class, () -> new DhcpOption.Router(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new DhcpOption.HostName(""));
        assertThrows(IllegalArgumentException.class, () -> new DhcpOption.ClientMachineId(new byte[15]));
        assertThrows(IllegalArgumentException.class, () -> new DhcpOption.Unknown(255, new byte[0]));
    }

    @Test
    void optionSetsDecodeTypedOptionsAndConcatenateRepeats() {
        BootpOptions o = BootpOptions.of(new DhcpOption.MessageType(DhcpMessageType.Known.OFFER),
                new DhcpOption.ServerId(ip("192.0.2.1")), new DhcpOption.Router(List.of(ip("192.0.2.1"))),
                new DhcpOption.Router(List.of(ip("192.0.2.254"))));
        assertEquals(DhcpMessageType.Known.OFFER, o.messageType().orElseThrow());
        assertEquals(new DhcpOption.ServerId(ip("192.0.2.1")), o.option(54).orElseThrow());
        // RFC 3396: two instances of one code are one value, in order.
        assertEquals(new DhcpOption.Router(List.of(ip("192.0.2.1"), ip("192.0.2.254"))), o.option(3).orElseThrow());
        assertTrue(o.option(51).isEmpty());
        assertTrue(BootpOptions.NONE.messageType().isEmpty());
    }

    /** Random values of every typed option survive encode and decode; random bytes only ever throw MalformedPacketException. */
    @Test
    void fuzzDecodeOnlyThrowsMalformedAndValidValuesRoundTrip() {
        Random r = new Random(0x64686370L);
        int[] codes = {1, 3, 6, 12, 13, 15, 28, 43, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 66, 67, 93, 94, 97, 150, 82, 200};
        for (int i = 0; i < 100_000; i++) {
            int code = r.nextBoolean() ? codes[r.nextInt(codes.length)] : 1 + r.nextInt(254);
            byte[] v = new byte[r.nextInt(r.nextInt(8) == 0 ? 300 : 20)];
            r.nextBytes(v);
            DhcpOption o;
            try {
                o = DhcpOption.decode(code, v);
            } catch (MalformedPacketException e) {
                continue;
            } catch (RuntimeException e) {
                throw new AssertionError("option " + code + " value " + HEX.formatHex(v) + " threw " + e, e);
            }
            // A decoded option encodes to bytes that decode to the same option.
            assertEquals(o, DhcpOption.decode(code, o.encode()), "option " + code + " value " + HEX.formatHex(v));
            if (o instanceof DhcpOption.VendorSpecific vs) {
                try {
                    vs.subOptions();
                } catch (MalformedPacketException expected) {
                    // opaque bytes
                }
                vs.pxeDiscoveryControl();
            }
        }
    }

    @Test
    void realDnsmasqOfferDecodes() {
        CorpusTest.Udp u = CorpusTest.udp(CorpusTest.load("dhcp-offer-dnsmasq"));
        BootpMessage m = BootpMessage.parse(u.buf(), u.off(), u.len());
        BootpOptions o = m.options();
        assertEquals(DhcpMessageType.Known.OFFER, o.messageType().orElseThrow());
        assertEquals(new DhcpOption.ServerId(ip("192.0.2.1")), o.option(DhcpOption.SERVER_ID).orElseThrow());
        assertEquals(new DhcpOption.LeaseTime(120), o.option(DhcpOption.LEASE_TIME).orElseThrow());
        assertEquals(new DhcpOption.RenewalTime(60), o.option(DhcpOption.RENEWAL_TIME).orElseThrow());
        assertEquals(new DhcpOption.RebindingTime(105), o.option(DhcpOption.REBINDING_TIME).orElseThrow());
        assertEquals(new DhcpOption.BroadcastAddress(ip("192.0.2.255")), o.option(DhcpOption.BROADCAST_ADDRESS).orElseThrow());
        assertEquals(ip("192.0.2.60"), m.yiaddr());
        assertEquals(ip("192.0.2.1"), m.siaddr());
        assertEquals("boot.img", m.file());
        assertEquals(0x68eed506, m.xid());
        assertEquals(0, m.flags());                                        // unicast: udhcpc did not ask for broadcast
    }

    @Test
    void realUdhcpcDiscoverDecodes() {
        CorpusTest.Udp u = CorpusTest.udp(CorpusTest.load("dhcp-discover-udhcpc"));
        BootpMessage m = BootpMessage.parse(u.buf(), u.off(), u.len());
        BootpOptions o = m.options();
        assertEquals(DhcpMessageType.Known.DISCOVER, o.messageType().orElseThrow());
        assertEquals(new DhcpOption.MaxMessageSize(576), o.option(57).orElseThrow());
        assertEquals(new DhcpOption.VendorClass("udhcp 1.35.0"), o.option(60).orElseThrow());
        assertEquals(DhcpOption.ClientId.of(MacAddress.parse("02:00:00:99:00:10")), o.option(61).orElseThrow());
        assertEquals(List.of(53, 57, 55, 60, 61), List.copyOf(o.values().keySet()));
        assertEquals(ByteBuffer.wrap(HEX.parseHex("0103060c0f1c2a")), ByteBuffer.wrap(o.get(55).orElseThrow()));
    }
}
