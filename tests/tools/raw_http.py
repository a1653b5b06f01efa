#!/usr/bin/env python3
"""Raw HTTP requests to folio serve on loopback, for what curl would
normalise (tests/cli/serve.sh), and the status reader serve_load.py uses.

    raw_http.py PORT            lines WANT|HOST|PATH on standard input: sends
                                GET PATH with Host HOST (HTTP/1.0 without a
                                Host when HOST is "-"), prints GOT|WANT|HOST|PATH
    raw_http.py PORT send       sends standard input as it is, prints the status
    raw_http.py PORT streams N  opens N event streams at once, prints the
                                status of each
"""
import socket
import sys

HOST = "127.0.0.1"      # loopback only, whatever the arguments


def status_of(sock, timeout):
    """The status code of the response on SOCK ("none" without one)."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    parts = data.split(b" ")
    return parts[1].decode() if len(parts) > 1 else "none"


def request(port, raw):
    s = socket.create_connection((HOST, port))
    code = status_of_sent(s, raw)
    s.close()
    return code


def status_of_sent(sock, raw):
    sock.sendall(raw)
    return status_of(sock, 10)


def main():
    port = int(sys.argv[1])
    if len(sys.argv) > 3 and sys.argv[2] == "streams":
        socks, codes = [], []
        for i in range(int(sys.argv[3])):
            s = socket.create_connection((HOST, port))
            codes.append(status_of_sent(s, b"GET /_folio/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
            socks.append(s)
        print(" ".join(codes))
    elif len(sys.argv) > 2 and sys.argv[2] == "send":
        print(request(port, sys.stdin.buffer.read()))
    else:
        for line in sys.stdin.read().splitlines():
            want, host, path = line.split("|", 2)
            if host == "-":
                raw = "GET %s HTTP/1.0\r\n\r\n" % path
            else:
                raw = "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % (path, host)
            print("%s|%s|%s|%s" % (request(port, raw.encode("latin-1")), want, host, path))


if __name__ == "__main__":
    main()
