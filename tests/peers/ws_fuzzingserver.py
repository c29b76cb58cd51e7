#!/usr/bin/python3
"""An Autobahn-TestSuite-style conformance run for a WebSocket echo client.

This is the project's own re-implementation of the ideas of the Autobahn TestSuite's fuzzing server
case groups 1 (framing), 2 (pings/pongs), 3 (reserved bits), 4 (opcodes), 5 (fragmentation),
6 (UTF-8), 7 (close handling), 9 (limits, up to 16 MiB) and 10 (misc); it is not the Autobahn
TestSuite itself. For every case it starts the client under test
(`CLIENT ws://127.0.0.1:PORT/case/ID`), plays the case's frames on the raw socket (unmasked,
optionally chopped into small writes), reads the client's frames, and judges:
  - echo cases: the client must send back exactly the expected frames (masked, FIN, no RSV bits),
    answer our close 1000 with a close 1000, and exit 0;
  - fail cases: the client must fail the connection: a close frame with one of the allowed codes (or a
    TCP close) and nothing after the violation, and exit non-zero.
Output: one line "CASE <id> PASS" or "CASE <id> FAIL <why>" per case, then "DONE <n>".

usage: /usr/bin/python3 tests/peers/ws_fuzzingserver.py --client build/awr-ws-echo [--cases 1.,2.1.1] [--jobs N]
(--jobs: cases played at a time, 4 by default)
"""
import asyncio
import base64
import hashlib
import os
import random
import struct
import sys

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, BINARY, CLOSE, PING, PONG, CONT = 1, 2, 8, 9, 10, 0


def frame(op, payload=b"", fin=True, rsv=0, length=None):
    if isinstance(payload, str):
        payload = payload.encode()
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | (rsv << 4) | op
    if n < 126:
        head = bytes([b0, n])
    elif n < 65536:
        head = bytes([b0, 126]) + struct.pack(">H", n)
    else:
        head = bytes([b0, 127]) + struct.pack(">Q", n)
    return head + payload


def close_frame(code=None, reason=b""):
    if code is None:
        return frame(CLOSE)
    return frame(CLOSE, struct.pack(">H", code) + reason)


class Send:
    """Write bytes, optionally in pieces of `chop` bytes with a pause between them."""
    def __init__(self, data, chop=None, pause=0.0):
        self.data, self.chop, self.pause = data, chop, pause


class Sleep:
    def __init__(self, s):
        self.s = s


class Case:
    def __init__(self, cid, steps, expect, fail=None, fail_fast=False):
        self.id, self.steps, self.expect, self.fail, self.fail_fast = cid, steps, expect, fail, fail_fast


CASES = []


def echo_case(cid, steps, expect):
    CASES.append(Case(cid, steps, expect))


def fail_case(cid, steps, expect=(), codes=(1002,), fail_fast=False):
    CASES.append(Case(cid, steps, list(expect), fail=set(codes), fail_fast=fail_fast))


def S(*frames, chop=None, pause=0.0):
    return Send(b"".join(frames), chop, pause)


rng = random.Random(6455)


def rand_bytes(n):
    return bytes(rng.getrandbits(8) for _ in range(n)) if n < 4096 else os.urandom(n)


def text_of(n):
    return (b"*" * n)


# ---- 1: framing
for i, n in enumerate([0, 125, 126, 127, 128, 65535, 65536], 1):
    echo_case("1.1.%d" % i, [S(frame(TEXT, text_of(n)))], [(TEXT, text_of(n))])
echo_case("1.1.8", [S(frame(TEXT, text_of(65536)), chop=997, pause=0.0005)], [(TEXT, text_of(65536))])
for i, n in enumerate([0, 125, 126, 127, 128, 65535, 65536], 1):
    echo_case("1.2.%d" % i, [S(frame(BINARY, b"\xfe" * n))], [(BINARY, b"\xfe" * n)])
echo_case("1.2.8", [S(frame(BINARY, b"\xfe" * 65536), chop=997, pause=0.0005)], [(BINARY, b"\xfe" * 65536)])

