package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.netboot.emulator.TftpSession;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ServeClientTable}: at most its limit of clients listed; past it, which client goes (one that only asked for an
 * address and has none, then one whose file was not served, then one served; never one running a transfer), each the
 * one that first spoke earliest, and what the dropped ones had done, counted.
 */
class ServeClientTableTest {
    final List<ServeClient> dropped = new ArrayList<>();
    final ServeClientTable table = new ServeClientTable(3, dropped::add);

    static MacAddress mac(int i) {
        return new MacAddress(0x02_66_00_00_00_00L + i);
    }

    ServeClient add(int i) {
        return table.client(mac(i), i, ServeClient::running);
    }

    static ServeClient asked(ServeClient c, TftpSession.End end) {
        ServeTransfer t = c.ask("boot.img", 0);
        t.sessions.add(0);
        t.last = new TftpSession.Stats(50000, Ipv4Address.parse("192.0.2.101"), 40000, "boot.img", 512, 1, 0, 0, 0, 0, 0, 0, end, 1000);
        t.endAt = end == null ? -1 : 1;
        return c;
    }

    List<MacAddress> listed() {
        return table.listed().stream().map(c -> c.mac).toList();
    }

    @Test
    void pastTheLimitTheClientThatOnlyAskedForAnAddressEarliestGoes() {
        for (int i = 1; i <= 3; i++) {
            add(i).dhcpRequests = i; // 1, 2 and 3 requests
        }
        ServeClient second = table.client(mac(2), 9, ServeClient::running);
        assertEquals(2, second.dhcpRequests, "a client listed is found, not listed again");
        add(4).dhcpRequests = 1;
        assertEquals(List.of(mac(2), mac(3), mac(4)), listed());
        assertEquals(new ServeClientTable.Unlisted(1, 1, 0, 0, 0, 0, 0), table.unlisted());
        add(5);
        assertEquals(List.of(mac(3), mac(4), mac(5)), listed());
        assertEquals(new ServeClientTable.Unlisted(2, 3, 0, 0, 0, 0, 0), table.unlisted());
        assertEquals(List.of(mac(1), mac(2)), dropped.stream().map(c -> c.mac).toList());
    }

    @Test
    void aClientWithAnAddressOrAFileStaysWhileOthersOnlyAskForAddresses() {
        ServeClient leased = add(1);
        leased.address = Ipv4Address.parse("192.0.2.42");
        leased.how = "dhcp";
        table.knowAt(leased.address.value(), leased);
        asked(add(2), TftpSession.End.COMPLETE);
        for (int i = 3; i < 1000; i++) {
            add(i).dhcpRequests = 1; // a flood of DHCPDISCOVERs from MACs made up
        }
        assertEquals(List.of(mac(1), mac(2), mac(999)), listed());
        assertEquals(new ServeClientTable.Unlisted(996, 996, 0, 0, 0, 0, 0), table.unlisted());
        assertEquals(mac(1), table.at(Ipv4Address.parse("192.0.2.42").value()));
    }

    @Test
    void withNoneLeftThatOnlyAskedForAnAddressOneNotServedGoesBeforeOneServed() {
        asked(add(1), TftpSession.End.COMPLETE);
        ServeClient gaveUp = asked(add(2), TftpSession.End.GAVE_UP);
        gaveUp.address = Ipv4Address.parse("192.0.2.102");
        table.knowAtIfNone(gaveUp.address.value(), gaveUp);
        asked(add(3), TftpSession.End.COMPLETE);
        add(4);
        assertEquals(List.of(mac(1), mac(3), mac(4)), listed());
        assertEquals(new ServeClientTable.Unlisted(1, 0, 0, 1, 1, 0, 1), table.unlisted());
        assertNull(table.at(Ipv4Address.parse("192.0.2.102").value()), "a client dropped is no longer known at its address");
        // Only served clients and the new one: the one served that first spoke earliest goes; it had finished.
        asked(table.get(mac(4)), TftpSession.End.COMPLETE);
        add(5);
        assertEquals(List.of(mac(3), mac(4), mac(5)), listed());
        assertEquals(new ServeClientTable.Unlisted(2, 0, 0, 1, 2, 1, 1), table.unlisted());
    }

    @Test
    void aClientRunningATransferIsNeverDroppedTheTableGrowsPastTheLimitInstead() {
        for (int i = 1; i <= 3; i++) {
            asked(add(i), null); // each fetching a file
        }
        ServeClient fourth = asked(add(4), null);
        assertEquals(List.of(mac(1), mac(2), mac(3), mac(4)), listed());
        assertEquals(new ServeClientTable.Unlisted(0, 0, 0, 0, 0, 0, 0), table.unlisted());
        assertSame(fourth, table.get(mac(4)));
        // The first ends, not served: the next new client takes its place (still one over the limit: three run).
        table.get(mac(1)).transfers.getFirst().endAt = 2;
        add(5);
        assertEquals(List.of(mac(2), mac(3), mac(4), mac(5)), listed());
        assertEquals(1, table.unlisted().clients());
    }
}
