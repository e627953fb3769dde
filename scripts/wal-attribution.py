#!/usr/bin/env python3
"""Which tables and indexes SQLite's write-ahead log is writing: counts the WAL's frames by the b-tree of their page.

Usage: scripts/wal-attribution.py <database> [<wal copy>]

Copy the WAL while a load runs (a `KEEP_DATA=1 scripts/hook-load.sh ...` data directory), since the server truncates it
on a clean stop; the database itself is read after the run. Frames of checkpointed cycles that the log has not yet
overwritten count too, which makes it a sample of recent writes rather than an exact window. Needs SQLite's dbstat
virtual table (Debian's python3 has it).
"""
import collections
import sqlite3
import struct
import sys

if len(sys.argv) not in (2, 3):
    sys.exit(__doc__)
database = sys.argv[1]
wal = sys.argv[2] if len(sys.argv) == 3 else database + "-wal"

owner = {}
with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
    for name, page in connection.execute("SELECT name, pageno FROM dbstat"):
        owner[page] = name

with open(wal, "rb") as f:
    data = f.read()
if len(data) < 32:
    sys.exit(f"{wal} holds no frames")
page_size = struct.unpack(">I", data[8:12])[0]
frames = collections.Counter()
for offset in range(32, len(data) - 24 - page_size + 1, 24 + page_size):
    page = struct.unpack(">I", data[offset:offset + 4])[0]
    frames[owner.get(page, "(page freed or added since)")] += 1

total = sum(frames.values())
print(f"{total} frames of {page_size} bytes")
for name, count in frames.most_common(20):
    print(f"{100 * count / total:5.1f} %  {count:8d}  {name}")
