#!/usr/bin/env python3
"""Slow-client check for `fettle serve`: opens N connections that send a request line and then
one header line a second (never finishing their headers, like a "slowloris" attack), then times
one normal request, and counts how many slow connections the server still holds 12 s later.

    (ulimit -n 256; fettle --db /tmp/s.sqlite serve --addr 127.0.0.1:18080) &
    scripts/slowloris.py 127.0.0.1 18080 300

Prints one line: connections opened, the normal request's status and time, slow ones left.
"""
import socket
import sys
import threading
import time
import urllib.request

host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
socks, refused = [], 0
for _ in range(n):
    try:
        s = socket.create_connection((host, port), timeout=5)
        s.sendall(b"GET /api/v1/status HTTP/1.1\r\nHost: x\r\n")
        socks.append(s)
    except OSError:
        refused += 1
stop = False


def trickle():
    i = 0
    while not stop:
        for s in list(socks):
            try:
                s.sendall(b"X-%d: a\r\n" % i)
            except OSError:
                socks.remove(s)
        i += 1
        time.sleep(1)


threading.Thread(target=trickle, daemon=True).start()
time.sleep(2)
t0 = time.time()
try:
    with urllib.request.urlopen(f"http://{host}:{port}/api/v1/status", timeout=60) as r:
        status = r.status
except Exception as e:  # noqa: BLE001 - the failure is the measurement
    status = repr(e)
elapsed = time.time() - t0
time.sleep(12)
print(
    f"opened={n - refused} normal_request={status} in {elapsed:.2f}s; "
    f"slow connections still open 14 s after opening: {len(socks)}"
)
stop = True
