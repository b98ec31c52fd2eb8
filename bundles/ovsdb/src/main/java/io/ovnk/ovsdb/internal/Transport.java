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
import javax.net.ssl.SSLException;
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
                    try {
                        socket.startHandshake();
                    } catch (SSLException | java.net.SocketTimeoutException sayable) {
                        throw sayable;
                    } catch (IOException closed) {
                        throw new SSLException(TlsFailure.CLOSED + "during the TLS handshake (" + closed.getMessage()
                                + ")", closed);
                    }
                    echo(socket);
                    socket.setSoTimeout(0);
                    return new Transport(new TlsInput(socket.getInputStream(), tls), socket.getOutputStream(), socket,
                            remote.toString());
                } catch (SSLException e) {
                    plain.close();
                    throw new SSLException(TlsFailure.describe(e, tls), e);
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

    private static final byte[] ECHO = "{\"id\":\"ovnk-tls-check\",\"method\":\"echo\",\"params\":[]}"
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int MAX_ECHO_REPLY = 4096;

    /**
     * One echo round trip before the connection is handed over. With TLS 1.3 the client finishes its handshake before
     * the server has judged the client's certificate: a refusal (unknown CA, expired) arrives only as an alert on the
     * next read, or as a broken pipe on the next write. Asking here turns it into a failure to connect with its reason,
     * once per attempt and within the connect timeout, instead of a connection that drops during its set-up.
     */
    private static void echo(SSLSocket socket) throws IOException {
        try {
            exchangeEcho(socket);
        } catch (SSLException | java.net.SocketTimeoutException sayable) {
            throw sayable; // an alert TlsFailure names, or a server that does not answer: not a refusal
        } catch (IOException closed) {
            // reset or broken pipe, however JSSE met it (reading, or writing its own alert back)
            throw new SSLException(TlsFailure.CLOSED + "right after the TLS handshake (" + closed.getMessage() + ")",
                    closed);
        }
    }

    private static void exchangeEcho(SSLSocket socket) throws IOException {
        InputStream in = socket.getInputStream();
        try {
            socket.getOutputStream().write(ECHO);
            socket.getOutputStream().flush();
        } catch (SSLException refused) {
            throw refused;
        } catch (IOException brokenPipe) {
            // the server closed first: its alert may be waiting to be read, unless its reset discarded it
            try {
                in.read();
            } catch (SSLException alert) {
                throw alert;
            } catch (IOException reset) {
                // no alert to read: say what is known
            }
            throw brokenPipe;
        }
        // the reply is one JSON object: read up to its closing brace (strings may hold braces)
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        for (int read = 0; read < MAX_ECHO_REPLY; read++) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("end of stream");
            }
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return;
            }
        }
        throw new SSLException("the answer to echo is longer than " + MAX_ECHO_REPLY + " bytes");
    }

    /**
     * The TLS stream, with failures said as {@link TlsFailure} says them: with TLS 1.3 the server judges the client's
     * certificate after the client has finished its handshake, so its refusal arrives with the first read.
     */
    private static final class TlsInput extends java.io.FilterInputStream {
        private final TlsFiles tls;

        TlsInput(InputStream in, TlsFiles tls) {
            super(in);
            this.tls = tls;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (SSLException e) {
                throw new SSLException(TlsFailure.describe(e, tls), e);
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            try {
                return super.read(buffer, offset, length);
            } catch (SSLException e) {
                throw new SSLException(TlsFailure.describe(e, tls), e);
            }
        }
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
