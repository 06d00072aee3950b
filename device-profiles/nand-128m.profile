# Example: 128 MiB SLC NAND board (Micron MT29F1G08ABADA-class geometry and timing).
#
# A device profile describes one kind of board to netboot: its Ethernet address, how much RAM the
# boot client may use, the flash chip, the partition map, and the network retry settings.
# Format (see device-profiles/README.md): [section] headers, "key = value" lines, '#' comments.
# Sizes are bytes, or a number with KiB/MiB/GiB, or 0x hex (KB/MB are rejected as ambiguous).
# Durations need a unit: ns, us, ms, s or min (250ms, 1.5s). Unknown keys are errors.
# Use it with: ./netboot boot --profile nand-128m   (the name is this file's name without .profile)

[board]
name = nand-128m                   # must equal the file name without .profile
description = 128 MiB SLC NAND (MT29F1G08), 256 KiB RAM, two 40 MiB boot slots
mac = 02:4e:42:00:00:03            # locally administered (02:...), unicast
ram = 256KiB                       # room for one 128 KiB block buffer (skip-unchanged writes) + frames
# mac-source = profile           # on a real interface use the mac above instead of the interface's own

[flash]
type = nand                        # SLC NAND: pages in order within a block, bad blocks, ECC
size = 128MiB                      # 1 Gbit: 1024 blocks
erase-unit = 128KiB                # one block: 64 pages
page = 2KiB                        # main bytes of one page; a TFTP block of 512 is a quarter page
spare = 64                         # spare (OOB) bytes per page: bad-block marker, free bytes, ECC
nop = 4                            # partial programs allowed per page between erases
erased = 0xff                      # erased NAND reads 0xFF; programming only turns bits 1 -> 0
page-program = 200us / 600us       # typical / max, datasheet tPROG
block-erase = 0.7ms / 2ms          # typical / max, datasheet tBERS
page-read = 25us / 25us            # datasheet tR (array to cache register), max only; used for both
random-bad-blocks = 20             # factory bad blocks (<= 2% of 1024), placed by the simulator's seed
# bad-blocks = 17, 300             # or name them: block numbers, comma separated

# Partitions: offset and size must be multiples of erase-unit, inside the flash, not overlapping.
# On NAND a partition needs spare blocks: the writer skips bad blocks, so a 32 MiB image needs a
# little more than 32 MiB of partition (here 8 MiB = 64 blocks of reserve).
[partition loader]                 # first-stage loader; netboot never writes it
offset = 0
size = 1MiB

[partition slot-a]                 # boot slot A: up to 32 MiB plus bad-block reserve
offset = 1MiB
size = 40MiB

[partition slot-b]                 # boot slot B: a new image never goes into the slot the board boots now
offset = 41MiB
size = 40MiB

[partition meta]                   # slot metadata: two copies, each in the first good block of 4
offset = 81MiB
size = 1MiB

[partition data]                   # the rest, for the application
offset = 82MiB
size = 46MiB

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
jitter = 500ms                     # +/- random offset on each wait
give-up = 60s                      # total budget

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
blksize = 1468                     # negotiated (RFC 2348); fills a 1500-byte MTU
windowsize = auto                  # RFC 7440 window, sized from the link's rate and round trip (8 when the rate is unknown)
min-timeout = 50ms                 # RTT samples may bring the retransmission timeout down to this (RFC 6298)