# ---- 2: pings and pongs
echo_case("2.1", [S(frame(PING))], [(PONG, b"")])
echo_case("2.2", [S(frame(PING, b"Hello, world!"))], [(PONG, b"Hello, world!")])
echo_case("2.3", [S(frame(PING, b"\x00\xff\xfe\xfd\xfc\xfb\x00\xff"))], [(PONG, b"\x00\xff\xfe\xfd\xfc\xfb\x00\xff")])
echo_case("2.4", [S(frame(PING, b"\xfe" * 125))], [(PONG, b"\xfe" * 125)])
fail_case("2.5", [S(frame(PING, b"\xfe" * 126))])
echo_case("2.6", [S(frame(PING, b"\xfe" * 125), chop=1, pause=0.001)], [(PONG, b"\xfe" * 125)])
echo_case("2.7", [S(frame(PONG))], [])
echo_case("2.8", [S(frame(PONG, b"unsolicited pong payload"))], [])
echo_case("2.9", [S(frame(PONG, b"unsolicited pong payload")), S(frame(PING, b"ping payload"))], [(PONG, b"ping payload")])
echo_case("2.10", [S(*[frame(PING, b"payload-%d" % i) for i in range(10)])], [(PONG, b"payload-%d" % i) for i in range(10)])
echo_case("2.11", [S(*[frame(PING, b"payload-%d" % i) for i in range(10)], chop=1, pause=0.0005)],
          [(PONG, b"payload-%d" % i) for i in range(10)])

# ---- 3: reserved bits
fail_case("3.1", [S(frame(TEXT, b"Hello, world!", rsv=4))])
fail_case("3.2", [S(frame(TEXT, b"Hello, world!")), S(frame(TEXT, b"Hello, world!", rsv=2)), S(frame(PING))],
          expect=[(TEXT, b"Hello, world!")])
fail_case("3.3", [S(frame(TEXT, b"Hello, world!"), frame(TEXT, b"Hello, world!", rsv=1), frame(PING))],
          expect=[(TEXT, b"Hello, world!")])
fail_case("3.4", [S(frame(TEXT, b"Hello, world!"), frame(TEXT, b"Hello, world!", rsv=6), frame(PING), chop=1, pause=0.001)],
          expect=[(TEXT, b"Hello, world!")])
fail_case("3.5", [S(frame(BINARY, b"\x00\xff\xfe\xfd\xfc\xfb\x00\xff", rsv=5))])
fail_case("3.6", [S(frame(PING, b"Hello, world!", rsv=3))])
fail_case("3.7", [S(frame(CLOSE, b"", rsv=7))])

# ---- 4: opcodes
for i, op in enumerate([3, 4, 5, 6, 7], 1):
    pl = b"" if i == 1 else b"reserved opcode payload"
    pre = [] if i < 3 else [S(frame(TEXT, b"Hello, world!"))]
    exp = [] if i < 3 else [(TEXT, b"Hello, world!")]
    fail_case("4.1.%d" % i, pre + [S(frame(op, pl)), S(frame(PING))], expect=exp)
for i, op in enumerate([11, 12, 13, 14, 15], 1):
    pl = b"" if i == 1 else b"reserved opcode payload"
    pre = [] if i < 3 else [S(frame(TEXT, b"Hello, world!"))]
    exp = [] if i < 3 else [(TEXT, b"Hello, world!")]
    fail_case("4.2.%d" % i, pre + [S(frame(op, pl)), S(frame(PING))], expect=exp)

# ---- 5: fragmentation
fail_case("5.1", [S(frame(PING, b"fragment1", fin=False), frame(CONT, b"fragment2"))])
fail_case("5.2", [S(frame(PONG, b"fragment1", fin=False), frame(CONT, b"fragment2"))])
echo_case("5.3", [S(frame(TEXT, b"fragment1", fin=False), frame(CONT, b"fragment2"))], [(TEXT, b"fragment1fragment2")])
echo_case("5.4", [S(frame(TEXT, b"fragment1", fin=False)), Sleep(0.1), S(frame(CONT, b"fragment2"))], [(TEXT, b"fragment1fragment2")])
echo_case("5.5", [S(frame(TEXT, b"fragment1", fin=False), frame(CONT, b"fragment2"), chop=1, pause=0.001)], [(TEXT, b"fragment1fragment2")])
echo_case("5.6", [S(frame(TEXT, b"fragment1", fin=False), frame(PING, b"ping payload"), frame(CONT, b"fragment2"))],
          [(PONG, b"ping payload"), (TEXT, b"fragment1fragment2")])
