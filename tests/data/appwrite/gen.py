#!/usr/bin/env python3
"""Deterministic Appwrite Realtime test data for benchmarks and tests.

Usage: gen.py OUTDIR   (the benchmarks run it into build/bench/...; E1.json and SUB.json beside this
file are its output, committed so that the tests and benchmarks read them directly)

Writes into OUTDIR:
  E1.json            one realistic Appwrite Realtime `event` message (~2.9 KB), compact JSON
                     encoded the way PHP json_encode does by default (\\uXXXX for non-ASCII, "\\/")
  E2.json            one ~1 MiB document event (long arrays of objects; strings with escapes,
                     raw UTF-8 and \\u escapes including surrogate pairs; a 64-bit integer)
  SUB.json           a client->server `subscribe` message for one collection (140 B)
  frames_e1.bin      server->client WebSocket stream: unmasked FIN text frames, each carrying E1,
                     back to back, >= 100 MB in all
  frames_bin64k.bin  server->client stream of unmasked FIN binary frames, 65536-byte payloads, >= 100 MB
  MANIFEST.txt       sizes, frame counts and sha256 of every file (same on every run)

No randomness from the platform: a fixed xorshift64 generator drives every choice.
"""
import hashlib
import json
import os
import struct
import sys

if len(sys.argv) != 2:
    sys.exit("usage: gen.py OUTDIR   (AWR_STREAM_BYTES=N sets the size of the two frame streams)")
OUT = sys.argv[1]
STREAM_BYTES = int(os.environ.get("AWR_STREAM_BYTES", 100_000_000))
SUB_ID = "6a1b2c3d4e5f60718293"  # 20 chars, same length as the SDK's ID.unique()


class XorShift64:
    def __init__(self, seed):
        self.s = seed & 0xFFFFFFFFFFFFFFFF or 1

    def next(self):
        x = self.s
        x ^= (x << 13) & 0xFFFFFFFFFFFFFFFF
        x ^= x >> 7
        x ^= (x << 17) & 0xFFFFFFFFFFFFFFFF
        self.s = x
        return x

    def below(self, n):
        return self.next() % n

    def pick(self, seq):
        return seq[self.below(len(seq))]


# ---------------------------------------------------------------- events (Appwrite Event::generateEvents)
def generate_events(pattern, params):
    """Shape patterns most specific first, then wildcard permutations, then DB mirroring.

    pattern: e.g. 'databases.[databaseId].collections.[collectionId].documents.[documentId].update'
    """
    parts = pattern.split(".")
    # shapes: full (with action), full without action, then shorter resource prefixes
    shapes = [parts]
    # strip action (last segment is not a placeholder)
    if not parts[-1].startswith("["):
        shapes.append(parts[:-1])
        core = parts[:-1]
    else:
        core = parts
    # prefixes type.[id].subType.[subId] and type.[id]
    n = len(core)
    for cut in range(n - 2, 1, -2):
        shapes.append(core[:cut])
    names = []
    for shape in shapes:
        ph = [i for i, p in enumerate(shape) if p.startswith("[")]
        k = len(ph)
        combos = [()]  # indices replaced by '*'
        combos.append(tuple(ph))  # all '*'
        for i in ph:  # exactly one '*'
            combos.append((i,))
        if k == 3:  # two '*'
            combos += [(ph[0], ph[1]), (ph[0], ph[2]), (ph[1], ph[2])]
        for stars in combos:
            segs = []
            for i, p in enumerate(shape):
                if p.startswith("["):
                    segs.append("*" if i in stars else params[p[1:-1]])
                else:
                    segs.append(p)
            name = ".".join(segs)
            if name not in names:
                names.append(name)
    # DB mirroring: each name followed by its tables/rows twin
    out = []
    for nm in names:
        for v in (nm, nm.replace(".collections.", ".tables.").replace(".documents", ".rows")):
            if v not in out:
                out.append(v)
    return out


