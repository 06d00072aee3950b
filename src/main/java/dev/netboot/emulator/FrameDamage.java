package dev.netboot.emulator;

import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.UdpDatagram;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/** What {@link EthernetSegment}'s corrupt and tamper faults do to a frame in flight ({@link FaultPlan}). */
final class FrameDamage {
    private FrameDamage() {
    }

    /** Returns whether {@code f} carries IPv4. */
    static boolean isIpv4(byte[] f) {
        return f.length > EthernetFrame.HEADER_LEN && (f[12] & 0xFF) == 0x08 && f[13] == 0x00;
    }

    /** Flips one bit of the IPv4 part of {@code f}, drawn from {@code r}: an IPv4, UDP or ICMP checksum covers it. */
    static void flipBit(byte[] f, SplittableRandom r) {
        int bit = r.nextInt((f.length - EthernetFrame.HEADER_LEN) * 8);
        f[EthernetFrame.HEADER_LEN + bit / 8] ^= (byte) (1 << (bit % 8));
    }

    /** Returns where the data of a TFTP DATA packet in {@code f} starts (IPv4, UDP, opcode 3, 1 byte or more), or -1. */
    static int tftpDataOffset(byte[] f) {
        if (!isIpv4(f) || f.length < EthernetFrame.HEADER_LEN + 20 + 8 + 5 || f[EthernetFrame.HEADER_LEN + 9] != 17) {
            return -1;
        }
        int udp = EthernetFrame.HEADER_LEN + (f[EthernetFrame.HEADER_LEN] & 0x0F) * 4;
        int data = udp + 8 + 4;
        boolean dataOp = data < f.length && f[udp + 8] == 0 && f[udp + 9] == 3;
        return dataOp ? data : -1;
    }

    /** Changes one byte of the TFTP data in {@code f} and makes the UDP checksum right again. */
    static void tamper(byte[] f, SplittableRandom r) {
        int data = tftpDataOffset(f);
        int at = data + r.nextInt(f.length - data);
        f[at] ^= (byte) (1 + r.nextInt(255)); // never 0: the byte changes
        ByteBuffer b = ByteBuffer.wrap(f);
        int ip = EthernetFrame.HEADER_LEN;
        int udp = ip + (f[ip] & 0x0F) * 4;
        int payload = (b.getShort(udp + 4) & 0xFFFF) - 8;
        UdpDatagram.emit(b, udp, b.getShort(udp) & 0xFFFF, b.getShort(udp + 2) & 0xFFFF, payload, b.getInt(ip + 12), b.getInt(ip + 16));
    }
}