echo_case("5.7", [S(frame(TEXT, b"fragment1", fin=False)), Sleep(0.1), S(frame(PING, b"ping payload")), Sleep(0.1), S(frame(CONT, b"fragment2"))],
          [(PONG, b"ping payload"), (TEXT, b"fragment1fragment2")])
echo_case("5.8", [S(frame(TEXT, b"fragment1", fin=False), frame(PING, b"ping payload"), frame(CONT, b"fragment2"), chop=1, pause=0.001)],
          [(PONG, b"ping payload"), (TEXT, b"fragment1fragment2")])
fail_case("5.9", [S(frame(CONT, b"non-continuation payload", fin=True), frame(TEXT, b"Hello, world!"))])
fail_case("5.10", [S(frame(CONT, b"non-continuation payload", fin=True)), Sleep(0.1), S(frame(TEXT, b"Hello, world!"))])
fail_case("5.11", [S(frame(CONT, b"non-continuation payload", fin=True), frame(TEXT, b"Hello, world!"), chop=1, pause=0.001)])
fail_case("5.12", [S(frame(CONT, b"non-continuation payload", fin=False), frame(TEXT, b"Hello, world!"))])
fail_case("5.13", [S(frame(CONT, b"non-continuation payload", fin=False)), Sleep(0.1), S(frame(TEXT, b"Hello, world!"))])
fail_case("5.14", [S(frame(CONT, b"non-continuation payload", fin=False), frame(TEXT, b"Hello, world!"), chop=1, pause=0.001)])
fail_case("5.15", [S(frame(TEXT, b"fragment1", fin=False), frame(CONT, b"fragment2"), frame(CONT, b"fragment3", fin=False),
                     frame(TEXT, b"fragment4", fin=False))], expect=[(TEXT, b"fragment1fragment2")])
fail_case("5.16", [S(frame(CONT, b"fragment1", fin=False), frame(TEXT, b"fragment2", fin=False), frame(CONT, b"fragment3"))] * 2)
fail_case("5.17", [S(frame(CONT, b"fragment1", fin=True), frame(TEXT, b"fragment2", fin=False), frame(CONT, b"fragment3"))] * 2)
fail_case("5.18", [S(frame(TEXT, b"fragment1", fin=False), frame(TEXT, b"fragment2"))])
echo_case("5.19", [S(frame(TEXT, b"fragment1", fin=False), frame(CONT, b"fragment2", fin=False), frame(PING, b"pongme 1!")),
                   Sleep(0.3), S(frame(CONT, b"fragment3", fin=False), frame(CONT, b"fragment4", fin=False), frame(PING, b"pongme 2!")),
                   Sleep(0.3), S(frame(CONT, b"fragment5"))],
          [(PONG, b"pongme 1!"), (PONG, b"pongme 2!"), (TEXT, b"fragment1fragment2fragment3fragment4fragment5")])
echo_case("5.20", [S(frame(TEXT, b"fragment1", fin=False), frame(CONT, b"fragment2", fin=False), frame(PING, b"pongme 1!"), chop=1, pause=0.001),
                   Sleep(0.3), S(frame(CONT, b"fragment3", fin=False), frame(CONT, b"fragment4", fin=False), frame(PING, b"pongme 2!"), chop=1, pause=0.001),
                   Sleep(0.3), S(frame(CONT, b"fragment5"), chop=1, pause=0.001)],
          [(PONG, b"pongme 1!"), (PONG, b"pongme 2!"), (TEXT, b"fragment1fragment2fragment3fragment4fragment5")])

