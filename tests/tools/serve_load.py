#!/usr/bin/env python3
"""Load on folio serve, on loopback only, bounded in count and time.

    serve_load.py PORT [--trickle N] [--streams N] [--seconds S]

Opens N connections that send a request head one header line every two
seconds (never finishing it) and N event streams, then, for S seconds,
asks for the home page every half second and checks that:

  - every page request answers 200 within one second;
  - every event stream got its 200 and stays open;
  - a trickling connection is dropped by the server within the head time
    limit (10 s) plus a little, however slowly it trickles.

Prints one line per check and ends with "N passed, N failed".
"""
import argparse
import selectors
import socket
import sys
import time

from raw_http import HOST, status_of
HEAD_LIMIT = 10.0       # folio serve's limit for a whole request head
SLACK = 3.0             # the server checks once a second; the machine is busy

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)


def page(port):
    """GET / on a fresh connection: (status, seconds)."""
    start = time.monotonic()
    try:
        s = socket.create_connection((HOST, port), timeout=5)
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        code = status_of(s, 5)
        s.close()
    except OSError as e:
        code = "error " + str(e)
    return code, time.monotonic() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--trickle", type=int, default=500)
    ap.add_argument("--streams", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=14.0)
    a = ap.parse_args()
    # Bounded whatever is asked.
    a.trickle = max(0, min(a.trickle, 2000))
    a.streams = max(0, min(a.streams, 1000))
    a.seconds = max(HEAD_LIMIT + SLACK + 1, min(a.seconds, 600.0))

    sel = selectors.DefaultSelector()
    tricklers = {}
    for i in range(a.trickle):
        s = socket.create_connection((HOST, a.port), timeout=5)
        s.setblocking(False)
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        tricklers[s] = {"opened": time.monotonic(), "closed": None, "lines": 0}
        sel.register(s, selectors.EVENT_READ)
    streams = []
    codes = []
    for i in range(a.streams):
        s = socket.create_connection((HOST, a.port), timeout=5)
        s.sendall(b"GET /_folio/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        codes.append(status_of(s, 5))
        streams.append(s)
    check(codes.count("200") == a.streams,
          "%d event streams open (got %d of them with 200)" % (a.streams, codes.count("200")))

    worst = 0.0
    bad = []
    start = time.monotonic()
    next_line = start + 2
    while time.monotonic() - start < a.seconds:
        code, took = page(a.port)
        worst = max(worst, took)
        if code != "200" or took > 1.0:
            bad.append("%s in %.2f s" % (code, took))
        now = time.monotonic()
        if now >= next_line:
            next_line = now + 2
            for s, t in tricklers.items():
                if t["closed"] is None:
                    try:
                        s.send(b"X-Slow-%d: x\r\n" % t["lines"])
                        t["lines"] += 1
                    except OSError:
                        t["closed"] = now
        for key, _ in sel.select(timeout=0.5):
            t = tricklers[key.fileobj]
            try:
                data = key.fileobj.recv(4096)
            except OSError:
                data = b""
            if not data and t["closed"] is None:
                t["closed"] = time.monotonic()
                sel.unregister(key.fileobj)
    check(not bad, "every page answered 200 within 1 s (worst %.2f s%s)"
          % (worst, "; " + ", ".join(bad[:5]) if bad else ""))
    lived = [t["closed"] - t["opened"] for t in tricklers.values() if t["closed"] is not None]
    still = sum(1 for t in tricklers.values() if t["closed"] is None)
    check(still == 0, "every trickling connection was dropped (%d still open)" % still)
    check(not lived or max(lived) <= HEAD_LIMIT + SLACK,
          "trickling connections dropped within %.0f s (longest %.1f s)"
          % (HEAD_LIMIT + SLACK, max(lived) if lived else 0))
    check(not lived or min(lived) >= HEAD_LIMIT - 1,
          "... and not before the head time limit (shortest %.1f s)" % (min(lived) if lived else 0))
    alive = 0
    for s in streams:
        s.setblocking(False)
        try:
            alive += s.recv(4096) != b""
        except BlockingIOError:
            alive += 1
        except OSError:
            pass
    check(alive == a.streams, "event streams still open at the end (%d of %d)" % (alive, a.streams))
    code, took = page(a.port)
    check(code == "200" and took <= 1.0, "a page after the load (%s in %.2f s)" % (code, took))
    for s in list(tricklers) + streams:
        s.close()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