EVENTS = generate_events(
    "databases.[databaseId].collections.[collectionId].documents.[documentId].update",
    {"databaseId": "db1", "collectionId": "col1", "documentId": "doc1"},
)
assert len(EVENTS) == 42, len(EVENTS)

BASE_CH = [
    "documents",
    "databases.db1.collections.col1.documents",
    "databases.db1.collections.col1.documents.doc1",
    "rows",
    "databases.db1.tables.col1.rows",
    "databases.db1.tables.col1.rows.doc1",
    "tablesdb.db1.tables.col1.rows",
    "tablesdb.db1.tables.col1.rows.doc1",
]
CHANNELS = BASE_CH + [c + ".update" for c in BASE_CH]
assert len(CHANNELS) == 16


# ---------------------------------------------------------------- JSON encoders
def php_json(obj):
    """PHP json_encode() defaults: compact, \\uXXXX for non-ASCII, '/' escaped as '\\/'."""
    s = json.dumps(obj, separators=(",", ":"), ensure_ascii=True)
    return s.replace("/", "\\/")  # '/' can only occur inside strings in JSON text


def mixed_json(obj, rng):
    """Compact JSON where each string is, by a deterministic choice, either raw UTF-8 or
    \\u-escaped (ensure_ascii), so a parser meets both forms."""
    if isinstance(obj, dict):
        return "{" + ",".join(mixed_json(k, rng) + ":" + mixed_json(v, rng) for k, v in obj.items()) + "}"
    if isinstance(obj, list):
        return "[" + ",".join(mixed_json(v, rng) for v in obj) + "]"
    if isinstance(obj, str):
        r = rng.below(4)
        s = json.dumps(obj, ensure_ascii=(r == 0))
        return s.replace("/", "\\/") if r == 1 else s
    return json.dumps(obj, separators=(",", ":"))


# ---------------------------------------------------------------- E1
def e1_payload():
    return {
        "$id": "doc1",
        "$sequence": 18234,
        "$collectionId": "col1",
        "$databaseId": "db1",
        "$createdAt": "2026-08-21T12:30:01.123+00:00",
        "$updatedAt": "2026-08-21T12:34:56.789+00:00",
        "$permissions": [
            'read("any")',
            'update("user:6a1b2c3d4e5f60718293")',
            'delete("user:6a1b2c3d4e5f60718293")',
            'read("team:5f4e3d2c1b0a99887766/owner")',
        ],
        "title": 'Quarterly report \u2013 draft "v2"',
        "status": "open",
        "priority": 3,
        "price": 1299.95,
        "quantity": 42,
        "ratio": -0.125,
        "done": False,
        "archived": True,
        "assignee": "6a1b2c3d4e5f60718293",
        "tags": ["finance", "q3", "urgent", "review"],
        "scores": [98.5, 87.25, 91.0, 76.75],
        "dueDate": "2026-09-30T00:00:00.000+00:00",
        "notes": "Line one\nLine two\tTabbed \\ backslash \u2014 caf\u00e9 \u2713",
        "parent": None,
        "counter": 9007199254740993,
        "location": {"lat": 52.520008, "lng": 13.404954},
    }


def event(payload, sub_id=SUB_ID):
    return {
        "type": "event",
        "data": {
            "events": EVENTS,
            "channels": CHANNELS,
            "timestamp": "2026-08-21T12:34:56.789+00:00",
            "payload": payload,
            "subscriptions": [sub_id],
        },
    }


# ---------------------------------------------------------------- E2 (~1 MiB)
WORDS = ["alpha", "beta", "gamma", "delta", "omega", "report", "draft", "stock", "order", "queue",
         "caf\u00e9", "na\u00efve", "\u00fcber", "\u65e5\u672c\u8a9e", "\u0437\u0430\u043a\u0430\u0437",
         "\u03b1\u03b2\u03b3", "\U0001F600", "\U0001F680", "\u2713", "\u20ac"]
SPECIAL = ['"quoted"', "back\\slash", "tab\there", "new\nline", "path/to/x", "ctl\u0001\u001f", "cr\r\n"]


