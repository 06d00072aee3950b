package dev.netboot.emulator;

import dev.netboot.link.PcapLink;
import dev.netboot.link.PcapWriter;
import dev.netboot.testkit.LinkContract;
import dev.netboot.wire.MacAddress;
import java.io.ByteArrayOutputStream;

/**
 * A capture decorator is the link it wraps: the test kit's contract holds through {@link PcapLink} on both ports of
 * an emulated segment, on a rate-limited link whose frames queue and take serialisation time.
 */
class PcapLinkContractTest extends LinkContract {
    @Override
    protected LinkPair pair() {
        EthernetSegment segment = new Simulation().newSegment(50_000, LinkModel.of(100_000_000L), FaultPlan.NONE, 1);
        PcapWriter pcap = new PcapWriter(new ByteArrayOutputStream());
        return LinkPair.virtualTime(new PcapLink(segment.attach(MacAddress.parse("02:00:00:00:00:0a")), pcap),
                new PcapLink(segment.attach(MacAddress.parse("02:00:00:00:00:0b")), pcap));
    }
}
