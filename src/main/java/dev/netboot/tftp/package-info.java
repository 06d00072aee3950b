/**
 * The TFTP client (RFC 1350, options of RFC 2347-2349). It knows transfer IDs, blocks, timeouts and
 * error codes; it writes what it receives into a {@link dev.netboot.tftp.TftpSink} and knows nothing
 * of flash geometry.
 */
package dev.netboot.tftp;
