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
import java.nio.ByteBuffer;
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
                // not Channels.newInputStream/newOutputStream: both take the channel's blocking lock, so a
                // reader waiting for data would block every write
                return new Transport(new ChannelIn(channel), new ChannelOut(channel), channel, remote.toString());
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

    /** Reads straight from the channel; one reader thread at a time. */
    private static final class ChannelIn extends InputStream {
        private final SocketChannel channel;

        ChannelIn(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            return channel.read(ByteBuffer.wrap(buffer, offset, length));
        }
    }

    /** Writes straight to the channel, all of it; callers serialise writes. */
    private static final class ChannelOut extends OutputStream {
        private final SocketChannel channel;

        ChannelOut(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] { (byte) b }, 0, 1);
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            ByteBuffer bytes = ByteBuffer.wrap(buffer, offset, length);
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }
    }
}
