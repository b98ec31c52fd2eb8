package io.ovnk.kube.internal;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.OAuthTokenProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * Where the API server is and how to authenticate, checked before a client is built: a missing file or two
 * ways of giving the same thing is an error naming the key. {@link #describe()} says where things come from and
 * never contains a credential.
 */
public record ClientSettings(String apiServer, String kubeconfig, String token, String tokenFile, String caFile,
        boolean insecureSkipTlsVerify, double qps, int burst, int requestTimeoutMillis) {

    public ClientSettings {
        apiServer = apiServer == null ? "" : apiServer.strip();
        kubeconfig = kubeconfig == null ? "" : kubeconfig.strip();
        token = token == null ? "" : token.strip();
        tokenFile = tokenFile == null ? "" : tokenFile.strip();
        caFile = caFile == null ? "" : caFile.strip();
        if (!token.isEmpty() && !tokenFile.isEmpty()) {
            throw new IllegalArgumentException("token and token.file: give one of them");
        }
        if (!apiServer.isEmpty() && !apiServer.startsWith("https://") && !apiServer.startsWith("http://")) {
            throw new IllegalArgumentException("api.server: \"" + apiServer + "\" is not an http:// or https:// URL");
        }
        requireReadable("kubeconfig", kubeconfig);
        requireReadable("token.file", tokenFile);
        requireReadable("ca.file", caFile);
        if (!(qps > 0) || burst < 1) {
            throw new IllegalArgumentException("qps must be above 0 and burst at least 1, not " + qps + " and " + burst);
        }
        if (requestTimeoutMillis < 1) {
            throw new IllegalArgumentException("request.timeout.ms must be at least 1, not " + requestTimeoutMillis);
        }
    }

    private static void requireReadable(String key, String file) {
        if (!file.isEmpty() && !Files.isReadable(Path.of(file))) {
            throw new IllegalArgumentException(key + ": " + file + " is not a readable file");
        }
    }

    /** The fabric8 configuration: a kubeconfig file, or an explicit server, or fabric8's own discovery. */
    public Config toConfig() {
        Config base;
        if (!kubeconfig.isEmpty()) {
            base = Config.fromKubeconfig(Path.of(kubeconfig).toFile());
        } else if (!apiServer.isEmpty()) {
            base = Config.empty();
        } else {
            base = Config.autoConfigure(null); // in-cluster service account, $KUBECONFIG, ~/.kube/config
        }
        ConfigBuilder builder = new ConfigBuilder(base).withRequestTimeout(requestTimeoutMillis);
        if (!apiServer.isEmpty()) {
            builder.withMasterUrl(apiServer);
        }
        if (!caFile.isEmpty()) {
            builder.withCaCertFile(caFile);
        }
        if (insecureSkipTlsVerify) {
            builder.withTrustCerts(true).withDisableHostnameVerification(true);
        }
        if (!token.isEmpty()) {
            builder.withOauthToken(token);
        } else if (!tokenFile.isEmpty()) {
            builder.withOauthTokenProvider(new TokenFile(Path.of(tokenFile)));
        }
        return builder.build();
    }

    /** For the log: never a credential, only where it comes from. */
    public String describe() {
        String server = !apiServer.isEmpty() ? apiServer : !kubeconfig.isEmpty() ? "the kubeconfig " + kubeconfig
                : "discovery (in-cluster service account, $KUBECONFIG or ~/.kube/config)";
        String auth = !token.isEmpty() ? ", a bearer token from the configuration"
                : !tokenFile.isEmpty() ? ", a bearer token read from " + tokenFile : "";
        return server + auth + (caFile.isEmpty() ? "" : ", CA " + caFile)
                + (insecureSkipTlsVerify ? ", TLS NOT VERIFIED" : "") + ", " + qps + " requests/s (burst " + burst + ")";
    }

    /** A token file read again whenever it changes: projected service-account tokens are rotated in place. */
    static final class TokenFile implements OAuthTokenProvider {
        private final Path file;
        private FileTime readAt;
        private String token;

        TokenFile(Path file) {
            this.file = file;
        }

        @Override
        public synchronized String getToken() {
            try {
                FileTime modified = Files.getLastModifiedTime(file);
                if (!modified.equals(readAt)) {
                    token = Files.readString(file, StandardCharsets.UTF_8).strip();
                    readAt = modified;
                }
                return token;
            } catch (IOException e) {
                throw new UncheckedIOException("token.file " + file + " cannot be read", e);
            }
        }
    }
}
