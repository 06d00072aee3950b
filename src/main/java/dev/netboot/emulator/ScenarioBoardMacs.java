package dev.netboot.emulator;

import dev.netboot.device.ConfigText;
import dev.netboot.wire.MacAddress;
import java.util.Optional;

/**
 * Checks that no machine of a scenario has a MAC of the boards that boot in it (the profile's, and for a fleet the next
 * ones): two stations with one MAC on a segment is no network a board meets, and the emulator's would deliver the
 * board's frames to the other machine, or the other's to the board, without a word.
 */
final class ScenarioBoardMacs {
    private ScenarioBoardMacs() {
    }

    /**
     * Throws at the first key (the server's, the router's, then the other machines') naming a MAC of boards {@code first .. first + count - 1}, or at
     * the file when a machine has one by default (the server's {@code 02:00:00:00:00:01}).
     */
    static void check(ConfigText c, Scenario sc, MacAddress first, int count) {
        c.optionalSection("server").flatMap(s -> s.optional("mac"))
                .ifPresentOrElse(v -> at(v, sc.serverMac(), first, count), () -> {
                    String which = board(sc.serverMac(), first, count);
                    if (which != null) {
                        throw c.error("the server's MAC " + sc.serverMac() + " (the default of [server] mac) is " + which
                                + "; give [server] mac)");
                    }
                });
        if (sc.relay() != null) {
            Optional<ConfigText.Value> v = c.optionalSection("relay").flatMap(s -> s.optional("router-mac-client"));
            if (v.isPresent()) {
                at(v.get(), sc.relay().routerClientMac(), first, count);
            } else if (board(sc.relay().routerClientMac(), first, count) != null) {
                throw c.error("the router's client-side MAC " + sc.relay().routerClientMac() + " (the default of [relay] router-mac-client) is "
                        + board(sc.relay().routerClientMac(), first, count) + "; give [relay] router-mac-client)");
            }
        }
        for (String kind : new String[] {"dhcp-server", "host", "tftp-server"}) {
            for (ConfigText.Section s : c.namedSections(kind)) {
                ConfigText.Value v = s.require("mac");
                at(v, v.asUnicastMac(), first, count);
            }
        }
        c.optionalSection("proxy-dhcp").ifPresent(s -> {
            ConfigText.Value v = s.require("mac");
            at(v, v.asUnicastMac(), first, count);
        });
    }

    private static void at(ConfigText.Value v, MacAddress mac, MacAddress first, int count) {
        String which = board(mac, first, count);
        if (which != null) {
            throw ScenarioValues.at(v, "is " + which + "; expected: a MAC of this machine's own)");
        }
    }

    /**
     * Returns "the board's MAC too (the profile's [board] mac" or "board 3's MAC too (the fleet's boards have ..." when
     * {@code mac} is a board's, else null; the caller closes the parenthesis.
     */
    private static String board(MacAddress mac, MacAddress first, int count) {
        long i = mac.value() - first.value();
        if (i < 0 || i >= count) {
            return null;
        }
        return count == 1 ? "the board's MAC too (the profile's [board] mac"
                : "board " + (i + 1) + "'s MAC too (the fleet's " + count + " boards have the profile's [board] mac and the " + (count - 1)
                        + " after it";
    }
}
