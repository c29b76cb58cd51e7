/* libFuzzer target: the handshake response parser. The first input byte chooses the chunk size and
 * whether a subprotocol is offered; the rest is the server's response, fed in chunks. Checks the
 * contract: AWR_AGAIN uses the whole chunk, AWR_OK uses no more than given, results are final,
 * header lookups and the reason phrase stay inside the buffer. */
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const uint8_t key[16] = { 't','h','e',' ','s','a','m','p','l','e',' ','n','o','n','c','e' };
    char buf[512], req[512];
    awr_ws_handshake hs;
    awr_ws_request rq;
    size_t chunk, off = 0, req_len, used, len;
    awr_result r = AWR_AGAIN;
    const char *v;
    if (size < 1) return 0;
    chunk = (size_t)(data[0] & 0x3F) + 1;
    memset(&rq, 0, sizeof rq);
    rq.host = "server.example.com";
    rq.resource = "/chat";
    if (data[0] & 0x40) rq.protocols = "chat, superchat";
    awr_ws_handshake_init(&hs, buf, (data[0] & 0x80) ? 96 : sizeof buf);
    if (awr_ws_handshake_request(&hs, &rq, key, req, sizeof req, &req_len) != AWR_OK) abort();
    data++; size--;
    while (off < size && r == AWR_AGAIN) {
        size_t n = size - off < chunk ? size - off : chunk;
        used = 12345;
        r = awr_ws_handshake_response(&hs, data + off, n, &used);
        if (r == AWR_AGAIN && used != n) abort();
        if (r == AWR_OK && used > n) abort();
        if (r != AWR_AGAIN && r != AWR_OK && r > 0) abort();
        off += n;
    }
    if (r != AWR_AGAIN && awr_ws_handshake_response(&hs, "x", 1, &used) != r) abort();
    v = awr_ws_handshake_header(&hs, "upgrade", &len);
    if (v && (v < buf || v + len > buf + sizeof buf)) abort();
    v = awr_ws_handshake_header(&hs, "sec-websocket-accept", &len);
    if (v && (v < buf || v + len > buf + sizeof buf)) abort();
    v = awr_ws_handshake_reason(&hs, &len);
    if (v && (v < buf || v + len > buf + sizeof buf || (r == AWR_AGAIN && hs.status == 0))) abort();
    v = awr_ws_handshake_protocol(&hs, &len);
    if (v && (r != AWR_OK || !(data[-1] & 0x40) || v + len > buf + sizeof buf)) abort();
    return 0;
}
