package dev.slm.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** One request written byte for byte (any Host, any path, any header), its answer read to the end. */
final class RawHttp {
    record Answer(int status, String head, String body) {
    }

    private RawHttp() {
    }

    /** Sends {@code head} (request line and headers, without the blank line) and {@code body}, with Connection: close. */
    static Answer send(URI base, String head, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String request = head + "\r\nContent-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n";
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int end = all.indexOf("\r\n\r\n");
            if (end < 0) {
                throw new IOException("no answer head in: " + all);
            }
            return new Answer(Integer.parseInt(all.split(" ", 3)[1]), all.substring(0, end), all.substring(end + 4));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
