"""The compiled library from a program that is not C: Python's ctypes loads the shared library,
builds a client with the POSIX adapter, subscribes to `files` on the local Appwrite-compatible
server (tests/server/server.js), has the server publish one event through its control port and
checks that the callback receives it (the same JSON value, integers above 2^53 exact), with its
event name and channel.

    python3 tests/lib_ctypes.py path/to/libappwrite_realtime.so      (from the repository root)

Prints "lib_ctypes: ok" and exits 0, or names what failed and exits 1.
The structures mirror the header's declarations up to the members used; zero means default for
every member after them, so the configuration ends in a zeroed tail of generous size."""
import ctypes as C
import json
import subprocess
import sys
import time
import urllib.request

PAYLOAD = '{"$id":"f1","$permissions":["read(\\"any\\")"],"name":"ctypes \u2713","size":9007199254740993}'


class Text(C.Structure):
    _fields_ = [("ptr", C.c_void_p), ("len", C.c_size_t)]

    def get(self):
        return C.string_at(self.ptr, self.len).decode("utf-8") if self.ptr else None


class Io(C.Structure):   # awr_io: user and six function pointers, copied as they are
    _fields_ = [("user", C.c_void_p)] + [(n, C.c_void_p) for n in ("open", "send", "recv", "close", "random", "error")]


class Config(C.Structure):
    _fields_ = [("endpoint", C.c_char_p), ("realtime_endpoint", C.c_char_p), ("project", C.c_char_p),
                ("session", C.c_char_p), ("jwt", C.c_char_p), ("session_via_cookie", C.c_int),
                ("headers", C.c_void_p), ("nheaders", C.c_size_t), ("mode", C.c_int), ("io", Io),
                ("alloc", C.c_void_p), ("free", C.c_void_p), ("alloc_user", C.c_void_p),
                ("on_state", C.c_void_p), ("on_error", C.c_void_p), ("on_response", C.c_void_p),
                ("user", C.c_void_p), ("rest", C.c_ubyte * 1024)]


class Event(C.Structure):
    _fields_ = [("data", Text), ("events", Text), ("channels", Text), ("timestamp", Text), ("payload", Text)]


EVENT_FN = C.CFUNCTYPE(None, C.c_void_p, C.c_uint32, C.POINTER(Event), C.c_void_p)


def control(port, cmd, body=None):
    req = urllib.request.Request("http://127.0.0.1:%d/_control/%s" % (port, cmd), method="POST",
                                 data=json.dumps(body or {}).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read().decode())


def main():
    lib = C.CDLL(sys.argv[1])
    lib.awr_tcp_size.restype = C.c_size_t
    lib.awr_tcp_size.argtypes = [C.c_void_p]
    lib.awr_tcp_init.argtypes = [C.c_void_p, C.c_size_t, C.c_void_p, C.POINTER(C.c_void_p)]
    lib.awr_tcp_deinit.argtypes = [C.c_void_p]
    lib.awr_tcp_io.restype = Io
    lib.awr_tcp_io.argtypes = [C.c_void_p]
    lib.awr_client_create.argtypes = [C.POINTER(Config), C.POINTER(C.c_void_p)]
    lib.awr_client_subscribe.argtypes = [C.c_void_p, C.POINTER(C.c_char_p), C.c_size_t, C.c_void_p, C.c_size_t,
                                  EVENT_FN, C.c_void_p, C.POINTER(C.c_uint32)]
    lib.awr_tcp_run.argtypes = [C.c_void_p, C.c_void_p, C.c_int32]
    lib.awr_tcp_stop.argtypes = [C.c_void_p]
    lib.awr_client_destroy.argtypes = [C.c_void_p]
    lib.awr_result_str.restype = C.c_char_p

    server = subprocess.Popen(["node", "tests/server/server.js", "--generation", "1.9.6", "--control"],
                              stdout=subprocess.PIPE, text=True)
    try:
        port = None
        for line in server.stdout:
            if line.startswith("PORT "):
                port = int(line.split()[1])
                break
        if port is None:
            return "the server did not start"
        tcp_size = lib.awr_tcp_size(None)
        tcp_mem = C.create_string_buffer(tcp_size)   # the adapter lives in memory of ours
        tcp = C.c_void_p()
        r = lib.awr_tcp_init(tcp_mem, tcp_size, None, C.byref(tcp))
        if r != 0:
            return "awr_tcp_init: %s" % lib.awr_result_str(r).decode()
        cfg = Config()
        cfg.endpoint = ("http://127.0.0.1:%d/v1" % port).encode()
        cfg.project = b"test"
        cfg.io = lib.awr_tcp_io(tcp)
        client = C.c_void_p()
        r = lib.awr_client_create(C.byref(cfg), C.byref(client))
        if r != 0:
            return "awr_client_create: %s" % lib.awr_result_str(r).decode()
        got = []

        def on_event(c, sub, ev, user):
            e = ev.contents
            got.append((e.payload.get(), e.events.get(), e.channels.get()))
            lib.awr_tcp_stop(tcp)
        callback = EVENT_FN(on_event)                # kept alive while the client runs
        channels = (C.c_char_p * 1)(b"files")
        sub = C.c_uint32()
        r = lib.awr_client_subscribe(client, channels, 1, None, 0, callback, None, C.byref(sub))
        if r != 0:
            return "awr_client_subscribe: %s" % lib.awr_result_str(r).decode()
        deadline = time.monotonic() + 15
        published = False
        while not got and time.monotonic() < deadline:
            lib.awr_tcp_run(tcp, client, 100)
            if not published and any(c.get("ready") and "files" in json.dumps(c)
                                     for c in control(port, "state").get("connections", [])):
                control(port, "publish", {"event": "file", "action": "create", "project": "test",
                                          "bucketId": "b1", "fileId": "f1", "payloadText": PAYLOAD})
                published = True
        lib.awr_client_destroy(client)
        lib.awr_tcp_deinit(tcp)
        if not published:
            return "never subscribed on the server"
        if len(got) != 1:
            return "%d events arrived, 1 expected" % len(got)
        payload, events, chans = got[0]
        if json.loads(payload) != json.loads(PAYLOAD):   # the server sends non-ASCII as \u escapes
            return "payload %r, expected %r" % (payload, PAYLOAD)
        if "buckets.b1.files.f1.create" not in json.loads(events) or "files" not in json.loads(chans):
            return "events %s, channels %s" % (events, chans)
        return None
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    failure = main()
    print("lib_ctypes: " + ("FAILED: " + failure if failure else "ok"))
    sys.exit(1 if failure else 0)