# ---- 6: UTF-8
echo_case("6.1.1", [S(frame(TEXT))], [(TEXT, b"")])
echo_case("6.1.2", [S(frame(TEXT, b"", fin=False), frame(CONT, b"", fin=False), frame(CONT, b""))], [(TEXT, b"")])
echo_case("6.1.3", [S(frame(TEXT, b"", fin=False), frame(CONT, b"middle frame payload", fin=False), frame(CONT, b""))], [(TEXT, b"middle frame payload")])
KOSME = "κόσμε".encode()
HELLO = "Hello-µ@ßöäüàá-UTF-8!!".encode()
for i, s in enumerate([KOSME, HELLO], 1):
    echo_case("6.2.%d" % i, [S(frame(TEXT, s))], [(TEXT, s)])
    # the same text as one fragment per byte (splitting characters)
    frames = [frame(TEXT if j == 0 else CONT, s[j:j + 1], fin=(j == len(s) - 1)) for j in range(len(s))]
    echo_case("6.2.%d" % (i + 2), [S(*frames)], [(TEXT, s)])
BAD = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64"
fail_case("6.3.1", [S(frame(TEXT, BAD))], codes=(1007,))
fail_case("6.3.2", [S(*[frame(TEXT if j == 0 else CONT, BAD[j:j + 1], fin=(j == len(BAD) - 1)) for j in range(len(BAD))])], codes=(1007,))
# fail fast: the client must close right after the bad bytes, before the rest arrives
fail_case("6.4.1", [S(frame(TEXT, BAD[:12], fin=False)), Sleep(1.0), S(frame(CONT, BAD[12:], fin=False)), Sleep(1.0), S(frame(CONT, b"edited"))],
          codes=(1007,), fail_fast=True)
fail_case("6.4.2", [S(frame(TEXT, BAD[:12], fin=False)), Sleep(1.0), S(frame(CONT, BAD[12:13], fin=False)), Sleep(1.0), S(frame(CONT, BAD[13:]))],
          codes=(1007,), fail_fast=True)
fail_case("6.4.3", [S(frame(TEXT, BAD, length=len(BAD))[:2 + 12]), Sleep(1.0), S(BAD[12:13]), Sleep(1.0), S(BAD[13:])],
          codes=(1007,), fail_fast=True)
fail_case("6.4.4", [S(frame(TEXT, BAD)[:2 + 12]), Sleep(1.0), S(BAD[12:14]), Sleep(1.0), S(BAD[14:])],
          codes=(1007,), fail_fast=True)


def utf8_vectors():
    """(bytes, valid) pairs in the spirit of Markus Kuhn's UTF-8 decoder stress test."""
    v = []
    enc = lambda cp: chr(cp).encode("utf-8", "surrogatepass")
    # boundary code points of every length, and the edges of the surrogate range
    for cp in [0x0, 0x7F, 0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF, 0xD7FF, 0xE000, 0xFFFD, 0xFFFE, 0xFDD0]:
        v.append((enc(cp), True))
    v.append((b"\xf4\x90\x80\x80", False))                         # U+110000
    v += [(b"\xf8\x88\x80\x80\x80", False), (b"\xfc\x84\x80\x80\x80\x80", False)]  # 5-, 6-byte forms
    v += [(bytes([b]), False) for b in range(0x80, 0xC0, 7)]      # lone continuation bytes
    v.append((bytes(range(0x80, 0xC0)), False))                  # all continuation bytes in a row
    v += [(bytes([b]) + b" ", False) for b in range(0xC0, 0x100, 5)]  # lead bytes followed by a space
    v += [(s[:-1], False) for s in [enc(0x7FF), enc(0xFFFF), enc(0x10FFFF)]]   # last byte missing
    v.append((enc(0x7FF)[:-1] + enc(0xFFFF)[:-1] + enc(0x10FFFF)[:-1], False))
    v += [(b"\xfe", False), (b"\xff", False), (b"\xfe\xfe\xff\xff", False)]
    v += [(b"\xc0\xaf", False), (b"\xe0\x80\xaf", False), (b"\xf0\x80\x80\xaf", False),  # overlong '/'
          (b"\xc1\xbf", False), (b"\xe0\x9f\xbf", False), (b"\xf0\x8f\xbf\xbf", False),  # largest overlongs
          (b"\xc0\x80", False), (b"\xe0\x80\x80", False)]                                # overlong NUL
    v += [(enc(cp), False) for cp in [0xD800, 0xDB7F, 0xDB80, 0xDBFF, 0xDC00, 0xDF80, 0xDFFF]]  # lone surrogates
    v += [(enc(0xD800) + enc(0xDC00), False), (enc(0xDBFF) + enc(0xDFFF), False)]            # surrogate pairs
    v += [(b"a" * 40 + b"\xe2\x82\xac" * 5 + b"\xf0\x9f\x98\x80", True), (b"a" * 40 + b"\x80", False)]
    return v


