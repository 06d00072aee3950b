# Example: 64 MiB SPI-NOR board (Micron MT25QL512ABB-class geometry and timing).
#
# A device profile describes one kind of board to netboot: its Ethernet address, how much RAM the
# boot client may use, the flash chip, the partition map, and the network retry settings.
# Format (see device-profiles/README.md): [section] headers, "key = value" lines, '#' comments.
# Sizes are bytes, or a number with KiB/MiB/GiB, or 0x hex (KB/MB are rejected as ambiguous).
# Durations need a unit: ns, us, ms, s or min (250ms, 1.5s). Unknown keys are errors.
# Use it with: ./netboot boot --profile spi-nor-64m   (the name is this file's name without .profile)

[board]
name = spi-nor-64m                 # must equal the file name without .profile
description = 64 MiB SPI NOR (MT25QL512), 256 KiB RAM, two 24 MiB boot slots
mac = 02:4e:42:00:00:02            # locally administered (02:...), unicast
ram = 256KiB                       # RAM for buffers; at least 2 flash pages, 2 Ethernet frames, 2 TFTP blocks (4068 bytes here)
# mac-source = profile           # on a real interface use the mac above instead of the interface's own

[flash]
type = nor                         # only nor for now
size = 64MiB                       # 512 Mbit; needs 4-byte addressing on the real chip
erase-unit = 4KiB                  # smallest erase: one 4 KiB subsector (also 32 KiB and 64 KiB erases)
page = 256                         # one Page Program writes at most 256 bytes, never across a page
erased = 0xff                      # erased NOR reads 0xFF; programming only turns bits 1 -> 0
page-program = 0.12ms / 1.8ms      # typical / max, datasheet tPP
sector-erase = 50ms / 400ms        # typical / max for one erase unit, datasheet tSSE (4 KiB subsector)

# Partitions: offset and size must be multiples of erase-unit, inside the flash, not overlapping.
[partition loader]                 # first-stage loader; netboot never writes it
offset = 0
size = 1MiB

[partition slot-a]                 # boot slot A: up to 24 MiB
offset = 1MiB
size = 24MiB

[partition slot-b]                 # boot slot B: a new image never goes into the slot the board boots now
offset = 25MiB
size = 24MiB

[partition meta]                   # slot metadata: two copies, one 4 KiB subsector each
offset = 49MiB
size = 8KiB

[partition data]                   # the rest, for the application
offset = 0x3102000
size = 0xefe000

[boot]
slots = slot-a, slot-b             # the two [partition NAME]s that take turns holding the image (A/B)
metadata = meta                    # two erase units or more: two copies of the record that says which slot boots
trial-boots = 0                    # 0: a verified image is active at once; N: pending for N boots until confirmed
min-image-size = 1KiB              # smaller images (empty, truncated, an error page) are refused before anything is erased
digest = if-present                # compare the image with the server's FILE.sha256 before the commit; a server without one: boot unchecked

# Signed images: uncomment to accept only images with a valid Ed25519 signature (FILE.sig next to
# FILE on the TFTP server; make the key with ./netboot keygen, sign with ./netboot sign).
# [security]
# public-key = <64 hex digits>

# Retransmission of every request for an address, DHCP and BOOTP alike (RFC 2131 4.1, RFC 951 7.2:
# randomised exponential backoff). This section and each key are optional.
[bootp]
initial-timeout = 1s               # wait after the first request
max-timeout = 16s                  # the doubling stops here
jitter = 500ms                     # +/- random offset on each wait, so boards powered on together drift apart
give-up = 60s                      # total budget; spanning tree can block a fresh switch port for 30-50 s

# How the board gets its address. Optional; unset keys take the defaults shown.
[dhcp]
protocol = auto                    # DHCP, and a reply without option 53 is taken as a BOOTP binding; or dhcp, bootp
offer-wait = 500ms                 # collect offers this long after the first; one naming server and file is taken at once
arp-probes = 2                     # RFC 5227: ARP-probe the offered address, DHCPDECLINE it if another host answers; 0: off
arp-probe-interval = 200ms         # between probes, and the silence after the last (RFC 5227's own: 1-2 s, 3 probes)
decline-wait = 10s                 # after a DHCPDECLINE, wait this long before asking again (RFC 2131 section 3.1)
vendor-class = pxe                 # option 60 "PXEClient:Arch:00022:UNDI:003016" + 93/94/97, so ProxyDHCP servers answer
pxe-arch = 22                      # option 93 (RFC 4578): 22 is ARM 64-bit U-Boot

# TFTP settings. Optional like [bootp]; unset keys take the defaults (1s, 8, 512).
[tftp]
timeout = 1s                       # wait for the next packet before retransmitting
give-up = 25s                      # fail when the next packet has not come for this long, whatever the
                                   # retransmissions (a server pausing less costs time, not the boot)
blksize = 1468                     # negotiated (RFC 2348); fills a 1500-byte MTU, and a 32 MiB image
                                   # stays under 65535 blocks (at 512 it would need 65536 and wrap)
windowsize = auto                  # RFC 7440 window, sized from the link's rate and round trip (8 when the rate is unknown)
min-timeout = 50ms                 # RTT samples may bring the retransmission timeout down to this (RFC 6298)