def e2_payload(rng, target):
    p = {
        "$id": "doc2",
        "$sequence": 99182734,
        "$collectionId": "col1",
        "$databaseId": "db1",
        "$createdAt": "2026-08-21T12:30:01.123+00:00",
        "$updatedAt": "2026-08-21T12:34:56.789+00:00",
        "$permissions": ['read("any")', 'update("user:6a1b2c3d4e5f60718293")'],
        "bigCounter": 9223372036854775807,
        "items": [],
    }
    items = p["items"]
    approx = 0
    i = 0
    while approx < target:
        words = [rng.pick(WORDS) for _ in range(3 + rng.below(6))]
        if rng.below(3) == 0:
            words.insert(rng.below(len(words) + 1), rng.pick(SPECIAL))
        item = {
            "id": "item%06d" % i,
            "sku": "SKU-%08X" % (rng.next() & 0xFFFFFFFF),
            "name": " ".join(words),
            "qty": rng.below(1000),
            "price": rng.below(10_000_000) / 100.0,
            "discount": -(rng.below(500) / 1000.0),
            "active": rng.below(2) == 1,
            "ref": None if rng.below(5) == 0 else "ref-%d" % rng.below(100000),
            "tags": [rng.pick(WORDS) for _ in range(rng.below(5))],
            "dims": {"w": rng.below(2000) / 10.0, "h": rng.below(2000) / 10.0, "unit": "cm"},
            "history": [{"t": 1755779696 + rng.below(100000), "v": rng.below(1 << 40)} for _ in range(rng.below(4))],
        }
        items.append(item)
        approx += len(json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode()) + 1
        i += 1
    return p


# ---------------------------------------------------------------- WebSocket framing (RFC 6455, server->client: no mask)
def ws_frame(opcode, payload, fin=True):
    b0 = (0x80 if fin else 0) | opcode
    n = len(payload)
    if n < 126:
        hdr = struct.pack("!BB", b0, n)
    elif n < 65536:
        hdr = struct.pack("!BBH", b0, 126, n)
    else:
        hdr = struct.pack("!BBQ", b0, 127, n)
    return hdr + payload


def write(path, data, manifest, extra=""):
    with open(path, "wb") as f:
        f.write(data)
    manifest.append("%-18s %11d bytes  sha256=%s%s" % (os.path.basename(path), len(data), hashlib.sha256(data).hexdigest(), extra))


def main():
    os.makedirs(OUT, exist_ok=True)
    manifest = []
    e1 = php_json(event(e1_payload())).encode()
    write(os.path.join(OUT, "E1.json"), e1, manifest)

    rng = XorShift64(0x9E3779B97F4A7C15)
    body = e2_payload(rng, 1024 * 1024 - 28000)
    e2 = mixed_json(event(body), rng).encode()
    json.loads(e2)  # valid
    write(os.path.join(OUT, "E2.json"), e2, manifest)

    sub = json.dumps({"type": "subscribe", "data": [{"subscriptionId": SUB_ID, "channels": ["databases.db1.collections.col1.documents"], "queries": []}]}, separators=(",", ":")).encode()
    write(os.path.join(OUT, "SUB.json"), sub, manifest)

    f1 = ws_frame(0x1, e1)
    n1 = -(-STREAM_BYTES // len(f1))
    write(os.path.join(OUT, "frames_e1.bin"), f1 * n1, manifest, "  frames=%d frame_len=%d" % (n1, len(f1)))

    prng = XorShift64(12345)
    blk = b"".join(struct.pack("<Q", prng.next()) for _ in range(65536 // 8))
    f2 = ws_frame(0x2, blk)
    n2 = -(-STREAM_BYTES // len(f2))
    write(os.path.join(OUT, "frames_bin64k.bin"), f2 * n2, manifest, "  frames=%d frame_len=%d" % (n2, len(f2)))

    with open(os.path.join(OUT, "MANIFEST.txt"), "w") as f:
        f.write("\n".join(manifest) + "\n")
    print("\n".join(manifest))


if __name__ == "__main__":
    main()
