package dev.netboot.net;

/**
 * Counters of the network layer; every dropped frame is counted by reason.
 *
 * @param rxFrames        frames received
 * @param txFrames        frames sent
 * @param dropNotForUs    frames for another MAC or IP address
 * @param dropMalformed   frames that failed to parse (short, bad length, bad version)
 * @param dropChecksum    IPv4 or UDP checksum failures
 * @param dropFragment    IPv4 fragments (this stack does not reassemble)
 * @param dropUnsupported unknown EtherType or IP protocol
 * @param dropNoListener  UDP datagrams for a port nobody bound
 * @param arpRequestsSent ARP requests sent to resolve addresses (RFC 5227 probes and announcements are not counted)
 * @param arpRepliesSent  ARP replies sent for our address
 * @param arpFailures     addresses given up on after the last ARP request
 * @param icmpEchoReplies  echo requests to our address answered
 * @param icmpUnreachables destination-unreachable errors passed to the port whose datagram they quote
 * @param icmpIgnored      other ICMP messages: other types and codes, broadcast echo requests, unmatched quotes
 * @param icmpUnreachablesSent port unreachable errors sent for datagrams to our address on a closed port (RFC 1122
 *                         section 4.1.3.1; those the rate held back are only in {@code dropNoListener})
 */
public record NetStats(long rxFrames, long txFrames, long dropNotForUs, long dropMalformed, long dropChecksum,
                       long dropFragment, long dropUnsupported, long dropNoListener, long arpRequestsSent,
                       long arpRepliesSent, long arpFailures, long icmpEchoReplies, long icmpUnreachables,
                       long icmpIgnored, long icmpUnreachablesSent) {
}
