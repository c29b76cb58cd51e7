/* appwrite_realtime.h - the Appwrite Realtime client for C and C++, in one header.
 * @@MANUAL@@
 */
#ifndef APPWRITE_REALTIME_H
#define APPWRITE_REALTIME_H

/* ==================================================================================================
 * CONFIGURATION
 * ================================================================================================== */
#define AWR_VERSION_MAJOR 0
#define AWR_VERSION_MINOR 1
#define AWR_VERSION_PATCH 0
#define AWR_VERSION_STRING "0.1.0"

#include <stddef.h>   /* size_t */
#include <stdint.h>   /* uint8_t, uint32_t, uint64_t, int64_t */

#ifndef AWR_API
#  ifdef AWR_STATIC
#    define AWR_API static
#  else
#    define AWR_API extern
#  endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ==================================================================================================
 * RESULTS
 * Every fallible call returns an awr_result: 0 is success, AWR_AGAIN (1) means "not finished yet:
 * give more input or call again later" and is not an error, every negative value is an error.
 * ================================================================================================== */
typedef enum awr_result {
    AWR_OK = 0,
    AWR_AGAIN = 1,

    /* general */
    AWR_ERR_ARG = -1,            /* an argument is invalid (NULL, out of range, malformed) */
    AWR_ERR_NOMEM = -2,          /* the allocator returned NULL */
    AWR_ERR_BUFFER = -3,         /* a caller-supplied or configured buffer is too small */
    AWR_ERR_STATE = -4,          /* the call is not valid in the object's current state */
    AWR_ERR_IO = -5,             /* the transport failed (reset, unreachable, refused) */
    AWR_ERR_EOF = -6,            /* the peer closed the TCP connection */
    AWR_ERR_TIMEOUT = -7,        /* a deadline passed (connect, handshake, dead-link detection) */
    AWR_ERR_URL = -8,            /* the endpoint URL cannot be parsed or has an unsupported scheme */
    AWR_ERR_RANDOM = -9,         /* the random hook failed */
    AWR_ERR_NOT_FOUND = -10,     /* a lookup found nothing (JSON key, subscription handle) */
    AWR_ERR_UNSUPPORTED = -11,   /* the feature is not available (build option, server generation) */
    AWR_ERR_LIMIT = -12,         /* a configured count limit was reached (subscriptions, channels) */

    /* WebSocket opening handshake (RFC 6455 section 4) */
    AWR_ERR_HS_TOO_LARGE = -20,  /* the response header does not fit the handshake buffer */
    AWR_ERR_HS_MALFORMED = -21,  /* the response is not valid HTTP/1.1 */
    AWR_ERR_HS_STATUS = -22,     /* the status code is not 101 */
    AWR_ERR_HS_UPGRADE = -23,    /* Upgrade: websocket is missing or wrong */
    AWR_ERR_HS_CONNECTION = -24, /* Connection: upgrade is missing or wrong */
    AWR_ERR_HS_ACCEPT = -25,     /* Sec-WebSocket-Accept is missing or does not match the key */
    AWR_ERR_HS_EXTENSION = -26,  /* the server chose an extension that was not offered */
    AWR_ERR_HS_PROTOCOL = -27,   /* the server chose a subprotocol that was not offered */

    /* WebSocket framing (RFC 6455 section 5); each fails the connection with the close code noted */
    AWR_ERR_WS_RSV = -30,                 /* 1002: a reserved bit is set */
    AWR_ERR_WS_OPCODE = -31,              /* 1002: reserved opcode */
    AWR_ERR_WS_MASKED = -32,              /* 1002: a server frame is masked */
    AWR_ERR_WS_CONTROL_TOO_LONG = -33,    /* 1002: control frame payload over 125 bytes */
    AWR_ERR_WS_CONTROL_FRAGMENTED = -34,  /* 1002: control frame without FIN */
    AWR_ERR_WS_UNEXPECTED_CONTINUATION = -35, /* 1002: continuation with no message to continue */
    AWR_ERR_WS_EXPECTED_CONTINUATION = -36,   /* 1002: new data frame inside a fragmented message */
    AWR_ERR_WS_LENGTH_NONMINIMAL = -37,   /* 1002: length not in its minimal encoding */
    AWR_ERR_WS_LENGTH_TOO_LARGE = -38,    /* 1002: 64-bit length with the top bit set */
    AWR_ERR_WS_CLOSE_PAYLOAD = -39,       /* 1002: close payload of 1 byte */
    AWR_ERR_WS_CLOSE_CODE = -40,          /* 1002: close code not allowed on the wire */
    AWR_ERR_WS_UTF8 = -41,                /* 1007: invalid UTF-8 in a text message or close reason */
    AWR_ERR_WS_TOO_BIG = -42,             /* 1009: message larger than the configured cap */
    AWR_ERR_WS_CLOSED = -43,              /* the WebSocket is closed (or closing): nothing more to send */

    /* JSON */
    AWR_ERR_JSON_SYNTAX = -50,    /* not RFC 8259 JSON; the byte offset is reported by the tokenizer */
    AWR_ERR_JSON_TRUNCATED = -51, /* the input ends inside a value */
    AWR_ERR_JSON_DEPTH = -52,     /* nesting deeper than the configured limit */
    AWR_ERR_JSON_TOKENS = -53,    /* the token array is too small */
    AWR_ERR_JSON_UTF8 = -54,      /* invalid UTF-8 inside a string */
    AWR_ERR_JSON_TYPE = -55,      /* the token is not of the type the helper needs */
    AWR_ERR_JSON_RANGE = -56,     /* a number does not fit the requested type */
    AWR_ERR_JSON_SURROGATE = -57, /* a \u escape is a lone UTF-16 surrogate */

    /* Appwrite protocol */
    AWR_ERR_PROTOCOL = -70,       /* the server sent a message this client cannot understand */
    AWR_ERR_POLICY = -71,         /* the server sent error 1008 (policy violation): no reconnect */
    AWR_ERR_SERVER = -72,         /* the server sent an error frame (see the error callback) */
    AWR_ERR_CLOSED = -73,         /* the client is closed or disconnected */

    /* TLS adapters */
    AWR_ERR_TLS = -90,            /* TLS failure not covered below */
    AWR_ERR_TLS_UNTRUSTED = -91,  /* the certificate chain does not end at a trust anchor */
    AWR_ERR_TLS_HOSTNAME = -92,   /* the certificate does not name the host */
    AWR_ERR_TLS_EXPIRED = -93,    /* a certificate is expired or not yet valid */
    AWR_ERR_TLS_ALERT = -94       /* the peer sent a fatal TLS alert */
} awr_result;

