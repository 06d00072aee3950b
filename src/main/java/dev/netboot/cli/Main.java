package dev.netboot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code netboot} command. Exit status: 0 success, 1 the operation failed, 2 a usage or profile
 * error.
 */
@Command(name = "netboot", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Boot and flash boards over the network: BOOTP, ARP, TFTP, flash; with a built-in emulator.",
        subcommands = {BootCommand.class, TftpCommand.class, FlashCommand.class, SignCommands.Keygen.class, SignCommands.Sign.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit status of a failed operation. */
    public static final int EXIT_FAILED = 1;
    /** Exit status of a usage or profile error. */
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        int status = run(args);
        // Success returns from main instead (nothing else runs: single-threaded): System.exit starts the JDK's
        // logging to log the exit, 5-10 ms of a run that should take as long as a native tool's (issue 11).
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Runs the command line and returns its exit status (for tests). */
    public static int run(String... args) {
        // tftp get/put and --version start without picocli's reflection when the line is plainly well formed (issue 11).
        Integer quick = FastPath.run(args);
        if (quick != null) {
            return quick;
        }
        CommandLine cl = new CommandLine(new Main());
        cl.setExitCodeExceptionMapper(e -> EXIT_USAGE);
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("netboot: " + ex.getMessage());
            ex.getCommandLine().getErr().println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return EXIT_USAGE;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (try: netboot boot)");
    }

    /** Reports the version from the jar manifest, or "dev". */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"netboot " + (v == null ? "dev" : v) + " on Java " + Runtime.version()};
        }
    }
}
