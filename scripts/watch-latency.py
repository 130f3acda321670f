#!/usr/bin/env python3
"""How long `fettle watch` takes from a file landing in a watched folder to its import line.

Usage: scripts/watch-latency.py [FETTLE_BINARY] [CORPUS_FIT_FOLDER]
(defaults: target/release/fettle, testdata/corpus/fit). Starts `fettle --json watch` on a fresh
temporary folder and database, copies five corpus FIT files in one at a time, and prints the
seconds from each copy to its `imported` event (the monotonic clock), then stops the watcher with
SIGINT and prints its exit status. Expect about debounce (0.5 s) + settle (1 s).
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/fettle"
corpus = sys.argv[2] if len(sys.argv) > 2 else "testdata/corpus/fit"
files = [
    "garmin-fenix-5-run.fit",
    "2013-02-06-12-11-14.fit",
    "activity-small-fenix2-run.fit",
    "compressed-speed-distance.fit",
    "garmin-fenix-5-walk.fit",
]
work = tempfile.mkdtemp()
inbox = os.path.join(work, "in")
os.mkdir(inbox)
watcher = subprocess.Popen(
    [binary, "--db", os.path.join(work, "fettle.sqlite"), "--json", "watch", inbox, "--no-devices"],
    stdout=subprocess.PIPE,
    text=True,
)


def wait_for(kind):
    for line in watcher.stdout:
        event = json.loads(line)
        if event["event"] == kind:
            return event
    sys.exit(f"the watcher ended before a {kind} event")


wait_for("scanned")
for name in files:
    start = time.monotonic()
    shutil.copy(os.path.join(corpus, name), os.path.join(inbox, name))
    event = wait_for("imported")
    print(f"{name}: {time.monotonic() - start:.2f} s to imported (activities {event['activity_ids']})")
watcher.send_signal(signal.SIGINT)
print("exit status", watcher.wait())
shutil.rmtree(work)
