package io.ovnk.ovsdb.internal;

import io.ovnk.ovsdb.Remote;
import io.ovnk.ovsdb.TlsFiles;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import javax.net.ssl.SSLSocket;

/** A connected byte stream to a remote: TCP, TLS over TCP, or a unix domain socket. */
record Transport(InputStream in, OutputStream out, Closeable closer, String description) implements Closeable {

    static Transport open(Remote remote, TlsFiles tls, Duration timeout) throws IOException {
        switch (remote.transport()) {
            case UNIX -> {
                SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    channel.connect(UnixDomainSocketAddress.of(remote.path()));
                } catch (IOException e) {
                    channel.close();
                    throw e;
                }
                return new Transport(Channels.newInputStream(channel), Channels.newOutputStream(channel), channel,
                        remote.toString());
            }
            case TCP -> {
                Socket socket = new Socket();
                try {
                    socket.setTcpNoDelay(true);
                    socket.connect(new InetSocketAddress(remote.host(), remote.port()), (int) timeout.toMillis());
                } catch (IOException e) {
                    socket.close();
                    throw e;
                }
                return new Transport(socket.getInputStream(), socket.getOutputStream(), socket, remote.toString());
            }
            case SSL -> {
                if (tls == null) {
                    throw new IOException(remote + ": an ssl: remote needs a private key, certificate and CA certificate");
                }
                Socket plain = new Socket();
                try {
                    plain.setTcpNoDelay(true);
                    plain.connect(new InetSocketAddress(remote.host(), remote.port()), (int) timeout.toMillis());
                    SSLSocket socket = (SSLSocket) Tls.context(tls).getSocketFactory()
                            .createSocket(plain, remote.host(), remote.port(), true);
                    socket.setSoTimeout((int) timeout.toMillis());
                    socket.startHandshake();
                    socket.setSoTimeout(0);
                    return new Transport(socket.getInputStream(), socket.getOutputStream(), socket, remote.toString());
                } catch (IOException e) {
                    plain.close();
                    throw e;
                }
            }
            default -> throw new IOException("unsupported transport " + remote.transport());
        }
    }

    @Override
    public void close() throws IOException {
        closer.close();
    }
}
