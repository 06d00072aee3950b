package dev.netboot.cli;

import dev.netboot.device.ImageSignature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code netboot keygen} and {@code netboot sign}: Ed25519 keys and detached image signatures. */
final class SignCommands {
    private SignCommands() {
    }

    private static final String PEM_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String PEM_END = "-----END PRIVATE KEY-----";

    @Command(name = "keygen", mixinStandardHelpOptions = true,
            description = {"Create an Ed25519 signing key (PKCS#8 PEM) and print the public key for a profile's [security] public-key."})
    static final class Keygen implements Callable<Integer> {
        @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write the private key (refuses to overwrite).")
        Path out;

        @Override
        public Integer call() throws IOException, GeneralSecurityException {
            if (Files.exists(out)) {
                System.err.println("netboot: " + out + " exists; not overwriting a key");
                return Main.EXIT_USAGE;
            }
            KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            String pem = PEM_BEGIN + "\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(kp.getPrivate().getEncoded()) + "\n" + PEM_END + "\n";
            Files.writeString(out, pem);
            System.out.println("public-key = " + HexFormat.of().formatHex(ImageSignature.rawKey(kp.getPublic())));
            return 0;
        }
    }

    @Command(name = "sign", mixinStandardHelpOptions = true,
            description = {"Sign an image: writes FILE.sig, the 64-byte raw Ed25519 signature the board fetches next to FILE."})
    static final class Sign implements Callable<Integer> {
        @Option(names = "--key", paramLabel = "FILE", required = true, description = "PKCS#8 PEM private key from 'netboot keygen'.")
        Path key;

        @Option(names = "--out", paramLabel = "FILE", description = "Signature file (default: IMAGE.sig).")
        Path out;

        @Parameters(paramLabel = "IMAGE", description = "The image to sign.")
        Path image;

        @Override
        public Integer call() throws IOException {
            PrivateKey pk;
            try {
                pk = readKey(key);
            } catch (NoSuchFileException e) {
                System.err.println("netboot: " + key + ": no such file");
                return Main.EXIT_USAGE;
            } catch (IllegalArgumentException | GeneralSecurityException e) {
                System.err.println("netboot: " + key + " is not a PKCS#8 Ed25519 private key: " + e.getMessage());
                return Main.EXIT_USAGE;
            }
            if (!Files.isRegularFile(image)) {
                System.err.println("netboot: " + image + ": no such file");
                return Main.EXIT_USAGE;
            }
            try {
                Signature s = Signature.getInstance("Ed25519");
                s.initSign(pk);
                s.update(Files.readAllBytes(image));
                Path target = out != null ? out : image.resolveSibling(image.getFileName() + ".sig");
                Files.write(target, s.sign());
                System.out.println(target);
                return 0;
            } catch (GeneralSecurityException e) {
                System.err.println("netboot: signing failed: " + e.getMessage());
                return Main.EXIT_FAILED;
            }
        }
    }

    static PrivateKey readKey(Path file) throws IOException, GeneralSecurityException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        if (!text.startsWith(PEM_BEGIN) || !text.endsWith(PEM_END)) {
            throw new IllegalArgumentException("expected a '" + PEM_BEGIN + "' block");
        }
        String b64 = text.substring(PEM_BEGIN.length(), text.length() - PEM_END.length()).replaceAll("\\s", "");
        return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
    }
}