for i, (s, ok) in enumerate(utf8_vectors(), 1):
    if ok:
        echo_case("6.5.%d" % i, [S(frame(TEXT, s))], [(TEXT, s)])
    else:
        fail_case("6.5.%d" % i, [S(frame(TEXT, s))], codes=(1007,))

# ---- 7: close handling
echo_case("7.1.1", [S(frame(TEXT, b"Hello World!"))], [(TEXT, b"Hello World!")])


def close_case(cid, steps, reply_code, expect=()):
    """The server sends the close: the client must answer with one close (code reply_code, or no code
    when None), nothing else after it, and exit 0."""
    CASES.append(Case(cid, steps, list(expect), fail=None))
    CASES[-1].server_close = reply_code


close_case("7.1.2", [S(close_frame(1000), close_frame(1000))], 1000)
close_case("7.1.3", [S(close_frame(1000), frame(PING, b"ping"))], 1000)
close_case("7.1.4", [S(close_frame(1000), frame(TEXT, b"after close"))], 1000)
close_case("7.1.5", [S(frame(TEXT, b"fragment1", fin=False), close_frame(1000), frame(CONT, b"fragment2"))], 1000)
close_case("7.1.6", [S(frame(TEXT, b"BAsd7&jh23" * 26214)), S(close_frame(1000), frame(PING))], 1000,
           expect=[(TEXT, b"BAsd7&jh23" * 26214)])
