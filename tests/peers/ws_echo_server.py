#!/usr/bin/python3
"""Local WebSocket peer on Debian's python3-websockets for the framer tests (run with /usr/bin/python3).
Listens on 127.0.0.1, port 0, prints "PORT <n>" and serves, by request path:
  /echo      echoes every message with its opcode
  /ping      sends pings "p1", "p2", "p3" and an empty one, waits for each pong (the library checks the
             payload matches), then sends the text "pongs ok" and echoes from then on
  /close     starts the closing handshake at once: code 4001, reason "bye from server"
  /bytewise  echoes, writing every frame to the socket one byte at a time
"""
import asyncio
import struct
import sys

import websockets


def frame(opcode, payload):
    n = len(payload)
    if n < 126:
        head = bytes([0x80 | opcode, n])
    elif n < 65536:
        head = bytes([0x80 | opcode, 126]) + struct.pack(">H", n)
    else:
        head = bytes([0x80 | opcode, 127]) + struct.pack(">Q", n)
    return head + payload


async def write_bytewise(ws, data):
    for i in range(len(data)):
        ws.transport.write(data[i:i + 1])
        if len(data) < 4096 or i % 64 == 0:
            await asyncio.sleep(0)


async def handler(ws, path):
    path = path.split("?")[0]
    if path == "/echo":
        async for msg in ws:
            await ws.send(msg)
    elif path == "/bytewise":
        await write_bytewise(ws, frame(9, b"bytewise ping"))
        async for msg in ws:
            if isinstance(msg, str):
                await write_bytewise(ws, frame(1, msg.encode()))
            else:
                await write_bytewise(ws, frame(2, msg))
    elif path == "/ping":
        try:
            for p in (b"p1", b"p2", b"p3", b""):
                waiter = await ws.ping(p)
                await asyncio.wait_for(waiter, 10)
            await ws.send("pongs ok")
        except Exception as e:  # a missing or wrong pong
            await ws.send("pongs bad %r" % (e,))
        async for msg in ws:
            await ws.send(msg)
    elif path == "/close":
        await ws.close(4001, "bye from server")
    else:
        await ws.close(1008, "unknown path")


async def main():
    async with websockets.serve(handler, "127.0.0.1", 0, max_size=None, compression=None,
                                ping_interval=None) as server:
        port = server.sockets[0].getsockname()[1]
        sys.stdout.write("PORT %d\n" % port)
        sys.stdout.flush()
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main())