/* A short, constant, English description of a result ("ok", "websocket: reserved bit set", ...). */
AWR_API const char *awr_result_str(awr_result r);

/* Allocator: every allocation the library makes goes through one of these (zero = AWR_MALLOC/AWR_FREE). */
typedef struct awr_allocator {
    void *(*alloc)(void *user, size_t size);
    void (*free)(void *user, void *ptr);
    void *user;
} awr_allocator;

/* ==================================================================================================
 * I/O HOOK
 * The host supplies the transport and randomness through this struct; the core never makes a
 * syscall. Time is passed to awr_client_poll() as monotonic milliseconds. A TLS adapter is itself an
 * awr_io that wraps another one (see AWR_BEARSSL).
 * Return convention of send/recv: >= 0 is the number of bytes moved (0 = would block, try on the
 * next poll), a negative awr_result is an error (AWR_ERR_EOF: the peer closed the connection).
 * ================================================================================================== */
typedef struct awr_io {
    void *user;
    /* Start connecting to host:port (tls: 1 for wss://). Non-blocking: the connection may still be
       in progress when it returns AWR_OK; send/recv then return 0 until it is up. */
    awr_result (*open)(void *user, const char *host, int port, int tls, void **conn);
    long (*send)(void *user, void *conn, const void *data, size_t len);
    long (*recv)(void *user, void *conn, void *buf, size_t cap);
    void (*close)(void *user, void *conn);
    /* Fill out with len cryptographically random bytes (masking keys, Sec-WebSocket-Key). */
    awr_result (*random)(void *user, void *out, size_t len);
} awr_io;


#ifdef __cplusplus
}
#endif
#endif /* APPWRITE_REALTIME_H */

/* ==================================================================================================
 * IMPLEMENTATION
 * ================================================================================================== */
#ifdef APPWRITE_REALTIME_IMPLEMENTATION
#ifndef AWR__IMPLEMENTED
#define AWR__IMPLEMENTED

#include <string.h>   /* memcpy, memset, memcmp, memmove */

#if defined(AWR_MALLOC) != defined(AWR_FREE)
#  error "define AWR_MALLOC and AWR_FREE together, or neither"
#endif
#ifndef AWR_MALLOC
#  include <stdlib.h>
#  define AWR_MALLOC(size) malloc(size)
#  define AWR_FREE(ptr) free(ptr)
#endif
#ifndef AWR_ASSERT
#  include <assert.h>
#  define AWR_ASSERT(x) assert(x)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ==================================================================================================
 * RESULTS (implementation)
 * ================================================================================================== */
