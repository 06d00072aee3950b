/**
 * The BOOTP client (RFC 951, RFC 1542, options of RFC 2132). It knows how to ask who the board is and
 * how to read the answer; it knows nothing of TFTP or flash. The result is a
 * {@link dev.netboot.bootp.BootpLease} record.
 */
package dev.netboot.bootp;
