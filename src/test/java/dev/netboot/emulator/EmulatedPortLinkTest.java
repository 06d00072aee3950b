package dev.netboot.emulator;

import dev.netboot.testkit.LinkContract;
import dev.netboot.wire.MacAddress;

/** The emulator's port is a {@link dev.netboot.link.Link} like any other: the test kit's contract, in virtual time. */
class EmulatedPortLinkTest extends LinkContract {
    @Override
    protected LinkPair pair() {
        EthernetSegment segment = new Simulation().newSegment(100_000, FaultPlan.NONE, 1);
        return LinkPair.virtualTime(segment.attach(MacAddress.parse("02:00:00:00:00:0a")),
                segment.attach(MacAddress.parse("02:00:00:00:00:0b")));
    }
}