AWR_API const char *awr_result_str(awr_result r) {
    switch (r) {
    case AWR_OK: return "ok";
    case AWR_AGAIN: return "not finished: call again";
    case AWR_ERR_ARG: return "invalid argument";
    case AWR_ERR_NOMEM: return "out of memory";
    case AWR_ERR_BUFFER: return "buffer too small";
    case AWR_ERR_STATE: return "not valid in the current state";
    case AWR_ERR_IO: return "transport error";
    case AWR_ERR_EOF: return "connection closed by peer";
    case AWR_ERR_TIMEOUT: return "timed out";
    case AWR_ERR_URL: return "invalid or unsupported URL";
    case AWR_ERR_RANDOM: return "random source failed";
    case AWR_ERR_NOT_FOUND: return "not found";
    case AWR_ERR_UNSUPPORTED: return "not supported";
    case AWR_ERR_LIMIT: return "limit reached";
    case AWR_ERR_HS_TOO_LARGE: return "handshake: response header too large";
    case AWR_ERR_HS_MALFORMED: return "handshake: malformed HTTP response";
    case AWR_ERR_HS_STATUS: return "handshake: status is not 101";
    case AWR_ERR_HS_UPGRADE: return "handshake: missing or wrong Upgrade header";
    case AWR_ERR_HS_CONNECTION: return "handshake: missing or wrong Connection header";
    case AWR_ERR_HS_ACCEPT: return "handshake: missing or wrong Sec-WebSocket-Accept";
    case AWR_ERR_HS_EXTENSION: return "handshake: extension not offered";
    case AWR_ERR_HS_PROTOCOL: return "handshake: subprotocol not offered";
    case AWR_ERR_WS_RSV: return "websocket: reserved bit set";
    case AWR_ERR_WS_OPCODE: return "websocket: reserved opcode";
    case AWR_ERR_WS_MASKED: return "websocket: masked frame from server";
    case AWR_ERR_WS_CONTROL_TOO_LONG: return "websocket: control frame over 125 bytes";
    case AWR_ERR_WS_CONTROL_FRAGMENTED: return "websocket: fragmented control frame";
    case AWR_ERR_WS_UNEXPECTED_CONTINUATION: return "websocket: continuation without a message";
    case AWR_ERR_WS_EXPECTED_CONTINUATION: return "websocket: new message inside a fragmented one";
    case AWR_ERR_WS_LENGTH_NONMINIMAL: return "websocket: non-minimal payload length";
    case AWR_ERR_WS_LENGTH_TOO_LARGE: return "websocket: payload length over 2^63";
    case AWR_ERR_WS_CLOSE_PAYLOAD: return "websocket: invalid close payload";
    case AWR_ERR_WS_CLOSE_CODE: return "websocket: invalid close code";
    case AWR_ERR_WS_UTF8: return "websocket: invalid UTF-8";
    case AWR_ERR_WS_TOO_BIG: return "websocket: message too big";
    case AWR_ERR_WS_CLOSED: return "websocket: closed";
    case AWR_ERR_JSON_SYNTAX: return "json: syntax error";
    case AWR_ERR_JSON_TRUNCATED: return "json: unexpected end of input";
    case AWR_ERR_JSON_DEPTH: return "json: nesting too deep";
    case AWR_ERR_JSON_TOKENS: return "json: not enough tokens";
    case AWR_ERR_JSON_UTF8: return "json: invalid UTF-8";
    case AWR_ERR_JSON_TYPE: return "json: wrong token type";
    case AWR_ERR_JSON_RANGE: return "json: number out of range";
    case AWR_ERR_JSON_SURROGATE: return "json: lone surrogate escape";
    case AWR_ERR_PROTOCOL: return "appwrite: unexpected server message";
    case AWR_ERR_POLICY: return "appwrite: policy violation (1008)";
    case AWR_ERR_SERVER: return "appwrite: server error";
    case AWR_ERR_CLOSED: return "appwrite: client closed";
    case AWR_ERR_TLS: return "tls: failure";
    case AWR_ERR_TLS_UNTRUSTED: return "tls: untrusted certificate chain";
    case AWR_ERR_TLS_HOSTNAME: return "tls: certificate does not match host name";
    case AWR_ERR_TLS_EXPIRED: return "tls: certificate expired or not yet valid";
    case AWR_ERR_TLS_ALERT: return "tls: fatal alert from peer";
    }
    return "unknown result";
}


#ifdef __cplusplus
}
#endif
#endif /* AWR__IMPLEMENTED */
#endif /* APPWRITE_REALTIME_IMPLEMENTATION */

/* ==================================================================================================
 * LICENSE
 * This software is available under two licenses; choose whichever you prefer.
 * ------------------------------------------------------------------------------------------------
 * ALTERNATIVE A - MIT License
 * Copyright (c) 2026 the appwrite_realtime.h authors
 * Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
 * associated documentation files (the "Software"), to deal in the Software without restriction,
 * including without limitation the rights to use, copy, modify, merge, publish, distribute,
 * sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
 * furnished to do so, subject to the following conditions: The above copyright notice and this
 * permission notice shall be included in all copies or substantial portions of the Software.
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
 * NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
 * NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES
 * OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
 * CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
 * ------------------------------------------------------------------------------------------------
 * ALTERNATIVE B - Public Domain (www.unlicense.org)
 * This is free and unencumbered software released into the public domain. Anyone is free to copy,
 * modify, publish, use, compile, sell, or distribute this software, either in source code form or as
 * a compiled binary, for any purpose, commercial or non-commercial, and by any means.
 * ================================================================================================== */