close_case("7.3.1", [S(close_frame())], None)
fail_case("7.3.2", [S(frame(CLOSE, b"a"))])
close_case("7.3.3", [S(close_frame(1000))], 1000)
close_case("7.3.4", [S(close_frame(1000, b"Hello World!"))], 1000)
close_case("7.3.5", [S(close_frame(1000, b"*" * 123))], 1000)
fail_case("7.3.6", [S(close_frame(1000, b"*" * 124))])
fail_case("7.5.1", [S(close_frame(1000, b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64"))],
          codes=(1007,))
for i, code in enumerate([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999], 1):
    close_case("7.7.%d" % i, [S(close_frame(code))], code)
for i, code in enumerate([0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999], 1):
    fail_case("7.9.%d" % i, [S(close_frame(code))])
fail_case("7.13.1", [S(close_frame(5000))])
fail_case("7.13.2", [S(close_frame(65535))])

# ---- 9: limits and performance (echo must be exact)
MiB = 1 << 20
for i, n in enumerate([64 << 10, 256 << 10, MiB, 4 * MiB, 8 * MiB, 16 * MiB], 1):
    t = (b"BAsd7&jh23" * (n // 10 + 1))[:n]
    echo_case("9.1.%d" % i, [S(frame(TEXT, t))], [(TEXT, t)])
    b = os.urandom(n)
    echo_case("9.2.%d" % i, [S(frame(BINARY, b))], [(BINARY, b)])
for i, fs in enumerate([64, 256, 1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10, MiB, 4 * MiB], 1):
    for grp, op, data in (("9.3", TEXT, (b"*" * (4 * MiB))), ("9.4", BINARY, b"\xfe" * (4 * MiB))):
        parts = [data[j:j + fs] for j in range(0, len(data), fs)]
        frames = [frame(op if j == 0 else CONT, p, fin=(j == len(parts) - 1)) for j, p in enumerate(parts)]
        echo_case("%s.%d" % (grp, i), [S(*frames)], [(op, data)])
for i, cs in enumerate([64, 128, 256, 512, 1024, 2048], 1):
    echo_case("9.5.%d" % i, [S(frame(TEXT, b"*" * MiB), chop=cs)], [(TEXT, b"*" * MiB)])
    echo_case("9.6.%d" % i, [S(frame(BINARY, b"\xfe" * MiB), chop=cs)], [(BINARY, b"\xfe" * MiB)])
for i, n in enumerate([0, 16, 64, 256, 1024, 4096], 1):
    echo_case("9.7.%d" % i, [S(*[frame(TEXT, b"*" * n)] * 1000)], [(TEXT, b"*" * n)] * 1000)
    echo_case("9.8.%d" % i, [S(*[frame(BINARY, b"\xfe" * n)] * 1000)], [(BINARY, b"\xfe" * n)] * 1000)

# ---- 10: misc (a long message auto-fragmented into 1300-byte frames)
_t = b"*" * 65536
_parts = [_t[j:j + 1300] for j in range(0, len(_t), 1300)]
echo_case("10.1.1", [S(*[frame(TEXT if j == 0 else CONT, p, fin=(j == len(_parts) - 1)) for j, p in enumerate(_parts)])], [(TEXT, _t)])


# ------------------------------------------------------------------------------------------------
class Conn:
    def __init__(self, reader, writer):
        self.r, self.w = reader, writer
        self.frames = asyncio.Queue()
        self.problem = None

    async def read_frames(self):
        """Parses the client's frames into the queue; None marks the end of the TCP stream."""
        try:
            while True:
                h = await self.r.readexactly(2)
                fin, rsv, op = h[0] >> 7, (h[0] >> 4) & 7, h[0] & 15
                masked, n = h[1] >> 7, h[1] & 127
                if n == 126:
                    n = struct.unpack(">H", await self.r.readexactly(2))[0]
                elif n == 127:
                    n = struct.unpack(">Q", await self.r.readexactly(8))[0]
                if not masked:
                    self.problem = "client frame not masked"
                if not fin or rsv:
                    self.problem = "client frame with FIN clear or RSV set"
                key = await self.r.readexactly(4) if masked else b"\0\0\0\0"
                data = await self.r.readexactly(n)
                if masked and n:
                    k = (key * (n // 4 + 1))[:n]
                    data = (int.from_bytes(data, "big") ^ int.from_bytes(k, "big")).to_bytes(n, "big")
                await self.frames.put((op, data))
        except (asyncio.IncompleteReadError, ConnectionError):
            await self.frames.put(None)

    async def send(self, step):
        data = step.data
        try:
            if step.chop:
                for j in range(0, len(data), step.chop):
                    self.w.write(data[j:j + step.chop])
                    await self.w.drain()
                    if step.pause:
                        await asyncio.sleep(step.pause)
            else:
                self.w.write(data)
                await self.w.drain()
        except ConnectionError:
            pass

    async def next(self, timeout):
        try:
            return await asyncio.wait_for(self.frames.get(), timeout)
        except asyncio.TimeoutError:
            return "timeout"


def describe(f):
    if f is None:
        return "TCP close"
    if f == "timeout":
        return "nothing (timeout)"
    op, d = f
    return "op %d len %d %r" % (op, len(d), d[:20])


async def judge(case, conn):
    """Plays the case and returns None for a pass or the reason it failed."""
    reader = asyncio.ensure_future(conn.read_frames())
    try:
        for i, step in enumerate(case.steps):
            if isinstance(step, Sleep):
                await asyncio.sleep(step.s)
                if case.fail_fast and i == len(case.steps) - 2:
                    # the client must fail on what it has: its close (or TCP close) comes before the rest
                    # is sent (the wait is long for a busy machine; nothing more is sent meanwhile)
                    f = await conn.next(5)
                    if f == "timeout":
                        return "did not fail fast"
                    return check_fail(case, [f], conn)
            else:
                await conn.send(step)
        server_close = getattr(case, "server_close", "none")
        if case.fail is not None:
            got = []
            while True:
                f = await conn.next(10)
                got.append(f)
                if f is None or f == "timeout" or f[0] == CLOSE:
                    break
            return check_fail(case, got, conn)
        got = []
        for want in case.expect:
            f = await conn.next(60)
            if f is None or f == "timeout" or f != want:
                return "expected %s, got %s (after %d good frames)" % (describe(want), describe(f), len(got))
            got.append(f)
        if server_close == "none":
            # our close 1000; the client must answer 1000
            conn.w.write(close_frame(1000))
            await conn.w.drain()
            reply_code = 1000
        else:
            reply_code = server_close
        f = await conn.next(10)
        if f is None or f == "timeout" or f[0] != CLOSE:
            return "expected a close frame, got %s" % describe(f)
        code = struct.unpack(">H", f[1][:2])[0] if len(f[1]) >= 2 else None
        if code != reply_code:
            return "close code %r, expected %r" % (code, reply_code)
        conn.w.close()
        f = await conn.next(5)
        if f not in (None, "timeout"):
            return "frame after the close: %s" % describe(f)
        if conn.problem:
            return conn.problem
        return None
    finally:
        reader.cancel()


def check_fail(case, got, conn):
    frames = got[:-1]
    last = got[-1]
    if [f for f in frames] != case.expect:
        return "expected %s before failing, got %s" % ([describe(f) for f in case.expect], [describe(f) for f in frames])
    if last == "timeout":
        return "the client did not fail the connection"
    if last is not None:
        code = struct.unpack(">H", last[1][:2])[0] if len(last[1]) >= 2 else None
        if code not in case.fail:
            return "close code %r, expected one of %s" % (code, sorted(case.fail))
    if conn.problem:
        return conn.problem
    return None


async def run(client, selected, jobs):
    pending = {}

    async def on_conn(reader, writer):
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        except Exception:
            writer.close()
            return
        lines = head.decode("latin-1").split("\r\n")
        path = lines[0].split(" ")[1]
        key = ""
        for line in lines[1:]:
            if line.lower().startswith("sec-websocket-key:"):
                key = line.split(":", 1)[1].strip()
        accept = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
        writer.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Accept: %s\r\n\r\n" % accept).encode())
        await writer.drain()
        cid = path.rsplit("/", 1)[-1]
        fut = pending.get(cid)
        case = next(c for c in CASES if c.id == cid)
        try:
            verdict = await judge(case, Conn(reader, writer))
        except Exception as e:
            verdict = "server error %r" % (e,)
        writer.close()
        if fut and not fut.done():
            fut.set_result(verdict)

    server = await asyncio.start_server(on_conn, "127.0.0.1", 0, limit=1 << 26)
    port = server.sockets[0].getsockname()[1]

    async def play(case):
        """Runs the client for one case; returns the case's output line."""
        fut = asyncio.get_running_loop().create_future()
        pending[case.id] = fut
        proc = await asyncio.create_subprocess_exec(client, "ws://127.0.0.1:%d/case/%s" % (port, case.id),
                                                    stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        try:
            _, err = await asyncio.wait_for(proc.communicate(), 120)
            rc = proc.returncode
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()
            rc, err = "timeout", b""
        try:
            verdict = await asyncio.wait_for(fut, 15)
        except asyncio.TimeoutError:
            verdict = "no verdict (the client never connected?)"
        if verdict is None:
            want_zero = case.fail is None
            if (rc == 0) != want_zero:
                verdict = "exit status %s (%s)" % (rc, err.decode(errors="replace").strip())
        return "CASE %s %s" % (case.id, "PASS" if verdict is None else "FAIL " + verdict)

    # Cases are independent (each has its own connection, found by the id in its path): `jobs` of them
    # run at a time, since most of a case is the client process starting and ending; the lines come
    # out in case order.
    slots = asyncio.Semaphore(jobs)

    async def in_slot(case):
        async with slots:
            return await play(case)

    runs = [asyncio.ensure_future(in_slot(case)) for case in CASES
            if not selected or any(case.id == s or case.id.startswith(s) for s in selected)]
    for r in runs:
        print(await r, flush=True)
    print("DONE %d" % len(runs), flush=True)
    server.close()


if __name__ == "__main__":
    args = sys.argv[1:]
    client = None
    selected = []
    jobs = 4
    while args:
        a = args.pop(0)
        if a == "--client":
            client = args.pop(0)
        elif a == "--cases":
            selected = args.pop(0).split(",")
        elif a == "--jobs":
            jobs = max(1, int(args.pop(0)))
    if not client:
        sys.exit(__doc__)
    asyncio.run(run(client, selected, jobs))
