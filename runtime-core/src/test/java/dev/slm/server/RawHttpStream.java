package dev.slm.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 client on a bare socket, for what a library hides: each chunk of a chunked answer as
 * it arrives (to see that every event is flushed on its own), and hanging up mid-answer.
 */
final class RawHttpStream implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    final int status;
    final Map<String, String> headers = new HashMap<>();

    private RawHttpStream(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        String statusLine = line();
        this.status = Integer.parseInt(statusLine.split(" ")[1]);
        String h;
        while (!(h = line()).isEmpty()) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).strip().toLowerCase(Locale.ROOT), h.substring(colon + 1).strip());
        }
    }

    static RawHttpStream post(URI base, String path, String body) throws IOException {
        Socket socket = new Socket(base.getHost(), base.getPort());
        socket.setSoTimeout(60_000);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: " + base.getHost() + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
        return new RawHttpStream(socket);
    }

    /** The next chunk's text, or null after the last one. */
    String nextChunk() throws IOException {
        String size = line();
        int n = Integer.parseInt(size.split(";")[0].strip(), 16);
        if (n == 0) {
            return null;
        }
        byte[] data = in.readNBytes(n);
        line(); // CRLF after the chunk
        return new String(data, StandardCharsets.UTF_8);
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        if (c == -1 && b.size() == 0) {
            throw new IOException("connection closed");
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
