# Example: 64 MiB SPI-NOR board (Micron MT25QL512ABB-class geometry and timing).
#
# A device profile describes one kind of board to netboot: its Ethernet address, how much RAM the
# boot client may use, the flash chip, the partition map, and the network retry settings.
# Format (see device-profiles/README.md): [section] headers, "key = value" lines, '#' comments.
# Sizes are bytes, or a number with KiB/MiB/GiB, or 0x hex (KB/MB are rejected as ambiguous).
# Durations need a unit: ns, us, ms, s or min (250ms, 1.5s). Unknown keys are errors.
# Use it with: ./netboot boot --profile spi-nor-64m   (the name is this file's name without .profile)

[board]
name = link-bench                  # must equal the file name without .profile
description = spi-nor-64m with 1 MiB RAM and a TFTP tuned for a fast link with loss (bench/emulated-link.sh)
mac = 02:4e:42:00:00:02            # locally administered (02:...), unicast
ram = 1MiB                         # room for 256 blocks of 1468 held out of order (376 KB) and more

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

[partition slot-b]                 # boot slot B: a new image always goes into the slot that is not active
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

# Signed images: uncomment to accept only images with a valid Ed25519 signature (FILE.sig next to
# FILE on the TFTP server; make the key with ./netboot keygen, sign with ./netboot sign).
# [security]
# public-key = <64 hex digits>

# BOOTP retries (RFC 951 7.2 randomised exponential backoff). This section and each key are optional.
[bootp]
initial-timeout = 1s               # wait after the first request
max-timeout = 16s                  # the doubling stops here
jitter = 500ms                     # +/- random offset on each wait, so boards powered on together drift apart
give-up = 60s                      # total budget; spanning tree can block a fresh switch port for 30-50 s

# TFTP settings. Optional like [bootp]; unset keys take the defaults (1s, 8, 512).
[tftp]
timeout = 1s                       # before the first round-trip sample
min-timeout = 5ms                  # RFC 6298 estimate may go down to this: a lost ACK costs a few RTTs, not 1 s
retries = 8
blksize = auto                     # 1468 on a 1500-byte MTU
windowsize = 256                   # lock-step windows idle one RTT each: 256 x 123 us >> 1 ms keeps that under 4%
