/* appwrite_realtime.h - the Appwrite Realtime client for C and C++, in one header.
 *
 * Appwrite's Realtime API pushes database, storage, account, team, function and presence events to
 * clients over one WebSocket. This header receives them in any C99 or C++11 program, from servers to
 * game loops to microcontrollers: no JavaScript runtime, no allocation after start-up (only the create
 * functions allocate, one block each; size + init on your memory allocate nothing; the optional TCP
 * adapter takes one small block per DNS lookup, none to reconnect to the address it kept; the optional
 * C++ layer adds its own: two blocks per awr::client and the std::function each subscribe() stores),
 * and a core that never makes a syscall (the host supplies sockets, TLS, the clock and randomness).
 *
 * HOW TO INCLUDE
 *     #include "appwrite_realtime.h"                 everywhere you use it
 *     #define APPWRITE_REALTIME_IMPLEMENTATION       in exactly ONE C or C++ file, before the include
 *     #include "appwrite_realtime.h"
 *
 * CONFIGURATION (define before the implementation include; none is needed)
 *     AWR_STATIC            every function static: a private copy per translation unit
 *     AWR_API               what public functions are declared with (default: extern)
 *     AWR_MALLOC, AWR_FREE  the fallback allocator, defined together (default: malloc/free); only
 *                           awr_client_create and awr_bearssl_create allocate: one block each, freed
 *                           by the matching destroy; and the TCP adapter one block for each DNS lookup
 *                           (from awr_tcp_config.allocator, freed when the lookup ends; none for the
 *                           kept, a numeric or a pre-resolved address, so a reconnect to the same host
 *                           allocates nothing). Nothing else does (the system may allocate inside
 *                           the calls the adapters make: getaddrinfo and the resolver thread on
 *                           connect, fopen of a CA file at create)
 *     AWR_ASSERT(x)         internal consistency checks (default: assert)
 *     AWR_TCP               the TCP adapter (awr_tcp_*): sockets, a poll loop, the clock and
 *                           randomness on POSIX (link -pthread: DNS runs on a resolver thread) or
 *                           Winsock (link ws2_32 and bcrypt), chosen by the platform (_WIN32)
 *     AWR_POSIX, AWR_WIN32  the names of 0.1 for AWR_TCP, still accepted (either one = AWR_TCP)
 *     AWR_BEARSSL           the BearSSL TLS adapter (awr_bearssl_*) for wss://; link bearssl
 *     AWR_BEARSSL_NO_STDIO  no CA-file loading (anchors from memory only), for targets without stdio
 *     AWR_BEARSSL_DEFAULT_CA_FILE  the CA bundle used when the config names none (default: the OS's)
 *     AWR_BEARSSL_STAGE_SIZE       bytes send() takes while the TLS handshake runs (default 4096)
 *     AWR_JSON_NO_SIMD      the portable JSON string scanner (8 bytes at a time) instead of SSE2, and no
 *                           skim (as AWR_NO_JSON_SKIM: the skim exists only with SSE2 or NEON)
 *     AWR_JSON_MAX_DEPTH    the largest nesting depth the tokenizer can be asked for (default 1024)
 *     AWR_WORK_COUNTER      an integer variable of yours: the internal string helpers add the bytes
 *                           they scan to it (the tests use it to show that work grows linearly)
 *     AWR_CPP               the C++ layer (namespace awr: client, subscription, event), C++17
 *     AWR_JSON_WRITER_DEPTH the deepest nesting the JSON writer supports (default and most: 32)
 *     AWR_MATCH_MAX_SEGMENTS  the most segments in one pattern of a match set (default 32)
 *     AWR_NO_JSON_DOUBLE    leave out the double conversions: awr_json_double(_n), awr_json_write_double,
 *                           awr_event_get_double (a query value of type AWR_QUERY_VALUE_DOUBLE: AWR_ERR_UNSUPPORTED)
 *     AWR_NO_JSON_COMPACT   leave out awr_json_compact (awr_query_and/or then take parts without
 *                           insignificant whitespace, as the builders write them: AWR_ERR_UNSUPPORTED else)
 *     AWR_NO_MATCH_SET      leave out the compiled pattern sets (awr_match_set_*; awr_match stays)
 *     AWR_NO_JSON_SKIM      leave out the skim (awr_json_options.skim is then ignored: collapsed
 *                           containers are validated in full, the same tokens at more cost per byte).
 *                           Without SSE2 or NEON it is left out anyway; AWR_JSON_HAS_SKIM (0 or 1,
 *                           set by the declarations) says whether this build has it
 *     AWR_NO_URL_MODE       message mode only (Appwrite 1.9.5+): the client leaves out URL mode and the
 *                           generation detection; a config with mode AWR_MODE_URL: AWR_ERR_UNSUPPORTED
 *     AWR_NO_DISPATCH_INDEX no hash indexes for dispatch: each event scans the subscription table (less
 *                           code and memory for a few subscriptions; the cost grows with max_subscriptions)
 *     AWR_NO_IO_HOOKS       sans-I/O only: the client never calls io.open/send/recv/close/error (the host
 *                           drives it, see THE LOOP; io.random is still used); a config with io.open:
 *                           AWR_ERR_UNSUPPORTED (awr_tcp_run needs the hooks)
 *   Each AWR_NO_* removes declarations and code (docs/platforms.md: what a firmware image keeps);
 *   define it for every file that includes the header.
 *
 * THE LAYERS, in the order this file declares and then implements them. Each is a public API that
 * works on its own:
 *     results     awr_result: 0 is OK, AWR_AGAIN (1) is "not finished", negative values are errors;
 *                 awr_result_str() names each one
 *     primitives  awr_sha1, awr_base64_encode, awr_utf8 (an incremental UTF-8 validator)
 *     WebSocket   awr_ws_: RFC 6455 client handshake, frame encoder and masking, a streaming frame
 *                 decoder, and awr_ws, the message layer (fragments, ping/pong, close, UTF-8, limits)
 *     JSON        awr_json_: a strict RFC 8259 tokenizer into your token array (no recursion, no
 *                 allocation), navigation, exact int64/double conversions, unescaping, a small writer
 *     match       awr_match: `*` is exactly one dot-separated segment; compiled pattern sets; channel
 *                 name builders
 *     queries     awr_query_: realtime query builders (Appwrite 1.9.0+), the JSON the SDKs' Query sends
 *     I/O hook    awr_io: open/send/recv/close/random and an optional error, supplied by the host or an
 *                 adapter
 *     client      awr_client_: the Appwrite protocol (both server generations), subscriptions,
 *                 heartbeats, reconnects, auth, dispatch; awr_client_poll drives it all
 *     adapters    TCP (POSIX or Winsock) and BearSSL, each compiled only when its macro is defined
 *     C++         namespace awr (AWR_CPP, C++17): RAII client and subscriptions, lambdas as callbacks
 *
 * A WALK THROUGH (POSIX)
 *     static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
 *         if (awr_event_is(ev, "buckets.*.files.*.create"))
 *             printf("%.*s\n", (int)ev->payload.len, ev->payload.ptr);     zero-copy, valid now
 *     }
 *     static unsigned char tcp_mem[AWR_TCP_SIZE];
 *     awr_tcp *tcp; awr_client_config cfg; awr_client *c; awr_sub sub;
 *     const char *channels[] = { "files" };
 *     awr_tcp_init(tcp_mem, sizeof tcp_mem, NULL, &tcp);   the TCP adapter, in memory of yours
 *     memset(&cfg, 0, sizeof cfg);                zero means default, everywhere
 *     cfg.endpoint = "https://cloud.appwrite.io/v1";
 *     cfg.project = "my-project";
 *     cfg.io = awr_tcp_io(tcp);                   or your own awr_io, or a BearSSL one for wss://
 *     awr_client_create(&cfg, &c);                or awr_client_size + awr_client_init: no malloc at all
 *     awr_client_subscribe(c, channels, 1, NULL, 0, on_event, NULL, &sub);
 *     awr_tcp_run(tcp, c, -1);                    or call awr_client_poll(c, now_ms) from your own loop
 *
 * THREADS. A client is one object without locks: every call on it (poll, feed, subscribe, update,
 * presence, disconnect, destroy, ...) must come from one thread at a time, and its callbacks run on
 * the thread that called awr_client_poll (or awr_client_feed), inside that call. Different clients
 * are independent: one per thread needs nothing more. The JSON, match, query, WebSocket and
 * primitive functions keep no state between calls: any thread may use them at any time. An engine
 * that polls on a network thread while game code subscribes guards the client with one mutex:
 *     network thread:  lock; awr_client_poll(c, now); wants = awr_client_wants(c, &deadline); unlock;
 *                      wait on the socket (and a wake-up pipe) until the deadline
 *     game thread:     lock; awr_client_subscribe_channel(c, ...); unlock; write the wake-up pipe
 * Callbacks run with the lock held (they may call the client directly, never lock it again) and copy
 * what the game needs into a queue of its own: the event's texts point into the receive buffer and
 * are gone when the callback returns. examples/threads.c is this pattern, complete.
 *
 * CONVENTIONS, the same in every layer (docs/api.md lists the functions of each kind):
 *     failures    a call that can fail returns an awr_result: AWR_OK, AWR_AGAIN ("not finished", not
 *                 an error) or a negative AWR_ERR_*. Its outputs go through out-parameters.
 *     outputs     an out-parameter whose pointer is not NULL is written on failure too, with an empty
 *                 value (0, NULL, "" in a text buffer of cap > 0, handle 0) unless the function's
 *                 comment names what it holds instead (the start that fits, the size needed, the
 *                 offset of the error). Optional out-parameters may be NULL.
 *     order       the object first, then the inputs, then an output buffer and its capacity
 *                 (buf, cap), then out-parameters: awr_query_equal(attr, values, n, buf, cap). For
 *                 the inits the memory they build in is the object: awr_client_init(mem, size, cfg,
 *                 &client).
 *     predicates  return int 1 or 0 and cannot fail (bad input answers 0): awr_match, awr_utf8_valid,
 *                 awr_json_eq, awr_ws_close_code_valid, awr_event_is, awr_event_has_channel,
 *                 awr_tcp_resolving.
 *     lookups     the JSON navigation calls (awr_json_find, _path, _at, _first, _next) return a token
 *                 index >= 0, or a negative awr_result as an int (AWR_ERR_NOT_FOUND, AWR_ERR_JSON_TYPE,
 *                 AWR_ERR_ARG): test for < 0.
 *     sizes       awr_client_size, awr_tcp_size, awr_bearssl_size, awr_bearssl_anchor_bytes return a
 *                 byte count, 0 for what the matching init would refuse (init then says why).
 *     sticky      the JSON writer's calls return nothing: the first failure sticks, later calls do
 *                 nothing, and awr_json_writer_finish (or awr_json_writer_error) returns it. Likewise
 *                 a failed awr_ws keeps its error (awr_ws_error), and the client reports the failures
 *                 of its own work to on_state, not to the caller of awr_client_poll.
 *     values      calls that cannot fail return their value (awr_client_state, awr_ws_send_space,
 *                 awr_match_set_count); void calls cannot fail (the plain inits: awr_sha1_init,
 *                 awr_utf8_init, awr_ws_handshake_init, awr_ws_decoder_init, awr_json_writer_init).
 *                 awr_ws_frame_header returns the header's length, 0 for a header no peer accepts.
 *     names       awr_<layer>_<what>: each public name starts with its layer (awr_ws_, awr_json_,
 *                 awr_match_, awr_channel_, awr_query_, awr_client_, awr_event_, awr_tcp_,
 *                 awr_bearssl_; the client's own types: awr_event, awr_sub, awr_state, ...); internal
 *                 names are awr__, macros AWR_.
 *
 * Each section below starts with a banner that explains its part in more detail. README.md is the
 * front door (a complete example, credentials); docs/ holds the guides, the tests, the fuzzers and the
 * benchmarks. The license (MIT or public domain) is at the end of this file.
 */
#ifndef APPWRITE_REALTIME_H
#define APPWRITE_REALTIME_H

/* ==================================================================================================
 * CONFIGURATION
 * ================================================================================================== */
#define AWR_VERSION_MAJOR 0
#define AWR_VERSION_MINOR 3
#define AWR_VERSION_PATCH 0
#define AWR_VERSION_STRING "0.3.0"

/* AWR_POSIX and AWR_WIN32 (the names of 0.1) switch on the one TCP adapter, as AWR_TCP does. */
#if (defined(AWR_POSIX) || defined(AWR_WIN32)) && !defined(AWR_TCP)
#  define AWR_TCP
#endif
/* The TCP adapter needs POSIX 2008 declarations (getaddrinfo, clock_gettime, pthreads), which strict
   ISO modes (-std=c99) hide; ask for them before the first system header, unless the user chose. */
#if defined(AWR_TCP) && !defined(_WIN32) && defined(APPWRITE_REALTIME_IMPLEMENTATION) && defined(__STRICT_ANSI__) && \
    !defined(_POSIX_C_SOURCE) && !defined(_XOPEN_SOURCE) && !defined(_GNU_SOURCE) && !defined(_DEFAULT_SOURCE)
#  define _POSIX_C_SOURCE 200809L
#  if defined(__APPLE__)
#    define _DARWIN_C_SOURCE 1
#  endif
#endif
#include <stddef.h>   /* size_t */
#include <stdint.h>   /* uint8_t, uint32_t, uint64_t, int64_t */

#ifndef AWR_API
#  ifdef AWR_STATIC   /* a private copy per translation unit: functions it does not call are fine */
#    if defined(__GNUC__) || defined(__clang__)
#      define AWR_API static __attribute__((unused))
#    else
#      define AWR_API static
#    endif
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
    AWR_ERR_UTF8 = -13,          /* the text is not valid UTF-8 (awr_utf8_feed, awr_utf8_finish) */

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

/* Allocator: where the one block of awr_client_create or awr_bearssl_create, and the TCP adapter's
 * block for each DNS lookup, come from (the library allocates nothing else; zero =
 * AWR_MALLOC/AWR_FREE). Set both functions or neither: a create or init function refuses a config
 * with only one (AWR_ERR_ARG). */
typedef struct awr_allocator {
    void *(*alloc)(void *user, size_t size);
    void (*free)(void *user, void *ptr);
    void *user;
} awr_allocator;


/* ==================================================================================================
 * PRIMITIVES: SHA-1, BASE64, UTF-8
 * The WebSocket handshake needs SHA-1 and base64 (Sec-WebSocket-Accept = base64(SHA-1(key + GUID)));
 * text messages and close reasons must be valid UTF-8. All three are public because they are useful
 * on their own, and none of them allocates.
 *
 *   uint8_t digest[AWR_SHA1_SIZE];
 *   awr_sha1("abc", 3, digest);                       one shot, or awr_sha1_init/update/final
 *   char b64[AWR_BASE64_LEN(20) + 1]; size_t n;
 *   awr_base64_encode(digest, 20, b64, sizeof b64, &n);   NUL-terminated, AWR_OK and n = 28
 *
 * The UTF-8 validator is incremental: it keeps the state of an unfinished character between calls,
 * so a text message that arrives in fragments (or a stream split at any byte) is checked as it comes
 * in, and it fails at the first byte that cannot be valid (an overlong form, a surrogate, a code point
 * above U+10FFFF, a stray continuation byte), not at the end of the text. Runs of ASCII are checked
 * a machine word at a time.
 *
 *   awr_utf8 u;
 *   awr_utf8_init(&u);
 *   if (awr_utf8_feed(&u, part1, n1, NULL) != AWR_OK || awr_utf8_feed(&u, part2, n2, NULL) != AWR_OK)
 *       -> invalid (AWR_ERR_UTF8)
 *   if (awr_utf8_finish(&u) != AWR_OK) -> the text ends inside a character (AWR_ERR_UTF8)
 * ================================================================================================== */
#define AWR_SHA1_SIZE 20
/* Length of the base64 encoding of n bytes (with padding, without the terminating NUL). */
#define AWR_BASE64_LEN(n) ((((n) + 2u) / 3u) * 4u)

typedef struct awr_sha1_ctx {
    uint32_t h[5];
    uint64_t total;      /* bytes hashed so far */
    uint8_t block[64];   /* the unfinished 64-byte block */
    size_t used;         /* bytes in block */
} awr_sha1_ctx;

/* SHA-1 (FIPS 180-4) in pieces: init, update with any chunking, final writes the digest (the context
 * is then spent: init it again). awr_sha1 does all three. For Sec-WebSocket-Accept, not for security. */
AWR_API void awr_sha1_init(awr_sha1_ctx *ctx);
AWR_API void awr_sha1_update(awr_sha1_ctx *ctx, const void *data, size_t len);
AWR_API void awr_sha1_final(awr_sha1_ctx *ctx, uint8_t digest[AWR_SHA1_SIZE]);
AWR_API void awr_sha1(const void *data, size_t len, uint8_t digest[AWR_SHA1_SIZE]);

/* Standard base64 (RFC 4648, '+' '/', '=' padding) of len bytes into out, NUL-terminated; *out_len
 * (optional) gets the characters written, AWR_BASE64_LEN(len). AWR_ERR_BUFFER when
 * cap < AWR_BASE64_LEN(len) + 1 (out is then "" if cap > 0, *out_len 0), AWR_ERR_ARG for out NULL
 * with cap > 0 or data NULL with len > 0. */
AWR_API awr_result awr_base64_encode(const void *data, size_t len, char *out, size_t cap, size_t *out_len);

/* Incremental UTF-8 validator (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF). */
typedef struct awr_utf8 {
    uint32_t state;   /* 0: at a character boundary; otherwise the unfinished character; see below */
} awr_utf8;

/* Start (or restart) at a character boundary. */
AWR_API void awr_utf8_init(awr_utf8 *u);
/* Checks the next len bytes. AWR_OK while everything so far can still be valid UTF-8, AWR_ERR_UTF8 at
 * the first invalid byte: then *bad_at (optional) is its offset in this chunk, and the validator stays
 * failed (every later call returns AWR_ERR_UTF8 with *bad_at = 0) until awr_utf8_init. *bad_at is len
 * after AWR_OK. */
AWR_API awr_result awr_utf8_feed(awr_utf8 *u, const void *data, size_t len, size_t *bad_at);
/* AWR_OK if the text fed so far is complete and valid; AWR_ERR_UTF8 if it failed or ends inside a
 * character. */
AWR_API awr_result awr_utf8_finish(const awr_utf8 *u);
/* One shot: 1 if the len bytes are complete, valid UTF-8. */
AWR_API int awr_utf8_valid(const void *data, size_t len);

/* ==================================================================================================
 * WEBSOCKET (RFC 6455, client side)
 * Four layers, each usable alone, none doing I/O:
 *
 * 1. Opening handshake. awr_ws_handshake_request() writes the HTTP/1.1 upgrade request into your
 *    buffer (you supply 16 random bytes for Sec-WebSocket-Key); awr_ws_handshake_response() eats the
 *    server's answer in chunks of any size and returns AWR_AGAIN until the header is complete, then
 *    AWR_OK and how many input bytes it used: the rest is the start of the first frame. It checks
 *    status 101, Upgrade: websocket (and no other protocol), Connection: upgrade (case-insensitive,
 *    token lists), Sec-WebSocket-Accept, and refuses extensions and subprotocols that were not
 *    offered. The answer is parsed as a stream, each line as soon as it is complete and the status
 *    line byte by byte (a response that is not HTTP fails at its first bytes): the buffer needs room
 *    for the status line and the longest header line, not the whole header (awr_ws_handshake_header
 *    finds headers only when the whole header fitted).
 *
 *      char hsbuf[AWR_WS_HANDSHAKE_DEFAULT_CAP], req[1024];
 *      awr_ws_handshake hs;
 *      awr_ws_request rq = {0};
 *      rq.host = "example.com"; rq.port = 80; rq.resource = "/v1/realtime?project=p";
 *      awr_ws_handshake_init(&hs, hsbuf, sizeof hsbuf);
 *      awr_ws_handshake_request(&hs, &rq, random16, req, sizeof req, &reqlen);   send req
 *      r = awr_ws_handshake_response(&hs, in, n, &used);   AWR_AGAIN: read more; AWR_OK: in+used...
 *
 * 2. Frames. awr_ws_frame_header() encodes a header (every length class, optional mask key);
 *    awr_ws_mask() masks in place a machine word at a time, at any alignment and payload offset.
 *    awr_ws_decode() is a streaming decoder: feed it any split of the input (one byte at a time
 *    included) and it reports the header, then the payload in pieces that point into your input
 *    (it never buffers a payload), then the end of the frame. It rejects every framing violation.
 *
 * 3. Messages: awr_ws. Initialised on your memory (a receive buffer that bounds the message size,
 *    a transmit buffer); it never allocates. awr_ws_feed() takes received bytes and calls on_message
 *    with each complete text or binary message (opcode, pointer, length; the pointer is valid during
 *    the call; it points straight into your input, no copy, when an unfragmented frame lies wholly
 *    inside the chunk). It reassembles fragments, handles control frames between fragments, answers
 *    pings with pongs carrying the same payload, runs the closing handshake (echoing the peer's code),
 *    validates text as UTF-8 as it arrives (failing at the first bad byte, across fragment borders)
 *    and close payloads. Any violation fails the connection: a close frame with the right code
 *    (1002, 1007, 1009) is queued, the state becomes AWR_WS_CLOSED and feed returns the distinct
 *    AWR_ERR_WS_* result. awr_ws_send() masks a frame into the transmit buffer; awr_ws_output() and
 *    awr_ws_output_done() hand the pending bytes to your socket. Callbacks may call awr_ws_send(),
 *    awr_ws_close() and awr_ws_reset() (not awr_ws_feed()) on the same object.
 *
 *      uint8_t rx[65536], tx[65536];
 *      awr_ws ws;
 *      awr_ws_config c = {0};
 *      c.rx_buf = rx; c.rx_cap = sizeof rx; c.tx_buf = tx; c.tx_cap = sizeof tx;
 *      c.on_message = on_message; c.random = my_random; c.user = me;
 *      awr_ws_init(&ws, &c);
 *      loop: n = recv(...); awr_ws_feed(&ws, buf, n);
 *            while ((p = awr_ws_output(&ws, &len)) != NULL) { k = send(p, len); awr_ws_output_done(&ws, k); }
 *            if (awr_ws_get_state(&ws) == AWR_WS_CLOSED && !awr_ws_output(&ws, &len)) close the socket
 *
 * Defaults: handshake header buffer AWR_WS_HANDSHAKE_DEFAULT_CAP (4096) is what the examples use;
 * the transmit buffer must hold at least AWR_WS_MIN_TX bytes; the largest message is rx_cap (or the
 * smaller max_message).
 * ================================================================================================== */
#define AWR_WS_KEY_SIZE 16                  /* random bytes behind Sec-WebSocket-Key */
#define AWR_WS_ACCEPT_LEN 28                /* length of a Sec-WebSocket-Key / -Accept value is 24 / 28 */
#define AWR_WS_HANDSHAKE_DEFAULT_CAP 4096   /* suggested response header buffer */
#define AWR_WS_MAX_HEADER 14                /* longest frame header: 2 + 8 length + 4 mask */
#define AWR_WS_MAX_CONTROL 125              /* largest control frame payload */
#define AWR_WS_MIN_TX 256                   /* smallest transmit buffer awr_ws_init accepts */

/* Opcodes. */
typedef enum awr_ws_opcode {
    AWR_WS_OP_CONTINUATION = 0x0, AWR_WS_OP_TEXT = 0x1, AWR_WS_OP_BINARY = 0x2,   /* data frames */
    AWR_WS_OP_CLOSE = 0x8, AWR_WS_OP_PING = 0x9, AWR_WS_OP_PONG = 0xA             /* control frames */
} awr_ws_opcode;

/* Close codes (RFC 6455 section 7.4.1). 1005 and 1006 are never sent on the wire. */
typedef enum awr_ws_close_code {
    AWR_WS_CLOSE_NORMAL = 1000, AWR_WS_CLOSE_GOING_AWAY = 1001, AWR_WS_CLOSE_PROTOCOL_ERROR = 1002,
    AWR_WS_CLOSE_UNSUPPORTED_DATA = 1003,
    AWR_WS_CLOSE_NO_STATUS = 1005, AWR_WS_CLOSE_ABNORMAL = 1006,   /* reported locally, never sent */
    AWR_WS_CLOSE_INVALID_DATA = 1007, AWR_WS_CLOSE_POLICY = 1008, AWR_WS_CLOSE_TOO_BIG = 1009,
    AWR_WS_CLOSE_MANDATORY_EXTENSION = 1010, AWR_WS_CLOSE_INTERNAL_ERROR = 1011
} awr_ws_close_code;

/* 1 if a close frame may carry this code (1000-1003, 1007-1014, 3000-4999). */
AWR_API int awr_ws_close_code_valid(int code);
/* The close code a failure result sends: 1002 for framing errors, 1007 for AWR_ERR_WS_UTF8,
 * 1009 for AWR_ERR_WS_TOO_BIG, 1011 for anything else that is an error, 1000 for AWR_OK. */
AWR_API int awr_ws_close_code_for(awr_result r);

/* ---- 1. opening handshake ----------------------------------------------------------------------- */
typedef struct awr_ws_request {
    const char *host;       /* required: host name, IPv4 literal or bracketed IPv6 literal "[::1]" */
    int port;               /* written into Host unless 0 or the default (80, or 443 when tls) */
    int tls;                /* 1 for wss: only decides which port is the default */
    const char *resource;   /* path and query exactly as given ("/v1/realtime?project=x"); NULL = "/" */
    const char *origin;     /* optional Origin header value; no Origin header when NULL */
    const char *protocols;  /* optional Sec-WebSocket-Protocol value, "a, b"; copied into the handshake */
    const char *headers;    /* optional extra header lines, each ending in "\r\n", no other CR or LF (e.g. cookies) */
} awr_ws_request;

typedef struct awr_ws_handshake {
    int status;                          /* HTTP status code once the status line is in, else 0 */
    char accept[AWR_WS_ACCEPT_LEN + 1];  /* the Sec-WebSocket-Accept value expected from the server */
    /* private */
    char *buf;            /* caller's buffer: offered protocols, the status line, kept header lines,
                             then the line being received */
    size_t cap;
    size_t len;           /* bytes used in buf */
    size_t offered_len;   /* the offered protocol list occupies buf[0, offered_len) */
    size_t line;          /* where the line being received starts */
    size_t status_end;    /* the status line is buf[offered_len, status_end), CRLF included; 0 before */
    size_t chosen_off, chosen_len; /* the subprotocol the server chose (inside the offered list) */
    uint8_t kept;         /* 1 while every header line received so far is still in buf */
    uint8_t upgrade, connection, accepts, accept_ok;
    awr_result result;    /* AWR_AGAIN until finished; then the final result, repeated */
} awr_ws_handshake;

/* Prepares a handshake that parses the response in buf[0, cap). The response is read as a stream, a
 * line at a time: buf must hold the offered protocols plus the status line plus the longest header
 * line (AWR_ERR_HS_TOO_LARGE otherwise), not the whole header. Header lines are kept in buf while
 * they fit, for awr_ws_handshake_header (AWR_WS_HANDSHAKE_DEFAULT_CAP keeps an ordinary header whole). */
AWR_API void awr_ws_handshake_init(awr_ws_handshake *hs, void *buf, size_t cap);
/* Writes the upgrade request (NUL-terminated) into out and its length into *out_len; remembers the
 * expected accept value and the offered subprotocols. AWR_ERR_ARG when host is missing or a field
 * contains CR, LF or NUL where it must not (out is then ""); AWR_ERR_BUFFER when out is too small
 * (*out_len then gets the size out needs, NUL included) or, for protocols, the handshake buffer is
 * (*out_len = 0). The strings of req may lie at the end of out: each is read before the request
 * reaches it. */
AWR_API awr_result awr_ws_handshake_request(awr_ws_handshake *hs, const awr_ws_request *req,
                                            const uint8_t key[AWR_WS_KEY_SIZE],
                                            char *out, size_t cap, size_t *out_len);
/* Feeds response bytes. AWR_AGAIN: all len bytes used, need more. AWR_OK: the header is complete and
 * valid; *consumed bytes of this chunk belonged to it, the rest are WebSocket frames. An AWR_ERR_HS_*
 * result is final (AWR_ERR_HS_STATUS still lets you read status, reason and kept headers). Each line is
 * checked as soon as it is complete, and the status line as its bytes arrive: a response that does not
 * start with "HTTP/1.x NNN" fails at its first bytes. Interim responses (1xx but 101: 100 Continue,
 * 103 Early Hints) are read past, as RFC 9110 15.2 asks: the response after them is the answer. */
AWR_API awr_result awr_ws_handshake_response(awr_ws_handshake *hs, const void *data, size_t len,
                                             size_t *consumed);
/* Value of the first response header with this name (case-insensitive), without surrounding blanks
 * and not NUL-terminated, length in *len; NULL when absent, when the header is not complete yet, or
 * when the header did not fit buf whole (then only the lines that were checked on the way count). */
AWR_API const char *awr_ws_handshake_header(const awr_ws_handshake *hs, const char *name, size_t *len);
/* The reason phrase of the status line ("Not Found"; may be empty), length in *len; NULL before the
 * status line is complete. */
AWR_API const char *awr_ws_handshake_reason(const awr_ws_handshake *hs, size_t *len);
/* The subprotocol the server chose (length in *len), or NULL when it chose none. */
AWR_API const char *awr_ws_handshake_protocol(const awr_ws_handshake *hs, size_t *len);
/* Sec-WebSocket-Accept for a Sec-WebSocket-Key (24 base64 characters) into out (NUL-terminated). */
AWR_API void awr_ws_accept_for_key(const char *key, size_t key_len, char out[AWR_WS_ACCEPT_LEN + 1]);

/* ---- 2. frames ---------------------------------------------------------------------------------- */
/* Encodes a frame header into out (at least AWR_WS_MAX_HEADER bytes) and returns its length.
 * mask: 4-byte key, or NULL for an unmasked frame. Uses the shortest length encoding. Returns 0 and
 * leaves out alone for a frame no peer may accept: a reserved opcode, a control frame (close, ping,
 * pong) without fin or over 125 bytes, a length of 2^63 or more. */
AWR_API size_t awr_ws_frame_header(int fin, int opcode, uint64_t payload_len, const uint8_t *mask, uint8_t *out);
/* XORs len bytes with the key; offset is the position of data[0] within the payload, so a payload can
 * be masked in pieces. Word-at-a-time, any alignment. */
AWR_API void awr_ws_mask(void *data, size_t len, const uint8_t mask[4], uint64_t offset);
/* The same, reading src and writing dst (they may be the same, must not otherwise overlap). */
AWR_API void awr_ws_mask_copy(const void *src, size_t len, const uint8_t mask[4], uint64_t offset, void *dst);

typedef struct awr_ws_frame {
    uint64_t length;    /* payload length */
    uint8_t fin;        /* 1 on the last frame of a message */
    uint8_t opcode;     /* awr_ws_opcode */
    uint8_t masked;     /* always 0 for frames a client accepts */
    uint8_t mask[4];
} awr_ws_frame;

typedef enum awr_ws_piece_kind {
    AWR_WS_PIECE_HEADER = 1,   /* a frame header is complete: see decoder.frame */
    AWR_WS_PIECE_DATA = 2,     /* data/len: the next payload bytes (pointing into the input) */
    AWR_WS_PIECE_END = 3       /* the frame is complete (after its last DATA piece, or right after an
                                  empty frame's HEADER) */
} awr_ws_piece_kind;

typedef struct awr_ws_piece {
    awr_ws_piece_kind kind;
    const uint8_t *data;
    size_t len;
    uint64_t offset;           /* DATA: position of data[0] within the payload */
} awr_ws_piece;

typedef struct awr_ws_decoder {
    awr_ws_frame frame;        /* the current frame, valid from its HEADER piece to its END piece */
    /* private */
    uint64_t done;             /* payload bytes reported so far */
    uint8_t hdr[AWR_WS_MAX_HEADER];
    uint8_t hdr_len, hdr_need, stage;
    awr_result error;          /* once failed, every call returns it */
} awr_ws_decoder;

AWR_API void awr_ws_decoder_init(awr_ws_decoder *d);
/* Decodes at most one piece from data[0, len). AWR_OK: *piece is filled and *consumed bytes were used;
 * call again with the rest. AWR_AGAIN: all len bytes were used (*consumed = len), nothing to report.
 * An AWR_ERR_WS_* result: a framing violation (reserved bits, reserved opcode, masked frame, control
 * frame too long or fragmented, non-minimal or over 2^63 length); it repeats on every later call.
 * Message-level rules (continuations, close payloads, UTF-8) belong to awr_ws. *piece is written only
 * on AWR_OK (a frame's bytes are too hot a path to clear it on every call). */
AWR_API awr_result awr_ws_decode(awr_ws_decoder *d, const void *data, size_t len, size_t *consumed,
                                 awr_ws_piece *piece);

/* ---- 3. messages -------------------------------------------------------------------------------- */
typedef enum awr_ws_state {
    AWR_WS_OPEN = 0,      /* messages flow both ways */
    AWR_WS_CLOSING = 1,   /* we sent a close frame and wait for the peer's */
    AWR_WS_CLOSED = 2     /* both close frames exchanged, or the connection failed: flush the output,
                             then close the TCP connection */
} awr_ws_state;

typedef struct awr_ws awr_ws;
/* A complete text or binary message. data is valid until the callback returns. */
typedef void (*awr_ws_message_fn)(awr_ws *ws, int opcode, const uint8_t *data, size_t len, void *user);
/* A ping, pong or close frame as it arrives (close: the raw payload, code first), before the
 * automatic pong or close reply is queued. Optional. */
typedef void (*awr_ws_control_fn)(awr_ws *ws, int opcode, const uint8_t *data, size_t len, void *user);

typedef struct awr_ws_config {
    void *rx_buf;             /* reassembles messages that do not arrive whole in one feed */
    size_t rx_cap;
    size_t max_message;       /* largest message accepted (1009 above it); 0 = rx_cap; at most rx_cap */
    void *tx_buf;             /* outgoing frames wait here until awr_ws_output_done */
    size_t tx_cap;            /* >= AWR_WS_MIN_TX; a frame must fit whole: payload + 14 bytes */
    awr_ws_message_fn on_message;
    awr_ws_control_fn on_control;
    /* Masking keys come from random (like awr_io.random) when set, else from an internal generator
       (SHA-1 over seed and a counter): then fill seed with 16 random bytes. */
    awr_result (*random)(void *user, void *out, size_t len);
    uint8_t seed[16];
    void *user;               /* passed to every callback */
} awr_ws_config;

struct awr_ws {
    /* private: use the functions. The fields used most come first (short loads on a Thumb core). */
    uint8_t state;              /* awr_ws_state */
    uint8_t in_feed;            /* set while awr_ws_feed runs: detects re-entry and resets from callbacks */
    uint8_t msg_opcode;         /* opcode of the fragmented message in progress, 0 = none */
    uint8_t frame_opcode;       /* opcode and FIN bit of the frame being received */
    uint8_t frame_fin;
    uint8_t tx_fragmenting;     /* we sent a data frame without FIN: continuations must follow */
    uint8_t close_sent, close_received, pong_pending, close_pending;
    /* Set by the client after awr_ws_init: a text message that arrives whole in one feed is delivered
       without the UTF-8 check (msg_checked = 0), because the client's JSON parse of it checks the same
       bytes (and fails the connection with AWR_ERR_WS_UTF8 itself): one pass per message, not two. A
       message that is streamed or fragmented is still checked as it arrives (msg_checked = 1). */
    uint8_t text_unchecked, msg_checked;
    uint8_t keys_used;
    awr_result error;           /* why the connection failed, or AWR_OK */
    size_t msg_len;             /* bytes of the message in rx_buf */
    size_t tx_head, tx_tail;    /* pending output is tx_buf[tx_head, tx_tail) */
    size_t ctl_len, pong_len, close_out_len, peer_reason_len;
    int peer_code;              /* code of the peer's close frame (1005 if none), 0 before it */
    awr_ws_config cfg;
    awr_ws_decoder dec;
    awr_utf8 utf8;              /* text validation of the message being received */
    uint8_t ctl[AWR_WS_MAX_CONTROL];  /* payload of the control frame being received */
    uint8_t pong[AWR_WS_MAX_CONTROL]; /* the pong waiting for room in tx_buf */
    uint8_t close_out[AWR_WS_MAX_CONTROL]; /* our close payload waiting for room in tx_buf */
    uint8_t peer_reason[AWR_WS_MAX_CONTROL];
    uint8_t keys[AWR_SHA1_SIZE];/* internal key generator output */
    uint64_t key_counter;
};

/* Starts a connection whose handshake has completed (feed it the bytes after the handshake).
 * AWR_ERR_ARG when the buffers are missing or too small or max_message > rx_cap. */
AWR_API awr_result awr_ws_init(awr_ws *ws, const awr_ws_config *cfg);
/* Back to a fresh open connection with the same configuration (for a reconnect). Safe in callbacks:
 * the running awr_ws_feed stops at once. */
AWR_API void awr_ws_reset(awr_ws *ws);
/* Processes received bytes (all of them). AWR_OK, or the AWR_ERR_WS_* violation that failed the
 * connection (also returned by later calls), or AWR_ERR_STATE when called from a callback. Bytes
 * after the peer's close frame are ignored. */
AWR_API awr_result awr_ws_feed(awr_ws *ws, const void *data, size_t len);
/* Queues one whole message (TEXT or BINARY) or a PING/PONG (len <= 125), masked with a fresh key.
 * AWR_ERR_BUFFER: not enough room in tx_buf now (flush output and retry; AWR_ERR_ARG if it could never
 * fit); AWR_ERR_WS_CLOSED after a close frame was queued; AWR_ERR_RANDOM when the random hook fails.
 * Text is sent as given (not validated). */
AWR_API awr_result awr_ws_send(awr_ws *ws, int opcode, const void *data, size_t len);
/* One frame of a fragmented message (opcode CONTINUATION after the first), with an optional mask key
 * of your own (NULL: a fresh one). */
AWR_API awr_result awr_ws_send_frame(awr_ws *ws, int opcode, int fin, const void *data, size_t len,
                                     const uint8_t *mask);
/* Largest payload awr_ws_send would accept right now without AWR_ERR_BUFFER. */
AWR_API size_t awr_ws_send_space(const awr_ws *ws);
/* Starts the closing handshake: queues a close frame with code (0: no code, then reason is ignored)
 * and an optional UTF-8 reason (at most 123 bytes). AWR_ERR_ARG for a code not valid on the wire,
 * AWR_ERR_WS_CLOSED when a close was already queued. */
AWR_API awr_result awr_ws_close(awr_ws *ws, int code, const char *reason);
/* Pending output: pointer and length, or NULL (and *len = 0) when there is nothing to send. */
AWR_API const uint8_t *awr_ws_output(awr_ws *ws, size_t *len);
/* n bytes of the pending output were written to the transport. */
AWR_API void awr_ws_output_done(awr_ws *ws, size_t n);
/* AWR_WS_OPEN, _CLOSING or _CLOSED (named _get_: awr_ws_state is the type). */
AWR_API awr_ws_state awr_ws_get_state(const awr_ws *ws);
/* Why the connection failed (an AWR_ERR_WS_* result), or AWR_OK. */
AWR_API awr_result awr_ws_error(const awr_ws *ws);
/* The peer's close code (1005 when its close frame had none; 0 before any) and its reason
 * (valid UTF-8, not NUL-terminated) in *reason / *len when those are not NULL. */
AWR_API int awr_ws_peer_close(const awr_ws *ws, const uint8_t **reason, size_t *len);

/* ==================================================================================================
 * JSON: a strict RFC 8259 tokenizer, navigation, conversions and a tiny writer
 *
 * Every Appwrite Realtime message is one JSON object, and its payload is a whole document. This section
 * turns (pointer, length) input into an array of tokens the caller owns: one token per value (and per
 * object key), in document order, each with its byte range and enough structure to skip any value in
 * O(1). It never allocates, never recurses, never reads past len (the input needs no NUL terminator),
 * does not depend on the locale, and rejects everything RFC 8259 does not allow.
 *
 *   awr_json_token tok[64];
 *   size_t n, at;
 *   awr_result r = awr_json_parse(NULL, text, text_len, tok, 64, &n, &at);
 *   if (r != AWR_OK) -> awr_result_str(r), and `at` is the byte offset of the error
 *   int id = awr_json_path(text, tok, 0, "data.payload.$id");         index of a value, or < 0
 *   if (id >= 0 && awr_json_eq(text, &tok[id], "doc1")) ...           compare without unescaping
 *
 * TOKENS. tok[0] is the root value. A container is followed by its subtree; tok[i].next is the index just
 * past the subtree, so the next sibling of i is at tok[i].next (for an object member: tok[key + 1].next).
 * An object's children are its keys, each followed by its value: key, value, key, value. A key is a
 * string token with AWR_JSON_KEY set whose subtree is the key alone (next = key + 1); its parent, like
 * its value's, is the object. AWR_JSON_SIZE(t) counts direct children: elements of an array, members
 * (key/value pairs) of an object, 0 for scalars.
 *
 *   type       start                        len
 *   OBJECT     offset of '{'                through the matching '}'
 *   ARRAY      offset of '['                through the matching ']'
 *   STRING     first byte after the '"'     the content between the quotes, still escaped
 *   NUMBER     first byte ('-' or digit)    the number as written
 *   TRUE/FALSE/NULL  first byte             4, 5, 4
 *
 * Counting mode: pass tokens = NULL to learn how many tokens a document needs. When the array is too
 * small, parsing goes on validating without storing and returns AWR_ERR_JSON_TOKENS with *ntokens set to
 * the number needed (unless the document is also invalid: then that error wins).
 *
 * OPTIONS (awr_json_options, zero or a NULL pointer means the default):
 *   max_depth    [AWR_JSON_DEFAULT_DEPTH = 512, or AWR_JSON_MAX_DEPTH if smaller] containers nested
 *                deeper fail with AWR_ERR_JSON_DEPTH, at most AWR_JSON_MAX_DEPTH (1024, a compile-time
 *                limit: the nesting is tracked in a bit stack of that many bits on the C stack).
 *   emit_depth   [0 = no limit] containers nested deeper than this (the root is depth 1) are validated
 *                as usual but stored as ONE token (flag AWR_JSON_COLLAPSED, size 0, next = index + 1).
 *                A client asks for the envelope only; a 1 MiB payload then costs one token, and the
 *                caller can tokenize its byte range later with a second call.
 *   skip_utf8    nonzero: the input is already known to be valid UTF-8 (a WebSocket text message), so
 *                strings are not validated again. Bytes >= 0x80 outside strings are still errors.
 *   skim         [0] nonzero (with emit_depth): a collapsed container is skimmed 64 bytes per step
 *                (SSE2 on x86-64, NEON on AArch64 and 32-bit ARM with NEON; the same results on each)
 *                instead of validated. The skim
 *                checks its strings (quotes, escapes, no control bytes, UTF-8 unless skip_utf8), that
 *                outside them there are no control bytes but whitespace and (unless skip_utf8, whose
 *                text is valid UTF-8 anyway) only ASCII bytes, that its
 *                brackets balance (those inside strings ignored) and close with the right kind, and
 *                its nesting against max_depth. It does NOT check the grammar between its values:
 *                commas, colons, numbers, literals, which bracket closes which inside. So
 *                {"a":{"b":1,,}} is accepted with emit_depth 1 and skim; tokenizing the container's
 *                own text (awr_json_span of its token) then fails with AWR_ERR_JSON_SYNTAX, as the
 *                awr_event_get_* calls do for a payload. A container the skim doubts (any of its
 *                checks fails, or the input ends inside it) is validated in full, so those errors
 *                come with the usual result and offset. The client reads its messages this way.
 *                Where there is no SSE2 or NEON (a Cortex-M, a big-endian machine, AWR_JSON_NO_SIMD)
 *                and with AWR_NO_JSON_SKIM the skim is not built and the option is ignored: full
 *                validation, so {"a":{"b":1,,}} is AWR_ERR_JSON_SYNTAX. AWR_JSON_HAS_SKIM is 1 where
 *                it is built, 0 elsewhere.
 *
 * STRICTNESS. Exactly RFC 8259: one value with optional whitespace (space, tab, CR, LF) around it; no
 * comments, no trailing commas, no single quotes, no leading zeros or '+', no NaN/Infinity, no control
 * characters or invalid UTF-8 inside strings, no byte-order mark. Decisions where the RFC leaves room
 * (JSONTestSuite's i_ files) are fixed and documented here:
 *   - numbers of any size or precision are ACCEPTED as tokens (the RFC grammar allows them); the
 *     conversions report AWR_ERR_JSON_RANGE when a value does not fit (int64) or overflows (double).
 *   - a \u escape of a lone or reversed surrogate is ACCEPTED by the tokenizer (it is grammatical);
 *     awr_json_unescape reports AWR_ERR_JSON_SURROGATE for it.
 *   - invalid UTF-8 inside a string (overlong forms, encoded surrogates, above U+10FFFF, truncated
 *     sequences, stray continuation bytes) is REJECTED with AWR_ERR_JSON_UTF8, unless skip_utf8.
 *   - a UTF-8 byte-order mark, UTF-16 and UTF-32 input are REJECTED (RFC 8259 section 8.1).
 *   - nesting deeper than max_depth is REJECTED (AWR_ERR_JSON_DEPTH): by default 512 levels pass and
 *     the 513th opening bracket fails.
 *   - duplicate keys are ACCEPTED and kept; awr_json_find returns the first.
 *
 * NAVIGATION. awr_json_find(json, tok, obj, "key") -> value index; awr_json_path follows a dot-separated
 * path: a segment applied to an object is a key (digits included: "a.0" inside {"a":{"0":1}}), applied to
 * an array it is a decimal index ("data.events.0", "a.2.b"). The empty path is the root itself. A key
 * that holds a dot cannot be written in a path: use awr_json_find for it. Children:
 *   for (int c = awr_json_first(tok, arr); c >= 0; c = awr_json_next(tok, c)) ...   elements / keys
 * A collapsed container (emit_depth) has no child tokens: lookups in it fail with AWR_ERR_NOT_FOUND.
 *
 * CONVERSIONS. awr_json_unescape (every escape, surrogate pairs to UTF-8, NUL-terminated),
 * awr_json_int64 / awr_json_uint64 (exact, AWR_ERR_JSON_RANGE on overflow, AWR_ERR_JSON_TYPE for a
 * fraction or exponent), awr_json_double (correctly rounded, no strtod, no locale), awr_json_bool.
 * The _n forms take (text, length) instead of a token: for a string, the escaped content between
 * the quotes; for a number, the number text.
 *
 * WRITER. A bounded writer over your buffer for small messages; commas and colons are automatic,
 * strings are escaped (control characters included) and must be valid UTF-8; the first error
 * (AWR_ERR_BUFFER, AWR_ERR_JSON_UTF8, AWR_ERR_JSON_DEPTH past AWR_JSON_WRITER_DEPTH levels,
 * AWR_ERR_ARG for a NULL key with a length, AWR_ERR_STATE for misuse) sticks, so check once at the end:
 *   char buf[256]; size_t n;
 *   awr_json_writer w;
 *   awr_json_writer_init(&w, buf, sizeof buf);
 *   awr_json_write_begin_object(&w);
 *   awr_json_write_key(&w, "type"); awr_json_write_string(&w, "ping");
 *   awr_json_write_end_object(&w);
 *   if (awr_json_writer_finish(&w, &n) == AWR_OK) -> buf holds {"type":"ping"}, NUL-terminated, n = 15
 * With a NULL buffer (cap ignored) the writer only counts: the same calls and checks, and finish gives
 * AWR_OK with the length the text needs (the NUL excluded), so a second pass can write it into cap n + 1.
 *
 * COMPACT. awr_json_compact copies a valid JSON text without insignificant whitespace; everything else
 * (key order, number spelling, string escapes) stays byte for byte as it was.
 *
 * COST. The tokenizer scans strings 16 bytes at a time with SSE2 on x86-64 and 8 at a time in portable
 * C elsewhere (the skim: 64 bytes per step, with SSE2 or NEON, the only places it exists); it uses
 * about 200 bytes of C stack, awr_json_double about 1 KB (its exact fallback), awr_json_write_double
 * about 2 KB (two exact decimals); writing a double takes about 7,000 instructions, and about 260,000
 * for the extremes (subnormals, the largest doubles: `make bench-cg`, x86-64 -O2). No function keeps
 * state between calls: any number of threads may parse at once.
 * ================================================================================================== */

/* AWR_JSON_NO_SIMD: define it to use only portable C in the tokenizer (no SSE2 on x86-64, no NEON on
 * ARM, no count-trailing-zeros builtins); the result is the same, only slower (and no skim). */
/* The SIMD scans the tokenizer can use, chosen here once: SSE2 on x86-64 (the string scan and the
 * skim), NEON on little-endian ARM with gcc or clang (the skim); none with AWR_JSON_NO_SIMD. */
#if !defined(AWR_JSON_NO_SIMD) && (defined(__SSE2__) || defined(_M_X64) || defined(_M_AMD64))
#  define AWR__JSON_SSE2 1
#elif !defined(AWR_JSON_NO_SIMD) && (defined(__ARM_NEON) || defined(__ARM_NEON__)) && \
      (defined(__GNUC__) || defined(__clang__)) && !defined(__ARM_BIG_ENDIAN)
#  define AWR__JSON_NEON 1
#endif
/* AWR_JSON_HAS_SKIM: 1 when awr_json_options.skim is built in, 0 when the option is ignored (full
 * validation, the same results). The skim exists only with an SSE2 or NEON block scan: in portable C
 * it cost more instructions per byte than validating. Computed in the declarations, from the same
 * conditions as the implementation, so that a file that includes only them (a program linked to a
 * compiled library built with the same flags) can test it with #if. */
#if (defined(AWR__JSON_SSE2) || defined(AWR__JSON_NEON)) && !defined(AWR_NO_JSON_SKIM)
#  define AWR_JSON_HAS_SKIM 1
#else
#  define AWR_JSON_HAS_SKIM 0
#endif
#ifndef AWR_JSON_MAX_DEPTH
#  define AWR_JSON_MAX_DEPTH 1024     /* the largest max_depth a parse may ask for (bits of C stack) */
#endif
#define AWR_JSON_DEFAULT_DEPTH 512    /* max_depth when the option is 0 */
#define AWR_JSON_NONE 0xFFFFFFFFu     /* awr_json_token.parent of the root */
#define AWR_JSON_SIZE_MAX 0xFFFFFFu   /* AWR_JSON_SIZE saturates here (16,777,215 children) */
#ifndef AWR_JSON_WRITER_DEPTH
#  define AWR_JSON_WRITER_DEPTH 32    /* the deepest nesting the writer supports */
#endif
#if AWR_JSON_WRITER_DEPTH < 1 || AWR_JSON_WRITER_DEPTH > 32
#  error "AWR_JSON_WRITER_DEPTH must be 1 to 32 (the writer keeps one bit per level in a uint32_t)"
#endif

typedef enum awr_json_type {
    AWR_JSON_INVALID = 0,
    AWR_JSON_OBJECT = 1, AWR_JSON_ARRAY = 2,                      /* containers */
    AWR_JSON_STRING = 3, AWR_JSON_NUMBER = 4,
    AWR_JSON_TRUE = 5, AWR_JSON_FALSE = 6, AWR_JSON_NULL = 7      /* literals */
} awr_json_type;

/* Token flags (AWR_JSON_FLAGS(t)). */
#define AWR_JSON_ESCAPED   0x10u  /* string: holds at least one backslash escape */
#define AWR_JSON_KEY       0x20u  /* string: an object key (its value is the next token) */
#define AWR_JSON_COLLAPSED 0x40u  /* container deeper than emit_depth, stored without its children */
#define AWR_JSON_FRACTION  0x80u  /* number: has a fraction or an exponent (not an integer literal) */

/* One value (20 bytes). `info` packs the type (bits 0-3), the flags (bits 4-7) and the number of direct
 * children (bits 8-31, saturating at AWR_JSON_SIZE_MAX); read it with the macros below. */
typedef struct awr_json_token {
    uint32_t start;    /* byte offset (see the table above) */
    uint32_t len;      /* byte length (see the table above) */
    uint32_t next;     /* index just past this token's subtree: its next sibling, if any */
    uint32_t parent;   /* index of the enclosing object or array, AWR_JSON_NONE for the root */
    uint32_t info;     /* type | flags | size << 8 */
} awr_json_token;

#define AWR_JSON_TYPE(t)  ((awr_json_type)((t)->info & 0x0Fu))
#define AWR_JSON_FLAGS(t) ((t)->info & 0xF0u)
#define AWR_JSON_SIZE(t)  ((t)->info >> 8)

typedef struct awr_json_options {
    uint32_t max_depth;    /* [AWR_JSON_DEFAULT_DEPTH] deepest container nesting (root = 1) */
    uint32_t emit_depth;   /* [0 = unlimited] store containers deeper than this as one token */
    int skip_utf8;         /* [0] nonzero: the input is known valid UTF-8, do not validate again */
    int skim;              /* [0] nonzero: collapsed containers are skimmed, not fully validated (see above) */
} awr_json_options;

/* Tokenize len bytes of json into tokens[0..max_tokens) (tokens may be NULL: counting mode).
 * Returns AWR_OK, AWR_ERR_JSON_SYNTAX, AWR_ERR_JSON_TRUNCATED, AWR_ERR_JSON_DEPTH, AWR_ERR_JSON_UTF8,
 * AWR_ERR_JSON_TOKENS, or AWR_ERR_ARG (json NULL with len > 0, len >= 4 GiB, bad options).
 * *ntokens (optional): tokens stored (or needed, see above); *err_offset (optional): byte offset of
 * the first offending byte (len when the input ends too early), 0 on success. */
AWR_API awr_result awr_json_parse(const awr_json_options *options, const char *json, size_t len,
                                  awr_json_token *tokens, size_t max_tokens,
                                  size_t *ntokens, size_t *err_offset);

/* The value's full text: for a string, the quotes included; otherwise start/len. */
AWR_API void awr_json_span(const awr_json_token *t, size_t *offset, size_t *length);

/* Navigation. Indices are ints (a parse never stores more than INT_MAX tokens); < 0 means not found
 * (AWR_ERR_NOT_FOUND), AWR_ERR_JSON_TYPE when the token is not the container the lookup needs (path:
 * AWR_ERR_NOT_FOUND then too), AWR_ERR_ARG for NULL pointers or a negative index. The tokens must come
 * from awr_json_parse on the same json text. */
AWR_API int awr_json_find(const char *json, const awr_json_token *tokens, int obj, const char *key);
AWR_API int awr_json_find_n(const char *json, const awr_json_token *tokens, int obj,
                            const char *key, size_t key_len);
AWR_API int awr_json_path(const char *json, const awr_json_token *tokens, int root, const char *path);
/* Array: the i-th element (0-based). */
AWR_API int awr_json_at(const awr_json_token *tokens, int arr, size_t i);
/* First child of a container (an array's first element, an object's first KEY), or < 0 if empty. */
AWR_API int awr_json_first(const awr_json_token *tokens, int container);
/* Next sibling of a child (after a key: the next key), or < 0 after the last. */
AWR_API int awr_json_next(const awr_json_token *tokens, int child);

/* 1 if string token t equals s (s is plain text: escapes in the token are decoded as they are
 * compared, so "a\u0062" equals "ab"), else 0 (also for non-strings). */
AWR_API int awr_json_eq(const char *json, const awr_json_token *t, const char *s);
AWR_API int awr_json_eq_n(const char *json, const awr_json_token *t, const char *s, size_t n);

/* Unescape string token t into out (cap bytes), NUL-terminated; *out_len (optional) excludes the NUL
 * (the text may hold U+0000 itself). AWR_ERR_BUFFER if cap < length + 1: out then holds the longest
 * start that fits, cut at a character boundary (never inside an escape or a UTF-8 sequence), and
 * *out_len its length; the same for what came before the failure of the other errors:
 * AWR_ERR_JSON_SURROGATE for a lone surrogate, AWR_ERR_JSON_TYPE if t is not a string,
 * AWR_ERR_JSON_SYNTAX for a malformed escape (only possible with the _n form on unchecked text). The
 * unescaped text is never longer than the escaped one, so cap = t->len + 1 always suffices. */
AWR_API awr_result awr_json_unescape(const char *json, const awr_json_token *t,
                                     char *out, size_t cap, size_t *out_len);
AWR_API awr_result awr_json_unescape_n(const char *s, size_t n, char *out, size_t cap, size_t *out_len);

/* Numbers and booleans. AWR_ERR_JSON_TYPE if the token is not of the type (or, for the integer forms,
 * has a fraction or an exponent; "-0" is 0); AWR_ERR_JSON_RANGE if it does not fit (double: the
 * magnitude overflows to infinity, *out = +-HUGE_VAL). Doubles are correctly rounded (round to nearest,
 * ties to even) for any number of digits. The _n forms check the whole text against the JSON number
 * grammar (AWR_ERR_JSON_SYNTAX otherwise; AWR_ERR_ARG for s NULL). */
AWR_API awr_result awr_json_int64(const char *json, const awr_json_token *t, int64_t *out);
AWR_API awr_result awr_json_uint64(const char *json, const awr_json_token *t, uint64_t *out);
#ifndef AWR_NO_JSON_DOUBLE
AWR_API awr_result awr_json_double(const char *json, const awr_json_token *t, double *out);
#endif
AWR_API awr_result awr_json_bool(const char *json, const awr_json_token *t, int *out);
AWR_API awr_result awr_json_int64_n(const char *s, size_t n, int64_t *out);
AWR_API awr_result awr_json_uint64_n(const char *s, size_t n, uint64_t *out);
#ifndef AWR_NO_JSON_DOUBLE
AWR_API awr_result awr_json_double_n(const char *s, size_t n, double *out);
#endif

#ifndef AWR_NO_JSON_COMPACT
/* Copy the JSON text json[0..len) to out without whitespace outside strings, NUL-terminated.
 * AWR_ERR_BUFFER if it does not fit (cap < compact length + 1; cap = len + 1 always suffices),
 * AWR_ERR_JSON_TRUNCATED if a string is not terminated (out is "" after either). It does not check the
 * grammar again: pass text that parsed. *out_len (optional) excludes the NUL. */
AWR_API awr_result awr_json_compact(const char *json, size_t len, char *out, size_t cap, size_t *out_len);
#endif

/* The bounded appender inside the writer (private; the implementation writes all its text with it). */
typedef struct awr__out {
    char *p;                 /* NULL: counting only */
    size_t cap;
    size_t len;              /* bytes appended so far, the NUL excluded, counted even past cap */
    int overflow;            /* a piece did not fit: p holds the prefix before it */
} awr__out;

/* The writer. Fields are private; zero-initialize through awr_json_writer_init. */
typedef struct awr_json_writer {
    awr__out out;
    awr_result err;          /* the first error other than a full buffer, sticky */
    uint32_t depth;          /* open containers */
    uint32_t nonempty;       /* bit d: the container at depth d + 1 has a member already */
    uint32_t objects;        /* bit d: the container at depth d + 1 is an object */
    int after_key;           /* a key was written, its value comes next */
} awr_json_writer;

AWR_API void awr_json_writer_init(awr_json_writer *w, char *buf, size_t cap);
AWR_API void awr_json_write_begin_object(awr_json_writer *w);
AWR_API void awr_json_write_end_object(awr_json_writer *w);
AWR_API void awr_json_write_begin_array(awr_json_writer *w);
AWR_API void awr_json_write_end_array(awr_json_writer *w);
AWR_API void awr_json_write_key(awr_json_writer *w, const char *key);
AWR_API void awr_json_write_key_n(awr_json_writer *w, const char *key, size_t n);
AWR_API void awr_json_write_string(awr_json_writer *w, const char *s);          /* NULL writes null */
AWR_API void awr_json_write_string_n(awr_json_writer *w, const char *s, size_t n);
AWR_API void awr_json_write_int64(awr_json_writer *w, int64_t v);
AWR_API void awr_json_write_uint64(awr_json_writer *w, uint64_t v);
#ifndef AWR_NO_JSON_DOUBLE
/* A number as JavaScript writes it (JSON.stringify, Number.prototype.toString): the shortest decimal
 * that reads back as v ("0.1", "2.5", "-3", "1e+21", "1e-7"), "0" for -0; NaN and the infinities are
 * written as null, as JSON.stringify does. */
AWR_API void awr_json_write_double(awr_json_writer *w, double v);
#endif
AWR_API void awr_json_write_bool(awr_json_writer *w, int v);
AWR_API void awr_json_write_null(awr_json_writer *w);
/* A value already known to be valid JSON (not checked), written as one value. */
AWR_API void awr_json_write_raw(awr_json_writer *w, const char *json, size_t n);
/* The sticky result so far (AWR_OK while everything fit). */
AWR_API awr_result awr_json_writer_error(const awr_json_writer *w);
/* Ends the text: AWR_ERR_STATE if a container is still open or nothing was written, else the sticky
 * error; on AWR_OK buf is NUL-terminated and *len (optional) is its length. */
AWR_API awr_result awr_json_writer_finish(awr_json_writer *w, size_t *len);

/* ==================================================================================================
 * MATCH: event-name patterns and channel names
 *
 * Appwrite names every change with a list of dot-separated event names, most specific first
 * ("databases.db1.collections.col1.documents.doc1.update", "databases.*.collections.*.documents.*.update",
 * ...), and publishes it on a list of channels ("documents", "databases.db1.collections.col1.documents").
 * This section holds the two small tools a client needs around them:
 *
 * 1. Patterns. In a pattern, a segment that is exactly `*` matches exactly one segment of the name
 *    (any text without a dot, at least one byte); every other segment must be equal, byte for byte.
 *    There is no prefix wildcard and no "any number of segments": `buckets.*.files.*.create` matches
 *    `buckets.b1.files.f1.create` and `buckets.*.files.*.create`, but not `buckets.b1.files.create`.
 *
 *        if (awr_match("buckets.*.files.*.create", name)) ...           (both NUL-terminated)
 *        awr_match_n(pattern, pattern_len, name, name_len)               (neither needs a NUL)
 *
 *    A pattern set compiles many patterns into a segment trie in memory you give it, so one pass over
 *    a name finds every pattern it matches, however many there are, without trying them one by one.
 *    Patterns get ids 0, 1, 2, ... in the order they are added; a match sets the id's bit in a bitmap
 *    you pass, so testing all the names of one event (its `events` array) with the same bitmap tells
 *    each handler at most once that the event concerns it:
 *
 *        unsigned char mem[4096];                                        (any alignment)
 *        awr_match_set set;
 *        uint32_t hits[1] = {0};                                         (one bit per pattern)
 *        awr_match_set_init(&set, mem, sizeof mem);
 *        awr_match_set_add(&set, "buckets.*.files.*.create", NULL);      -> id 0
 *        awr_match_set_add(&set, "databases.*.collections.*.documents.*.update", NULL);  -> id 1
 *        for (each name n of the event) awr_match_set_test(&set, n, n_len, hits, 1);
 *        (or, for a whole `events` array at once:
 *         awr_match_set_test_json(&set, ev->events.ptr, ev->events.len, tok, 128, hits, 1, NULL);)
 *        if (hits[0] & 1u) on_file_created(...);
 *
 *    The set never allocates; it fails with AWR_ERR_BUFFER when its memory is full (about 32 bytes per
 *    distinct segment position plus the segment text) and with AWR_ERR_LIMIT past AWR_MATCH_MAX_SEGMENTS
 *    segments in one pattern. Matching does not change the set: one set may serve many threads.
 *
 * 2. Channel builders. Each writes one channel name of docs/protocol.md into buf (NUL-terminated) and
 *    returns AWR_OK, AWR_ERR_BUFFER if cap is too small, or AWR_ERR_ARG for an empty id, an unknown
 *    action, or a missing id that the channel needs (buf then holds ""). Ids are copied as given (a
 *    custom id may itself hold dots). NULL ids select the wider channel: ("documents" for every
 *    document, "databases.db.collections.col.documents" for one collection); a NULL id followed by
 *    a non-NULL one is AWR_ERR_ARG, and so are a database without its collection and the reverse.
 *    action is NULL or one of "create", "update", "upsert", "delete" (action-suffixed channels,
 *    Appwrite 1.9.5+):
 *
 *        char ch[AWR_CHANNEL_MAX];
 *        awr_channel_documents("db1", "col1", NULL, NULL, ch, sizeof ch);
 *            -> "databases.db1.collections.col1.documents"
 *        awr_channel_rows("db1", "t1", "r1", "update", ch, sizeof ch);
 *            -> "databases.db1.tables.t1.rows.r1.update"
 *        awr_channel_files(NULL, NULL, "create", ch, sizeof ch)           -> "files.create"
 * ================================================================================================== */

#ifndef AWR_MATCH_MAX_SEGMENTS
#  define AWR_MATCH_MAX_SEGMENTS 32   /* most segments in one pattern of a set (Appwrite uses <= 9) */
#endif
#define AWR_CHANNEL_MAX 256          /* a buffer size that fits every channel with ids of <= 36 bytes */

/* 1 if name matches pattern, else 0. */
AWR_API int awr_match(const char *pattern, const char *name);
AWR_API int awr_match_n(const char *pattern, size_t pattern_len, const char *name, size_t name_len);

/* The longest escaped event name that awr_event_is (and awr_match_set_test_json) decodes. */
#define AWR_MATCH_ESCAPED_MAX 256

#ifndef AWR_NO_MATCH_SET
/* A compiled set of patterns. Treat the fields as private. */
typedef struct awr_match_set {
    unsigned char *mem;       /* nodes grow up from the start, segment text down from the end */
    uint32_t cap;             /* usable bytes at mem */
    uint32_t nodes;           /* node records in use (the root is record 0) */
    uint32_t text;            /* bytes of segment text in use, at the end of mem */
    uint32_t patterns;        /* patterns added: the next id */
} awr_match_set;

/* Prepare a set in mem (size bytes, any alignment; at least AWR_MATCH_SET_MIN bytes). */
#define AWR_MATCH_SET_MIN 64
AWR_API awr_result awr_match_set_init(awr_match_set *set, void *mem, size_t size);
/* Add a pattern (NUL-terminated); its id (0, 1, 2, ...) goes to *id if id is not NULL. Adding the same
 * pattern twice gives two ids, both of which match. On an error the set is unchanged and *id is
 * AWR_MATCH_NO_ID. */
#define AWR_MATCH_NO_ID 0xFFFFFFFFu
AWR_API awr_result awr_match_set_add(awr_match_set *set, const char *pattern, uint32_t *id);
AWR_API awr_result awr_match_set_add_n(awr_match_set *set, const char *pattern, size_t len, uint32_t *id);
/* Number of patterns in the set (the next id). */
AWR_API uint32_t awr_match_set_count(const awr_match_set *set);
/* Set bit (id % 32) of hits[id / 32] for every pattern that matches name (hits has hit_words words;
 * ids beyond it are not reported). Bits already set stay set, so one bitmap can collect the matches
 * of many names. Returns how many bits this call turned on. */
AWR_API uint32_t awr_match_set_test(const awr_match_set *set, const char *name, size_t name_len,
                                    uint32_t *hits, size_t hit_words);
/* The same for every string of a JSON array of names (an event's `events`: awr_event.events, or the
 * text of any JSON array of strings), with tokens[max_tokens] as the tokenizer's scratch space (one per
 * name, plus one). *turned_on (optional) gets the number of bits turned on. AWR_ERR_JSON_TYPE if the
 * text is not an array of strings, AWR_ERR_JSON_TOKENS if max_tokens is too small, the tokenizer's
 * error for invalid JSON, AWR_ERR_JSON_SURROGATE for a lone surrogate escape, AWR_ERR_BUFFER for an
 * escaped name longer than AWR_MATCH_ESCAPED_MAX. A rejected array sets no bit. */
AWR_API awr_result awr_match_set_test_json(const awr_match_set *set, const char *json, size_t len,
                                           awr_json_token *tokens, size_t max_tokens,
                                           uint32_t *hits, size_t hit_words, uint32_t *turned_on);
/* Words of bitmap that cover every pattern of the set. */
#define AWR_MATCH_HIT_WORDS(n_patterns) (((size_t)(n_patterns) + 31u) / 32u)
#endif

/* Channel builders: see the banner above. */
AWR_API awr_result awr_channel_account(const char *action, char *buf, size_t cap);
/* "documents" | "databases.<db>.collections.<col>.documents[.<doc>]", then ".<action>" */
AWR_API awr_result awr_channel_documents(const char *db, const char *collection, const char *document,
                                         const char *action, char *buf, size_t cap);
/* "rows" | "databases.<db>.tables.<table>.rows[.<row>]" (legacy and TablesDB databases, 1.8+) */
AWR_API awr_result awr_channel_rows(const char *db, const char *table, const char *row, const char *action,
                                    char *buf, size_t cap);
/* "tablesdb.<db>.tables.<table>.rows[.<row>]" (1.9+); db and table are required */
AWR_API awr_result awr_channel_tablesdb(const char *db, const char *table, const char *row, const char *action,
                                        char *buf, size_t cap);
/* "documentsdb.<db>.collections.<col>.documents[.<doc>]" (1.9+); db and collection are required */
AWR_API awr_result awr_channel_documentsdb(const char *db, const char *collection, const char *document,
                                           const char *action, char *buf, size_t cap);
/* "vectorsdb.<db>.collections.<col>.documents[.<doc>]" (1.9+); db and collection are required */
AWR_API awr_result awr_channel_vectorsdb(const char *db, const char *collection, const char *document,
                                         const char *action, char *buf, size_t cap);
/* "files" | "buckets.<bucket>.files[.<file>]" */
AWR_API awr_result awr_channel_files(const char *bucket, const char *file, const char *action, char *buf,
                                     size_t cap);
/* "executions" | "executions.<execution>" */
AWR_API awr_result awr_channel_executions(const char *execution, const char *action, char *buf, size_t cap);
/* "functions.<function>": every execution of one function; function is required */
AWR_API awr_result awr_channel_function(const char *function, const char *action, char *buf, size_t cap);
/* "teams" | "teams.<team>" */
AWR_API awr_result awr_channel_teams(const char *team, const char *action, char *buf, size_t cap);
/* "memberships" | "memberships.<membership>" */
AWR_API awr_result awr_channel_memberships(const char *membership, const char *action, char *buf, size_t cap);
/* "presences" | "presences.<presence>" (1.9.5+) */
AWR_API awr_result awr_channel_presences(const char *presence, const char *action, char *buf, size_t cap);
/* ==================================================================================================
 * QUERIES: realtime query builders (Appwrite 1.9.0+)
 *
 * From 1.9.0 a subscription may carry queries: the server delivers an event to it only when the
 * payload passes every one of them. A query is a small JSON object; each builder below writes, into
 * your buffer and NUL-terminated, exactly the text the official SDKs' `Query` helper produces for the
 * same call (member order, string escapes, numbers written as JavaScript writes them), ready for the
 * `queries` of awr_client_subscribe and awr_client_update_subscription:
 *
 *     char room[128], recent[128], both[256];
 *     awr_query_value general = awr_query_value_string("general"), since = awr_query_value_int(1700000000);
 *     const char *parts[2];
 *     awr_query_equal("room", &general, 1, room, sizeof room);
 *         -> {"method":"equal","attribute":"room","values":["general"]}
 *     awr_query_greater_than("sentAt", &since, 1, recent, sizeof recent);
 *     parts[0] = room; parts[1] = recent;
 *     awr_query_and(parts, 2, both, sizeof both);
 *         -> {"method":"and","values":[{"method":"equal",...},{"method":"greaterThan",...}]}
 *
 *     the SDK                                    here
 *     Query.equal(attr, value or [values])       awr_query_equal(attr, values, n, buf, cap)
 *       notEqual, lessThan, lessThanEqual,         awr_query_not_equal, awr_query_less_than,
 *       greaterThan, greaterThanEqual, contains    awr_query_less_than_equal, awr_query_greater_than,
 *                                                  awr_query_greater_than_equal, awr_query_contains
 *     Query.between(attr, start, end)            awr_query_between(attr, start, end, buf, cap)
 *     Query.isNull(attr), Query.isNotNull(attr)  awr_query_is_null(attr, buf, cap), awr_query_is_not_null
 *     Query.startsWith(attr, text), endsWith,    awr_query_starts_with(attr, text, buf, cap),
 *       search                                     awr_query_ends_with, awr_query_search
 *     Query.select([attrs])                      awr_query_select(attrs, n, buf, cap)
 *     Query.and([queries]), Query.or([queries])  awr_query_and(queries, n, buf, cap), awr_query_or
 *
 * A value is a string (UTF-8), an int64, a double or a bool: awr_query_value_string, awr_query_value_int,
 * awr_query_value_double, awr_query_value_bool. A double is written as JavaScript writes the same number
 * (awr_json_write_double), so 2.5, -3.0 and 1e21 become 2.5, -3 and 1e+21. The parts of and/or are JSON
 * texts (this section's output, usually): each is checked and copied without insignificant whitespace
 * (the SDK parses and re-serializes them, which gives the same bytes for the builders' output).
 * Results: AWR_OK; AWR_ERR_BUFFER when cap is too small; AWR_ERR_ARG for a NULL buffer, attribute or
 * string, values == NULL with n > 0, or an unknown value type; AWR_ERR_JSON_UTF8 for a string that is
 * not UTF-8; the tokenizer's error for an and/or part that is not JSON. On an error buf holds "".
 * ================================================================================================== */
typedef enum awr_query_value_type {
    AWR_QUERY_VALUE_STRING = 0,
    AWR_QUERY_VALUE_INT = 1,
    AWR_QUERY_VALUE_DOUBLE = 2,
    AWR_QUERY_VALUE_BOOL = 3
} awr_query_value_type;

/* One value of a query; make it with the awr_query_value_* functions. */
typedef struct awr_query_value {
    awr_query_value_type type;
    const char *s;     /* AWR_QUERY_VALUE_STRING: NUL-terminated UTF-8 (kept by pointer) */
    int64_t i;         /* AWR_QUERY_VALUE_INT; AWR_QUERY_VALUE_BOOL: 0 or 1 */
    double d;          /* AWR_QUERY_VALUE_DOUBLE */
} awr_query_value;

AWR_API awr_query_value awr_query_value_string(const char *s);
AWR_API awr_query_value awr_query_value_int(int64_t v);
AWR_API awr_query_value awr_query_value_double(double v);
AWR_API awr_query_value awr_query_value_bool(int v);

/* {"method":M,"attribute":attr,"values":[values...]} */
AWR_API awr_result awr_query_equal(const char *attr, const awr_query_value *values, size_t n, char *buf,
                                   size_t cap);
AWR_API awr_result awr_query_not_equal(const char *attr, const awr_query_value *values, size_t n, char *buf,
                                       size_t cap);
AWR_API awr_result awr_query_less_than(const char *attr, const awr_query_value *values, size_t n, char *buf,
                                       size_t cap);
AWR_API awr_result awr_query_less_than_equal(const char *attr, const awr_query_value *values, size_t n, char *buf,
                                             size_t cap);
AWR_API awr_result awr_query_greater_than(const char *attr, const awr_query_value *values, size_t n, char *buf,
                                          size_t cap);
AWR_API awr_result awr_query_greater_than_equal(const char *attr, const awr_query_value *values, size_t n,
                                                char *buf, size_t cap);
AWR_API awr_result awr_query_contains(const char *attr, const awr_query_value *values, size_t n, char *buf,
                                      size_t cap);
/* {"method":"between","attribute":attr,"values":[start,end]} */
AWR_API awr_result awr_query_between(const char *attr, awr_query_value start, awr_query_value end, char *buf,
                                     size_t cap);
/* {"method":"isNull","attribute":attr} and isNotNull */
AWR_API awr_result awr_query_is_null(const char *attr, char *buf, size_t cap);
AWR_API awr_result awr_query_is_not_null(const char *attr, char *buf, size_t cap);
/* {"method":M,"attribute":attr,"values":[text]} */
AWR_API awr_result awr_query_starts_with(const char *attr, const char *text, char *buf, size_t cap);
AWR_API awr_result awr_query_ends_with(const char *attr, const char *text, char *buf, size_t cap);
AWR_API awr_result awr_query_search(const char *attr, const char *text, char *buf, size_t cap);
/* {"method":"select","values":[attrs...]} */
AWR_API awr_result awr_query_select(const char *const *attrs, size_t n, char *buf, size_t cap);
/* {"method":"and","values":[queries...]} and "or" */
AWR_API awr_result awr_query_and(const char *const *queries, size_t n, char *buf, size_t cap);
AWR_API awr_result awr_query_or(const char *const *queries, size_t n, char *buf, size_t cap);

/* ==================================================================================================
 * I/O HOOK
 * The host supplies the transport and randomness through this struct; the core never makes a
 * syscall. Time is passed to awr_client_poll() as monotonic milliseconds. A TLS adapter is itself an
 * awr_io that wraps another one (see AWR_BEARSSL).
 * Return convention of send/recv: >= 0 is the number of bytes moved (0 = would block, try on the
 * next poll; never more than len/cap), a negative value is an error. AWR_ERR_EOF (the peer closed
 * the connection), AWR_ERR_TIMEOUT, AWR_ERR_UNSUPPORTED and the AWR_ERR_TLS* codes keep their
 * meaning in the FAILURES table; any other negative value (-1 included) and a count over len/cap
 * are taken as AWR_ERR_IO: the client backs off and reconnects.
 * Zero the struct before filling it in (fields added later then stay NULL, which means "not
 * supported"): error is optional.
 * ================================================================================================== */
typedef struct awr_io {
    void *user;
    /* Start connecting to host:port (tls: 1 for wss://). Non-blocking: the connection may still be
       in progress when it returns AWR_OK; send/recv then return 0 until it is up. */
    awr_result (*open)(void *user, const char *host, int port, int tls, void **conn);
    long (*send)(void *user, void *conn, const void *data, size_t len);
    long (*recv)(void *user, void *conn, void *buf, size_t cap);
    void (*close)(void *user, void *conn);
    /* Fill out with len cryptographically random bytes (masking keys, Sec-WebSocket-Key, jitter). On a
       failure (or without it) the client uses a SHA-1 of the time, its address and a counter instead. */
    awr_result (*random)(void *user, void *out, size_t len);
    /* Optional: why the latest failure of conn (NULL: of the latest open) happened, for the state
       callback: a short text (the resolver's, the system's or the TLS library's; NULL if none), valid
       until the next call on this io, and the system's error number in *sys_error (0 if none). */
    const char *(*error)(void *user, void *conn, int *sys_error);
} awr_io;


/* ==================================================================================================
 * CLIENT: the Appwrite Realtime protocol
 *
 * One awr_client keeps one WebSocket to an Appwrite Realtime server and a table of subscriptions.
 * It speaks both server generations:
 *   - URL mode (every Appwrite up to 1.9.0): channels, and from 1.9.0 per-subscription queries, travel
 *     in the handshake URL; a new or changed subscription means a new connection, and the changes made
 *     before one poll are coalesced into ONE reconnect. An unsubscribe needs none: the socket keeps the
 *     channel, its events are dropped here.
 *   - message mode (1.9.5+): the client connects with only the project and sends `subscribe` /
 *     `unsubscribe` frames carrying ids it chose itself (never all digits); every live subscription is
 *     re-sent after each `connected`; changes made in one poll go out as one frame.
 *
 * GENERATION DETECTION (AWR_MODE_AUTO, the default). The client first connects in URL mode, which every
 * server understands, with each channel given an explicit query slot (the 1.9.0 encoding, ignored by
 * older servers). The `connected` message then tells it what it talks to:
 *   - no `subscriptions` key               -> up to 1.8 (AWR_GEN_LEGACY): URL mode for good; events are
 *                                             dispatched by exact channel intersection;
 *   - `subscriptions` present (array or object, slot -> server id) -> 1.9.0 or newer: the client sends
 *     one probe `{"type":"unsubscribe","data":[{"subscriptionId":"awr-probe"}]}`, which is harmless
 *     (unsubscribing an unknown id is a no-op). A `response` to it means 1.9.5+ (AWR_GEN_MESSAGE): from
 *     then on changes are made in place with frames (the URL-made subscriptions are unsubscribed by the
 *     server ids the `connected` message gave), and later connections use message mode directly. An
 *     `error` reply means 1.9.0 (AWR_GEN_URL_IDS): URL mode for good, dispatch by `subscriptions` ids.
 * The generation, once known, survives reconnects. AWR_MODE_URL / AWR_MODE_MESSAGE pin a mode and
 * skip the probe. Heartbeat: `{"type":"ping"}` every 20 s; a server that answers the ping with an
 * `error` of code 1003 (1.6.0 and older: an unknown message type) is never pinged again on this
 * client; another error in answer to a ping (1013, too many messages) goes to on_error as any other.
 *
 * AUTH is sent at the handshake only (docs/protocol.md: in-band authentication is unsafe on 1.9.5+):
 * `X-Appwrite-Session: <session>` (or `Cookie: a_session_<project>=<session>` with session_via_cookie)
 * or `X-Appwrite-JWT: <jwt>` (when both are set only the JWT is sent: 1.9.0+ refuses the pair), plus
 * the extra header lines of cfg.headers; no Origin header. awr_client_set_session, awr_client_set_jwt
 * and awr_client_logout store the new credentials and reconnect at once, keeping every subscription:
 * events that arrive on the old socket after the call are not delivered, so after a logout nothing
 * reaches a callback that the guest could not read.
 *
 * RECONNECTS follow the official SDKs: 1 s x5, 5 s x10, 10 s x85, then 60 s, counted from the last
 * `connected` (optionally with +-jitter_pct % of jitter from io.random). An `error` frame with code 1008
 * (decided from the code, never the text) stops reconnecting: the state becomes AWR_STATE_CLOSED with
 * AWR_ERR_POLICY. A TCP drop without a close frame counts as close code 1006 and reconnects. A dead link
 * reconnects too (reason AWR_ERR_TIMEOUT): a connection that is up but carries nothing (a NAT or proxy
 * that forgot it) is noticed when two pings go unanswered: nothing received for dead_link_ms, by
 * default 2.5 x heartbeat_ms = 50 s, so that such a link is back within a minute. The timer is on
 * wherever the server answers pings (1.6.1+); dead_link_ms = -1 turns it off.
 *
 * FAULTS the test suite injects through a TCP proxy (tests/test_e2e_faults.c), with the timers
 * shortened: 1-byte segments, delays and stalls (every event exactly once, in order); a black hole
 * (noticed at the dead-link time, then a reconnect); RST while events stream, and the server killed
 * and started again (reconnects at the 1 s steps above); a server that accepts TCP and never answers
 * (connect_timeout_ms); a frame that announces 100 MB (close code 1009, then a reconnect); a ping
 * flood (pongs go out, the connection stays); 200 connect/drop cycles (file descriptors and memory
 * flat). Events sent while a connection is down are lost: Appwrite keeps no history to replay.
 *
 * URL LENGTH. Channels and queries in the URL make it long (100 channels of 40 bytes: over 16 KiB, which
 * servers and proxies refuse). The URL never passes max_url: in AWR_MODE_AUTO, while the server is not
 * known, the subscriptions that fit go into the first URL (in table order) and the others wait; on 1.9.5+
 * they go out as `subscribe` frames, on older servers they cannot be served: the error callback names
 * each (awr_server_error.sub, reason AWR_ERR_LIMIT) and it is dropped. Where the URL is the only way
 * (AWR_MODE_URL, or a server known to be older than 1.9.5), awr_client_subscribe and
 * awr_client_update_subscription return AWR_ERR_LIMIT for a change that would make the URL pass max_url.
 *
 * FAILURES. What cannot succeed on a retry stops the client (AWR_STATE_CLOSED, reason as below; a later
 * subscribe, update or presence starts it again); the rest backs off as above (AWR_STATE_RECONNECTING).
 * awr_state_info says more: http_status, detail (reason phrase, resolver or system text, TLS failure,
 * buffer name), sys_error (errno), needed (bytes); awr_client_last_error gives the same detail later.
 *   failure                                        state         reason                  detail
 *   certificate chain not trusted                  CLOSED        AWR_ERR_TLS_UNTRUSTED   verifier's words
 *   certificate for another host name              CLOSED        AWR_ERR_TLS_HOSTNAME    verifier's words
 *   certificate expired or not yet valid           CLOSED        AWR_ERR_TLS_EXPIRED     verifier's words
 *   wss:// but io cannot do TLS (first poll)       CLOSED        AWR_ERR_UNSUPPORTED     says so
 *   upgrade answered 4xx but 429 (401, 403, 404,   CLOSED        AWR_ERR_HS_STATUS       reason phrase,
 *     431 ...), or 2xx/3xx (1xx but 101: interim)                                    + http_status
 *   upgrade answered 5xx or 429                    RECONNECTING  AWR_ERR_HS_STATUS       reason phrase,
 *                                                                                      + http_status
 *   response not HTTP (fails at its first bytes)   CLOSED        AWR_ERR_HS_MALFORMED
 *   status line + a header line over the handshake CLOSED        AWR_ERR_HS_TOO_LARGE    says so
 *     buffer: min(4 KiB, max_message - ~120 B)
 *   101 without Upgrade/Connection/right Accept,   CLOSED        AWR_ERR_HS_UPGRADE, _CONNECTION, _ACCEPT,
 *     or an extension/subprotocol not offered                    _EXTENSION, _PROTOCOL
 *   upgrade request over tx_buffer + read_buffer   CLOSED        AWR_ERR_BUFFER          "tx_buffer +
 *                                                                                      read_buffer", needed
 *   io.open refuses its arguments (a host longer   CLOSED        AWR_ERR_ARG
 *     than awr_tcp_config.host_max)
 *   send/recv hook returns -1 or an unknown code   RECONNECTING  AWR_ERR_IO              (see I/O HOOK)
 *   host does not resolve                          RECONNECTING  AWR_ERR_IO              resolver's text
 *   connect refused, unreachable, reset            RECONNECTING  AWR_ERR_IO / _EOF       strerror, sys_error
 *   other TLS failures (an alert, a bad record)    RECONNECTING  AWR_ERR_TLS_ALERT, _TLS
 *   no answer within connect_timeout_ms            RECONNECTING  AWR_ERR_TIMEOUT
 *   TCP drop, close frame, dead link               RECONNECTING  AWR_ERR_EOF, _TIMEOUT, ...
 *   `error` with code 1008                         CLOSED        AWR_ERR_POLICY
 *   a message over max_message                     RECONNECTING  AWR_ERR_WS_TOO_BIG (1009 sent)
 * Values that would reach the upgrade request are checked before: awr_client_create/init refuse with
 * AWR_ERR_ARG a project that is not an Appwrite ID (1-36 letters, digits, '.', '-', '_'), a session or
 * JWT with anything but RFC 6265 cookie octets (no blanks, '"', ',', ';', '\', controls, non-ASCII), an
 * extra header that is not "Token: text" or names Host, Upgrade, Connection or Sec-WebSocket-*, and with
 * AWR_ERR_URL an endpoint whose host or path holds other characters than URLs allow;
 * awr_client_subscribe/awr_client_update_subscription refuse channels that are not UTF-8 text without
 * control characters and queries that are not one JSON object (both are escaped wherever they go);
 * awr_client_set_session/jwt check as create does.
 *
 * ENDPOINT. As in the SDKs (setEndpointRealtime), the realtime endpoint is the base ".../v1" and the
 * client appends "/realtime"; one that already ends in "/v1/realtime" is taken as it is. realtime_endpoint
 * (ws:// or wss://) wins over endpoint (the REST one, http:// or https://, same path rule: https ->
 * wss); schemes are matched in any case; a query or fragment is dropped; a path that ends in neither
 * "/v1" nor "/v1/realtime" is refused at create with AWR_ERR_URL (behind a real deployment's proxy
 * no other path reaches the realtime server).
 *
 * OUTBOUND DISCIPLINE: at most 32 frames in any 60 s on a connection, pings included (a sliding window;
 * one slot is kept for the heartbeat; a frame that must wait goes out when a slot frees, and changes
 * that pile up meanwhile are merged), nothing before `connected`, and every frame under 64,000 bytes
 * and within read_buffer and tx_buffer (subscribe rows are split across frames). The server refuses a
 * subscribe frame as a whole when one row has a bad query: the client then re-sends each row alone, and
 * the error callback names the subscription that is refused alone (awr_server_error.sub).
 *
 * DISPATCH: by the event's `subscriptions` ids when present, else by exact channel intersection; below
 * 1.9.5 a subscription without queries also gets an event whose channels intersect its own when the
 * ids do not name it (Appwrite 1.9.0 names only the subscriptions on the first of the event's channels
 * that has subscribers: with `files` and `buckets.b2.files` on one connection the second never appeared;
 * 1.9.5+ names every match).
 * Names (ids, channels, event names) are compared after unescaping, here, in awr_event_is,
 * awr_event_has_channel and awr_match_set_test_json alike. Both lookups use indexes in the client's
 * memory, so an event costs about the same with 1 or 512 subscriptions (bench/bench_client.c under
 * callgrind: 3,375 and 3,615 instructions for a small event, bench/results/0.3.0-0f0a726-cg.txt; up
 * to 4 channels per subscription on average; beyond that the channel lookup scans the table). A
 * subscription with queries is
 * left to the server, which alone can evaluate them: on 1.9.0 it misses events that the server routes
 * to an overlapping subscription of the same connection instead. Each subscription gets an event at
 * most once. Every API call may be made at any time, from inside any
 * callback too, including on the subscription being dispatched: an unsubscribed or updated subscription
 * gets no further event of the message being dispatched, nor any event for its old channels. Not from
 * callbacks: awr_client_poll and awr_client_feed (they return AWR_ERR_STATE), awr_client_transport_closed
 * (ignored), and awr_client_destroy/deinit (AWR_ASSERT fails; with assertions off they do nothing).
 *
 * MEMORY: awr_client_size(cfg) tells how many bytes a client needs; awr_client_init() builds it in
 * memory you own (no allocation at all), awr_client_create() allocates that block once through the
 * allocator. Nothing else is ever allocated. Buffers and limits (zero = the default in brackets):
 *   max_message   [1 MiB]  receive buffer: the largest server message (whole document payloads);
 *                          at least 1 KiB. The handshake response is parsed a line at a time in it:
 *                          its status line and longest header line must fit min(4 KiB, max_message
 *                          less the handshake state, about 120 bytes)
 *   read_buffer   [4 KiB]  what awr_client_poll reads from io.recv at a time; outgoing frames are
 *                          built in it too, so it bounds their size (sans-I/O as well)
 *   tx_buffer     [768 B]  transmit buffer for frames; a subscription row must fit one frame, bigger
 *                          sets are split. The upgrade request is built in tx_buffer + read_buffer
 *                          (both idle until it is out): the URL and headers must fit their sum
 *   max_subscriptions [8]; name_arena [4 KiB] for copies of channels, queries, project, host, session,
 *   JWT and presence (enough for a real session, about 390 bytes, and 8 subscriptions of a full
 *   document channel `databases.<id>.collections.<id>.documents.<id>` with 36-byte ids); max_tokens
 *   [32] JSON tokens for one message's envelope (a message whose envelope needs more is ignored);
 *   max_url [4 KiB] for the handshake URL (see URL LENGTH).
 *   payload_tokens [128] JSON tokens for one event's payload, 20 bytes each: the awr_event_get_*
 *   calls tokenize the payload into them once per event (a payload that needs more:
 *   AWR_ERR_JSON_TOKENS). Dispatch, awr_event_is and awr_event_has_channel tokenize the
 *   `subscriptions`, `channels` and `events` lists into the larger of max_tokens and payload_tokens
 *   (one token per name plus one; a list that needs more matches nothing).
 *   The block also holds the dispatch indexes (subscription id and channel to slot, sized from
 *   max_subscriptions = n): 8 x (p(2n) + p(8n)) + 8n bytes and a bitmap, p(x) the power of two
 *   >= x (712 bytes for the default 8); with AWR_NO_DISPATCH_INDEX only the 8n bytes and the bitmap.
 *
 * THE LOOP. With io hooks set, awr_client_poll(c, now_ms) does everything (open, handshake, read,
 * parse, dispatch, write, timers) and never blocks; awr_client_wants() says whether the socket should
 * be watched for reading/writing and when poll must be called again at the latest. Hosts that own
 * their sockets leave io.open NULL and drive the client sans-I/O: when awr_client_wants() has
 * AWR_WANT_CONNECT, open a connection to awr_client_target() and call awr_client_transport_opened();
 * pass received bytes to awr_client_feed(); send awr_client_pending_output() and acknowledge it with
 * awr_client_output_done(); report a drop with awr_client_transport_closed(); close the connection when
 * AWR_WANT_CLOSE is set and then call awr_client_transport_closed() too; keep calling awr_client_poll()
 * for the timers and to send subscription changes. io.random is still used when set (without it, keys
 * and masks come from a SHA-1 of the time, the address of the client and a counter).
 *
 *     static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
 *         if (awr_event_is(ev, "databases.*.collections.*.documents.*.create"))
 *             printf("%.*s\n", (int)ev->payload.len, ev->payload.ptr);
 *     }
 *     awr_client_config cfg;
 *     memset(&cfg, 0, sizeof cfg);
 *     cfg.endpoint = "https://cloud.appwrite.io/v1";
 *     cfg.project = "my-project";
 *     cfg.io = my_io;                          (or awr_tcp_io(), see the adapters)
 *     awr_client *c;
 *     awr_client_create(&cfg, &c);
 *     const char *chans[] = { "databases.db.collections.tasks.documents" };
 *     awr_sub sub;
 *     awr_client_subscribe(c, chans, 1, NULL, 0, on_event, NULL, &sub);
 *     for (;;) { awr_client_poll(c, now_ms()); wait on the socket until awr_client_wants()'s deadline; }
 * ================================================================================================== */

typedef struct awr_client awr_client;

/* A subscription handle; 0 is never a valid handle. Stale handles are detected (AWR_ERR_NOT_FOUND). */
typedef uint32_t awr_sub;

/* A piece of JSON text inside the receive buffer (no NUL terminator; valid during the callback). */
typedef struct awr_text {
    const char *ptr;
    size_t len;
} awr_text;

typedef enum awr_mode {
    AWR_MODE_AUTO = 0,     /* detect the server generation (see the banner) */
    AWR_MODE_URL = 1,      /* channels in the handshake URL (every server; the only mode up to 1.9.0) */
    AWR_MODE_MESSAGE = 2   /* subscribe/unsubscribe frames (1.9.5+) */
} awr_mode;

typedef enum awr_generation {
    AWR_GEN_UNKNOWN = 0,
    AWR_GEN_LEGACY = 1,    /* up to 1.8: URL mode, events without `subscriptions` */
    AWR_GEN_URL_IDS = 2,   /* 1.9.0: URL mode with query slots and `subscriptions` ids */
    AWR_GEN_MESSAGE = 3    /* 1.9.5+: message mode, presence */
} awr_generation;

typedef enum awr_state {
    AWR_STATE_IDLE = 0,         /* no connection needed (no subscription and no presence) */
    AWR_STATE_CONNECTING = 1,   /* TCP/TLS connect and WebSocket handshake in progress */
    AWR_STATE_OPEN = 2,         /* WebSocket open, waiting for the server's `connected` */
    AWR_STATE_CONNECTED = 3,    /* `connected` received: events flow */
    AWR_STATE_RECONNECTING = 4, /* waiting delay_ms before attempt `attempt` */
    AWR_STATE_CLOSED = 5        /* stopped: awr_client_disconnect(), error 1008 or a fatal error; see reason */
} awr_state;

/* What the state callback is told. */
typedef struct awr_state_info {
    awr_state state;
    awr_result reason;          /* why (AWR_OK when asked for; AWR_ERR_EOF = 1006, AWR_ERR_POLICY, ...) */
    uint32_t delay_ms;          /* AWR_STATE_RECONNECTING: the wait before the next attempt */
    uint32_t attempt;           /* AWR_STATE_RECONNECTING: reconnect attempts since the last `connected`, from 1 */
    awr_text user;              /* AWR_STATE_CONNECTED: the Account object's JSON, or {NULL, 0} for a guest */
    awr_generation generation;  /* what is known about the server so far */
    /* When reason is a failure (see the FAILURES table in the banner), what else is known about it: */
    int http_status;            /* AWR_ERR_HS_STATUS: the status the server answered the upgrade with */
    int sys_error;              /* a transport failure: the system's error number (errno, WSAGetLastError) */
    size_t needed;              /* AWR_ERR_BUFFER: the bytes the buffer named in detail needs */
    awr_text detail;            /* a short text, or {NULL, 0}: the HTTP reason phrase, the resolver's or
                                   the system's error text, the TLS failure, the buffer that is too small */
} awr_state_info;

/* An `error` frame from the server. message is unescaped and NUL-terminated, cut to at most 71 bytes
 * at a character boundary (production servers replace most texts with "Error: Server Error" anyway:
 * decide from code); raw is the whole text as sent (awr_json_unescape_n decodes it into a buffer of
 * yours). Both are valid during the call. */
typedef struct awr_server_error {
    int64_t code;               /* 1003, 1008, 1013, 401, ...; 0 when the frame has none */
    const char *message;
    size_t message_len;
    awr_text raw;               /* the JSON string between its quotes, escapes as sent, never cut ({NULL, 0}
                                   when the frame has no message); for the client's own errors, = message */
    awr_result reason;          /* AWR_ERR_POLICY for 1008, else AWR_ERR_SERVER */
    awr_sub sub;                /* the subscription whose subscribe row the server refused (a bad query),
                                   0 when the error is not about one. A refused frame of several rows is
                                   re-sent one row per frame to find it; the others stay subscribed. */
} awr_server_error;

/* A `response` frame (acks of subscribe, unsubscribe, presence). */
typedef struct awr_response {
    awr_text to;                /* "subscribe", "unsubscribe", "presence", "authentication" (string content) */
    int success;                /* the `success` member, or 1 when absent */
    awr_text data;              /* the whole `data` object */
} awr_response;

/* An event given to a subscription's callback. All texts point into the receive buffer. */
typedef struct awr_event {
    awr_text data;              /* the whole `data` object */
    awr_text events;            /* JSON array of event names */
    awr_text channels;          /* JSON array of every channel the event was published on */
    awr_text timestamp;         /* string content, e.g. 2026-08-21T12:34:56.789+00:00 */
    awr_text payload;           /* JSON value (usually an object), byte-exact as the server sent it */
    awr_text subscriptions;     /* JSON array of the matched subscription ids ({NULL,0} before 1.9.0) */
    awr_sub sub;                /* the subscription being called */
    awr_client *client;         /* the client delivering it (the awr_event_get_* calls use it) */
} awr_event;

typedef void (*awr_event_fn)(awr_client *c, awr_sub sub, const awr_event *ev, void *user);
typedef void (*awr_state_fn)(awr_client *c, const awr_state_info *info, void *user);
typedef void (*awr_error_fn)(awr_client *c, const awr_server_error *err, void *user);
typedef void (*awr_response_fn)(awr_client *c, const awr_response *resp, void *user);

typedef struct awr_client_config {
    const char *endpoint;           /* REST endpoint "https://host[:port]/v1" -> wss://host/v1/realtime */
    const char *realtime_endpoint;  /* optional, wins over endpoint: "wss://host/v1" (ws:// too; see ENDPOINT) */
    const char *project;            /* project id (required) */
    const char *session;            /* optional session secret (the a_session_<project> cookie value) */
    const char *jwt;                /* optional JWT */
    int session_via_cookie;         /* 1: send the session as Cookie: a_session_<project>=...; 0: X-Appwrite-Session */
    const char *const *headers;     /* optional extra request header lines "Name: value" (kept by pointer) */
    size_t nheaders;
    awr_mode mode;
    awr_io io;                      /* transport hooks; io.open == NULL: sans-I/O (see the banner) */
    awr_allocator allocator;        /* used by awr_client_create only; both functions or neither */
    awr_state_fn on_state;
    awr_error_fn on_error;
    awr_response_fn on_response;
    void *user;                     /* passed to on_state, on_error, on_response */
    size_t max_message;             /* [1 MiB] receive buffer (>= 1024) */
    size_t tx_buffer;               /* [768] transmit buffer (>= 256); frames are at most this - 14 bytes */
    size_t max_subscriptions;       /* [8] (1..65535) */
    size_t name_arena;              /* [4096] copies of host, path, project, session, JWT, channels, queries, presence */
    size_t max_tokens;              /* [32] JSON tokens for one message's envelope (payload = 1 token); >= 16 */
    size_t read_buffer;             /* [4096] bytes awr_client_poll reads from io.recv at a time (>= 256);
                                       also bounds outgoing frames */
    size_t max_url;                 /* [4096] longest handshake URL (path and query) with subscriptions in it;
                                       proxies refuse long ones (nginx: 8 KiB for the request line) */
    int32_t heartbeat_ms;           /* [20000] ping period; -1 = never ping */
    int32_t dead_link_ms;           /* [0 = 2.5 x heartbeat_ms: two pings unanswered] reconnect when nothing
                                       arrives for this long (make it more than heartbeat_ms); -1 = off. Never
                                       without pings or on a server that does not answer them (<= 1.6.0) */
    int32_t connect_timeout_ms;     /* [10000] TCP + TLS + WebSocket handshake + `connected` */
    int32_t jitter_pct;             /* [0] reconnect delay +- this percent (0..100), from io.random */
    int32_t rate_per_minute;        /* [32] outbound frames per minute, at most 32 (more counts as 32); -1 = unlimited */
    size_t payload_tokens;          /* [128] JSON tokens for one event's payload (awr_event_get_*) */
} awr_client_config;

#define AWR_CLIENT_DEFAULT_MAX_MESSAGE ((size_t)1 << 20)
#define AWR_CLIENT_DEFAULT_TX_BUFFER 768u
#define AWR_CLIENT_DEFAULT_MAX_SUBSCRIPTIONS 8u
#define AWR_CLIENT_DEFAULT_NAME_ARENA 4096u
#define AWR_CLIENT_DEFAULT_MAX_TOKENS 32u
#define AWR_CLIENT_DEFAULT_PAYLOAD_TOKENS 128u
#define AWR_CLIENT_DEFAULT_READ_BUFFER 4096u
#define AWR_CLIENT_DEFAULT_MAX_URL 4096u
#define AWR_CLIENT_DEFAULT_HEARTBEAT_MS 20000
#define AWR_CLIENT_DEFAULT_CONNECT_TIMEOUT_MS 10000
#define AWR_CLIENT_MAX_FRAME 63000u      /* outbound frame payload cap (server limit 64,000 bytes) */

/* Bytes of memory a client with cfg needs (any alignment is fine: the client aligns inside). 0 when
 * cfg is invalid, i.e. when awr_client_init would refuse it for any reason other than the size of mem;
 * an endpoint longer than 512 bytes is one such reason. */
AWR_API size_t awr_client_size(const awr_client_config *cfg);
/* Build a client in mem (size >= awr_client_size(cfg)). Nothing is allocated; drop it with
 * awr_client_deinit (which does not free mem). cfg is copied; its strings are copied into the arena,
 * except cfg->headers, which are kept by pointer. AWR_ERR_ARG: mem, out, cfg, the project or the
 * endpoint missing, a value that may not reach the upgrade request (project, credentials, headers), a
 * size out of its range above, or an allocator with one function; AWR_ERR_URL: the endpoint;
 * AWR_ERR_BUFFER: size below awr_client_size(cfg), or name_arena too small for the endpoint's host and
 * path, the project and the credentials; AWR_ERR_UNSUPPORTED: a config a leave-out macro refuses.
 * The config check of size, init and create takes at most 512 bytes of stack on a Cortex-M4 at -Os
 * (tests/embedded.sh checks it with gcc -fstack-usage; about 530 on x86-64 at -O2). */
AWR_API awr_result awr_client_init(void *mem, size_t size, const awr_client_config *cfg, awr_client **out);
/* Close the transport (io.close) and stop; mem stays the caller's. Not from inside a callback. */
AWR_API void awr_client_deinit(awr_client *c);
/* The same with one allocation through cfg->allocator (or AWR_MALLOC): awr_client_init's results, and
 * AWR_ERR_NOMEM when the allocation fails. */
AWR_API awr_result awr_client_create(const awr_client_config *cfg, awr_client **out);
/* awr_client_deinit, then free the block of awr_client_create. Not from inside a callback. */
AWR_API void awr_client_destroy(awr_client *c);

/* Subscribe to n channels (exact names, docs/protocol.md) with nq optional Appwrite query JSON strings
 * (1.9.0+; ANDed). The connection is opened (or changed) on the next poll. *out gets the handle (0 on
 * failure). fn and out are required (AWR_ERR_ARG without them, and for a channel that is not text or a
 * query that is not one JSON object); AWR_ERR_LIMIT: max_subscriptions are live, or (URL mode) the URL
 * would pass max_url; AWR_ERR_BUFFER: the names do not fit name_arena, or the subscribe row one frame.
 * An id unsubscribed but not yet told to the server holds a slot until its frame goes out; a subscribe
 * that finds only such slots takes one and reconnects (the server then forgets that id). */
AWR_API awr_result awr_client_subscribe(awr_client *c, const char *const *channels, size_t n,
                                        const char *const *queries, size_t nq,
                                        awr_event_fn fn, void *user, awr_sub *out);
/* The common case: one channel, no queries (awr_client_subscribe with n = 1). */
AWR_API awr_result awr_client_subscribe_channel(awr_client *c, const char *channel, awr_event_fn fn, void *user,
                                                awr_sub *out);
/* Stop a subscription. No further event reaches its callback, from this very call on.
 * AWR_ERR_NOT_FOUND: sub is not a live subscription of c (0, or already stopped). */
AWR_API awr_result awr_client_unsubscribe(awr_client *c, awr_sub sub);
/* Replace the channels and queries of a subscription in place (the handle stays valid). Message mode:
 * `unsubscribe` of the old id then `subscribe` with a fresh id, in one poll (a reconnect instead when no
 * slot is free to hold the old id until its frame goes out); URL mode: one coalesced reconnect. Events
 * for the old channels that arrive meanwhile are not delivered. AWR_ERR_NOT_FOUND: sub is not live; else
 * the results of awr_client_subscribe (on failure the subscription is unchanged). */
AWR_API awr_result awr_client_update_subscription(awr_client *c, awr_sub sub, const char *const *channels, size_t n,
                              const char *const *queries, size_t nq);
/* Close the socket with a close frame (1000), drop every subscription and the presence, stop
 * reconnecting. The client can be used again: a later subscribe connects anew. */
AWR_API awr_result awr_client_disconnect(awr_client *c);
/* Presence (1.9.5+): status is required; presence_id, metadata_json (a JSON object) and permissions
 * are optional. The latest presence is kept and re-sent after each `connected`. Returns
 * AWR_ERR_UNSUPPORTED when the server is known to be older than 1.9.5 (or the mode is pinned to URL). */
AWR_API awr_result awr_client_upsert_presence(awr_client *c, const char *status, const char *presence_id,
                                const char *metadata_json, const char *const *permissions, size_t nperm);
/* New credentials (NULL clears). Reconnects at once when connected or waiting to reconnect, and
 * restarts a client that stopped (a 401 at the upgrade stops it); subscriptions survive. */
AWR_API awr_result awr_client_set_session(awr_client *c, const char *session);
AWR_API awr_result awr_client_set_jwt(awr_client *c, const char *jwt);
/* Clears session and JWT, then reconnects as a guest. */
AWR_API awr_result awr_client_logout(awr_client *c);

/* Drive the client: with io hooks, do every due piece of work; never blocks. now_ms is monotonic.
 * AWR_OK while the client runs or waits to reconnect (failures reach on_state, not this result);
 * AWR_ERR_CLOSED once it has stopped and its socket is closed: after awr_client_disconnect, an error 1008 or
 * a failure the FAILURES table marks CLOSED (a later subscribe, update, presence or credentials restart it);
 * AWR_ERR_STATE when called from inside a callback or awr_client_feed; AWR_ERR_ARG for c == NULL. */
AWR_API awr_result awr_client_poll(awr_client *c, int64_t now_ms);

#define AWR_WANT_READ 1      /* watch the socket for reading */
#define AWR_WANT_WRITE 2     /* watch the socket for writing (output is pending) */
#define AWR_WANT_CONNECT 4   /* sans-I/O: open a connection to awr_client_target() */
#define AWR_WANT_CLOSE 8     /* sans-I/O: close the connection, then call awr_client_transport_closed() */
/* The AWR_WANT_* flags; *deadline_ms (optional) gets the absolute time poll must run next, -1 = none.
 * It only looks: the client is left exactly as it was (queued frames move on in poll/output calls). */
AWR_API int awr_client_wants(const awr_client *c, int64_t *deadline_ms);

/* Sans-I/O entry points (also used internally by awr_client_poll). */
/* Where to connect on AWR_WANT_CONNECT: the host (NUL-terminated, the client's copy), port and 1 for
 * TLS (wss://). */
AWR_API awr_result awr_client_target(const awr_client *c, const char **host, int *port, int *tls);
/* The connection asked for by AWR_WANT_CONNECT is open (TLS included): the client queues its upgrade
 * request. AWR_ERR_STATE when no connection was asked for. */
AWR_API awr_result awr_client_transport_opened(awr_client *c, int64_t now_ms);
/* Received bytes, any chunking. Dispatches events to callbacks before it returns. */
AWR_API awr_result awr_client_feed(awr_client *c, const void *data, size_t len, int64_t now_ms);
/* Bytes to send now (NULL/0 when none) and how many of them went out. */
AWR_API const void *awr_client_pending_output(awr_client *c, size_t *len);
AWR_API void awr_client_output_done(awr_client *c, size_t n);
/* The transport closed or failed (why: AWR_ERR_EOF, AWR_ERR_IO, ... or AWR_OK after AWR_WANT_CLOSE). */
AWR_API void awr_client_transport_closed(awr_client *c, awr_result why, int64_t now_ms);

/* The state last reported to on_state (AWR_STATE_IDLE for c NULL). */
AWR_API awr_state awr_client_state(const awr_client *c);
/* The server generation found so far (AWR_GEN_UNKNOWN until `connected` tells); it survives reconnects. */
AWR_API awr_generation awr_client_generation(const awr_client *c);
/* The detail of the latest failure the client reported or returned (as awr_state_info.detail,
 * NUL-terminated, "" when none), e.g. which buffer an AWR_ERR_BUFFER of awr_client_subscribe is about;
 * *needed (optional) gets the bytes that buffer needs (0 when not a buffer failure). */
AWR_API const char *awr_client_last_error(const awr_client *c, size_t *needed);
/* cfg.user. */
AWR_API void *awr_client_user(const awr_client *c);

/* 1 if one of the event's `events` names matches pattern (`*` = exactly one segment), else 0. Names
 * are compared after unescaping, as awr_match_set_test_json does ("cr\u0065ate" is "create"); an
 * escaped name longer than AWR_MATCH_ESCAPED_MAX matches nothing. Both use ev->client's token
 * areas (see payload_tokens): call them during the callback. */
AWR_API int awr_event_is(const awr_event *ev, const char *pattern);
/* 1 if the event was published on exactly this channel (compared after unescaping). */
AWR_API int awr_event_has_channel(const awr_event *ev, const char *channel);

/* PAYLOAD FIELDS IN ONE CALL. path is relative to the payload, as for awr_json_path: "$id",
 * "author.name", "tags.0" ("" is the payload itself). The first call for an event tokenizes the
 * payload into the client's payload token area (cfg.payload_tokens); later calls for the same event,
 * in any callback it reaches, reuse those tokens until awr_event_is or awr_event_has_channel runs
 * (with payload_tokens >= max_tokens they tokenize the names into the same area; the next getter then
 * tokenizes the payload again). Nothing is allocated; call them during the callback only (the payload
 * lives in the receive buffer).
 *     char author[64], text[512];
 *     if (awr_event_get_string(ev, "author", author, sizeof author, NULL) == AWR_OK) ...
 * Results: AWR_OK; AWR_ERR_NOT_FOUND: no such member or index (or the event has no payload);
 * AWR_ERR_JSON_TYPE: the member is there but of another type (null included; an integer getter on
 * 2.5); AWR_ERR_JSON_RANGE: the number does not fit; AWR_ERR_BUFFER (strings): out holds the start
 * that fits, cut at a character boundary, NUL-terminated; AWR_ERR_JSON_SURROGATE: a lone surrogate
 * escape; AWR_ERR_JSON_TOKENS: the payload needs more tokens than cfg.payload_tokens; AWR_ERR_ARG:
 * NULL arguments (out, path), or an event that no client delivered. Outputs are 0 / "" on failure. */
AWR_API awr_result awr_event_get_string(const awr_event *ev, const char *path, char *out, size_t cap,
                                        size_t *out_len);
AWR_API awr_result awr_event_get_int64(const awr_event *ev, const char *path, int64_t *out);
#ifndef AWR_NO_JSON_DOUBLE
AWR_API awr_result awr_event_get_double(const awr_event *ev, const char *path, double *out);
#endif
AWR_API awr_result awr_event_get_bool(const awr_event *ev, const char *path, int *out);
/* The member's JSON text as sent (a string with its quotes, an object, an array, a number ...). */
AWR_API awr_result awr_event_get_json(const awr_event *ev, const char *path, awr_text *out);

/* ==================================================================================================
 * TCP ADAPTER (define AWR_TCP; or AWR_POSIX / AWR_WIN32, accepted as the same switch)
 * A plain-TCP awr_io, plus a small blocking loop for programs that have no event loop of their own,
 * on BSD sockets and poll() (Linux, macOS, the BSDs) or Winsock 2 and WSAPoll() (Windows), chosen by
 * the platform: the same program builds on both. One awr_tcp carries one connection at a time: give
 * each client its own.
 *
 *     static unsigned char tcp_mem[AWR_TCP_SIZE];   (or awr_tcp_size(&tc) bytes of your own)
 *     awr_tcp *tcp;
 *     if (awr_tcp_init(tcp_mem, sizeof tcp_mem, NULL, &tcp) != AWR_OK) ...;   (NULL: defaults)
 *     cfg.io = awr_tcp_io(tcp);               (ws:// only; wrap it with AWR_BEARSSL for wss://)
 *     awr_client_create(&cfg, &c);
 *     awr_client_subscribe(c, ...);
 *     awr_tcp_run(tcp, c, 10000);             (poll for 10 s, or -1: until closed or awr_tcp_stop)
 *     ...
 *     awr_tcp_deinit(tcp);                    (after the client is gone)
 *
 * RESOLVING NEVER BLOCKS THE CALLER. open() takes, first match wins: the address that connected last
 * time to the same host and port (kept across reconnects), cfg.address (a numeric address you resolved
 * yourself), the host itself when it is a numeric IPv4/IPv6 address; else it starts a resolver thread
 * (getaddrinfo, IPv6 and IPv4; the lookup's state is one block from cfg.allocator) and returns at once.
 * Until the thread is done there is no socket (awr_tcp_resolving() is 1): a loop of your own calls
 * awr_client_poll again within a few milliseconds. awr_tcp_deinit does not wait for a lookup either: the
 * thread frees its block when the lookup ends. When a connect fails, the kept address is dropped and the
 * host resolved again. Each address is tried in turn with a non-blocking connect and TCP_NODELAY. A
 * connect closed while still in progress (the client's connect timeout: an address that drops packets
 * never fails on its own) counts as failed too: the kept address is dropped, and after a resolved one
 * the next connect to the same host and port starts with the address that follows it.
 * send/recv return 0 while resolving, while the connect is in progress or when the socket would
 * block, AWR_ERR_EOF when the peer closed, AWR_ERR_IO on any other failure (awr_tcp_last_error()
 * keeps errno or WSAGetLastError(); the io's error hook gives the client the resolver's text of a
 * failed resolve, or the system's text of the error). SIGPIPE is never raised (MSG_NOSIGNAL, or
 * SO_NOSIGPIPE where that is the platform's way). open() with tls = 1 returns AWR_ERR_UNSUPPORTED.
 * random() reads getrandom() on Linux, else /dev/urandom; BCryptGenRandom on Windows.
 *
 * A host with its own poll()/epoll/WSAPoll loop watches awr_tcp_socket() (it changes on every
 * connection; AWR_NO_SOCKET when there is none) for awr_tcp_poll_events(), and calls
 * awr_client_poll() when it is ready, when the deadline of awr_client_wants() has come, and every few
 * milliseconds while awr_tcp_resolving().
 *
 * LINKING: the resolver thread needs -pthread on POSIX systems; Windows needs ws2_32 and bcrypt
 * (pulled in with #pragma comment(lib, ...) under MSVC; with MinGW add -lws2_32 -lbcrypt).
 * awr_tcp_init() calls WSAStartup on Windows, awr_tcp_deinit() balances it.
 * In strict ISO C mode (-std=c99), the implementation asks the system headers for POSIX 2008 itself;
 * this works when appwrite_realtime.h is the first header the file includes (else add
 * -D_DEFAULT_SOURCE, or -D_POSIX_C_SOURCE=200809L). The implementation includes winsock2.h on
 * Windows (define WIN32_LEAN_AND_MEAN yourself if you include windows.h before this header).
 * ================================================================================================== */
#if defined(AWR_TCP) && !defined(AWR__TCP_DECLARED)
#define AWR__TCP_DECLARED

#ifdef _WIN32
typedef uintptr_t awr_socket;                       /* a SOCKET, kept so that this needs no Windows header */
#  define AWR_NO_SOCKET (~(uintptr_t)0)         /* INVALID_SOCKET */
#else
typedef int awr_socket;                             /* a file descriptor */
#  define AWR_NO_SOCKET (-1)
#endif

/* Bytes that always hold an awr_tcp on the supported platforms (awr_tcp_size tells the exact need). */
#define AWR_TCP_SIZE 1536
/* The longest host name the adapter takes (DNS names have at most 253 characters). */
#define AWR_TCP_HOST_MAX 255

struct addrinfo;   /* <netdb.h> or <ws2tcpip.h> */

typedef struct awr_tcp_config {
    /* A numeric IPv4 or IPv6 address ("192.0.2.7", "2001:db8::7") to connect to instead of resolving
       the host (NULL: resolve). The host name still goes to TLS (SNI, verification) and HTTP. */
    const char *address;
    /* The resolver the thread calls (NULL: the system's getaddrinfo). It must return a list that
       freeaddrinfo() frees (call getaddrinfo inside: a cache, a test's delay, a logger). */
    int (*resolve)(const char *host, const char *service, const struct addrinfo *hints, struct addrinfo **res);
    /* The longest host name this adapter connects to (0: AWR_TCP_HOST_MAX, also the most it takes).
       The adapter keeps a copy of it: with many adapters, a short limit saves
       AWR_TCP_HOST_MAX - host_max bytes each. open() refuses a longer host (AWR_ERR_ARG). */
    size_t host_max;
    /* Where each DNS lookup's block comes from (zero: AWR_MALLOC/AWR_FREE; both or neither). The
       resolver thread frees it when awr_tcp_deinit came during the lookup (else the caller's thread
       does): the allocator must stay usable until then, and take that free from another thread. */
    awr_allocator allocator;
} awr_tcp_config;

typedef struct awr_tcp awr_tcp;

/* Bytes an awr_tcp needs (cfg may be NULL): at most AWR_TCP_SIZE; 0 when cfg->host_max is above
   AWR_TCP_HOST_MAX. Any alignment of mem is fine. */
AWR_API size_t awr_tcp_size(const awr_tcp_config *cfg);
/* Build the adapter in mem (size >= awr_tcp_size(cfg); cfg NULL: defaults, copied). Nothing is
   allocated. *out is NULL on failure: AWR_ERR_ARG (also host_max above AWR_TCP_HOST_MAX, an
   allocator with one function, or a cfg->address that is not a numeric address), AWR_ERR_BUFFER
   (size too small), AWR_ERR_IO (WSAStartup failed). */
AWR_API awr_result awr_tcp_init(void *mem, size_t size, const awr_tcp_config *cfg, awr_tcp **out);
/* Close any connection and drop the adapter (mem is yours again); returns at once. A lookup still
   running (getaddrinfo cannot be cancelled) is left to its thread, which frees what it holds when the
   lookup ends: cfg.resolve may still be running after this returns (and the code of this header must
   stay loaded until then). */
AWR_API void awr_tcp_deinit(awr_tcp *t);
/* The I/O hooks on t (user = t); valid as long as t is. */
AWR_API awr_io awr_tcp_io(awr_tcp *t);
/* The socket to watch, or AWR_NO_SOCKET. */
AWR_API awr_socket awr_tcp_socket(const awr_tcp *t);
/* The poll()/WSAPoll() events (POLLIN/POLLRDNORM, POLLOUT/POLLWRNORM) to watch for, given the
   AWR_WANT_* flags of awr_client_wants(). */
AWR_API short awr_tcp_poll_events(const awr_tcp *t, int wants);
/* 1 while the connection waits for the resolver thread (no socket yet). */
AWR_API int awr_tcp_resolving(const awr_tcp *t);
/* errno (WSAGetLastError() on Windows) of the latest failure, 0 if none. */
AWR_API int awr_tcp_last_error(const awr_tcp *t);
/* Monotonic milliseconds, for awr_client_poll: clock_gettime(CLOCK_MONOTONIC), or on Windows
   QueryPerformanceCounter (GetTickCount64 moves in steps of 10-16 ms, too coarse for short timeouts). */
AWR_API int64_t awr_tcp_now_ms(void);
/* Fill out with len random bytes from the system's generator; on AWR_ERR_RANDOM the bytes of out are
   unspecified (use none of them). */
AWR_API awr_result awr_tcp_random(void *out, size_t len);
/* Run the client for timeout_ms (-1: no limit). Returns AWR_OK when the time is up or awr_tcp_stop()
 * was called (from a callback, say), AWR_ERR_CLOSED when the client reached AWR_STATE_CLOSED (the
 * state callback told why), AWR_ERR_IO if poll()/WSAPoll() itself fails. Signals that interrupt
 * poll() are ignored. */
AWR_API awr_result awr_tcp_run(awr_tcp *t, awr_client *c, int32_t timeout_ms);
/* Make awr_tcp_run return at its next step. */
AWR_API void awr_tcp_stop(awr_tcp *t);

#endif /* AWR_TCP */

/* ==================================================================================================
 * BEARSSL ADAPTER (define AWR_BEARSSL; link with -lbearssl)
 * TLS for wss:// as an awr_io that wraps another awr_io (the raw TCP one, e.g. the TCP
 * adapter). It drives BearSSL's engine API directly: every send/recv of the wrapper moves what it can
 * between the engine's record buffers (SENDREC/RECVREC) and the inner transport, then between the
 * engine's application buffers (SENDAPP/RECVAPP) and the caller, and never blocks. open() with tls = 0
 * passes the connection through untouched, so one wrapper serves ws:// and wss:// alike.
 *
 *     awr_bearssl_config tc = {0};            // zero: system CA bundle, full verification
 *     tc.ca_file = "/path/to/ca.pem";         // or ca_pem/ca_pem_len, or ready anchors
 *     awr_bearssl *tls;
 *     if (awr_bearssl_create(&tc, &tcp_io, &tls) != AWR_OK) ...;   // or awr_bearssl_size + _init
 *     cfg.io = awr_bearssl_io(tls);           // the client now speaks wss://
 *     ...
 *     awr_bearssl_destroy(tls);               // after the client is gone
 *
 * Verification: the chain must end at one of the trust anchors (br_x509_minimal), every certificate
 * must be valid at the current time (unix_time, else the system clock), and the end-entity certificate
 * must name the host (subjectAltName dNSName, wildcards as BearSSL allows). The host name is sent as
 * SNI unless it is an IP literal. BearSSL matches DNS names only: for a server reached by IP address,
 * set server_name to the DNS name its certificate carries. Failures come back from send/recv as
 * AWR_ERR_TLS_UNTRUSTED, AWR_ERR_TLS_HOSTNAME, AWR_ERR_TLS_EXPIRED, AWR_ERR_TLS_ALERT (the server
 * sent a fatal alert) or AWR_ERR_TLS; awr_bearssl_last_error() gives BearSSL's own code.
 *
 * Trust anchors, first match wins: `anchors` (used in place, e.g. generated by `brssl ta`), `ca_pem`
 * (a PEM bundle in memory), `ca_file` (a PEM bundle on disk), else AWR_BEARSSL_DEFAULT_CA_FILE (the
 * system bundle on Linux, macOS and the BSDs; none on other systems: give one of the above). PEM is
 * decoded once, when the adapter is made, into anchor_mem if given (any alignment; AWR_ERR_BUFFER when
 * too small; awr_bearssl_anchor_bytes() tells the size), else into the adapter's own memory.
 * Certificates BearSSL cannot use (unsupported key types) are skipped; none usable is AWR_ERR_TLS.
 *
 * While the handshake runs, send() takes up to AWR_BEARSSL_STAGE_SIZE (4096) bytes into a stage and
 * sends them, in order, when it ends: the host waits for readability rather than spinning on POLLOUT.
 *
 * MEMORY: everything is laid out once, when the adapter is made; open() and close() never allocate,
 * reconnects included. awr_bearssl_size(cfg) bytes hold the adapter, max_connections connection slots
 * (each about 12 KiB of contexts and stage on x86-64, plus its own iobuf_size: by default
 * BR_SSL_BUFSIZE_BIDI, 33 KiB, so about 45 KiB a slot; BR_SSL_BUFSIZE_MONO, 16.3 KiB, is the smallest
 * that always works) and the decoded anchors (unless they are ready or go to anchor_mem).
 * awr_bearssl_init() builds the adapter in memory you own (no allocation at all); awr_bearssl_create()
 * allocates that block once through cfg->allocator. A client keeps one connection open at a time (it
 * closes the old one before it reconnects), so one slot serves it; an adapter shared by n clients needs
 * max_connections = n. When every slot is taken, open() returns AWR_ERR_LIMIT.
 * Define AWR_BEARSSL_NO_STDIO to leave out file loading (embedded targets without stdio).
 * ================================================================================================== */
#if defined(AWR_BEARSSL) && !defined(AWR__BEARSSL_DECLARED)
#define AWR__BEARSSL_DECLARED
#include <bearssl.h>

#ifndef AWR_BEARSSL_DEFAULT_CA_FILE
#  if defined(__linux__)
#    define AWR_BEARSSL_DEFAULT_CA_FILE "/etc/ssl/certs/ca-certificates.crt"
#  elif defined(__APPLE__) || defined(__OpenBSD__)
#    define AWR_BEARSSL_DEFAULT_CA_FILE "/etc/ssl/cert.pem"
#  elif defined(__FreeBSD__) || defined(__DragonFly__)
#    define AWR_BEARSSL_DEFAULT_CA_FILE "/usr/local/share/certs/ca-root-nss.crt"
#  elif defined(__NetBSD__)
#    define AWR_BEARSSL_DEFAULT_CA_FILE "/etc/openssl/certs/ca-certificates.crt"
#  else
#    define AWR_BEARSSL_DEFAULT_CA_FILE NULL
#  endif
#endif

typedef struct awr_bearssl_config {
    const br_x509_trust_anchor *anchors;  /* ready trust anchors, used in place (must outlive the adapter) */
    size_t anchor_count;
    const char *ca_pem;                   /* a PEM bundle in memory ... */
    size_t ca_pem_len;                    /* ... and its length (0: strlen) */
    const char *ca_file;                  /* a PEM bundle on disk (NULL: AWR_BEARSSL_DEFAULT_CA_FILE) */
    void *anchor_mem;                     /* where decoded anchors go (NULL: the adapter's own memory) */
    size_t anchor_mem_size;
    const char *server_name;              /* verify and send this name instead of the host (NULL: host; kept by
                                             pointer; "" is refused: BearSSL would check no name at all) */
    /* Seconds since 1970-01-01 UTC for the validity check (NULL: the system clock, via BearSSL). */
    int64_t (*unix_time)(void *user);
    void *time_user;
    size_t iobuf_size;                    /* per connection (0: BR_SSL_BUFSIZE_BIDI; min BR_SSL_BUFSIZE_MONO) */
    size_t max_connections;               /* [1] connections open at once, each with its own slot */
    awr_allocator allocator;              /* awr_bearssl_create only; zero: AWR_MALLOC/AWR_FREE; both or neither */
    /* DANGER: 1 turns off ALL certificate verification (chain, dates, name); anyone on the path can
       read and change the traffic. For local testing against self-signed servers only. */
    int insecure_no_verify;
} awr_bearssl_config;

typedef struct awr_bearssl awr_bearssl;

/* Bytes of memory (any alignment is fine: the adapter aligns inside) an adapter with cfg needs, 0 if
   cfg is invalid or its CA source cannot be read (awr_bearssl_init then says why). A CA file is read
   to size its anchors (init reads it once more, create twice: once to size, once to fill). */
AWR_API size_t awr_bearssl_size(const awr_bearssl_config *cfg);
/* Load the trust anchors and build the adapter around inner (copied) in mem (size >= awr_bearssl_size).
   Nothing is allocated; drop it with awr_bearssl_deinit (which does not free mem). *out is NULL on
   failure: AWR_ERR_ARG, AWR_ERR_BUFFER (size or anchor_mem too small), AWR_ERR_NOT_FOUND (CA file
   missing or unreadable), AWR_ERR_UNSUPPORTED (no CA source on this system), AWR_ERR_TLS (the PEM is
   malformed or holds no usable certificate). A CA file is read once (a file that grew since
   awr_bearssl_size may no longer fit: AWR_ERR_BUFFER). */
AWR_API awr_result awr_bearssl_init(void *mem, size_t size, const awr_bearssl_config *cfg, const awr_io *inner,
                                    awr_bearssl **out);
/* Drop the adapter; connections still open through it are closed (destroy the clients that use it first). */
AWR_API void awr_bearssl_deinit(awr_bearssl *tls);
/* The same with one allocation through cfg->allocator (or AWR_MALLOC); also AWR_ERR_NOMEM, and
   AWR_ERR_ARG if the allocator has only one of its two functions. */
AWR_API awr_result awr_bearssl_create(const awr_bearssl_config *cfg, const awr_io *inner, awr_bearssl **out);
/* awr_bearssl_deinit, then free the block. */
AWR_API void awr_bearssl_destroy(awr_bearssl *tls);
/* The wrapping I/O hook: give it to the client (it stays valid until awr_bearssl_deinit/destroy). */
AWR_API awr_io awr_bearssl_io(awr_bearssl *tls);
/* How many trust anchors were loaded. */
AWR_API size_t awr_bearssl_anchor_count(const awr_bearssl *tls);
/* BearSSL's error code (BR_ERR_*) of the latest TLS failure on any connection of this adapter, 0 if none. */
AWR_API int awr_bearssl_last_error(const awr_bearssl *tls);
/* The bytes of anchor_mem that decoding the PEM bundle pem/len needs (0 if it holds no usable certificate). */
AWR_API size_t awr_bearssl_anchor_bytes(const char *pem, size_t len);

#endif /* AWR_BEARSSL */

#ifdef __cplusplus
}
#endif
#endif /* APPWRITE_REALTIME_H */

/* ==================================================================================================
 * C++ LAYER (C++17; define AWR_CPP before the include; needs neither exceptions nor RTTI)
 *
 * A thin RAII layer over the client: awr::client owns an awr_client, awr::subscription owns one
 * subscription and ends it when it goes out of scope, callbacks are any callable (lambdas with
 * captures included), and events are read through std::string_view and the payload getters.
 * Everything is inline here and calls the C API above; the C API stays available (client::get()).
 *
 *     #define AWR_CPP
 *     #include "appwrite_realtime.h"
 *     awr::client rt(cfg);                                   (cfg: an awr_client_config, as in C)
 *     if (!rt) -> rt.result() says why
 *     int score = 0;
 *     awr::subscription sub = rt.subscribe("databases.game.collections.scores.documents",
 *         [&score](const awr::event &e) {
 *             if (e.is("databases.*.collections.*.documents.*.update"))
 *                 score = (int)e.int64_or("points", 0);
 *         });
 *     each frame: rt.poll(now_ms);
 *
 * Lifetimes: a subscription may outlive its client (it then does nothing), may be moved, and may be
 * ended (unsubscribe(), destruction, move-assignment) anywhere, its own callback included: the
 * callable is released after the callback returns. A client must not be destroyed inside one of its
 * callbacks (as in C). Failures are results, never exceptions: the client's result(), a subscription's
 * result() (operator bool: it is live). A callable must not throw: an exception leaving one ends the
 * program (std::terminate), as it cannot unwind through the C client. The callables are kept in std::function (which may allocate
 * when subscribe() stores one; dispatching an event allocates nothing). The threading rules are the
 * C client's (see THREADS).
 * ================================================================================================== */
#if defined(__cplusplus) && defined(AWR_CPP) && !defined(AWR__CPP_DECLARED)
#define AWR__CPP_DECLARED
#if !(__cplusplus >= 201703L || (defined(_MSVC_LANG) && _MSVC_LANG >= 201703L))
#  error "AWR_CPP needs C++17 (std::string_view)"
#endif
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <new>
#include <string_view>
#include <utility>

namespace awr {

inline std::string_view view(awr_text t) { return t.ptr ? std::string_view(t.ptr, t.len) : std::string_view(); }

/* An event, as the callbacks get it: views into the receive buffer, valid during the callback. */
class event {
public:
    explicit event(const awr_event *ev) : ev_(ev) {}
    std::string_view payload() const { return view(ev_->payload); }              /* JSON */
    std::string_view data() const { return view(ev_->data); }                    /* JSON object */
    std::string_view events() const { return view(ev_->events); }                /* JSON array */
    std::string_view channels() const { return view(ev_->channels); }            /* JSON array */
    std::string_view timestamp() const { return view(ev_->timestamp); }          /* text */
    std::string_view subscriptions() const { return view(ev_->subscriptions); }  /* JSON array */
    bool is(const char *pattern) const { return awr_event_is(ev_, pattern) != 0; }
    bool has_channel(const char *channel) const { return awr_event_has_channel(ev_, channel) != 0; }

    /* Payload fields, as awr_event_get_*: the result, and the value in out. */
    awr_result get(const char *path, int64_t &out) const { return awr_event_get_int64(ev_, path, &out); }
#ifndef AWR_NO_JSON_DOUBLE
    awr_result get(const char *path, double &out) const { return awr_event_get_double(ev_, path, &out); }
#endif
    awr_result get(const char *path, bool &out) const {
        int b = 0;
        awr_result r = awr_event_get_bool(ev_, path, &b);
        out = b != 0;
        return r;
    }
    /* A string, unescaped into buf; out views buf (the cut start on AWR_ERR_BUFFER). */
    awr_result get(const char *path, char *buf, size_t cap, std::string_view &out) const {
        size_t n = 0;
        awr_result r = awr_event_get_string(ev_, path, buf, cap, &n);
        out = buf ? std::string_view(buf, n) : std::string_view();
        return r;
    }
    template <size_t N> awr_result get(const char *path, char (&buf)[N], std::string_view &out) const {
        return get(path, buf, N, out);
    }
    /* The member's JSON text as sent. */
    awr_result get_json(const char *path, std::string_view &out) const {
        awr_text t;
        awr_result r = awr_event_get_json(ev_, path, &t);
        out = view(t);
        return r;
    }
    /* The value, or fallback when the member is missing or not of the type. */
    int64_t int64_or(const char *path, int64_t fallback) const { int64_t v = 0; return get(path, v) == AWR_OK ? v : fallback; }
#ifndef AWR_NO_JSON_DOUBLE
    double double_or(const char *path, double fallback) const { double v = 0; return get(path, v) == AWR_OK ? v : fallback; }
#endif
    bool bool_or(const char *path, bool fallback) const { bool v = false; return get(path, v) == AWR_OK ? v : fallback; }
    template <size_t N> std::string_view string_or(const char *path, char (&buf)[N], std::string_view fallback) const {
        std::string_view v;
        return get(path, buf, N, v) == AWR_OK ? v : fallback;
    }

    awr_sub id() const { return ev_->sub; }
    const awr_event *c_event() const { return ev_; }

private:
    const awr_event *ev_;
};

using event_fn = std::function<void(const event &)>;
using state_fn = std::function<void(const awr_state_info &)>;
using error_fn = std::function<void(const awr_server_error &)>;
using response_fn = std::function<void(const awr_response &)>;

namespace detail {
/* What a client and its subscriptions share; freed by whichever of them goes last. */
struct shared;
struct slot {
    shared *owner = nullptr;
    awr_sub id = 0;
    bool dead = false;     /* ended during a callback: its callable is released after the callbacks */
    event_fn fn;
};
struct shared {
    awr_client *c = nullptr;
    slot *slots = nullptr;
    size_t nslots = 0;
    size_t refs = 1;       /* the client and every live subscription */
    int depth = 0;         /* callbacks running */
    state_fn on_state;
    error_fn on_error;
    response_fn on_response;
};
inline void release(shared *s) {
    if (s && --s->refs == 0) { delete[] s->slots; delete s; }
}
/* Free the callables of subscriptions ended during callbacks (only when none runs). */
inline void sweep(shared *s) {
    if (s->depth != 0) return;
    for (size_t i = 0; i < s->nslots; i++)
        if (s->slots[i].dead) { s->slots[i].fn = nullptr; s->slots[i].dead = false; s->slots[i].id = 0; }
}
/* The trampolines the C client calls are noexcept: an exception must not unwind through the C client
 * (it would stay marked inside a callback: every later poll refused, its destruction refused). */
inline void on_event(awr_client *, awr_sub, const awr_event *ev, void *user) noexcept {
    slot *sl = static_cast<slot *>(user);
    sl->owner->depth++;
    if (sl->fn && !sl->dead) sl->fn(event(ev));
    sl->owner->depth--;
}
inline void on_state(awr_client *, const awr_state_info *info, void *user) noexcept {
    shared *s = static_cast<shared *>(user);
    s->depth++;
    if (s->on_state) s->on_state(*info);
    s->depth--;
}
inline void on_error(awr_client *, const awr_server_error *err, void *user) noexcept {
    shared *s = static_cast<shared *>(user);
    if (err->sub != 0 && err->reason == AWR_ERR_LIMIT)   /* the client dropped it: it cannot be served */
        for (size_t i = 0; i < s->nslots; i++)
            if (s->slots[i].id == err->sub) s->slots[i].dead = true;
    s->depth++;
    if (s->on_error) s->on_error(*err);
    s->depth--;
}
inline void on_response(awr_client *, const awr_response *resp, void *user) noexcept {
    shared *s = static_cast<shared *>(user);
    s->depth++;
    if (s->on_response) s->on_response(*resp);
    s->depth--;
}
} // namespace detail

/* One subscription; ends it (awr_client_unsubscribe) when destroyed. Move-only. */
class subscription {
public:
    subscription() = default;
    subscription(subscription &&o) noexcept { take(o); }
    subscription &operator=(subscription &&o) noexcept {
        if (this != &o) { unsubscribe(); take(o); }
        return *this;
    }
    subscription(const subscription &) = delete;
    subscription &operator=(const subscription &) = delete;
    ~subscription() { unsubscribe(); }

    /* End it now; no event reaches the callable from this call on. AWR_OK also when already ended. */
    awr_result unsubscribe() {
        awr_result r = AWR_OK;
        if (s_ && s_->c && sl_ && sl_->id == id_ && id_ != 0) {
            r = awr_client_unsubscribe(s_->c, id_);
            if (r == AWR_ERR_NOT_FOUND) r = AWR_OK;   /* the client ended it (a refused subscription) */
            sl_->dead = true;
            detail::sweep(s_);
        }
        detail::release(s_);
        s_ = nullptr; sl_ = nullptr; id_ = 0;
        return r;
    }
    /* New channels and queries, in place (awr_client_update_subscription). */
    awr_result update(const char *const *channels, size_t n, const char *const *queries = nullptr, size_t nq = 0) {
        if (!s_ || !s_->c || id_ == 0) return AWR_ERR_STATE;
        return awr_client_update_subscription(s_->c, id_, channels, n, queries, nq);
    }
    awr_result update(std::initializer_list<const char *> channels, std::initializer_list<const char *> queries = {}) {
        return update(channels.begin(), channels.size(), queries.size() ? queries.begin() : nullptr, queries.size());
    }
    awr_sub id() const { return id_; }
    /* AWR_OK for a live subscription, else why subscribe failed (AWR_ERR_STATE once ended). */
    awr_result result() const { return *this ? AWR_OK : r_ != AWR_OK ? r_ : AWR_ERR_STATE; }
    explicit operator bool() const { return id_ != 0 && s_ && s_->c && sl_ && sl_->id == id_ && !sl_->dead; }

private:
    friend class client;
    detail::shared *s_ = nullptr;
    detail::slot *sl_ = nullptr;
    awr_sub id_ = 0;
    awr_result r_ = AWR_ERR_STATE;
    void take(subscription &o) {
        s_ = o.s_; sl_ = o.sl_; id_ = o.id_; r_ = o.r_;
        o.s_ = nullptr; o.sl_ = nullptr; o.id_ = 0; o.r_ = AWR_ERR_STATE;
    }
};

/* The client: awr_client_create on construction, awr_client_destroy on destruction. Move-only. */
class client {
public:
    client() = default;
    /* cfg as in C. When cfg sets none of on_state/on_error/on_response, the client takes cfg.user and
     * the three callbacks for itself, and on_state()/on_error()/on_response() below set lambdas. */
    explicit client(const awr_client_config &cfg) {
        awr_client_config own = cfg;
        const bool lambdas = !cfg.on_state && !cfg.on_error && !cfg.on_response;
        s_ = new (std::nothrow) detail::shared;
        if (!s_) { r_ = AWR_ERR_NOMEM; return; }
        if (lambdas) {
            own.on_state = detail::on_state;
            own.on_error = detail::on_error;
            own.on_response = detail::on_response;
            own.user = s_;
        }
        own_callbacks_ = lambdas;
        r_ = awr_client_create(&own, &s_->c);
        if (r_ == AWR_OK) r_ = make_slots(cfg.max_subscriptions ? cfg.max_subscriptions : AWR_CLIENT_DEFAULT_MAX_SUBSCRIPTIONS);
        if (r_ != AWR_OK) close();
    }
    client(client &&o) noexcept : s_(o.s_), r_(o.r_), own_callbacks_(o.own_callbacks_) { o.s_ = nullptr; o.r_ = AWR_ERR_STATE; }
    client &operator=(client &&o) noexcept {
        if (this != &o) {
            close();
            s_ = o.s_; r_ = o.r_; own_callbacks_ = o.own_callbacks_;
            o.s_ = nullptr; o.r_ = AWR_ERR_STATE;
        }
        return *this;
    }
    client(const client &) = delete;
    client &operator=(const client &) = delete;
    ~client() { close(); }

    awr_result result() const { return r_; }
    explicit operator bool() const { return s_ && s_->c; }
    awr_client *get() const { return s_ ? s_->c : nullptr; }

    /* Subscribe: one channel, or several with optional queries (awr_client_subscribe). */
    subscription subscribe(const char *channel, event_fn fn) {
        return subscribe(&channel, 1, nullptr, 0, std::move(fn));
    }
    subscription subscribe(std::initializer_list<const char *> channels, event_fn fn,
                           std::initializer_list<const char *> queries = {}) {
        return subscribe(channels.begin(), channels.size(), queries.size() ? queries.begin() : nullptr, queries.size(),
                         std::move(fn));
    }
    subscription subscribe(const char *const *channels, size_t n, const char *const *queries, size_t nq, event_fn fn) {
        subscription sub;
        detail::slot *sl = nullptr;
        if (!s_ || !s_->c || !fn) { sub.r_ = s_ ? AWR_ERR_ARG : AWR_ERR_STATE; return sub; }
        detail::sweep(s_);
        for (size_t i = 0; i < s_->nslots && !sl; i++)
            if (s_->slots[i].id == 0 && !s_->slots[i].dead && !s_->slots[i].fn) sl = &s_->slots[i];
        if (!sl) { sub.r_ = AWR_ERR_LIMIT; return sub; }
        sl->fn = std::move(fn);
        sub.r_ = awr_client_subscribe(s_->c, channels, n, queries, nq, detail::on_event, sl, &sl->id);
        if (sub.r_ != AWR_OK) { sl->fn = nullptr; sl->id = 0; return sub; }
        sub.s_ = s_;
        sub.sl_ = sl;
        sub.id_ = sl->id;
        s_->refs++;
        return sub;
    }

    /* Callables for the client's callbacks (AWR_ERR_STATE when cfg brought its own C callbacks, and
     * inside a callback: the callable replaced may be the one running). */
    awr_result on_state(state_fn fn) { if (!settable()) return AWR_ERR_STATE; s_->on_state = std::move(fn); return AWR_OK; }
    awr_result on_error(error_fn fn) { if (!settable()) return AWR_ERR_STATE; s_->on_error = std::move(fn); return AWR_OK; }
    awr_result on_response(response_fn fn) { if (!settable()) return AWR_ERR_STATE; s_->on_response = std::move(fn); return AWR_OK; }

    /* The C calls, on this client. */
    awr_result poll(int64_t now_ms) {
        if (!s_ || !s_->c) return AWR_ERR_STATE;
        awr_result r = awr_client_poll(s_->c, now_ms);
        detail::sweep(s_);
        return r;
    }
    int wants(int64_t *deadline_ms) const { return s_ && s_->c ? awr_client_wants(s_->c, deadline_ms) : 0; }
    awr_state state() const { return s_ && s_->c ? awr_client_state(s_->c) : AWR_STATE_CLOSED; }
    awr_result presence(const char *status, const char *presence_id = nullptr, const char *metadata_json = nullptr,
                        const char *const *permissions = nullptr, size_t nperm = 0) {
        return s_ && s_->c ? awr_client_upsert_presence(s_->c, status, presence_id, metadata_json, permissions, nperm) : AWR_ERR_STATE;
    }
    /* awr_client_disconnect: every subscription ends (its object then tests false). */
    awr_result disconnect() {
        if (!s_ || !s_->c) return AWR_ERR_STATE;
        awr_result r = awr_client_disconnect(s_->c);
        if (r == AWR_OK) {
            for (size_t i = 0; i < s_->nslots; i++)
                if (s_->slots[i].id != 0) s_->slots[i].dead = true;
            detail::sweep(s_);
        }
        return r;
    }

private:
    detail::shared *s_ = nullptr;
    awr_result r_ = AWR_ERR_STATE;
    bool own_callbacks_ = false;
    bool settable() const { return s_ && own_callbacks_ && s_->depth == 0; }
    /* One slot per subscription, once awr_client_create has checked the config: its count is in range. */
    awr_result make_slots(size_t n) {
        s_->slots = new (std::nothrow) detail::slot[n];
        if (!s_->slots) return AWR_ERR_NOMEM;
        s_->nslots = n;
        for (size_t i = 0; i < n; i++) s_->slots[i].owner = s_;
        return AWR_OK;
    }
    void close() {
        if (!s_) return;
        if (s_->c) awr_client_destroy(s_->c);
        s_->c = nullptr;
        for (size_t i = 0; i < s_->nslots; i++) { s_->slots[i].fn = nullptr; s_->slots[i].id = 0; s_->slots[i].dead = false; }
        detail::release(s_);
        s_ = nullptr;
    }
};

} // namespace awr
#endif /* AWR_CPP */

/* ==================================================================================================
 * IMPLEMENTATION
 * ================================================================================================== */
/* The declarations above are C89; the implementation is not (stdint types, mixed declarations, long
   long): say so once and skip it, rather than hundreds of errors. MSVC's C mode predates
   __STDC_VERSION__ but has what the implementation needs. */
#if defined(APPWRITE_REALTIME_IMPLEMENTATION) && !defined(AWR__IMPLEMENTED) && !defined(__cplusplus) && \
    !defined(_MSC_VER) && (!defined(__STDC_VERSION__) || __STDC_VERSION__ < 199901L)
#  error "appwrite_realtime.h: the implementation needs C99 or newer, or C++ (compile it with -std=c99 or later)"
#  define AWR__IMPLEMENTED
#endif
#ifdef APPWRITE_REALTIME_IMPLEMENTATION
#ifndef AWR__IMPLEMENTED
#define AWR__IMPLEMENTED

#include <string.h>   /* memcpy, memset, memcmp: the only C library functions the core calls */

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

/* The core calls no C library function beyond memcpy, memset and memcmp, so that firmware links it
 * with nothing else (tests/embedded.sh checks this). These few string helpers are its own; they only
 * ever see short strings (configuration, header names) or are not on a hot path. */
/* A test may name a counter of its own in AWR_WORK_COUNTER: these helpers then add the bytes they
 * scan to it, which shows whether some work grows linearly, with no clock involved. */
#ifdef AWR_WORK_COUNTER
#  define AWR__WORK(n) ((void)(AWR_WORK_COUNTER += (n)))
#else
#  define AWR__WORK(n) ((void)(n))
#endif
static size_t awr__strlen(const char *s) {
    const char *p = s;
    while (*p) p++;
    AWR__WORK(p - s + 1);
    return (size_t)(p - s);
}
static int awr__streq(const char *a, const char *b) {
    const char *a0 = a;
    while (*a && *a == *b) { a++; b++; }
    AWR__WORK(a - a0 + 1);
    return *a == *b;
}
static const void *awr__memchr(const void *s, int c, size_t n) {
    const unsigned char *p = (const unsigned char *)s;
    for (; n; n--, p++)
        if (*p == (unsigned char)c) return p;
    return NULL;
}
/* memmove from memcpy: copy in pieces no longer than the distance, so no piece overlaps itself. */
static void awr__memmove(void *dst, const void *src, size_t n) {
    unsigned char *d = (unsigned char *)dst;
    const unsigned char *s = (const unsigned char *)src;
    size_t gap, k;
    if (d == s || n == 0) return;
    if (d < s) {
        gap = (size_t)(s - d);
        while (n) { k = n < gap ? n : gap; memcpy(d, s, k); d += k; s += k; n -= k; }
    } else {
        gap = (size_t)(d - s);
        while (n) { k = n < gap ? n : gap; n -= k; memcpy(d + n, s + n, k); }
    }
}

/* The one bounded appender (awr__out, declared before awr_json_writer, which holds one): len counts
 * every byte appended, whether it fit or not, so the same code both measures (p NULL: counting only)
 * and writes. Writing stops at the first piece that does not fit (overflow), so p always holds a prefix
 * of the output, NUL-terminated: one byte of cap is kept for the NUL. The source may overlap the
 * output (a caller may keep its strings at the end of p: each is read before the output reaches it). */
static void awr__out_init(awr__out *o, void *buf, size_t cap) {
    o->p = (char *)buf;
    o->cap = buf ? cap : 0;
    o->len = 0;
    o->overflow = buf && cap == 0;
    if (o->cap) o->p[0] = 0;
}
static void awr__out_mem(awr__out *o, const void *s, size_t n) {
    size_t at = o->len;
    o->len += n;
    if (!o->p || o->overflow) return;
    if (n >= o->cap - at) { o->overflow = 1; return; }
    awr__memmove(o->p + at, s, n);
    o->p[at + n] = 0;
}
static void awr__out_str(awr__out *o, const char *s) { awr__out_mem(o, s, awr__strlen(s)); }
static void awr__out_char(awr__out *o, char c) { awr__out_mem(o, &c, 1); }

/* The one integer formatter: the decimal digits of v end at buf + AWR__DEC_MAX; returns the offset of
 * the first. Only 32-bit divisions: a 64-bit one would pull __udivmoddi4 into 32-bit firmware, so the
 * part above 2^32 is divided by 10 in 16-bit pieces (a remainder times 2^16 plus the next piece stays
 * below 10 x 2^16). */
#define AWR__DEC_MAX 20
static size_t awr__dec(uint64_t v, char buf[AWR__DEC_MAX]) {
    size_t i = AWR__DEC_MAX;
    uint32_t u;
    while (v > 0xFFFFFFFFu) {
        uint64_t q = 0;
        uint32_t r = 0;
        int shift;
        for (shift = 48; shift >= 0; shift -= 16) {
            uint32_t part = (r << 16) | (uint32_t)((v >> shift) & 0xFFFFu);
            q |= (uint64_t)(part / 10u) << shift;
            r = part % 10u;
        }
        buf[--i] = (char)('0' + r);
        v = q;
    }
    u = (uint32_t)v;
    do { buf[--i] = (char)('0' + u % 10u); u /= 10u; } while (u);
    return i;
}
static void awr__out_dec(awr__out *o, uint64_t v) {
    char digits[AWR__DEC_MAX];
    size_t i = awr__dec(v, digits);
    awr__out_mem(o, digits + i, AWR__DEC_MAX - i);
}

/* The allocator rule, the same for every create function: both functions or neither (zero: AWR_MALLOC
 * and AWR_FREE). One alone would leave a block nobody can free, or free what another heap gave. */
static int awr__allocator_ok(const awr_allocator *a) {
    return (a->alloc == NULL) == (a->free == NULL);
}
static void *awr__alloc(const awr_allocator *a, size_t size) {
    return a->alloc ? a->alloc(a->user, size) : AWR_MALLOC(size);
}
static void awr__free(const awr_allocator *a, void *ptr) {
    if (a->alloc) a->free(a->user, ptr);
    else AWR_FREE(ptr);
}

/* ==================================================================================================
 * RESULTS (implementation)
 * ================================================================================================== */
/* The texts from AWR_AGAIN (1) down to AWR_ERR_TLS_ALERT (-94), each ended by a NUL, "" for a value
 * that names no result, then "unknown result". One char array rather than a literal per result: a
 * link with --gc-sections drops an array nobody calls for, while literals share one string section
 * that the linker keeps whole when any function of the file uses any literal (a firmware that never
 * names a result would carry all of them). */
AWR_API const char *awr_result_str(awr_result r) {
    static const char texts[] =
        "not finished: call again\0" "ok\0" "invalid argument\0" "out of memory\0" "buffer too small\0"
        "not valid in the current state\0" "transport error\0" "connection closed by peer\0" "timed out\0"
        "invalid or unsupported URL\0" "random source failed\0" "not found\0" "not supported\0"
        "limit reached\0" "invalid UTF-8\0" "\0" "\0" "\0" "\0" "\0" "\0" "handshake: response header too large\0"
        "handshake: malformed HTTP response\0" "handshake: status is not 101\0"
        "handshake: missing or wrong Upgrade header\0" "handshake: missing or wrong Connection header\0"
        "handshake: missing or wrong Sec-WebSocket-Accept\0" "handshake: extension not offered\0"
        "handshake: subprotocol not offered\0" "\0" "\0" "websocket: reserved bit set\0"
        "websocket: reserved opcode\0" "websocket: masked frame from server\0"
        "websocket: control frame over 125 bytes\0" "websocket: fragmented control frame\0"
        "websocket: continuation without a message\0" "websocket: new message inside a fragmented one\0"
        "websocket: non-minimal payload length\0" "websocket: payload length over 2^63\0"
        "websocket: invalid close payload\0" "websocket: invalid close code\0" "websocket: invalid UTF-8\0"
        "websocket: message too big\0" "websocket: closed\0" "\0" "\0" "\0" "\0" "\0" "\0"
        "json: syntax error\0" "json: unexpected end of input\0" "json: nesting too deep\0"
        "json: not enough tokens\0" "json: invalid UTF-8\0" "json: wrong token type\0"
        "json: number out of range\0" "json: lone surrogate escape\0" "\0" "\0" "\0" "\0" "\0" "\0" "\0" "\0"
        "\0" "\0" "\0" "\0" "appwrite: unexpected server message\0" "appwrite: policy violation (1008)\0"
        "appwrite: server error\0" "appwrite: client closed\0" "\0" "\0" "\0" "\0" "\0" "\0" "\0" "\0" "\0"
        "\0" "\0" "\0" "\0" "\0" "\0" "\0" "tls: failure\0" "tls: untrusted certificate chain\0"
        "tls: certificate does not match host name\0" "tls: certificate expired or not yet valid\0"
        "tls: fatal alert from peer\0" "unknown result";
    const char *p = texts;
    int i = 1 - (int)r;
    if (i < 0 || i > 95) i = 96;
    for (; i > 0; p++) if (*p == '\0') i--;
    return *p ? p : texts + sizeof texts - sizeof "unknown result";
}


/* ==================================================================================================
 * PRIMITIVES (implementation)
 * ================================================================================================== */
/* Out of line in a build for size (-Os, -Oz: __OPTIMIZE_SIZE__), where the compiler's inline copies
 * of the function (or the registers it takes from a large caller) cost more bytes than its calls;
 * elsewhere the compiler decides as usual. Each use was measured with make size. */
#if (defined(__GNUC__) || defined(__clang__)) && defined(__OPTIMIZE_SIZE__)
#  define AWR__SIZE_NOINLINE __attribute__((noinline))
#else
#  define AWR__SIZE_NOINLINE
#endif
static uint32_t awr__rol32(uint32_t x, unsigned n) { return (x << n) | (x >> (32u - n)); }

static uint32_t awr__load_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static AWR__SIZE_NOINLINE void awr__store_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* 64-bit values in two 32-bit halves: no 64-bit shifts on a 32-bit core (SHA-1 lengths, frame headers). */
static void awr__store_be64(uint8_t *p, uint64_t v) {
    awr__store_be32(p, (uint32_t)(v >> 32));
    awr__store_be32(p + 4, (uint32_t)v);
}

static void awr__sha1_block(uint32_t h[5], const uint8_t *block) {
    uint32_t w[80], a, b, c, d, e, f, k, t;
    unsigned i;
    for (i = 0; i < 16; i++) w[i] = awr__load_be32(block + 4 * i);
    for (i = 16; i < 80; i++) w[i] = awr__rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4];
    for (i = 0; i < 80; i++) {
        if (i < 20)      { f = (b & c) | (~b & d);           k = 0x5A827999u; }
        else if (i < 40) { f = b ^ c ^ d;                    k = 0x6ED9EBA1u; }
        else if (i < 60) { f = (b & c) | (b & d) | (c & d);  k = 0x8F1BBCDCu; }
        else             { f = b ^ c ^ d;                    k = 0xCA62C1D6u; }
        t = awr__rol32(a, 5) + f + e + k + w[i];
        e = d; d = c; c = awr__rol32(b, 30); b = a; a = t;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
}

AWR_API void awr_sha1_init(awr_sha1_ctx *ctx) {
    ctx->h[0] = 0x67452301u; ctx->h[1] = 0xEFCDAB89u; ctx->h[2] = 0x98BADCFEu;
    ctx->h[3] = 0x10325476u; ctx->h[4] = 0xC3D2E1F0u;
    ctx->total = 0;
    ctx->used = 0;
}

AWR_API void awr_sha1_update(awr_sha1_ctx *ctx, const void *data, size_t len) {
    const uint8_t *p = (const uint8_t *)data;
    ctx->total += len;
    if (ctx->used > 0) {
        size_t take = 64 - ctx->used < len ? 64 - ctx->used : len;
        memcpy(ctx->block + ctx->used, p, take);
        ctx->used += take; p += take; len -= take;
        if (ctx->used < 64) return;
        awr__sha1_block(ctx->h, ctx->block);
        ctx->used = 0;
    }
    for (; len >= 64; p += 64, len -= 64) awr__sha1_block(ctx->h, p);
    if (len > 0) { memcpy(ctx->block, p, len); ctx->used = len; }
}

AWR_API void awr_sha1_final(awr_sha1_ctx *ctx, uint8_t digest[AWR_SHA1_SIZE]) {
    uint64_t bits = ctx->total * 8u;
    unsigned i;
    ctx->block[ctx->used++] = 0x80;
    if (ctx->used > 56) {
        memset(ctx->block + ctx->used, 0, 64 - ctx->used);
        awr__sha1_block(ctx->h, ctx->block);
        ctx->used = 0;
    }
    memset(ctx->block + ctx->used, 0, 56 - ctx->used);
    awr__store_be64(ctx->block + 56, bits);
    awr__sha1_block(ctx->h, ctx->block);
    for (i = 0; i < 5; i++) awr__store_be32(digest + 4 * i, ctx->h[i]);
}

AWR_API void awr_sha1(const void *data, size_t len, uint8_t digest[AWR_SHA1_SIZE]) {
    awr_sha1_ctx ctx;
    awr_sha1_init(&ctx);
    awr_sha1_update(&ctx, data, len);
    awr_sha1_final(&ctx, digest);
}

AWR_API awr_result awr_base64_encode(const void *data, size_t len, char *out, size_t cap, size_t *out_len) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const uint8_t *p = (const uint8_t *)data;
    size_t i, o = 0;
    if (out_len) *out_len = 0;
    if ((!out && cap) || (!data && len)) return AWR_ERR_ARG;
    if (cap) out[0] = 0;
    /* the first test keeps AWR_BASE64_LEN(len) + 1 from overflowing */
    if (len > ((size_t)-1 - 3) / 4 * 3 - 3 || cap < AWR_BASE64_LEN(len) + 1) return AWR_ERR_BUFFER;
    for (i = 0; i < len; i += 3) {   /* a short last group: its missing bytes are 0, its missing digits '=' */
        size_t left = len - i, k;
        uint32_t v = ((uint32_t)p[i] << 16) | (left > 1u ? (uint32_t)p[i + 1u] << 8 : 0u) |
                     (left > 2u ? (uint32_t)p[i + 2u] : 0u);
        for (k = 0; k < 4u; k++) out[o++] = k <= left ? alphabet[(v >> (18u - 6u * k)) & 63u] : '=';
    }
    out[o] = 0;
    if (out_len) *out_len = o;
    return AWR_OK;
}

/* UTF-8. The state of an unfinished character packs what the next byte must be:
 * bits 0-7 how many continuation bytes are still missing, bits 8-15 / 16-23 the lowest / highest
 * value the next one may take (only the first continuation is narrower than 80..BF: that is where
 * overlongs, surrogates and code points above U+10FFFF are excluded). */
#define AWR__UTF8_FAILED 0xFFFFFFFFu
#define AWR__UTF8_STATE(need, lo, hi) ((uint32_t)(need) | ((uint32_t)(lo) << 8) | ((uint32_t)(hi) << 16))

/* The one table of the RFC 3629 ranges, which every UTF-8 check of the header expands (the validator,
 * the JSON tokenizer's inline characters and its SSE2 window): a lead byte LEAD_MIN..LEAD_MAX starts a
 * character of 2 (..DF), 3 (E0..EF) or 4 (F0..) bytes, whose continuation bytes are 80..BF, except the
 * first one after the four leads of AWR__UTF8_NARROW(lead, lowest, highest), each narrower on one side
 * only (the SSE2 window relies on it). */
#define AWR__UTF8_LEAD_MIN 0xC2u   /* C0 and C1 would start overlong two-byte forms */
#define AWR__UTF8_LEAD_MAX 0xF4u
#define AWR__UTF8_NARROW(X)                                        \
    X(0xE0u, 0xA0u, 0xBFu)   /* no overlong three-byte forms */    \
    X(0xEDu, 0x80u, 0x9Fu)   /* no surrogates */                   \
    X(0xF0u, 0x90u, 0xBFu)   /* no overlong four-byte forms */     \
    X(0xF4u, 0x80u, 0x8Fu)   /* nothing above U+10FFFF */

AWR_API void awr_utf8_init(awr_utf8 *u) { u->state = 0; }

/* For a lead byte >= 0x80: the state that must follow it, or 0 when it cannot start a character.
 * The JSON tokenizer and writer judge their characters with it too. */
static uint32_t awr__utf8_lead(uint8_t b) {
    uint32_t need;
    if (b < AWR__UTF8_LEAD_MIN || b > AWR__UTF8_LEAD_MAX) return 0;
    if (b < 0xE0u) return AWR__UTF8_STATE(1, 0x80u, 0xBFu);   /* no narrow row: the usual case first */
    need = b < 0xF0u ? 2u : 3u;
#define AWR__UTF8_LEAD_STATE(lead, lo, hi) if (b == (lead)) return AWR__UTF8_STATE(need, lo, hi);
    AWR__UTF8_NARROW(AWR__UTF8_LEAD_STATE)
#undef AWR__UTF8_LEAD_STATE
    return AWR__UTF8_STATE(need, 0x80u, 0xBFu);
}

/* 1 if b is one of the leads whose first continuation byte is narrower than 80..BF. */
static int awr__utf8_narrow_lead(uint32_t b) {
#define AWR__UTF8_IS_LEAD(lead, lo, hi) b == (lead) ||
    return AWR__UTF8_NARROW(AWR__UTF8_IS_LEAD) 0;
#undef AWR__UTF8_IS_LEAD
}

/* 1 if b may be the next byte of the character whose state is st (st != 0). */
static int awr__utf8_fits(uint32_t st, uint8_t b) {
    return b >= ((st >> 8) & 0xFFu) && b <= ((st >> 16) & 0xFFu);
}

/* Index of the first byte >= 0x80 in p[i, len), or len. Eight bytes at a time. */
static size_t awr__ascii_run(const uint8_t *p, size_t i, size_t len) {
    const uint64_t high = 0x8080808080808080u;
#ifndef __OPTIMIZE_SIZE__
    while (len - i >= 32) {
        uint64_t a, b, c, d;
        memcpy(&a, p + i, 8); memcpy(&b, p + i + 8, 8); memcpy(&c, p + i + 16, 8); memcpy(&d, p + i + 24, 8);
        if (((a | b | c | d) & high) != 0) break;
        i += 32;
    }
#endif
    while (len - i >= 8) {
        uint64_t a;
        memcpy(&a, p + i, 8);
        if ((a & high) != 0) break;
        i += 8;
    }
    while (i < len && p[i] < 0x80) i++;
    return i;
}

AWR_API awr_result awr_utf8_feed(awr_utf8 *u, const void *data, size_t len, size_t *bad_at) {
    const uint8_t *p = (const uint8_t *)data;
    uint32_t st = u->state;
    size_t i = 0;
    if (st == AWR__UTF8_FAILED) { if (bad_at) *bad_at = 0; return AWR_ERR_UTF8; }
    for (;;) {
        /* Continue (or finish) a character; st says what the next byte must be. */
        while (st != 0) {
            uint8_t b;
            if (i >= len) { u->state = st; if (bad_at) *bad_at = len; return AWR_OK; }
            b = p[i];
            if (!awr__utf8_fits(st, b)) goto fail;
            i++;
            st = (st & 0xFFu) - 1u;
            if (st != 0) st = AWR__UTF8_STATE(st, 0x80, 0xBF);
        }
        i = awr__ascii_run(p, i, len);
        if (i >= len) { u->state = 0; if (bad_at) *bad_at = len; return AWR_OK; }
        st = awr__utf8_lead(p[i]);
        if (st == 0) goto fail;
        i++;
        /* A whole two-byte character in range: checked without the state round trip. */
        if ((st & 0xFFu) == 1u && i < len) {
            if ((p[i] & 0xC0u) != 0x80u) goto fail;
            i++;
            st = 0;
        }
    }
fail:
    u->state = AWR__UTF8_FAILED;
    if (bad_at) *bad_at = i;
    return AWR_ERR_UTF8;
}

AWR_API awr_result awr_utf8_finish(const awr_utf8 *u) { return u->state == 0 ? AWR_OK : AWR_ERR_UTF8; }

AWR_API int awr_utf8_valid(const void *data, size_t len) {
    awr_utf8 u;
    awr_utf8_init(&u);
    return awr_utf8_feed(&u, data, len, NULL) == AWR_OK && awr_utf8_finish(&u) == AWR_OK;
}

/* ==================================================================================================
 * WEBSOCKET (implementation)
 * ================================================================================================== */
AWR_API int awr_ws_close_code_valid(int code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

AWR_API int awr_ws_close_code_for(awr_result r) {
    if (r == AWR_OK) return AWR_WS_CLOSE_NORMAL;
    if (r == AWR_ERR_WS_UTF8) return AWR_WS_CLOSE_INVALID_DATA;
    if (r == AWR_ERR_WS_TOO_BIG) return AWR_WS_CLOSE_TOO_BIG;
    if (r <= AWR_ERR_WS_RSV && r >= AWR_ERR_WS_CLOSE_CODE) return AWR_WS_CLOSE_PROTOCOL_ERROR;
    return AWR_WS_CLOSE_INTERNAL_ERROR;
}

/* ---- handshake ------------------------------------------------------------------------------------ */
static const char awr__ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

AWR_API void awr_ws_accept_for_key(const char *key, size_t key_len, char out[AWR_WS_ACCEPT_LEN + 1]) {
    awr_sha1_ctx ctx;
    uint8_t digest[AWR_SHA1_SIZE];
    awr_sha1_init(&ctx);
    awr_sha1_update(&ctx, key, key_len);
    awr_sha1_update(&ctx, awr__ws_guid, sizeof awr__ws_guid - 1);
    awr_sha1_final(&ctx, digest);
    (void)awr_base64_encode(digest, sizeof digest, out, AWR_WS_ACCEPT_LEN + 1, NULL);   /* fits: 28 + 1 */
}

AWR_API void awr_ws_handshake_init(awr_ws_handshake *hs, void *buf, size_t cap) {
    memset(hs, 0, sizeof *hs);
    hs->buf = (char *)buf;
    hs->cap = buf ? cap : 0;
    hs->result = AWR_AGAIN;
}

/* 1 if s holds none of the bytes in bad (the terminating NUL aside). */
static int awr__clean(const char *s, const char *bad) {
    for (; *s; s++)
        if (awr__memchr(bad, *s, awr__strlen(bad))) return 0;
    return 1;
}

/* Extra header lines: each ends in CRLF, with no CR or LF anywhere else (a bare one ends a line for
 * some servers and proxies and not for others: a value could smuggle a header past one of them), and
 * no empty line (it would end the header early). */
static int awr__header_lines_ok(const char *h, size_t hl) {
    size_t i;
    if (hl < 2 || h[0] == '\r' || h[0] == '\n' || h[hl - 2] != '\r' || h[hl - 1] != '\n') return 0;
    for (i = 1; i < hl; i++) {
        if (h[i] == '\r' && (i + 1 >= hl || h[i + 1] != '\n')) return 0;
        if (h[i] == '\n' && (h[i - 1] != '\r' || (i + 1 < hl && h[i + 1] == '\r'))) return 0;
    }
    return 1;
}

AWR_API awr_result awr_ws_handshake_request(awr_ws_handshake *hs, const awr_ws_request *req,
                                            const uint8_t key[AWR_WS_KEY_SIZE],
                                            char *out, size_t cap, size_t *out_len) {
    char key_b64[AWR_BASE64_LEN(AWR_WS_KEY_SIZE) + 1];
    const char *resource;
    awr__out o;
    if (out_len) *out_len = 0;
    if (out && cap) out[0] = 0;
    if (!hs || !req || !key || !out || !req->host || !req->host[0]) return AWR_ERR_ARG;
    resource = req->resource && req->resource[0] ? req->resource : "/";
    /* Anything that could end a line or the request line early would let a value inject headers. */
    if (!awr__clean(req->host, "\r\n /") || !awr__clean(resource, "\r\n ") || resource[0] != '/')
        return AWR_ERR_ARG;
    if ((req->origin && !awr__clean(req->origin, "\r\n")) || (req->protocols && !awr__clean(req->protocols, "\r\n")))
        return AWR_ERR_ARG;
    if (req->port < 0 || req->port > 65535) return AWR_ERR_ARG;
    if (req->headers && req->headers[0] && !awr__header_lines_ok(req->headers, awr__strlen(req->headers)))
        return AWR_ERR_ARG;
    /* The offered protocol list is kept at the start of the handshake buffer for the response check. */
    hs->offered_len = 0;
    hs->len = 0;
    if (req->protocols && req->protocols[0]) {
        size_t pl = awr__strlen(req->protocols);
        if (pl >= hs->cap) return AWR_ERR_BUFFER;
        memcpy(hs->buf, req->protocols, pl);
        hs->offered_len = pl;
        hs->len = pl;
    }
    hs->line = hs->len;
    hs->status = 0;
    hs->status_end = 0;
    hs->chosen_off = hs->chosen_len = 0;
    hs->kept = 1;
    hs->upgrade = hs->connection = hs->accepts = hs->accept_ok = 0;
    hs->result = AWR_AGAIN;
    (void)awr_base64_encode(key, AWR_WS_KEY_SIZE, key_b64, sizeof key_b64, NULL);   /* sized to fit */
    awr_ws_accept_for_key(key_b64, awr__strlen(key_b64), hs->accept);

    awr__out_init(&o, out, cap);
    awr__out_str(&o, "GET "); awr__out_str(&o, resource); awr__out_str(&o, " HTTP/1.1\r\nHost: ");
    awr__out_str(&o, req->host);
    if (req->port != 0 && req->port != (req->tls ? 443 : 80)) {
        awr__out_char(&o, ':');
        awr__out_dec(&o, (uint64_t)req->port);
    }
    awr__out_str(&o, "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ");
    awr__out_str(&o, key_b64);
    awr__out_str(&o, "\r\nSec-WebSocket-Version: 13\r\n");
    if (req->origin) { awr__out_str(&o, "Origin: "); awr__out_str(&o, req->origin); awr__out_str(&o, "\r\n"); }
    if (hs->offered_len) {
        awr__out_str(&o, "Sec-WebSocket-Protocol: "); awr__out_str(&o, req->protocols); awr__out_str(&o, "\r\n");
    }
    if (req->headers) awr__out_str(&o, req->headers);
    awr__out_str(&o, "\r\n");
    if (o.overflow) {
        if (cap) out[0] = 0;
        if (out_len) *out_len = o.len + 1u;
        return AWR_ERR_BUFFER;
    }
    if (out_len) *out_len = o.len;
    return AWR_OK;
}

static AWR__SIZE_NOINLINE int awr__lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int awr__ieq(const char *a, size_t an, const char *b) {
    size_t i;
    for (i = 0; i < an; i++) if (!b[i] || awr__lower((unsigned char)a[i]) != awr__lower((unsigned char)b[i])) return 0;
    return b[an] == 0;
}

static int awr__is_blank(char c) { return c == ' ' || c == '\t'; }

/* Offset of the first element of the comma-separated list v[0, n) that is token (case-insensitive unless
 * exact) when match is 1, or that is not when match is 0; n when there is none. Empty elements are
 * skipped (RFC 9110 5.6.1). */
static size_t awr__token_at(const char *v, size_t n, const char *token, size_t token_len, int exact, int match) {
    size_t i = 0;
    while (i < n) {
        size_t s, e, k = 0;
        while (i < n && (awr__is_blank(v[i]) || v[i] == ',')) i++;
        s = i;
        while (i < n && v[i] != ',') i++;
        e = i;
        while (e > s && awr__is_blank(v[e - 1])) e--;
        if (e == s) continue;
        if (e - s == token_len) {
            for (; k < token_len; k++) {
                char x = v[s + k], y = token[k];
                if (exact ? x != y : awr__lower((unsigned char)x) != awr__lower((unsigned char)y)) break;
            }
        }
        if ((e - s == token_len && k == token_len) == (match != 0)) return s;
    }
    return n;
}

static int awr__has_token(const char *v, size_t n, const char *token, size_t token_len) {
    return awr__token_at(v, n, token, token_len, 0, 1) != n;
}

/* One header line "name: value" of buf[s, e) (its CRLF excluded); 0 if it has no proper "name:". */
typedef struct awr__hline { const char *name; size_t name_len; const char *value; size_t value_len; } awr__hline;

static int awr__hs_split(const char *b, size_t s, size_t e, awr__hline *h) {
    size_t colon = s, i;
    while (colon < e && b[colon] != ':') colon++;
    if (colon == e || colon == s) return 0;
    for (i = s; i < colon; i++) {
        unsigned char c = (unsigned char)b[i];
        if (c <= ' ' || c >= 0x7F) return 0;   /* tokens only: no blanks, no folding */
    }
    h->name = b + s; h->name_len = colon - s;
    s = colon + 1;
    while (s < e && awr__is_blank(b[s])) s++;
    while (e > s && awr__is_blank(b[e - 1])) e--;
    h->value = b + s; h->value_len = e - s;
    return 1;
}

/* The bytes of the status line seen so far, b[0, n): AWR_AGAIN while they can still start
 * "HTTP/1.x NNN " with NNN in 100..599 (RFC 9110: the first digit is the class, 1 to 5),
 * AWR_ERR_HS_MALFORMED at the first that cannot. */
static awr_result awr__hs_status_prefix(const char *b, size_t n) {
    static const char lead[] = "HTTP/1.";
    size_t i;
    for (i = 0; i < n && i < 13; i++) {
        char ch = b[i];
        int ok = i < 7 ? ch == lead[i] : i == 7 ? (ch == '0' || ch == '1') : i == 8 ? ch == ' ' :
                 i == 9 ? (ch >= '1' && ch <= '5') : i < 12 ? (ch >= '0' && ch <= '9') : (ch == ' ' || ch == '\r');
        if (!ok) return AWR_ERR_HS_MALFORMED;
    }
    return AWR_AGAIN;
}

/* The status line is complete in buf[offered_len, end) (CRLF included). */
static awr_result awr__hs_status_line(awr_ws_handshake *hs, size_t end) {
    const char *b = hs->buf + hs->offered_len;
    size_t n = end - hs->offered_len, i;
    if (n < 14 || awr__hs_status_prefix(b, n) != AWR_AGAIN) return AWR_ERR_HS_MALFORMED;
    for (i = 13; i + 2 < n; i++)   /* the reason phrase: text and tabs */
        if (((unsigned char)b[i] < ' ' && b[i] != '\t') || b[i] == 0x7F) return AWR_ERR_HS_MALFORMED;
    hs->status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
    hs->status_end = end;
    return AWR_OK;
}

/* One complete header line buf[s, e) (CRLF excluded): checked at once. */
static awr_result awr__hs_header_line(awr_ws_handshake *hs, size_t s, size_t e) {
    awr__hline h;
    if (!awr__hs_split(hs->buf, s, e, &h)) return AWR_ERR_HS_MALFORMED;
    if (hs->status != 101) return AWR_AGAIN; /* only the header syntax matters then */
    if (awr__ieq(h.name, h.name_len, "upgrade")) {
        /* RFC 6455 4.1: a value that is not websocket fails (a protocol we did not ask to switch to) */
        if (awr__token_at(h.value, h.value_len, "websocket", 9, 0, 0) != h.value_len) return AWR_ERR_HS_UPGRADE;
        hs->upgrade |= (uint8_t)awr__has_token(h.value, h.value_len, "websocket", 9);
    } else if (awr__ieq(h.name, h.name_len, "connection")) {
        hs->connection |= (uint8_t)awr__has_token(h.value, h.value_len, "upgrade", 7);
    } else if (awr__ieq(h.name, h.name_len, "sec-websocket-accept")) {
        if (hs->accepts < 2) hs->accepts++;
        hs->accept_ok = h.value_len == AWR_WS_ACCEPT_LEN && memcmp(h.value, hs->accept, AWR_WS_ACCEPT_LEN) == 0;
    } else if (awr__ieq(h.name, h.name_len, "sec-websocket-extensions")) {
        if (h.value_len > 0) return AWR_ERR_HS_EXTENSION;
    } else if (awr__ieq(h.name, h.name_len, "sec-websocket-protocol")) {
        size_t at;
        if (hs->chosen_len || h.value_len == 0 || awr__memchr(h.value, ',', h.value_len)) return AWR_ERR_HS_PROTOCOL;
        at = awr__token_at(hs->buf, hs->offered_len, h.value, h.value_len, 1, 1);
        if (at == hs->offered_len) return AWR_ERR_HS_PROTOCOL;
        hs->chosen_off = at;       /* the offered copy: it stays when header lines are dropped */
        hs->chosen_len = h.value_len;
    }
    return AWR_AGAIN;
}

/* The blank line ended the header: the verdict. */
static awr_result awr__hs_verdict(const awr_ws_handshake *hs) {
    if (hs->status != 101) return AWR_ERR_HS_STATUS;
    if (!hs->upgrade) return AWR_ERR_HS_UPGRADE;
    if (!hs->connection) return AWR_ERR_HS_CONNECTION;
    if (hs->accepts != 1 || !hs->accept_ok) return AWR_ERR_HS_ACCEPT;
    return AWR_OK;
}

/* The line buf[hs->line, hs->len) has just received its LF: check it. AWR_AGAIN: go on. */
static AWR__SIZE_NOINLINE awr_result awr__hs_line_done(awr_ws_handshake *hs) {
    size_t s = hs->line, e = hs->len - 2u, i;
    if (hs->len - s < 2u || hs->buf[e] != '\r') return AWR_ERR_HS_MALFORMED;   /* lines end in CRLF */
    for (i = s; i < e; i++)
        if (hs->buf[i] == '\r' || hs->buf[i] == 0) return AWR_ERR_HS_MALFORMED;
    if (!hs->status_end) {
        awr_result r = awr__hs_status_line(hs, hs->len);
        hs->line = hs->len;
        return r == AWR_OK ? AWR_AGAIN : r;
    }
    if (e == s) {
        if (hs->status / 100 == 1 && hs->status != 101) {
            /* An interim response (100 Continue, 103 Early Hints) ends here: the real one follows, and a
               client must read past it (RFC 9110 15.2). Its lines are dropped. */
            hs->len = hs->line = hs->offered_len;
            hs->status = 0;
            hs->status_end = 0;
            hs->kept = 1;
            return AWR_AGAIN;
        }
        return awr__hs_verdict(hs);
    }
    hs->line = hs->len;
    return awr__hs_header_line(hs, s, e);
}

AWR_API awr_result awr_ws_handshake_response(awr_ws_handshake *hs, const void *data, size_t len,
                                             size_t *consumed) {
    const char *in = (const char *)data;
    size_t used = 0;
    if (consumed) *consumed = 0;
    if (hs->result != AWR_AGAIN) return hs->result;
    if (!hs->buf || hs->accept[0] == 0) return hs->result = AWR_ERR_STATE;
    if (len == 0) return AWR_AGAIN;
    if (!in) return AWR_ERR_ARG;
    while (used < len) {
        const char *lf = (const char *)awr__memchr(in + used, '\n', len - used);
        size_t take = lf ? (size_t)(lf - (in + used)) + 1u : len - used;
        if (take > hs->cap - hs->len && hs->status_end && hs->line > hs->status_end) {
            /* the kept header lines make room for the line being received */
            awr__memmove(hs->buf + hs->status_end, hs->buf + hs->line, hs->len - hs->line);
            hs->len -= hs->line - hs->status_end;
            hs->line = hs->status_end;
            hs->kept = 0;
        }
        if (take > hs->cap - hs->len) {   /* one line longer than the buffer */
            if (consumed) *consumed = used;
            return hs->result = AWR_ERR_HS_TOO_LARGE;
        }
        memcpy(hs->buf + hs->len, in + used, take);
        hs->len += take;
        used += take;
        if (!hs->status_end && awr__hs_status_prefix(hs->buf + hs->line, hs->len - hs->line) != AWR_AGAIN) {
            if (consumed) *consumed = used;
            return hs->result = AWR_ERR_HS_MALFORMED;   /* not HTTP: no need to wait for a line end */
        }
        if (lf) {
            awr_result r = awr__hs_line_done(hs);
            if (r != AWR_AGAIN) {
                if (consumed) *consumed = used;
                return hs->result = r;
            }
        }
    }
    if (consumed) *consumed = used;
    return AWR_AGAIN;
}

AWR_API const char *awr_ws_handshake_header(const awr_ws_handshake *hs, const char *name, size_t *len) {
    size_t i, e;
    if (len) *len = 0;
    if (!hs || !name || !hs->status_end || !hs->kept || (hs->result != AWR_OK && hs->result != AWR_ERR_HS_STATUS))
        return NULL;
    for (i = hs->status_end; i < hs->line; i = e + 2u) {
        awr__hline h;
        e = i;
        while (e + 1u < hs->line && !(hs->buf[e] == '\r' && hs->buf[e + 1u] == '\n')) e++;
        if (awr__hs_split(hs->buf, i, e, &h) && awr__ieq(h.name, h.name_len, name)) {
            if (len) *len = h.value_len;
            return h.value;
        }
    }
    return NULL;
}

AWR_API const char *awr_ws_handshake_reason(const awr_ws_handshake *hs, size_t *len) {
    if (len) *len = 0;
    if (!hs || !hs->status_end) return NULL;
    if (len) *len = hs->status_end - hs->offered_len - 15u + (hs->buf[hs->offered_len + 12] == '\r' ? 1u : 0u);
    return hs->buf + hs->offered_len + 13;
}

AWR_API const char *awr_ws_handshake_protocol(const awr_ws_handshake *hs, size_t *len) {
    if (len) *len = 0;
    if (!hs || hs->result != AWR_OK || hs->chosen_len == 0) return NULL;
    if (len) *len = hs->chosen_len;
    return hs->buf + hs->chosen_off;
}

/* ---- frames --------------------------------------------------------------------------------------- */
/* What RFC 6455 (5.2, 5.5) lets a frame header say: the decoder refuses the rest. */
static int awr__ws_header_valid(int fin, int opcode, uint64_t payload_len) {
    if (payload_len >> 63) return 0;
    switch (opcode) {
    case AWR_WS_OP_CONTINUATION: case AWR_WS_OP_TEXT: case AWR_WS_OP_BINARY: return 1;
    case AWR_WS_OP_CLOSE: case AWR_WS_OP_PING: case AWR_WS_OP_PONG: return fin && payload_len <= 125;
    default: return 0;
    }
}

AWR_API size_t awr_ws_frame_header(int fin, int opcode, uint64_t payload_len, const uint8_t *mask, uint8_t *out) {
    size_t n = 2;
    uint8_t m = mask ? 0x80 : 0x00;
    if (!out || !awr__ws_header_valid(fin, opcode, payload_len)) return 0;
    out[0] = (uint8_t)((fin ? 0x80 : 0x00) | (opcode & 0x0F));
    if (payload_len < 126) {
        out[1] = (uint8_t)(m | payload_len);
    } else if (payload_len <= 0xFFFFu) {
        out[1] = (uint8_t)(m | 126);
        out[2] = (uint8_t)(payload_len >> 8); out[3] = (uint8_t)payload_len;
        n = 4;
    } else {
        out[1] = (uint8_t)(m | 127);
        awr__store_be64(out + 2, payload_len);
        n = 10;
    }
    if (mask) { memcpy(out + n, mask, 4); n += 4; }
    return n;
}

AWR_API void awr_ws_mask_copy(const void *src, size_t len, const uint8_t mask[4], uint64_t offset, void *dst) {
    uint8_t *d = (uint8_t *)dst;
    const uint8_t *s = (const uint8_t *)src;
    uint8_t k[8];
    size_t i = 0, j;
    /* The key rotated to the payload offset and repeated: one 8-byte word XORs eight bytes whatever the
       byte order, since the word is loaded from the same byte pattern it is applied to. Built for size,
       the byte loop alone. */
    for (j = 0; j < 8; j++) k[j] = mask[(offset + j) & 3u];
#ifndef __OPTIMIZE_SIZE__
    {
        uint64_t kw;
        memcpy(&kw, k, 8);
        for (; len - i >= 32; i += 32) {
            uint64_t a, b, c, e;
            memcpy(&a, s + i, 8); memcpy(&b, s + i + 8, 8); memcpy(&c, s + i + 16, 8); memcpy(&e, s + i + 24, 8);
            a ^= kw; b ^= kw; c ^= kw; e ^= kw;
            memcpy(d + i, &a, 8); memcpy(d + i + 8, &b, 8); memcpy(d + i + 16, &c, 8); memcpy(d + i + 24, &e, 8);
        }
        for (; len - i >= 8; i += 8) {
            uint64_t a;
            memcpy(&a, s + i, 8);
            a ^= kw;
            memcpy(d + i, &a, 8);
        }
    }
#endif
    for (; i < len; i++) d[i] = (uint8_t)(s[i] ^ k[i & 3u]);
}

AWR_API void awr_ws_mask(void *data, size_t len, const uint8_t mask[4], uint64_t offset) {
    awr_ws_mask_copy(data, len, mask, offset, data);
}

/* Checks as much of a frame header as h[0, n) holds. AWR_AGAIN: fine so far, need more bytes;
 * AWR_OK: complete, *f and *hlen filled; else the violation. Every rule a single frame can break is
 * here, so the streaming decoder and the whole-frame fast path of awr_ws_feed agree. */
static awr_result awr__ws_parse_header(const uint8_t *h, size_t n, awr_ws_frame *f, size_t *hlen) {
    uint8_t b0, b1, op, len7;
    size_t need;
    uint64_t len;
    if (n < 1) return AWR_AGAIN;
    b0 = h[0];
    op = (uint8_t)(b0 & 0x0F);
    if (b0 & 0x70) return AWR_ERR_WS_RSV;
    if ((op > 2 && op < 8) || op > 10) return AWR_ERR_WS_OPCODE;
    if (op >= 8 && !(b0 & 0x80)) return AWR_ERR_WS_CONTROL_FRAGMENTED;
    if (n < 2) return AWR_AGAIN;
    b1 = h[1];
    if (b1 & 0x80) return AWR_ERR_WS_MASKED;
    len7 = (uint8_t)(b1 & 0x7F);
    if (op >= 8 && len7 > AWR_WS_MAX_CONTROL) return AWR_ERR_WS_CONTROL_TOO_LONG;
    need = len7 == 126 ? 4u : len7 == 127 ? 10u : 2u;
    if (n < need) return AWR_AGAIN;
    if (len7 == 126) {
        len = ((uint64_t)h[2] << 8) | h[3];
        if (len < 126) return AWR_ERR_WS_LENGTH_NONMINIMAL;
    } else if (len7 == 127) {
        if (h[2] & 0x80) return AWR_ERR_WS_LENGTH_TOO_LARGE;
        len = ((uint64_t)awr__load_be32(h + 2) << 32) | awr__load_be32(h + 6);
        if (len <= 0xFFFFu) return AWR_ERR_WS_LENGTH_NONMINIMAL;
    } else {
        len = len7;
    }
    f->length = len;
    f->fin = (uint8_t)(b0 >> 7);
    f->opcode = op;
    f->masked = 0;
    memset(f->mask, 0, 4);
    *hlen = need;
    return AWR_OK;
}

enum { AWR__DEC_HEADER = 0, AWR__DEC_PAYLOAD = 1, AWR__DEC_END = 2 };

AWR_API void awr_ws_decoder_init(awr_ws_decoder *d) {
    memset(d, 0, sizeof *d);
    d->stage = AWR__DEC_HEADER;
    d->error = AWR_OK;
}

AWR_API awr_result awr_ws_decode(awr_ws_decoder *d, const void *data, size_t len, size_t *consumed,
                                 awr_ws_piece *piece) {
    const uint8_t *p = (const uint8_t *)data;
    size_t used = 0;
    *consumed = 0;
    if (d->error != AWR_OK) return d->error;
    if (d->stage == AWR__DEC_END) {
        piece->kind = AWR_WS_PIECE_END; piece->data = NULL; piece->len = 0; piece->offset = d->frame.length;
        d->stage = AWR__DEC_HEADER;
        d->hdr_len = 0;
        return AWR_OK;
    }
    if (len == 0) return AWR_AGAIN;   /* nothing to take: data may be NULL, which memcpy must not see */
    if (!p) return AWR_ERR_ARG;
    if (d->stage == AWR__DEC_HEADER) {
        size_t hlen = 0;
        awr_result r;
        if (d->hdr_len == 0) {
            r = awr__ws_parse_header(p, len, &d->frame, &hlen);   /* header whole in the input: no copy */
            if (r == AWR_OK) used = hlen;
        } else {
            r = AWR_AGAIN;
        }
        if (r == AWR_AGAIN) {
            /* Collect the header across calls, checking each byte as it comes. */
            size_t room = (size_t)(AWR_WS_MAX_HEADER - d->hdr_len);
            size_t take = room < len ? room : len;
            size_t before = d->hdr_len;
            memcpy(d->hdr + d->hdr_len, p, take);
            d->hdr_len = (uint8_t)(d->hdr_len + take);
            r = awr__ws_parse_header(d->hdr, d->hdr_len, &d->frame, &hlen);
            if (r == AWR_AGAIN) { *consumed = len; return AWR_AGAIN; }
            if (r == AWR_OK) used = hlen - before;
        }
        if (r != AWR_OK) return d->error = r;
        d->hdr_len = 0;
        d->done = 0;
        d->stage = d->frame.length ? AWR__DEC_PAYLOAD : AWR__DEC_END;
        piece->kind = AWR_WS_PIECE_HEADER; piece->data = NULL; piece->len = 0; piece->offset = 0;
        *consumed = used;
        return AWR_OK;
    }
    /* payload */
    {
        uint64_t left = d->frame.length - d->done;
        size_t n = left < (uint64_t)len ? (size_t)left : len;
        piece->kind = AWR_WS_PIECE_DATA; piece->data = p; piece->len = n; piece->offset = d->done;
        d->done += n;
        if (d->done == d->frame.length) d->stage = AWR__DEC_END;
        *consumed = n;
        return AWR_OK;
    }
}

/* ---- messages ------------------------------------------------------------------------------------- */
/* The next 4-byte masking key: from the random hook, or from SHA-1(seed, counter). */
static awr_result awr__ws_next_key(awr_ws *ws, uint8_t key[4]) {
    if (ws->cfg.random) return ws->cfg.random(ws->cfg.user, key, 4) == AWR_OK ? AWR_OK : AWR_ERR_RANDOM;
    if (ws->keys_used + 4u > AWR_SHA1_SIZE) {
        awr_sha1_ctx ctx;
        uint8_t ctr[8];
        unsigned i;
        for (i = 0; i < 8; i++) ctr[i] = (uint8_t)(ws->key_counter >> (8 * i));
        ws->key_counter++;
        awr_sha1_init(&ctx);
        awr_sha1_update(&ctx, ws->cfg.seed, sizeof ws->cfg.seed);
        awr_sha1_update(&ctx, ctr, sizeof ctr);
        awr_sha1_final(&ctx, ws->keys);
        ws->keys_used = 0;
    }
    memcpy(key, ws->keys + ws->keys_used, 4);
    ws->keys_used = (uint8_t)(ws->keys_used + 4u);
    return AWR_OK;
}

/* Room for n more bytes at the end of the pending output, compacting it if that helps; NULL if none. */
static uint8_t *awr__ws_tx_room(awr_ws *ws, size_t n) {
    uint8_t *tx = (uint8_t *)ws->cfg.tx_buf;
    if (ws->cfg.tx_cap - ws->tx_tail >= n) return tx + ws->tx_tail;
    if (ws->cfg.tx_cap - (ws->tx_tail - ws->tx_head) < n) return NULL;
    awr__memmove(tx, tx + ws->tx_head, ws->tx_tail - ws->tx_head);
    ws->tx_tail -= ws->tx_head;
    ws->tx_head = 0;
    return tx + ws->tx_tail;
}

static awr_result awr__ws_put_frame(awr_ws *ws, int opcode, int fin, const void *data, size_t len, const uint8_t *mask) {
    uint8_t key[4], *dst;
    size_t hl, need = (len < 126 ? 2u : len <= 0xFFFFu ? 4u : 10u) + 4u;
    if (len > ws->cfg.tx_cap - need) return AWR_ERR_ARG;   /* could never fit */
    need += len;
    dst = awr__ws_tx_room(ws, need);
    if (!dst) return AWR_ERR_BUFFER;
    if (mask) memcpy(key, mask, 4);
    else if (awr__ws_next_key(ws, key) != AWR_OK) return AWR_ERR_RANDOM;
    hl = awr_ws_frame_header(fin, opcode, len, key, dst);
    if (len) awr_ws_mask_copy(data, len, key, 0, dst + hl);
    ws->tx_tail += hl + len;
    return AWR_OK;
}

/* Whether awr_ws_output would give bytes: some are queued, or a pong or close frame waits for room
   (which the transport makes by taking the queued ones). Changes nothing. */
static AWR__SIZE_NOINLINE int awr__ws_has_output(const awr_ws *ws) {
    return ws->tx_tail != ws->tx_head || (ws->pong_pending && !ws->close_sent) || ws->close_pending;
}

/* Moves a waiting pong and then a waiting close frame into the output when there is room. */
static void awr__ws_flush_control(awr_ws *ws) {
    if (ws->pong_pending && !ws->close_sent) {
        awr_result r = awr__ws_put_frame(ws, AWR_WS_OP_PONG, 1, ws->pong, ws->pong_len, NULL);
        if (r == AWR_ERR_BUFFER) return;
        ws->pong_pending = 0;
    }
    if (ws->close_pending) {
        awr_result r = awr__ws_put_frame(ws, AWR_WS_OP_CLOSE, 1, ws->close_out, ws->close_out_len, NULL);
        if (r == AWR_ERR_BUFFER) return;
        ws->close_pending = 0;
        ws->close_sent = 1;
    }
}

static void awr__ws_queue_close(awr_ws *ws, int code, const uint8_t *reason, size_t reason_len) {
    if (ws->close_pending || ws->close_sent) return;
    ws->close_out_len = 0;
    if (code) {
        ws->close_out[0] = (uint8_t)(code >> 8);
        ws->close_out[1] = (uint8_t)code;
        if (reason_len > AWR_WS_MAX_CONTROL - 2) reason_len = AWR_WS_MAX_CONTROL - 2;
        if (reason_len) memcpy(ws->close_out + 2, reason, reason_len);
        ws->close_out_len = 2 + reason_len;
    }
    ws->close_pending = 1;
    awr__ws_flush_control(ws);
}

/* Fail the WebSocket connection (RFC 6455 7.1.7): close frame with the code, then done. */
static awr_result awr__ws_fail(awr_ws *ws, awr_result why) {
    if (ws->error == AWR_OK) {
        ws->error = why;
        ws->pong_pending = 0;
        awr__ws_queue_close(ws, awr_ws_close_code_for(why), NULL, 0);
        ws->state = AWR_WS_CLOSED;
    }
    return ws->error;
}

AWR_API awr_result awr_ws_init(awr_ws *ws, const awr_ws_config *cfg) {
    if (!ws || !cfg) return AWR_ERR_ARG;
    if (!cfg->rx_buf || !cfg->rx_cap || !cfg->tx_buf || cfg->tx_cap < AWR_WS_MIN_TX || cfg->max_message > cfg->rx_cap)
        return AWR_ERR_ARG;
    memset(ws, 0, sizeof *ws);
    ws->cfg = *cfg;
    if (ws->cfg.max_message == 0) ws->cfg.max_message = ws->cfg.rx_cap;
    awr_ws_decoder_init(&ws->dec);
    awr_utf8_init(&ws->utf8);
    ws->error = AWR_OK;
    ws->state = AWR_WS_OPEN;
    ws->keys_used = AWR_SHA1_SIZE;   /* generate on first use */
    return AWR_OK;
}

AWR_API void awr_ws_reset(awr_ws *ws) {
    awr_ws_config cfg = ws->cfg;
    uint64_t counter = ws->key_counter;   /* never reuse the internal generator's keys */
    awr_ws_init(ws, &cfg);
    ws->key_counter = counter;
}

/* A control frame is complete (its payload is data[0, len), at most 125 bytes). */
static awr_result awr__ws_on_control(awr_ws *ws, int opcode, const uint8_t *data, size_t len) {
    if (opcode == AWR_WS_OP_CLOSE) {
        int code = AWR_WS_CLOSE_NO_STATUS;
        if (len == 1) return awr__ws_fail(ws, AWR_ERR_WS_CLOSE_PAYLOAD);
        if (len >= 2) {
            code = (data[0] << 8) | data[1];
            if (!awr_ws_close_code_valid(code)) return awr__ws_fail(ws, AWR_ERR_WS_CLOSE_CODE);
            if (!awr_utf8_valid(data + 2, len - 2)) return awr__ws_fail(ws, AWR_ERR_WS_UTF8);
            ws->peer_reason_len = len - 2;
            memcpy(ws->peer_reason, data + 2, len - 2);
        }
        ws->peer_code = code;
        ws->close_received = 1;
        if (ws->cfg.on_control) {
            ws->cfg.on_control(ws, opcode, data, len, ws->cfg.user);
            if (!ws->in_feed) return AWR_OK;
        }
        /* Echo the code (RFC 6455 5.5.1); an empty close gets an empty close. */
        ws->pong_pending = 0;
        awr__ws_queue_close(ws, len >= 2 ? code : 0, NULL, 0);
        ws->state = AWR_WS_CLOSED;
        return AWR_OK;
    }
    if (ws->cfg.on_control) {
        ws->cfg.on_control(ws, opcode, data, len, ws->cfg.user);
        if (!ws->in_feed) return AWR_OK;
    }
    if (opcode == AWR_WS_OP_PING && !ws->close_sent && !ws->close_pending) {
        /* Only the latest ping needs an answer (RFC 6455 5.5.3): a waiting pong is replaced. */
        if (len) memcpy(ws->pong, data, len);
        ws->pong_len = len;
        ws->pong_pending = 1;
        awr__ws_flush_control(ws);
    }
    return AWR_OK;
}

static awr_result awr__ws_on_header(awr_ws *ws, const awr_ws_frame *f) {
    ws->frame_opcode = f->opcode;
    ws->frame_fin = f->fin;
    ws->ctl_len = 0;
    if (f->opcode >= AWR_WS_OP_CLOSE) return AWR_OK;
    if (f->opcode == AWR_WS_OP_CONTINUATION) {
        if (!ws->msg_opcode) return awr__ws_fail(ws, AWR_ERR_WS_UNEXPECTED_CONTINUATION);
    } else {
        if (ws->msg_opcode) return awr__ws_fail(ws, AWR_ERR_WS_EXPECTED_CONTINUATION);
        ws->msg_opcode = f->opcode;
        ws->msg_len = 0;
        awr_utf8_init(&ws->utf8);
    }
    if (f->length > (uint64_t)(ws->cfg.max_message - ws->msg_len)) return awr__ws_fail(ws, AWR_ERR_WS_TOO_BIG);
    return AWR_OK;
}

static awr_result awr__ws_on_data(awr_ws *ws, const uint8_t *data, size_t len) {
    if (ws->frame_opcode >= AWR_WS_OP_CLOSE) {
        memcpy(ws->ctl + ws->ctl_len, data, len);   /* the decoder bounds control frames to 125 bytes */
        ws->ctl_len += len;
        return AWR_OK;
    }
    if (ws->msg_opcode == AWR_WS_OP_TEXT && awr_utf8_feed(&ws->utf8, data, len, NULL) != AWR_OK)
        return awr__ws_fail(ws, AWR_ERR_WS_UTF8);
    /* the input may lie in rx_buf itself, after the message (the client reads there): it may overlap */
    awr__memmove((uint8_t *)ws->cfg.rx_buf + ws->msg_len, data, len);
    ws->msg_len += len;
    return AWR_OK;
}

static AWR__SIZE_NOINLINE awr_result awr__ws_deliver(awr_ws *ws, int opcode, const uint8_t *data, size_t len, int checked) {
    ws->msg_opcode = 0;
    ws->msg_len = 0;
    ws->msg_checked = (uint8_t)checked;
    if (ws->cfg.on_message) ws->cfg.on_message(ws, opcode, data, len, ws->cfg.user);
    return AWR_OK;
}

static awr_result awr__ws_on_end(awr_ws *ws) {
    if (ws->frame_opcode >= AWR_WS_OP_CLOSE) return awr__ws_on_control(ws, ws->frame_opcode, ws->ctl, ws->ctl_len);
    if (!ws->frame_fin) return AWR_OK;
    if (ws->msg_opcode == AWR_WS_OP_TEXT && awr_utf8_finish(&ws->utf8) != AWR_OK) return awr__ws_fail(ws, AWR_ERR_WS_UTF8);
    return awr__ws_deliver(ws, ws->msg_opcode, (const uint8_t *)ws->cfg.rx_buf, ws->msg_len, 1);
}

/* A frame that lies wholly in the input. An unfragmented message is delivered in place, without a
 * copy (server frames are not masked); everything else takes the same steps as a streamed frame. */
static awr_result awr__ws_whole_frame(awr_ws *ws, const awr_ws_frame *f, const uint8_t *payload, size_t len) {
    awr_result r;
    if (f->fin && f->opcode != AWR_WS_OP_CONTINUATION && f->opcode < AWR_WS_OP_CLOSE && !ws->msg_opcode) {
        int check = f->opcode == AWR_WS_OP_TEXT && !ws->text_unchecked;
        if (len > ws->cfg.max_message) return awr__ws_fail(ws, AWR_ERR_WS_TOO_BIG);
        if (check && !awr_utf8_valid(payload, len)) return awr__ws_fail(ws, AWR_ERR_WS_UTF8);
        return awr__ws_deliver(ws, f->opcode, payload, len, check);
    }
    if (f->opcode >= AWR_WS_OP_CLOSE) {
        ws->frame_opcode = f->opcode;
        return awr__ws_on_control(ws, f->opcode, payload, len);
    }
    r = awr__ws_on_header(ws, f);
    if (r == AWR_OK && len) r = awr__ws_on_data(ws, payload, len);
    if (r == AWR_OK) r = awr__ws_on_end(ws);
    return r;
}

/* 1 while awr_ws_feed should keep going after a step: not torn down by a callback, not finished. */
static int awr__ws_feeding(const awr_ws *ws) { return ws->in_feed && !ws->close_received && ws->error == AWR_OK; }

AWR_API awr_result awr_ws_feed(awr_ws *ws, const void *data, size_t len) {
    const uint8_t *p = (const uint8_t *)data;
    if (ws->in_feed) return AWR_ERR_STATE;
    if (ws->error != AWR_OK) return ws->error;
    if (ws->close_received || len == 0) return AWR_OK;
    if (!p) return AWR_ERR_ARG;
    ws->in_feed = 1;
    while (len > 0) {
        awr_result r;
        if (ws->dec.stage == AWR__DEC_HEADER && ws->dec.hdr_len == 0) {
            awr_ws_frame f;
            size_t hl = 0;
            r = awr__ws_parse_header(p, len, &f, &hl);
            if (r == AWR_OK && f.length <= (uint64_t)(len - hl)) {
                size_t n = (size_t)f.length;
                r = awr__ws_whole_frame(ws, &f, p + hl, n);
                p += hl + n;
                len -= hl + n;
                if (!awr__ws_feeding(ws)) break;
                continue;
            }
        }
        {
            awr_ws_piece piece;
            size_t used = 0;
            r = awr_ws_decode(&ws->dec, p, len, &used, &piece);
            p += used;
            len -= used;
            if (r == AWR_AGAIN) break;
            if (r != AWR_OK) { awr__ws_fail(ws, r); break; }
            if (piece.kind == AWR_WS_PIECE_HEADER) r = awr__ws_on_header(ws, &ws->dec.frame);
            else if (piece.kind == AWR_WS_PIECE_DATA) r = awr__ws_on_data(ws, piece.data, piece.len);
            else r = awr__ws_on_end(ws);
            if (!awr__ws_feeding(ws)) break;
        }
    }
    /* An END piece may still be due for a frame whose last payload byte came in just now. */
    if (ws->in_feed && awr__ws_feeding(ws) && ws->dec.stage == AWR__DEC_END) {
        awr_ws_piece piece;
        size_t used = 0;
        if (awr_ws_decode(&ws->dec, p, 0, &used, &piece) == AWR_OK) awr__ws_on_end(ws);
    }
    if (!ws->in_feed) return AWR_OK;   /* reset or re-initialised from a callback */
    ws->in_feed = 0;
    return ws->error;
}

AWR_API awr_result awr_ws_send_frame(awr_ws *ws, int opcode, int fin, const void *data, size_t len,
                                     const uint8_t *mask) {
    int control = opcode >= AWR_WS_OP_CLOSE;
    if (!ws || (len && !data)) return AWR_ERR_ARG;
    if (ws->state != AWR_WS_OPEN || ws->close_pending || ws->close_sent) return AWR_ERR_WS_CLOSED;
    if (opcode != AWR_WS_OP_TEXT && opcode != AWR_WS_OP_BINARY && opcode != AWR_WS_OP_CONTINUATION &&
        opcode != AWR_WS_OP_PING && opcode != AWR_WS_OP_PONG)
        return AWR_ERR_ARG;
    if (control && (!fin || len > AWR_WS_MAX_CONTROL)) return AWR_ERR_ARG;
    if (!control && (opcode == AWR_WS_OP_CONTINUATION) != (ws->tx_fragmenting != 0)) return AWR_ERR_STATE;
    awr__ws_flush_control(ws);   /* an answer to a ping goes out before newer data */
    {
        awr_result r = awr__ws_put_frame(ws, opcode, fin, data, len, mask);
        if (r != AWR_OK) return r;
    }
    if (!control) ws->tx_fragmenting = (uint8_t)!fin;
    return AWR_OK;
}

AWR_API awr_result awr_ws_send(awr_ws *ws, int opcode, const void *data, size_t len) {
    if (opcode == AWR_WS_OP_CONTINUATION) return AWR_ERR_ARG;
    return awr_ws_send_frame(ws, opcode, 1, data, len, NULL);
}

AWR_API size_t awr_ws_send_space(const awr_ws *ws) {
    size_t room = ws->cfg.tx_cap - (ws->tx_tail - ws->tx_head);
    if (ws->state != AWR_WS_OPEN || ws->close_pending || ws->close_sent) return 0;
    if (ws->pong_pending) room = room > ws->pong_len + 6 ? room - (ws->pong_len + 6) : 0;
    if (room < 6) return 0;
    if (room - 6 < 126) return room - 6;
    if (room - 8 <= 0xFFFFu) return room - 8 < 126 ? 125 : room - 8;
    return room - 14 < 0x10000u ? 0xFFFFu : room - 14;
}

AWR_API awr_result awr_ws_close(awr_ws *ws, int code, const char *reason) {
    size_t rl = reason && code ? awr__strlen(reason) : 0;
    if (!ws) return AWR_ERR_ARG;
    if (code && !awr_ws_close_code_valid(code)) return AWR_ERR_ARG;
    if (rl > AWR_WS_MAX_CONTROL - 2 || (rl && !awr_utf8_valid(reason, rl))) return AWR_ERR_ARG;
    if (ws->close_pending || ws->close_sent || ws->state == AWR_WS_CLOSED) return AWR_ERR_WS_CLOSED;
    awr__ws_queue_close(ws, code, (const uint8_t *)reason, rl);
    ws->state = AWR_WS_CLOSING;
    return AWR_OK;
}

AWR_API const uint8_t *awr_ws_output(awr_ws *ws, size_t *len) {
    awr__ws_flush_control(ws);
    *len = ws->tx_tail - ws->tx_head;
    return *len ? (const uint8_t *)ws->cfg.tx_buf + ws->tx_head : NULL;
}

AWR_API void awr_ws_output_done(awr_ws *ws, size_t n) {
    size_t pending = ws->tx_tail - ws->tx_head;
    ws->tx_head += n < pending ? n : pending;
    if (ws->tx_head == ws->tx_tail) ws->tx_head = ws->tx_tail = 0;
    awr__ws_flush_control(ws);
}

AWR_API awr_ws_state awr_ws_get_state(const awr_ws *ws) { return (awr_ws_state)ws->state; }

AWR_API awr_result awr_ws_error(const awr_ws *ws) { return ws->error; }

AWR_API int awr_ws_peer_close(const awr_ws *ws, const uint8_t **reason, size_t *len) {
    if (reason) *reason = ws->peer_code ? ws->peer_reason : NULL;
    if (len) *len = ws->peer_code ? ws->peer_reason_len : 0;
    return ws->peer_code;
}

/* ==================================================================================================
 * JSON (implementation)
 * The tokenizer is one loop of gotos between a handful of states (value, key, after a value, close),
 * so nesting costs a bit in a bit stack instead of a C stack frame. Strings, which are most of the
 * bytes of an Appwrite message, are scanned from a 64-byte window of flags with SSE2 (x86-64) or eight
 * bytes at a time in portable C: one test says whether any of them is a quote, a backslash, a control
 * byte or (when validating) a non-ASCII byte, and count-trailing-zeros says which; only then do we
 * look at single bytes.
 * ================================================================================================== */
#ifndef AWR_NO_JSON_DOUBLE
#include <float.h>    /* FLT_EVAL_METHOD: the exact fast path of awr_json_double needs plain doubles */
#endif

#define AWR__JSON_ONES 0x0101010101010101u
#define AWR__JSON_HIGHS 0x8080808080808080u
#define AWR__JSON_IS_WS(c) ((c) <= 0x20u && ((c) == 0x20u || (c) == 0x0Au || (c) == 0x0Du || (c) == 0x09u))
#define AWR__JSON_IS_DIGIT(c) ((unsigned)((c) - (unsigned char)'0') < 10u)

/* 1 if byte c of a string passes the scan: plain ASCII, or non-ASCII when high_plain is 2 (its class:
 * no check). Classes: 0 plain ASCII, 1 stops the scan ('"', '\\', control), 2 non-ASCII; built for
 * size, compares instead of the 256-byte table. */
#ifdef __OPTIMIZE_SIZE__
#  define AWR__JSON_STR_PASSES(c, high_plain) \
    ((c) >= 0x80u ? (high_plain) == 2u : (c) >= 0x20u && (c) != '"' && (c) != '\\')
#else
static const unsigned char awr__json_strclass[256] = {
    1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
    0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2, 2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,
    2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2, 2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,
    2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2, 2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,
    2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2, 2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2
};
#  define AWR__JSON_STR_PASSES(c, high_plain) (awr__json_strclass[c] == 0 || awr__json_strclass[c] == (high_plain))
#endif

static int awr__json_hex(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = (unsigned char)(c | 0x20u);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* Length of the valid UTF-8 character at s[p] (a byte >= 0x80): 2..4; 0 if it is invalid; and
 * *short_input = 1 when the input ends before the character could be judged. The ranges are the
 * validator's (awr__utf8_lead). */
static size_t awr__json_utf8_char(const unsigned char *s, size_t p, size_t len, int *short_input) {
    uint32_t st = awr__utf8_lead(s[p]);
    unsigned lo = (st >> 8) & 0xFFu, hi = (st >> 16) & 0xFFu;
    size_t need = st & 0xFFu, k;
    *short_input = 0;
    if (st == 0) return 0;
    for (k = 1; k <= need; k++) {
        unsigned char b;
        if (p + k >= len) { *short_input = 1; return 0; }
        b = s[p + k];
        if (b < lo || b > hi) return 0;
        lo = 0x80u; hi = 0xBFu;   /* the later continuation bytes: any */
    }
    return need + 1u;
}

/* The first special byte of a word: m holds only 0x80 bits, one per flagged byte. The flag tests
 * below (zero-byte and less-than tricks) can raise false flags, but only in bytes more significant than
 * a true one, so on a little-endian machine the lowest flag is exact; elsewhere we look byte by byte. */
#if defined(AWR_JSON_NO_SIMD)
   /* the portable byte-by-byte search (tests build this way too) */
#elif (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#  define AWR__JSON_FIRST_FLAG(m) ((size_t)__builtin_ctzll(m) >> 3)
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_ARM64))
#  include <intrin.h>
static size_t awr__json_first_flag(uint64_t m) {
    unsigned long i;
    _BitScanForward64(&i, m);
    return (size_t)(i >> 3);
}
#  define AWR__JSON_FIRST_FLAG(m) awr__json_first_flag(m)
#endif
/* The tokenizer's steps are forced inline for speed, except in a build for size (-Os, -Oz), where the
 * compiler may keep one copy of each: forced, the number scanner alone is copied six times. */
#if (defined(__GNUC__) || defined(__clang__)) && defined(__OPTIMIZE_SIZE__)
#  define AWR__JSON_LIKELY(x) __builtin_expect(!!(x), 1)
#  define AWR__JSON_INLINE static inline
#  define AWR__JSON_NOINLINE static __attribute__((noinline))
#elif defined(__GNUC__) || defined(__clang__)
#  define AWR__JSON_LIKELY(x) __builtin_expect(!!(x), 1)
#  define AWR__JSON_INLINE static inline __attribute__((always_inline))
#  define AWR__JSON_NOINLINE static __attribute__((noinline))
#elif defined(_MSC_VER)
#  define AWR__JSON_LIKELY(x) (x)
#  define AWR__JSON_INLINE static __forceinline
#  define AWR__JSON_NOINLINE static __declspec(noinline)
#else
#  define AWR__JSON_LIKELY(x) (x)
#  define AWR__JSON_INLINE static
#  define AWR__JSON_NOINLINE static
#endif

/* Index of the lowest set bit of m (m != 0), for the 64-bit masks of the SSE2 and NEON scans. */
#if defined(AWR__JSON_SSE2) || defined(AWR__JSON_NEON)
#  if defined(__GNUC__) || defined(__clang__)
#    define awr__json_ctz64(m) ((unsigned)__builtin_ctzll(m))
#  else
AWR__JSON_INLINE unsigned awr__json_ctz64(uint64_t m) {   /* de Bruijn: the lowest bit alone picks a table slot */
    static const unsigned char slot[64] = {
        0, 1, 48, 2, 57, 49, 28, 3, 61, 58, 50, 42, 38, 29, 17, 4, 62, 55, 59, 36, 53, 51, 43, 22, 45, 39, 33, 30, 24, 18, 12, 5,
        63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11, 46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9, 13, 8, 7, 6};
    return slot[((m & (0u - m)) * 0x03F79D71B4CB0A89u) >> 58];
}
#  endif
#endif

/* 0x80 in each byte of v that is a quote, a backslash, a control byte, or (high_mask set) >= 0x80. */
AWR__JSON_INLINE uint64_t awr__json_string_flags(uint64_t v, uint64_t high_mask) {
    uint64_t q = v ^ (AWR__JSON_ONES * 0x22u), b = v ^ (AWR__JSON_ONES * 0x5Cu);
    return (((q - AWR__JSON_ONES) & ~q) | ((b - AWR__JSON_ONES) & ~b) | ((v - AWR__JSON_ONES * 0x20u) & ~v) |
            (v & high_mask)) & AWR__JSON_HIGHS;
}

/* x86-64 always has SSE2: sixteen bytes per step. One signed compare flags the control bytes and,
 * when they need checking, the non-ASCII ones: v ^ flip < below as signed bytes (flip 0, below 0x20:
 * both are "less than 0x20"; flip 0x80, below 0xA0: the control bytes only, an unsigned compare). The
 * two constants are set once per parse, so the loop has no branch on the mode. */
#ifdef AWR__JSON_SSE2   /* chosen in the declarations */
#  include <emmintrin.h>
#  if defined(_MSC_VER) && !defined(__clang__)
#    include <intrin.h>
static unsigned awr__json_ctz32(unsigned m) { unsigned long i; _BitScanForward(&i, m); return (unsigned)i; }
#  else
#    define awr__json_ctz32(m) ((unsigned)__builtin_ctz(m))
#  endif
AWR__JSON_INLINE unsigned awr__json_string_flags16(const unsigned char *p, __m128i flip, __m128i below) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i special = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(special, _mm_cmplt_epi8(_mm_xor_si128(v, flip), below)));
}
/* The window: the flags of 64 bytes at once, bit i for byte i. Strings are read from it by a shift and a
 * count of trailing zeros, so that the end of a short string does not wait for a load and a compare of
 * its own: on a message of short keys and values that wait was most of the time per token. */
#  define AWR__JSON_WINDOW 1
AWR__JSON_INLINE uint64_t awr__json_string_flags64(const unsigned char *p, __m128i flip, __m128i below) {
    return (uint64_t)awr__json_string_flags16(p, flip, below) | (uint64_t)awr__json_string_flags16(p + 16, flip, below) << 16 |
           (uint64_t)awr__json_string_flags16(p + 32, flip, below) << 32 | (uint64_t)awr__json_string_flags16(p + 48, flip, below) << 48;
}
/* The non-ASCII bytes of a window that the string scan may pass over: all of them when the 64 bytes at
 * p, read as UTF-8 from a character's start, hold no invalid sequence (0 otherwise: each character then
 * stops the scan and is judged alone, which also finds the error's offset), but a lead byte in the last
 * three, whose character the window may cut. Non-ASCII text is then no stop per character, each a branch
 * mispredicted in turn. The tests of RFC 3629 on all bytes at once: a byte continues a character
 * (80..BF) exactly where the lead bytes before it need one; no lead byte out of the table's
 * LEAD_MIN..LEAD_MAX; and the narrower first continuation bytes of AWR__UTF8_NARROW. */
/* Bytes of x below n, as unsigned numbers (SSE2 compares only signed bytes). */
AWR__JSON_INLINE __m128i awr__json_bytes_below(__m128i x, unsigned n) {
    return _mm_cmplt_epi8(_mm_xor_si128(x, _mm_set1_epi8((char)0x80)), _mm_set1_epi8((char)(n ^ 0x80u)));
}
/* A row of AWR__UTF8_NARROW: the bytes that follow its lead (p1, the byte before each) out of its range.
 * Each row of RFC 3629 narrows one side of 80..BF, and a byte out of 80..BF after a lead is found
 * above, so one compare a row does (two per row made the window 5% slower on E2). Signed compares are
 * right here: the bounds are 80..BF. */
#define AWR__JSON_UTF8_NARROW_BAD(lead, lo, hi)                                                              \
    bad = _mm_or_si128(bad, _mm_and_si128(_mm_cmpeq_epi8(p1, _mm_set1_epi8((char)(lead))),                    \
                                          (lo) > 0x80u ? _mm_cmplt_epi8(v, _mm_set1_epi8((char)(lo)))         \
                                                       : _mm_cmpgt_epi8(v, _mm_set1_epi8((char)(hi)))));
AWR__JSON_NOINLINE uint64_t awr__json_utf8_window(const unsigned char *p) {
    const __m128i zero = _mm_setzero_si128();
    __m128i prev = zero, bad = zero, v = zero;
    uint64_t high = 0;
    unsigned k;
    for (k = 0; k < 64u; k += 16u) {
        __m128i p1, p2, p3, need;
        v = _mm_loadu_si128((const __m128i *)(const void *)(p + k));
        high |= (uint64_t)(unsigned)_mm_movemask_epi8(v) << k;
        p1 = _mm_or_si128(_mm_slli_si128(v, 1), _mm_srli_si128(prev, 15));   /* the byte before each */
        p2 = _mm_or_si128(_mm_slli_si128(v, 2), _mm_srli_si128(prev, 14));
        p3 = _mm_or_si128(_mm_slli_si128(v, 3), _mm_srli_si128(prev, 13));
        need = _mm_or_si128(_mm_or_si128(_mm_subs_epu8(p1, _mm_set1_epi8((char)0xBF)), _mm_subs_epu8(p2, _mm_set1_epi8((char)0xDF))),
                            _mm_subs_epu8(p3, _mm_set1_epi8((char)0xEF)));   /* > 0 after a C0.., E0.., F0.. lead */
        bad = _mm_or_si128(bad, _mm_xor_si128(_mm_cmpgt_epi8(need, zero), _mm_cmplt_epi8(v, _mm_set1_epi8((char)0xC0))));
        bad = _mm_or_si128(bad, _mm_or_si128(awr__json_bytes_below(_mm_sub_epi8(v, _mm_set1_epi8((char)0xC0)), AWR__UTF8_LEAD_MIN - 0xC0u),
                                             _mm_cmpgt_epi8(_mm_subs_epu8(v, _mm_set1_epi8((char)AWR__UTF8_LEAD_MAX)), zero)));
        AWR__UTF8_NARROW(AWR__JSON_UTF8_NARROW_BAD)
        prev = v;
    }
    if (_mm_movemask_epi8(bad)) return 0;
    /* v: the last 16 bytes; > BF as signed bytes is ASCII or a lead byte */
    return high & ~((uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)0xBF))) << 48 & high & (uint64_t)7u << 61);
}
#undef AWR__JSON_UTF8_NARROW_BAD
#endif

/* 1 if the four bytes at p are hex digits. Per byte, with no carry across bytes (each is below 0x80
 * when tested): x + (0x80 - lo) has its top bit set when x >= lo, x + (0x7F - hi) when x > hi. */
AWR__JSON_INLINE int awr__json_hex4(const unsigned char *p) {
    uint32_t x = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24, y = x | 0x20202020u;
    uint32_t digit = (x + 0x50505050u) & ~(x + 0x46464646u), letter = (y + 0x1F1F1F1Fu) & ~(y + 0x19191919u);
    return ((digit | letter) & 0x80808080u) == 0x80808080u && !(x & 0x80808080u);
}

/* Checks the escape at s[p] (a backslash): returns its length (2 or 6), or 0 with *bad set to the
 * offending offset and *r to the error. Inline: a call in the tokenizer's loop costs every token. */
AWR__JSON_INLINE size_t awr__json_check_escape(const unsigned char *s, size_t len, size_t p, size_t *bad, awr_result *r) {
    unsigned char e;
    size_t k;
    if (p + 1u >= len) { *bad = len; *r = AWR_ERR_JSON_TRUNCATED; return 0; }
    e = s[p + 1u];
    if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') return 2;
    if (e != 'u') { *bad = p + 1u; *r = AWR_ERR_JSON_SYNTAX; return 0; }
#ifndef __OPTIMIZE_SIZE__
    if (len - p >= 6u && awr__json_hex4(s + p + 2u)) return 6;   /* no branch per hex digit */
#endif
    for (k = 2; k < 6u; k++) {
        if (p + k >= len) { *bad = len; *r = AWR_ERR_JSON_TRUNCATED; return 0; }
        if (awr__json_hex(s[p + k]) < 0) { *bad = p + k; *r = AWR_ERR_JSON_SYNTAX; return 0; }
    }
    return 6;
}

/* The end of the run of digits at s[p]: eight bytes per step where the first flag of a word is exact (a
 * byte gets 0x80 when it is above '9' (the add) or below '0' (the subtract)), so that the length of a
 * number is not a branch taken byte by byte, mispredicted once per number of a new length. Built for
 * size, the byte loop alone (the word step is 64-bit arithmetic on a 32-bit target: 92 B on a Cortex-M4). */
AWR__JSON_INLINE size_t awr__json_skip_digits(const unsigned char *s, size_t len, size_t p) {
#if defined(AWR__JSON_FIRST_FLAG) && !defined(__OPTIMIZE_SIZE__)
    while (len - p >= 8u) {
        uint64_t v, m;
        memcpy(&v, s + p, 8);
        m = ((v + AWR__JSON_ONES * 0x46u) | (v - AWR__JSON_ONES * 0x30u)) & AWR__JSON_HIGHS;
        if (m) return p + AWR__JSON_FIRST_FLAG(m);
        p += 8u;
    }
#endif
    while (p < len && AWR__JSON_IS_DIGIT(s[p])) p++;
    return p;
}

/* Scans a number from *pp (a '-' or a digit) to just past it; *flags gets AWR_JSON_FRACTION for a
 * fraction or an exponent. What follows the number is the caller's business ("01" fails there). */
AWR__JSON_INLINE awr_result awr__json_scan_number(const unsigned char *s, size_t len, size_t *pp, uint32_t *flags) {
    size_t p = *pp;
    if (s[p] == '-') { p++; if (p >= len) goto truncated; }
    if (s[p] == '0') p++;
    else if (AWR__JSON_IS_DIGIT(s[p])) p = awr__json_skip_digits(s, len, p + 1u);
    else goto syntax;
    if (p < len && s[p] == '.') {
        *flags |= AWR_JSON_FRACTION;
        p++;
        if (p >= len) goto truncated;
        if (!AWR__JSON_IS_DIGIT(s[p])) goto syntax;
        p = awr__json_skip_digits(s, len, p + 1u);
    }
    if (p < len && (s[p] | 0x20u) == 'e') {
        *flags |= AWR_JSON_FRACTION;
        p++;
        if (p < len && (s[p] == '+' || s[p] == '-')) p++;
        if (p >= len) goto truncated;
        if (!AWR__JSON_IS_DIGIT(s[p])) goto syntax;
        p = awr__json_skip_digits(s, len, p + 1u);
    }
    *pp = p;
    return AWR_OK;
truncated:
    *pp = len;
    return AWR_ERR_JSON_TRUNCATED;
syntax:
    *pp = p;
    return AWR_ERR_JSON_SYNTAX;
}

/* Matches the literal word (true, false, null) at *pp and moves past it. */
static awr_result awr__json_scan_literal(const unsigned char *s, size_t len, size_t *pp, const char *word, size_t n) {
    size_t p = *pp, k;
    for (k = 0; k < n; k++) {
        if (p + k >= len) { *pp = len; return AWR_ERR_JSON_TRUNCATED; }
        if (s[p + k] != (unsigned char)word[k]) { *pp = p + k; return AWR_ERR_JSON_SYNTAX; }
    }
    *pp = p + n;
    return AWR_OK;
}

#if AWR_JSON_HAS_SKIM   /* an SSE2 or NEON scan, and no AWR_NO_JSON_SKIM: see the declarations */
/* ---- skipping a collapsed container ----------------------------------------------------------------
 * A container deeper than emit_depth is one token, so all its inside needs is finding where it ends,
 * and that runs 64 bytes per step: one bit per byte for quotes and brackets; the quotes that no
 * backslash escapes give, by a prefix XOR, which bytes are inside strings; the brackets outside strings
 * are counted down to the one that closes the container. On the way, strings are checked as the
 * validating loop checks them (escapes, no control bytes, UTF-8 unless skip_utf8), outside them no
 * control byte but whitespace may appear, and only ASCII unless skip_utf8; the grammar between the values (commas,
 * colons, numbers, literals, which bracket closes which inside) is not checked (options.skim says so).
 * Whatever the scan does not settle (an error, nesting that could pass max_depth, the end of the
 * input) returns 0, and the validating loop takes the container from its start: it finds the error
 * and reports it. A message's UTF-8 is still checked whole: every byte >= 0x80 lies in a string, in
 * a character found valid. There is no portable form: in 8-byte words of portable C the block scan
 * cost more instructions per byte than the validating loop, so without SSE2 or NEON that loop does it
 * (AWR_JSON_HAS_SKIM 0). */
typedef struct awr__json_block {
    uint64_t quote, brackets;      /* '"'; any of { [ } ] */
    uint64_t bslash, low;          /* '\\'; a control byte (or, checking UTF-8, any byte >= 0x80); SSE2: 0 if none */
    uint64_t open;                 /* { or [ (NEON only: SSE2 finds them in awr__json_block_open) */
    unsigned nopen, nclose;        /* how many of { [ and of } ], strings included */
} awr__json_block;

#if defined(AWR__JSON_SSE2)
#  define AWR__JSON_MASK16(x) ((uint64_t)(unsigned)_mm_movemask_epi8(x))
#  define AWR__JSON_MASK64(a, b, c, d) \
    (AWR__JSON_MASK16(a) | AWR__JSON_MASK16(b) << 16 | AWR__JSON_MASK16(c) << 32 | AWR__JSON_MASK16(d) << 48)
#  define AWR__JSON_LOAD4(p) \
    __m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)(p)),        \
            v1 = _mm_loadu_si128((const __m128i *)(const void *)((p) + 16)), \
            v2 = _mm_loadu_si128((const __m128i *)(const void *)((p) + 32)), \
            v3 = _mm_loadu_si128((const __m128i *)(const void *)((p) + 48))
#  define AWR__JSON_MASK_EQ(x, k) \
    AWR__JSON_MASK64(_mm_cmpeq_epi8(x##0, k), _mm_cmpeq_epi8(x##1, k), _mm_cmpeq_epi8(x##2, k), _mm_cmpeq_epi8(x##3, k))
/* The `low` bytes: v ^ flip < below as signed bytes. flip 0, below 0x20: control bytes and bytes >=
 * 0x80 (checking UTF-8); flip 0x80, below 0xA0: control bytes only (an unsigned compare). */
#  define AWR__JSON_LOW(v, flip, below) _mm_cmplt_epi8(_mm_xor_si128(v, flip), below)
/* What every block needs. Brackets are found with the case bit set ('[' | 0x20 is '{', ']' | 0x20 is
 * '}') and counted by summing the compare results (-1 per match) and one sum of bytes. */
AWR__JSON_INLINE void awr__json_block_scan(const unsigned char *p, awr__json_block *b, __m128i flip, __m128i below) {
    AWR__JSON_LOAD4(p);
    __m128i lc = _mm_set1_epi8(0x20), op = _mm_set1_epi8('{'), cl = _mm_set1_epi8('}');
    __m128i w0 = _mm_or_si128(v0, lc), w1 = _mm_or_si128(v1, lc), w2 = _mm_or_si128(v2, lc), w3 = _mm_or_si128(v3, lc);
    __m128i o0 = _mm_cmpeq_epi8(w0, op), o1 = _mm_cmpeq_epi8(w1, op), o2 = _mm_cmpeq_epi8(w2, op), o3 = _mm_cmpeq_epi8(w3, op);
    __m128i c0 = _mm_cmpeq_epi8(w0, cl), c1 = _mm_cmpeq_epi8(w1, cl), c2 = _mm_cmpeq_epi8(w2, cl), c3 = _mm_cmpeq_epi8(w3, cl);
    __m128i no = _mm_add_epi8(_mm_add_epi8(o0, o1), _mm_add_epi8(o2, o3));   /* -count per byte lane */
    __m128i nc = _mm_add_epi8(_mm_add_epi8(c0, c1), _mm_add_epi8(c2, c3));
    __m128i zero = _mm_setzero_si128();   /* each lane holds minus its count (at most 8): 0 - lane is the count */
    __m128i sums = _mm_sad_epu8(_mm_sub_epi8(zero, _mm_add_epi8(_mm_unpacklo_epi64(no, nc), _mm_unpackhi_epi64(no, nc))), zero);
    b->quote = AWR__JSON_MASK_EQ(v, _mm_set1_epi8('"'));
    b->bslash = AWR__JSON_MASK_EQ(v, _mm_set1_epi8('\\'));
    b->brackets = AWR__JSON_MASK64(_mm_or_si128(o0, c0), _mm_or_si128(o1, c1), _mm_or_si128(o2, c2), _mm_or_si128(o3, c3));
    b->low = AWR__JSON_MASK16(_mm_or_si128(_mm_or_si128(AWR__JSON_LOW(v0, flip, below), AWR__JSON_LOW(v1, flip, below)),
                                           _mm_or_si128(AWR__JSON_LOW(v2, flip, below), AWR__JSON_LOW(v3, flip, below))));
    b->nopen = (unsigned)_mm_cvtsi128_si32(sums);   /* a sum of eight lanes: at most 64 */
    b->nclose = (unsigned)_mm_cvtsi128_si32(_mm_srli_si128(sums, 8));
}
/* The bytes >= 0x80 (their sign bits), for a block with `low` bytes. */
AWR__JSON_INLINE uint64_t awr__json_block_high(const unsigned char *p) {
    AWR__JSON_LOAD4(p);
    return AWR__JSON_MASK64(v0, v1, v2, v3);
}
/* Which bytes are `low`, for a block with some (the scan only says whether it has any: most have none). */
AWR__JSON_NOINLINE uint64_t awr__json_block_low(const unsigned char *p, __m128i flip, __m128i below) {
    AWR__JSON_LOAD4(p);
    return AWR__JSON_MASK64(AWR__JSON_LOW(v0, flip, below), AWR__JSON_LOW(v1, flip, below),
                            AWR__JSON_LOW(v2, flip, below), AWR__JSON_LOW(v3, flip, below));
}
/* Which brackets open, for a block where the container may close. */
AWR__JSON_NOINLINE uint64_t awr__json_block_open(const unsigned char *p) {
    __m128i lc = _mm_set1_epi8(0x20);
    AWR__JSON_LOAD4(p);
    v0 = _mm_or_si128(v0, lc); v1 = _mm_or_si128(v1, lc); v2 = _mm_or_si128(v2, lc); v3 = _mm_or_si128(v3, lc);
    return AWR__JSON_MASK_EQ(v, _mm_set1_epi8('{'));
}
#else   /* AWR__JSON_NEON */
/* NEON (AArch64, and 32-bit ARM built with NEON; gcc or clang, little-endian): sixteen bytes per
 * compare, as SSE2, but NEON has no movemask. Each compare result (0xFF or 0) keeps the bit of its
 * byte's place in its eight-byte half (1, 2, ..., 128), and three rounds of pairwise adds sum each
 * eight bytes into one: the 64-bit mask, bit i for byte i. All the masks at once but the bytes >= 0x80
 * (awr__json_block_high, for the few blocks with `low` bytes). */
#  include <arm_neon.h>
#  if defined(__aarch64__)
#    define AWR__JSON_PADD(a, b) vpaddq_u8(a, b)
#  else   /* 32-bit ARM pairs the halves of each vector: the same sixteen sums in the same order */
#    define AWR__JSON_PADD(a, b) \
    vcombine_u8(vpadd_u8(vget_low_u8(a), vget_high_u8(a)), vpadd_u8(vget_low_u8(b), vget_high_u8(b)))
#  endif
#  define AWR__JSON_NEON_LOAD4(p) \
    uint8x16_t v0 = vld1q_u8(p), v1 = vld1q_u8((p) + 16), v2 = vld1q_u8((p) + 32), v3 = vld1q_u8((p) + 48)
AWR__JSON_INLINE uint64_t awr__json_neon_mask(uint8x16_t a, uint8x16_t b, uint8x16_t c, uint8x16_t d) {
    static const unsigned char place[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
    uint8x16_t w = vld1q_u8(place), s;
    s = AWR__JSON_PADD(AWR__JSON_PADD(vandq_u8(a, w), vandq_u8(b, w)), AWR__JSON_PADD(vandq_u8(c, w), vandq_u8(d, w)));
    return vget_lane_u64(vreinterpret_u64_u8(vpadd_u8(vget_low_u8(s), vget_high_u8(s))), 0);
}
#  define AWR__JSON_NEON_EQ(x, k) \
    awr__json_neon_mask(vceqq_u8(x##0, k), vceqq_u8(x##1, k), vceqq_u8(x##2, k), vceqq_u8(x##3, k))
/* The `low` bytes as in the SSE2 scan: v ^ flip < below as signed bytes (see AWR__JSON_LOW). */
#  define AWR__JSON_NEON_LOW(v, flip, below) vcltq_s8(vreinterpretq_s8_u8(veorq_u8(v, flip)), below)
/* The number of set bits of m: a count per byte (vcnt), then pairwise sums (no libgcc call on 32-bit ARM). */
AWR__JSON_INLINE unsigned awr__json_popcount(uint64_t m) {
    return (unsigned)vget_lane_u64(vpaddl_u32(vpaddl_u16(vpaddl_u8(vcnt_u8(vcreate_u8(m))))), 0);
}
AWR__JSON_INLINE void awr__json_block_scan(const unsigned char *p, awr__json_block *b, uint64_t high_mask) {
    AWR__JSON_NEON_LOAD4(p);
    uint8x16_t lc = vdupq_n_u8(0x20), flip = vdupq_n_u8(high_mask ? 0 : 0x80);
    int8x16_t below = vdupq_n_s8((int8_t)(high_mask ? 0x20 : -0x60));   /* -0x60: 0xA0 as a signed byte */
    uint8x16_t w0 = vorrq_u8(v0, lc), w1 = vorrq_u8(v1, lc), w2 = vorrq_u8(v2, lc), w3 = vorrq_u8(v3, lc);
    uint64_t close = AWR__JSON_NEON_EQ(w, vdupq_n_u8('}'));
    b->open = AWR__JSON_NEON_EQ(w, vdupq_n_u8('{'));   /* '[' | 0x20 is '{', ']' | 0x20 is '}' */
    b->quote = AWR__JSON_NEON_EQ(v, vdupq_n_u8('"'));
    b->bslash = AWR__JSON_NEON_EQ(v, vdupq_n_u8('\\'));
    b->low = awr__json_neon_mask(AWR__JSON_NEON_LOW(v0, flip, below), AWR__JSON_NEON_LOW(v1, flip, below),
                                 AWR__JSON_NEON_LOW(v2, flip, below), AWR__JSON_NEON_LOW(v3, flip, below));
    b->brackets = b->open | close;
    b->nopen = awr__json_popcount(b->open);
    b->nclose = awr__json_popcount(close);
}
/* The bytes >= 0x80, for a block with `low` bytes. */
AWR__JSON_INLINE uint64_t awr__json_block_high(const unsigned char *p) {
    int8x16_t zero = vdupq_n_s8(0);
    AWR__JSON_NEON_LOAD4(p);
    return awr__json_neon_mask(vcltq_s8(vreinterpretq_s8_u8(v0), zero), vcltq_s8(vreinterpretq_s8_u8(v1), zero),
                               vcltq_s8(vreinterpretq_s8_u8(v2), zero), vcltq_s8(vreinterpretq_s8_u8(v3), zero));
}
#  define awr__json_block_open(p) (b.open)
#endif

/* Bit i of the result: the XOR of bits 0..i of m (which bytes lie after an odd number of quotes). */
AWR__JSON_INLINE uint64_t awr__json_prefix_xor(uint64_t m) {
    m ^= m << 1; m ^= m << 2; m ^= m << 4; m ^= m << 8; m ^= m << 16; m ^= m << 32;
    return m;
}

/* 1 if c is in the 64-byte range at `base` and its bit is set in `set`. */
#define AWR__JSON_IN_SET(c, base, set) ((unsigned)((c) - (base)) < 64u && ((set) >> ((c) - (base)) & 1u))
#define AWR__JSON_ESC_LOW ((uint64_t)1u << 0x22 | (uint64_t)1u << 0x2F)            /* " / */
#define AWR__JSON_ESC_HIGH ((uint64_t)1u << (0x5C - 0x40) | (uint64_t)1u << (0x62 - 0x40) | (uint64_t)1u << (0x66 - 0x40) | \
                            (uint64_t)1u << (0x6E - 0x40) | (uint64_t)1u << (0x72 - 0x40) | (uint64_t)1u << (0x74 - 0x40))   /* \ b f n r t */


/* Marks the bytes escaped by the backslashes of a block and checks each escape; 0 when one is bad (or
 * cut short). *carry: in, 1 when the last block's final byte escapes this block's first; out, the
 * same for the next block. Backslashes seldom come two in a row: then each one escapes the byte after
 * it, and only runs of them need following one by one (an escaped backslash escapes nothing). */
static int awr__json_block_escapes(const unsigned char *s, size_t len, size_t pos, uint64_t bslash,
                                   uint64_t *carry, uint64_t *escaped) {
    uint64_t m = bslash & ~*carry, starts = m;
    if (m & m << 1) {
        uint64_t rest = m;
        starts = 0;
        while (rest) {
            uint64_t bit = rest & (0u - rest);
            starts |= bit;
            rest &= ~(bit | bit << 1);
        }
    }
    *escaped = starts << 1 | *carry;
    *carry = starts >> 63;
    while (starts) {
        size_t q = pos + awr__json_ctz64(starts);
        unsigned c;
        if (len - q < 6u) return 0;   /* near the end: the validating loop judges it */
        c = s[q + 1u];
        if (c == 'u') {
            if (!awr__json_hex4(s + q + 2u)) return 0;
        } else if (!(c < 0x40u ? AWR__JSON_ESC_LOW >> c & 1u : AWR__JSON_IN_SET(c, 0x40u, AWR__JSON_ESC_HIGH))) {
            return 0;
        }
        starts &= starts - 1u;
    }
    return 1;
}

/* Checks the UTF-8 characters that start at the bits of `lead` (non-ASCII bytes inside strings); 0 when
 * one is invalid or cut short. *carry: the continuation bytes at the start of the next block that
 * belong to a character begun in this one. */
static int awr__json_block_utf8(const unsigned char *s, size_t len, size_t pos, uint64_t lead, uint64_t *carry) {
    uint64_t m = lead & ~*carry;
    *carry = 0;
    while (m) {
        unsigned i = awr__json_ctz64(m);
        int short_input;
        size_t k = awr__json_utf8_char(s, pos + i, len, &short_input);
        if (k == 0) return 0;
        if (i + k > 64u) *carry = ((uint64_t)1u << (i + k - 64u)) - 1u;
        m &= i + k >= 64u ? 0 : ~((((uint64_t)1u << k) - 1u) << i);
    }
    return 1;
}

/* Whitespace is the only control byte allowed outside strings. */
static int awr__json_block_ws(const unsigned char *s, size_t pos, uint64_t ctrl) {
    while (ctrl) {
        unsigned char c = s[pos + awr__json_ctz64(ctrl)];
        if (c != 0x09u && c != 0x0Au && c != 0x0Du) return 0;
        ctrl &= ctrl - 1u;
    }
    return 1;
}

/* The offset of the bracket that closes the container opening at s[p], or 0 (see above). room: how
 * many levels of nesting the container may hold, itself included, before max_depth. */
AWR__JSON_NOINLINE size_t awr__json_skip(const unsigned char *s, size_t len, size_t p, uint32_t room, int check_utf8) {
    unsigned char tail[64];
    uint64_t in_string = 0, esc_carry = 0, utf8_carry = 0;
    uint32_t depth = 0;
    size_t pos;
#if defined(AWR__JSON_SSE2)
    __m128i flip = _mm_set1_epi8((char)(check_utf8 ? 0 : 0x80)), below = _mm_set1_epi8((char)(check_utf8 ? 0x20 : 0xA0));
#  define AWR__JSON_BLOCK_SCAN(p, b) awr__json_block_scan(p, b, flip, below)
#  define AWR__JSON_BLOCK_LOW(p, b) awr__json_block_low(p, flip, below)
#else   /* NEON */
#  define AWR__JSON_BLOCK_LOW(p, b) ((b).low)
    uint64_t high_mask = check_utf8 ? AWR__JSON_HIGHS : 0;
#  define AWR__JSON_BLOCK_SCAN(p, b) awr__json_block_scan(p, b, high_mask)
#endif
    for (pos = p; pos < len; pos += 64u) {
        const unsigned char *blk = s + pos;
        awr__json_block b;
        uint64_t escaped = 0, in, open;
        if (len - pos < 64u) {   /* the last bytes, padded with spaces (neutral inside and outside strings) */
            if (pos == p) return 0;   /* a container this short: the validating loop is as quick */
            memset(tail, ' ', sizeof tail);
            memcpy(tail, s + pos, len - pos);
            blk = tail;
        }
        AWR__JSON_BLOCK_SCAN(blk, &b);
        if (b.bslash | esc_carry) {
            if (!awr__json_block_escapes(s, len, pos, b.bslash, &esc_carry, &escaped)) return 0;
            b.quote &= ~escaped;
        }
        in = awr__json_prefix_xor(b.quote) ^ in_string;
        if (b.bslash & ~in) return 0;   /* a backslash outside strings */
        if (b.low | utf8_carry) {
            uint64_t low = AWR__JSON_BLOCK_LOW(blk, b), high = low & awr__json_block_high(blk), ctrl = low & ~high;   /* high: checking UTF-8 */
            /* control bytes inside strings, control bytes outside them that are not whitespace, and
             * (checking UTF-8) non-ASCII bytes outside them: errors */
            if ((ctrl & in) | (high & ~in)) return 0;
            if (ctrl && !awr__json_block_ws(s, pos, ctrl)) return 0;
            if ((high | utf8_carry) && !awr__json_block_utf8(s, len, pos, high, &utf8_carry)) return 0;
        }
        in_string = 0u - (in >> 63);
        if (depth + b.nopen > room) return 0;
        if (b.nclose < depth && !(b.brackets & in)) {   /* it cannot close here: count and go on */
            depth = depth + b.nopen - b.nclose;
            continue;
        }
        open = awr__json_block_open(blk);
        b.brackets &= ~in;
        while (b.brackets) {   /* follow it bracket by bracket */
            unsigned i = awr__json_ctz64(b.brackets);
            if (open >> i & 1u) depth++;
            else if (--depth == 0) return s[pos + i] == s[p] + 2u ? pos + i : 0;   /* '[' + 2 is ']' */
            b.brackets &= b.brackets - 1u;
        }
    }
    return 0;
}
#undef AWR__JSON_BLOCK_SCAN
#undef AWR__JSON_BLOCK_LOW
#endif /* AWR_JSON_HAS_SKIM */

/* Moves p to the next byte that is not whitespace and loads it into c; the input must not end there.
 * Built for size, its five places in the tokenizer share one call (188 B of a Cortex-M4 image); else
 * the usual byte, not whitespace, is tested inline first. */
#ifdef __OPTIMIZE_SIZE__
static AWR__SIZE_NOINLINE size_t awr__json_skip_ws(const unsigned char *s, size_t len, size_t p) {
    while (p < len && AWR__JSON_IS_WS(s[p])) p++;
    return p;
}
#  define AWR__JSON_PEEK()                                   \
    do {                                                     \
        p = awr__json_skip_ws(s, len, p);                    \
        if (p >= len) goto truncated;                        \
        c = s[p];                                            \
    } while (0)
#else
#  define AWR__JSON_PEEK()                                                                  \
    do {                                                                                  \
        if (p >= len) goto truncated;                                                     \
        c = s[p];                                                                         \
        if (c <= 0x20u && AWR__JSON_IS_WS(c)) {                                           \
            do { if (++p >= len) goto truncated; c = s[p]; } while (AWR__JSON_IS_WS(c)); \
        }                                                                                 \
    } while (0)
#endif

/* The tokenizer; skim: options->skim, a constant in each copy (see awr_json_parse below). */
AWR__JSON_INLINE awr_result awr__json_parse_with(const awr_json_options *options, const char *json, size_t len,
                                                 awr_json_token *tokens, size_t max_tokens,
                                                 size_t *ntokens, size_t *err_offset, const int skim) {
    const unsigned char *s = (const unsigned char *)json;
    unsigned char kinds[(AWR_JSON_MAX_DEPTH + 7) / 8];   /* bit d: the container at depth d + 1 is an object */
    uint32_t max_depth = AWR_JSON_DEFAULT_DEPTH < AWR_JSON_MAX_DEPTH ? AWR_JSON_DEFAULT_DEPTH : AWR_JSON_MAX_DEPTH;
    uint32_t emit_limit = 0xFFFFFFFEu;                  /* containers deeper than this are collapsed */
    uint64_t high_mask = AWR__JSON_HIGHS;               /* 0: bytes >= 0x80 need no check in strings */
    unsigned high_plain = 0xFFu;                        /* 2 (their class) when they need no check */
    size_t cap = tokens ? max_tokens : 0, saved_cap = 0;
    size_t p = 0, n = 0;      /* n counts tokens emitted; only those below cap are stored */
    uint32_t depth = 0, cur = AWR_JSON_NONE, cnt = 0, collapsed = 0, saved_cnt = 0, flags = 0, start;
    int in_obj = 0;
    unsigned char c;
    awr_result r = AWR_OK;
    awr_json_token *t;
#ifdef AWR__JSON_SSE2
    __m128i flip = _mm_setzero_si128(), below = _mm_set1_epi8(0x20);   /* see awr__json_string_flags16 */
#endif
#ifdef AWR__JSON_WINDOW
    size_t wbase = (size_t)0 - 64u;   /* no window yet: every p is past its end */
    uint64_t wmask = 0;                /* see AWR__JSON_WINDOW */
    size_t wchecked = (size_t)0 - 1u;  /* the window whose UTF-8 awr__json_utf8_window judged */
#endif
    (void)skim;        /* unused where AWR_JSON_HAS_SKIM is 0 */
    (void)high_mask;   /* unused in a build for size without the skim */

    if (options) {
        if (options->max_depth > AWR_JSON_MAX_DEPTH) { r = AWR_ERR_ARG; goto fail; }
        if (options->max_depth) max_depth = options->max_depth;
        if (options->emit_depth) emit_limit = options->emit_depth < emit_limit ? options->emit_depth : emit_limit;
        if (options->skip_utf8) {
            high_mask = 0;
            high_plain = 2;
#ifdef AWR__JSON_SSE2
            flip = _mm_set1_epi8((char)0x80);
            below = _mm_set1_epi8((char)0xA0);
#endif
        }
    }
    if (!json && len) { r = AWR_ERR_ARG; goto fail; }
#if SIZE_MAX > 0xFFFFFFFFu
    if (len > 0xFFFFFFFFu) { r = AWR_ERR_ARG; goto fail; }   /* offsets are 32-bit */
#endif
    if (cap > 0x7FFFFFFFu) cap = 0x7FFFFFFFu;

value:
    AWR__JSON_PEEK();
    start = (uint32_t)p;
    if (c == '"') {   /* most values of a message are strings */
        p++;
        flags = 0;
        goto string;
    }
    switch (c) {
    case '{': case '[':
        if (depth >= max_depth) { r = AWR_ERR_JSON_DEPTH; goto fail; }
        in_obj = c == '{';
        if (in_obj) kinds[depth >> 3] = (unsigned char)(kinds[depth >> 3] | (1u << (depth & 7u)));
        else kinds[depth >> 3] = (unsigned char)(kinds[depth >> 3] & ~(1u << (depth & 7u)));
        depth++;
        if (depth <= emit_limit) {
            if (n < cap) {
                t = tokens + n;
                t->start = start; t->len = 0; t->next = 0; t->parent = cur;
                t->info = (uint32_t)(in_obj ? AWR_JSON_OBJECT : AWR_JSON_ARRAY);
                if (cur != AWR_JSON_NONE) tokens[cur].len = cnt + 1u;   /* the parent's count waits here */
                cur = (uint32_t)n;
                cnt = 0;
            }
            n++;
        } else if (depth == emit_limit + 1u) {
            /* One token for the whole container. Inside it nothing is stored (cap 0) and n and cnt
             * are put back when it closes, so the tokens around it never notice. */
            if (n < cap) {
                t = tokens + n;
                t->start = start; t->len = 0; t->next = (uint32_t)n + 1u; t->parent = cur;
                t->info = (uint32_t)(in_obj ? AWR_JSON_OBJECT : AWR_JSON_ARRAY) | AWR_JSON_COLLAPSED;
            }
            collapsed = (uint32_t)n;
            n++; cnt++;
            saved_cap = cap; saved_cnt = cnt;
            cap = 0;
#if AWR_JSON_HAS_SKIM
            {
                size_t end = skim ? awr__json_skip(s, len, p, max_depth - depth + 1u, high_mask != 0) : 0;
                if (end) { p = end; goto close; }   /* else the loop below validates it all */
            }
#endif
        }
        p++;
        AWR__JSON_PEEK();
        if (c == (in_obj ? '}' : ']')) goto close;
        if (!in_obj) goto value;
        if (c != '"') { r = AWR_ERR_JSON_SYNTAX; goto fail; }
        p++;
        flags = AWR_JSON_KEY;
        goto string;
    case '-': case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
        flags = 0;
        r = awr__json_scan_number(s, len, &p, &flags);
        if (r != AWR_OK) goto fail;
        if (n < cap) {
            t = tokens + n;
            t->start = start; t->len = (uint32_t)p - start; t->next = (uint32_t)n + 1u; t->parent = cur;
            t->info = (uint32_t)AWR_JSON_NUMBER | flags;
        }
        n++; cnt++;
        goto after_value;
    case 't': case 'f': case 'n':
        {
            awr_json_type type = c == 't' ? AWR_JSON_TRUE : c == 'f' ? AWR_JSON_FALSE : AWR_JSON_NULL;
            r = awr__json_scan_literal(s, len, &p, c == 't' ? "true" : c == 'f' ? "false" : "null", c == 'f' ? 5u : 4u);
            if (r != AWR_OK) goto fail;
            if (n < cap) {
                t = tokens + n;
                t->start = start; t->len = (uint32_t)p - start; t->next = (uint32_t)n + 1u; t->parent = cur;
                t->info = (uint32_t)type;
            }
            n++; cnt++;
        }
        goto after_value;
    default:
        r = AWR_ERR_JSON_SYNTAX;
        goto fail;
    }

string: /* p just after the opening quote; flags is AWR_JSON_KEY for a key, else 0 */
    start = (uint32_t)p;
    for (;;) {
#ifdef AWR__JSON_WINDOW
        {   /* the window flags s[wbase, wbase + 64); a new one starts where the scan needs it */
            size_t off = p - wbase;
            uint64_t m = off < 64u ? wmask >> off : 0;
            if (AWR__JSON_LIKELY(m != 0)) {
                p += awr__json_ctz64(m);
                goto string_special;
            }
            if (off < 64u) p = wbase + 64u;   /* nothing flagged up to the window's end */
            if (AWR__JSON_LIKELY(len - p >= 64u)) {
                wbase = p;
                wmask = awr__json_string_flags64(s + p, flip, below);
                continue;
            }
        }
#endif
#ifdef AWR__JSON_SSE2
        if (AWR__JSON_LIKELY(len - p >= 16u)) {
            unsigned m = awr__json_string_flags16(s + p, flip, below);
            if (m == 0) { p += 16u; continue; }
            p += (size_t)awr__json_ctz32(m);
        } else
#endif
#ifndef __OPTIMIZE_SIZE__   /* built for size, the byte loop below does it all */
        if (AWR__JSON_LIKELY(len - p >= 8u)) {   /* eight bytes at a time while they last */
            uint64_t v, m;
            memcpy(&v, s + p, 8);
            m = awr__json_string_flags(v, high_mask);
            if (m == 0) { p += 8u; continue; }
#ifdef AWR__JSON_FIRST_FLAG
            p += AWR__JSON_FIRST_FLAG(m);
#else
            while (AWR__JSON_STR_PASSES(s[p], high_plain)) p++;
#endif
        } else
#endif
        {
            while (p < len && AWR__JSON_STR_PASSES(s[p], high_plain)) p++;
            if (p >= len) goto truncated;
        }
#ifdef AWR__JSON_WINDOW
string_special:
#endif
        c = s[p];
        if (AWR__JSON_LIKELY(c == '"')) break;
        if (c == '\\') {
            size_t k = awr__json_check_escape(s, len, p, &p, &r);
            if (k == 0) goto fail;
            flags |= AWR_JSON_ESCAPED;
            p += k;
            continue;
        }
        if (c < 0x20u) {
            r = AWR_ERR_JSON_SYNTAX;
            goto fail;
        }
#ifdef AWR__JSON_WINDOW
        if (p - wbase < 64u && wchecked != wbase) {   /* the window's first stop at a non-ASCII byte */
            wchecked = wbase;
            wmask &= ~awr__json_utf8_window(s + wbase);
            if (!(wmask >> (p - wbase) & 1u)) continue;   /* valid: its characters stop the scan no more */
        }
#endif
        if (len - p > 2u && c >= AWR__UTF8_LEAD_MIN && c < 0xF0u && (s[p + 1u] & 0xC0u) == 0x80u &&
            (c < 0xE0u || ((s[p + 2u] & 0xC0u) == 0x80u && !awr__utf8_narrow_lead(c)))) {
            p += c < 0xE0u ? 2u : 3u;   /* the usual two- and three-byte characters, inline */
        } else {
            int short_input;
            size_t k = awr__json_utf8_char(s, p, len, &short_input);
            if (k == 0) { if (short_input) goto truncated; r = AWR_ERR_JSON_UTF8; goto fail; }
            p += k;
        }
    }
    if (n < cap) {
        t = tokens + n;
        t->start = start; t->len = (uint32_t)p - start; t->next = (uint32_t)n + 1u; t->parent = cur;
        t->info = (uint32_t)AWR_JSON_STRING | flags;
    }
    n++; cnt++;
    p++;
    if (!(flags & AWR_JSON_KEY)) goto after_value;
    AWR__JSON_PEEK();
    if (c != ':') { r = AWR_ERR_JSON_SYNTAX; goto fail; }
    p++;
    goto value;

after_value:
    if (depth == 0) goto done;
    AWR__JSON_PEEK();
    if (c == ',') {
        p++;
        if (!in_obj) goto value;
        AWR__JSON_PEEK();
        if (c != '"') { r = AWR_ERR_JSON_SYNTAX; goto fail; }
        p++;
        flags = AWR_JSON_KEY;
        goto string;
    }
    if (c != (in_obj ? '}' : ']')) { r = AWR_ERR_JSON_SYNTAX; goto fail; }

close: /* p at the '}' or ']' that closes the container at `depth` */
    if (depth <= emit_limit) {
        if (n <= cap && tokens) {   /* n > cap: the array overflowed, nothing more is stored */
            uint32_t size = in_obj ? cnt >> 1 : cnt;
            t = tokens + cur;
            t->len = (uint32_t)p + 1u - t->start;
            t->next = (uint32_t)n;
            t->info |= (size < AWR_JSON_SIZE_MAX ? size : AWR_JSON_SIZE_MAX) << 8;
            cur = t->parent;
            if (cur != AWR_JSON_NONE) cnt = tokens[cur].len;
        }
    } else if (depth == emit_limit + 1u) {   /* the collapsed container ends */
        cap = saved_cap;
        n = (size_t)collapsed + 1u;
        cnt = saved_cnt;
        if (n <= cap) tokens[collapsed].len = (uint32_t)p + 1u - tokens[collapsed].start;
    }
    depth--;
    p++;
    if (depth == 0) goto done;
    in_obj = (kinds[(depth - 1u) >> 3] >> ((depth - 1u) & 7u)) & 1;
    goto after_value;

done:
    while (p < len && AWR__JSON_IS_WS(s[p])) p++;
    if (p != len) { r = AWR_ERR_JSON_SYNTAX; goto fail; }
    if (ntokens) *ntokens = n;
    if (err_offset) *err_offset = 0;
    return tokens && n > cap ? AWR_ERR_JSON_TOKENS : AWR_OK;

truncated:
    p = len;
    r = AWR_ERR_JSON_TRUNCATED;
fail:
    if (depth > emit_limit) { cap = saved_cap; n = (size_t)collapsed + 1u; }
    if (ntokens) *ntokens = tokens && n > cap ? cap : n;
    if (err_offset) *err_offset = p;
    return r;
}
#undef AWR__JSON_PEEK

/* Two copies of the loop, one that skims and one that never does, chosen once per parse: the skim's
 * call inside the loop cost every token of a parse without it, as
 * the compiler kept values for it. Optimising for size: one copy. */
#if !AWR_JSON_HAS_SKIM || defined(__OPTIMIZE_SIZE__)
AWR_API awr_result awr_json_parse(const awr_json_options *options, const char *json, size_t len,
                                  awr_json_token *tokens, size_t max_tokens,
                                  size_t *ntokens, size_t *err_offset) {
#if !AWR_JSON_HAS_SKIM
    return awr__json_parse_with(options, json, len, tokens, max_tokens, ntokens, err_offset, 0);
#else
    return awr__json_parse_with(options, json, len, tokens, max_tokens, ntokens, err_offset, options && options->skim);
#endif
}
#else
AWR__JSON_NOINLINE awr_result awr__json_parse_skim(const awr_json_options *options, const char *json, size_t len,
                                                   awr_json_token *tokens, size_t max_tokens,
                                                   size_t *ntokens, size_t *err_offset) {
    return awr__json_parse_with(options, json, len, tokens, max_tokens, ntokens, err_offset, 1);
}
AWR__JSON_NOINLINE awr_result awr__json_parse_full(const awr_json_options *options, const char *json, size_t len,
                                                   awr_json_token *tokens, size_t max_tokens,
                                                   size_t *ntokens, size_t *err_offset) {
    return awr__json_parse_with(options, json, len, tokens, max_tokens, ntokens, err_offset, 0);
}
AWR_API awr_result awr_json_parse(const awr_json_options *options, const char *json, size_t len,
                                  awr_json_token *tokens, size_t max_tokens,
                                  size_t *ntokens, size_t *err_offset) {
    if (options && options->skim) return awr__json_parse_skim(options, json, len, tokens, max_tokens, ntokens, err_offset);
    return awr__json_parse_full(options, json, len, tokens, max_tokens, ntokens, err_offset);
}
#endif

AWR_API void awr_json_span(const awr_json_token *t, size_t *offset, size_t *length) {
    int str = AWR_JSON_TYPE(t) == AWR_JSON_STRING;
    if (offset) *offset = (size_t)t->start - (str ? 1u : 0u);
    if (length) *length = (size_t)t->len + (str ? 2u : 0u);
}

/* ---- escapes --------------------------------------------------------------------------------- */

/* The two-character escapes of JSON, for reading and writing them: each letter that follows the
 * backslash, then the byte it stands for. */
static const char awr__json_short_escapes[16] = {
    '"', '"', '\\', '\\', '/', '/', 'b', '\b', 'f', '\f', 'n', '\n', 'r', '\r', 't', '\t'
};
/* The byte of escape letter c (of_letter 1), or the letter of byte c (of_letter 0); 0 when none. */
static AWR__SIZE_NOINLINE char awr__json_short_escape(char c, int of_letter) {
    size_t k;
    for (k = of_letter ? 0u : 1u; k < sizeof awr__json_short_escapes; k += 2u)
        if (awr__json_short_escapes[k] == c) return awr__json_short_escapes[k ^ 1u];
    return 0;
}

/* Decodes the escape at s[*i] (a backslash) into UTF-8 in out; returns its length (1..4) and moves
 * *i past it, or a negative awr_result. A surrogate pair is one escape here. */
static int awr__json_escape(const char *s, size_t n, size_t *i, unsigned char out[4]) {
    size_t p = *i;
    uint32_t cp;
    int k;
    if (p + 1u >= n) return (int)AWR_ERR_JSON_SYNTAX;
    if (s[p + 1u] != 'u') {
        char b = awr__json_short_escape(s[p + 1u], 1);
        if (!b) return (int)AWR_ERR_JSON_SYNTAX;
        out[0] = (unsigned char)b;
        *i = p + 2u;
        return 1;
    }
    if (n - p < 6u) return (int)AWR_ERR_JSON_SYNTAX;
    cp = 0;
    for (k = 2; k < 6; k++) {
        int h = awr__json_hex((unsigned char)s[p + (size_t)k]);
        if (h < 0) return (int)AWR_ERR_JSON_SYNTAX;
        cp = (cp << 4) | (uint32_t)h;
    }
    p += 6u;
    if (cp >= 0xDC00u && cp <= 0xDFFFu) return (int)AWR_ERR_JSON_SURROGATE;
    if (cp >= 0xD800u && cp <= 0xDBFFu) {
        uint32_t lo = 0;
        if (n - p < 6u || s[p] != '\\' || s[p + 1u] != 'u') return (int)AWR_ERR_JSON_SURROGATE;
        for (k = 2; k < 6; k++) {
            int h = awr__json_hex((unsigned char)s[p + (size_t)k]);
            if (h < 0) return (int)AWR_ERR_JSON_SYNTAX;
            lo = (lo << 4) | (uint32_t)h;
        }
        if (lo < 0xDC00u || lo > 0xDFFFu) return (int)AWR_ERR_JSON_SURROGATE;
        p += 6u;
        cp = 0x10000u + ((cp - 0xD800u) << 10) + (lo - 0xDC00u);
    }
    *i = p;
    if (cp < 0x80u) { out[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800u) {
        out[0] = (unsigned char)(0xC0u | (cp >> 6));
        out[1] = (unsigned char)(0x80u | (cp & 0x3Fu));
        return 2;
    }
    if (cp < 0x10000u) {
        out[0] = (unsigned char)(0xE0u | (cp >> 12));
        out[1] = (unsigned char)(0x80u | ((cp >> 6) & 0x3Fu));
        out[2] = (unsigned char)(0x80u | (cp & 0x3Fu));
        return 3;
    }
    out[0] = (unsigned char)(0xF0u | (cp >> 18));
    out[1] = (unsigned char)(0x80u | ((cp >> 12) & 0x3Fu));
    out[2] = (unsigned char)(0x80u | ((cp >> 6) & 0x3Fu));
    out[3] = (unsigned char)(0x80u | (cp & 0x3Fu));
    return 4;
}

AWR_API awr_result awr_json_unescape_n(const char *s, size_t n, char *out, size_t cap, size_t *out_len) {
    size_t i = 0, o = 0;
    awr_result r = AWR_OK;
    if (out_len) *out_len = 0;
    if ((!s && n) || (!out && cap)) return AWR_ERR_ARG;
    if (cap == 0) return AWR_ERR_BUFFER;
    while (i < n) {
        const char *bs = (const char *)awr__memchr(s + i, '\\', n - i);
        size_t run = bs ? (size_t)(bs - (s + i)) : n - i;
        unsigned char u[4];
        int k;
        if (run > cap - 1u - o) {
            /* as much of the run as fits, backed off to the start of a UTF-8 sequence */
            size_t cut = cap - 1u - o, at = cut;
            while (at > 0 && cut - at < 3u && ((unsigned char)s[i + at] & 0xC0u) == 0x80u) at--;
            if (((unsigned char)s[i + at] & 0xC0u) != 0x80u) cut = at;   /* else not UTF-8: cut anywhere */
            memcpy(out + o, s + i, cut);
            o += cut;
            r = AWR_ERR_BUFFER;
            break;
        }
        memcpy(out + o, s + i, run);
        o += run;
        i += run;
        if (i >= n) break;
        k = awr__json_escape(s, n, &i, u);
        if (k < 0) { r = (awr_result)k; break; }
        if ((size_t)k > cap - 1u - o) { r = AWR_ERR_BUFFER; break; }
        memcpy(out + o, u, (size_t)k);
        o += (size_t)k;
    }
    out[o] = 0;
    if (out_len) *out_len = o;
    return r;
}

AWR_API awr_result awr_json_unescape(const char *json, const awr_json_token *t,
                                     char *out, size_t cap, size_t *out_len) {
    if (out_len) *out_len = 0;
    if (!json || !t) return AWR_ERR_ARG;
    if (AWR_JSON_TYPE(t) != AWR_JSON_STRING) return AWR_ERR_JSON_TYPE;
    return awr_json_unescape_n(json + t->start, t->len, out, cap, out_len);
}

AWR_API int awr_json_eq_n(const char *json, const awr_json_token *t, const char *s, size_t n) {
    const char *p;
    size_t len, i = 0, j = 0;
    if (!json || !t || AWR_JSON_TYPE(t) != AWR_JSON_STRING || (!s && n)) return 0;
    p = json + t->start;
    len = t->len;
    if (!(t->info & AWR_JSON_ESCAPED)) return len == n && (n == 0 || memcmp(p, s, n) == 0);
    if (n > len) return 0;   /* unescaping never makes a string longer */
    while (i < len) {
        unsigned char u[4];
        int k;
        if (p[i] != '\\') {
            if (j >= n || p[i] != s[j]) return 0;
            i++; j++;
            continue;
        }
        k = awr__json_escape(p, len, &i, u);
        if (k < 0 || (size_t)k > n - j || memcmp(u, s + j, (size_t)k) != 0) return 0;
        j += (size_t)k;
    }
    return j == n;
}

AWR_API int awr_json_eq(const char *json, const awr_json_token *t, const char *s) {
    return s ? awr_json_eq_n(json, t, s, awr__strlen(s)) : 0;
}

/* ---- navigation ------------------------------------------------------------------------------ */

AWR_API int awr_json_find_n(const char *json, const awr_json_token *tokens, int obj,
                            const char *key, size_t key_len) {
    const awr_json_token *o;
    uint32_t i, end;
    if (!json || !tokens || obj < 0 || (!key && key_len)) return (int)AWR_ERR_ARG;
    o = tokens + obj;
    if (AWR_JSON_TYPE(o) != AWR_JSON_OBJECT) return (int)AWR_ERR_JSON_TYPE;
    end = o->next;
    for (i = (uint32_t)obj + 1u; i < end; i = tokens[i + 1u].next) {
        const awr_json_token *k = tokens + i;
        if (k->len == key_len && !(k->info & AWR_JSON_ESCAPED)) {
            if (key_len == 0 || memcmp(json + k->start, key, key_len) == 0) return (int)i + 1;
        } else if ((k->info & AWR_JSON_ESCAPED) && awr_json_eq_n(json, k, key, key_len)) {
            return (int)i + 1;
        }
    }
    return (int)AWR_ERR_NOT_FOUND;
}

AWR_API int awr_json_find(const char *json, const awr_json_token *tokens, int obj, const char *key) {
    if (!key) return (int)AWR_ERR_ARG;
    return awr_json_find_n(json, tokens, obj, key, awr__strlen(key));
}

AWR_API int awr_json_first(const awr_json_token *tokens, int container) {
    const awr_json_token *c;
    if (!tokens || container < 0) return (int)AWR_ERR_ARG;
    c = tokens + container;
    if (AWR_JSON_TYPE(c) != AWR_JSON_OBJECT && AWR_JSON_TYPE(c) != AWR_JSON_ARRAY) return (int)AWR_ERR_JSON_TYPE;
    return c->next > (uint32_t)container + 1u ? container + 1 : (int)AWR_ERR_NOT_FOUND;
}

AWR_API int awr_json_next(const awr_json_token *tokens, int child) {
    const awr_json_token *c;
    uint32_t nx;
    if (!tokens || child < 0) return (int)AWR_ERR_ARG;
    c = tokens + child;
    if (c->parent == AWR_JSON_NONE) return (int)AWR_ERR_NOT_FOUND;
    nx = (c->info & AWR_JSON_KEY) ? tokens[child + 1].next : c->next;
    return nx < tokens[c->parent].next ? (int)nx : (int)AWR_ERR_NOT_FOUND;
}

AWR_API int awr_json_at(const awr_json_token *tokens, int arr, size_t i) {
    int c;
    if (!tokens || arr < 0) return (int)AWR_ERR_ARG;
    if (AWR_JSON_TYPE(tokens + arr) != AWR_JSON_ARRAY) return (int)AWR_ERR_JSON_TYPE;
    if (i >= AWR_JSON_SIZE(tokens + arr) && AWR_JSON_SIZE(tokens + arr) < AWR_JSON_SIZE_MAX) return (int)AWR_ERR_NOT_FOUND;
    for (c = awr_json_first(tokens, arr); c >= 0 && i > 0; i--) c = awr_json_next(tokens, c);
    return c;
}

AWR_API int awr_json_path(const char *json, const awr_json_token *tokens, int root, const char *path) {
    int cur = root;
    if (!json || !tokens || !path || root < 0) return (int)AWR_ERR_ARG;
    if (*path == 0) return root;
    for (;;) {
        const char *seg = path;
        size_t n;
        while (*path && *path != '.') path++;
        n = (size_t)(path - seg);
        if (AWR_JSON_TYPE(tokens + cur) == AWR_JSON_OBJECT) {
            cur = awr_json_find_n(json, tokens, cur, seg, n);
        } else if (AWR_JSON_TYPE(tokens + cur) == AWR_JSON_ARRAY) {
            size_t idx = 0, k;
            if (n == 0 || n > 9u) return (int)AWR_ERR_NOT_FOUND;
            for (k = 0; k < n; k++) {
                if (!AWR__JSON_IS_DIGIT((unsigned char)seg[k])) return (int)AWR_ERR_NOT_FOUND;
                idx = idx * 10u + (size_t)(seg[k] - '0');
            }
            cur = awr_json_at(tokens, cur, idx);
        } else {
            return (int)AWR_ERR_NOT_FOUND;
        }
        if (cur < 0) return cur == (int)AWR_ERR_JSON_TYPE ? (int)AWR_ERR_NOT_FOUND : cur;
        if (*path == 0) return cur;
        path++;
    }
}

/* ---- numbers --------------------------------------------------------------------------------- */

/* Checks that s[0..n) is exactly one JSON number; *is_int = 0 when it has a fraction or an exponent. */
static awr_result awr__json_number_text(const char *s, size_t n, int *is_int) {
    size_t p = 0;
    uint32_t flags = 0;
    awr_result r;
    *is_int = 0;
    if (!s) return AWR_ERR_ARG;
    if (n == 0) return AWR_ERR_JSON_SYNTAX;
    if (s[0] != '-' && !AWR__JSON_IS_DIGIT((unsigned char)s[0])) return AWR_ERR_JSON_SYNTAX;
    r = awr__json_scan_number((const unsigned char *)s, n, &p, &flags);
    if (r != AWR_OK || p != n) return AWR_ERR_JSON_SYNTAX;
    *is_int = !(flags & AWR_JSON_FRACTION);
    return AWR_OK;
}

/* Magnitude of an integer literal into *mag; 0 on overflow of uint64. */
static int awr__json_magnitude(const char *s, size_t n, uint64_t *mag) {
    size_t i = s[0] == '-' ? 1u : 0u;
    uint64_t v = 0;
    for (; i < n; i++) {
        uint64_t d = (uint64_t)(s[i] - '0');
        /* v * 10 + d > 2^64 - 1, with constants: no 64-bit division (none on Cortex-M) */
        if (v > 1844674407370955161u || (v == 1844674407370955161u && d > 5u)) return 0;
        v = v * 10u + d;
    }
    *mag = v;
    return 1;
}

/* The magnitude of the integer s[0..n) (exactly one JSON number, without fraction or exponent) into
 * *mag: AWR_ERR_JSON_TYPE for a fraction or an exponent, AWR_ERR_JSON_RANGE past uint64. */
static awr_result awr__json_integer(const char *s, size_t n, uint64_t *mag) {
    int is_int;
    awr_result r = awr__json_number_text(s, n, &is_int);
    if (r != AWR_OK) return r;
    if (!is_int) return AWR_ERR_JSON_TYPE;
    return awr__json_magnitude(s, n, mag) ? AWR_OK : AWR_ERR_JSON_RANGE;
}

AWR_API awr_result awr_json_uint64_n(const char *s, size_t n, uint64_t *out) {
    uint64_t v;
    awr_result r = awr__json_integer(s, n, &v);
    if (out) *out = 0;
    if (r != AWR_OK) return r;
    if (s[0] == '-' && v != 0) return AWR_ERR_JSON_RANGE;
    if (out) *out = v;
    return AWR_OK;
}

AWR_API awr_result awr_json_int64_n(const char *s, size_t n, int64_t *out) {
    uint64_t v;
    awr_result r = awr__json_integer(s, n, &v);
    if (out) *out = 0;
    if (r != AWR_OK) return r;
    if (s[0] == '-') {
        if (v > 0x8000000000000000u) return AWR_ERR_JSON_RANGE;
        /* -(v - 1) - 1 stays inside int64 for v = 2^63 */
        if (out) *out = v == 0 ? 0 : -(int64_t)(v - 1u) - 1;
    } else {
        if (v > 0x7FFFFFFFFFFFFFFFu) return AWR_ERR_JSON_RANGE;
        if (out) *out = (int64_t)v;
    }
    return AWR_OK;
}

AWR_API awr_result awr_json_int64(const char *json, const awr_json_token *t, int64_t *out) {
    if (out) *out = 0;
    if (!json || !t) return AWR_ERR_ARG;
    if (AWR_JSON_TYPE(t) != AWR_JSON_NUMBER) return AWR_ERR_JSON_TYPE;
    return awr_json_int64_n(json + t->start, t->len, out);
}

AWR_API awr_result awr_json_uint64(const char *json, const awr_json_token *t, uint64_t *out) {
    if (out) *out = 0;
    if (!json || !t) return AWR_ERR_ARG;
    if (AWR_JSON_TYPE(t) != AWR_JSON_NUMBER) return AWR_ERR_JSON_TYPE;
    return awr_json_uint64_n(json + t->start, t->len, out);
}

#ifndef AWR_NO_JSON_DOUBLE
/* A big decimal for the exact fallback of awr_json_double: the value is 0.d[0]d[1]...d[nd-1] x 10^dp,
 * digits as values 0..9. 800 digits are more than any double needs to be rounded correctly; digits
 * beyond them only matter to break a tie, which `trunc` (a nonzero digit was dropped) records. The
 * value is scaled by powers of two until it lies in [0.5, 1), then the 53 bits are read off. */
#define AWR__JSON_DEC_DIGITS 800
typedef struct awr__json_dec {
    unsigned char d[AWR__JSON_DEC_DIGITS];
    int nd, dp, trunc;
} awr__json_dec;

static void awr__json_dec_trim(awr__json_dec *a) {
    while (a->nd > 0 && a->d[a->nd - 1] == 0) a->nd--;
    if (a->nd == 0) a->dp = 0;
}

/* a /= 2^k, k <= 60 (so n * 10 + 9 fits 64 bits). */
static void awr__json_dec_rshift(awr__json_dec *a, unsigned k) {
    int r = 0, w = 0;
    uint64_t n = 0, mask = ((uint64_t)1 << k) - 1u;
    for (; (n >> k) == 0; r++) {
        if (r >= a->nd) {
            if (n == 0) { a->nd = 0; return; }
            while ((n >> k) == 0) { n *= 10u; r++; }
            break;
        }
        n = n * 10u + a->d[r];
    }
    a->dp -= r - 1;
    for (; r < a->nd; r++) {
        uint64_t dig = n >> k;
        n &= mask;
        a->d[w++] = (unsigned char)dig;
        n = n * 10u + a->d[r];
    }
    while (n > 0) {
        uint64_t dig = n >> k;
        n &= mask;
        if (w < AWR__JSON_DEC_DIGITS) a->d[w++] = (unsigned char)dig;
        else if (dig > 0) a->trunc = 1;
        n *= 10u;
    }
    a->nd = w;
    awr__json_dec_trim(a);
}

/* a *= 2^k, k <= 60: digits are produced from the right into a window that is `grow` digits longer
 * (2^k has at most floor(k log10 2) + 1 digits), then moved down to index 0. */
static void awr__json_dec_lshift(awr__json_dec *a, unsigned k) {
    int grow = (int)(k * 31u / 100u) + 2, r = a->nd - 1, w = a->nd - 1 + grow, end, lo;
    uint64_t n = 0;
    for (; r >= 0; r--, w--) {
        uint64_t q;
        n += (uint64_t)a->d[r] << k;
        q = n / 10u;
        if (w < AWR__JSON_DEC_DIGITS) a->d[w] = (unsigned char)(n - q * 10u);
        else if (n - q * 10u != 0) a->trunc = 1;
        n = q;
    }
    for (; n > 0; w--) {
        uint64_t q = n / 10u;
        if (w < AWR__JSON_DEC_DIGITS) a->d[w] = (unsigned char)(n - q * 10u);
        else if (n - q * 10u != 0) a->trunc = 1;
        n = q;
    }
    lo = w + 1;
    end = a->nd + grow < AWR__JSON_DEC_DIGITS ? a->nd + grow : AWR__JSON_DEC_DIGITS;
    awr__memmove(a->d, a->d + lo, (size_t)(end - lo));
    a->nd = end - lo;
    a->dp += grow - lo;
    awr__json_dec_trim(a);
}

static void awr__json_dec_shift(awr__json_dec *a, int k) {
    if (a->nd == 0) return;
    while (k > 60) { awr__json_dec_lshift(a, 60u); k -= 60; }
    if (k > 0) awr__json_dec_lshift(a, (unsigned)k);
    while (k < -60) { awr__json_dec_rshift(a, 60u); k += 60; }
    if (k < 0) awr__json_dec_rshift(a, (unsigned)-k);
}

/* The integer part, rounded half to even (a dropped nonzero digit makes a tie round up). */
static uint64_t awr__json_dec_round(const awr__json_dec *a) {
    uint64_t v = 0;
    int i, up;
    for (i = 0; i < a->dp && i < a->nd; i++) v = v * 10u + a->d[i];
    for (; i < a->dp; i++) v *= 10u;
    if (a->dp < 0 || a->dp >= a->nd) up = 0;
    else if (a->d[a->dp] == 5 && a->dp + 1 == a->nd) up = a->trunc || (a->dp > 0 && (a->d[a->dp - 1] & 1u));
    else up = a->d[a->dp] >= 5;
    return v + (up ? 1u : 0u);
}

/* IEEE binary64 bits (without the sign) of the decimal; *overflow when it is beyond DBL_MAX. */
static uint64_t awr__json_dec_bits(awr__json_dec *a, int *overflow) {
    static const int powtab[9] = {1, 3, 6, 9, 13, 16, 19, 23, 26};
    int e = 0;
    uint64_t mant;
    *overflow = 0;
    if (a->nd == 0) return 0;
    if (a->dp > 310) { *overflow = 1; return 0x7FF0000000000000u; }
    if (a->dp < -330) return 0;
    while (a->dp > 0) {
        int k = a->dp >= 9 ? 27 : powtab[a->dp];
        awr__json_dec_shift(a, -k);
        e += k;
    }
    while (a->dp < 0 || (a->dp == 0 && a->d[0] < 5)) {
        int k = -a->dp >= 9 ? 27 : powtab[-a->dp];
        awr__json_dec_shift(a, k);
        e -= k;
    }
    e--;                                /* the value is now in [1, 2) x 2^e */
    if (e < -1022) {                    /* subnormal: fix the exponent, lose bits */
        awr__json_dec_shift(a, -(-1022 - e));
        e = -1022;
    }
    if (e > 1023) { *overflow = 1; return 0x7FF0000000000000u; }
    awr__json_dec_shift(a, 53);
    mant = awr__json_dec_round(a);
    if (mant == ((uint64_t)2 << 52)) {  /* rounding carried into a new bit */
        mant >>= 1;
        e++;
        if (e > 1023) { *overflow = 1; return 0x7FF0000000000000u; }
    }
    if (!(mant & ((uint64_t)1 << 52))) e = -1023;   /* subnormal */
    return (mant & (((uint64_t)1 << 52) - 1u)) | ((uint64_t)(e + 1023) << 52);
}

static double awr__json_from_bits(uint64_t bits) {
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

AWR_API awr_result awr_json_double_n(const char *s, size_t n, double *out) {
    awr__json_dec dec;
    int is_int, neg, overflow, sig = 0;
    size_t i = 0;
    uint64_t w = 0, bits;
    long exp10 = 0, dp = 0;    /* value = w x 10^(dp - sig) while sig <= 19 */
    awr_result r = awr__json_number_text(s, n, &is_int);
    if (out) *out = 0.0;
    if (r != AWR_OK) return r;
    neg = s[0] == '-';
    if (neg) i++;
    /* Pass 1: up to 19 significant digits in w, the decimal exponent, for the fast path. */
    {
        size_t k = i;
        int seen_point = 0;
        for (; k < n && (AWR__JSON_IS_DIGIT((unsigned char)s[k]) || s[k] == '.'); k++) {
            if (s[k] == '.') { seen_point = 1; continue; }
            if (sig == 0 && s[k] == '0') { if (seen_point) dp--; continue; }
            if (sig < 19) w = w * 10u + (uint64_t)(s[k] - '0');
            sig++;
            if (!seen_point) dp++;
        }
        if (k < n) {   /* exponent; saturate, anything this large is 0 or infinite anyway */
            int eneg = 0;
            k++;
            if (s[k] == '+' || s[k] == '-') { eneg = s[k] == '-'; k++; }
            for (; k < n; k++) if (exp10 < 100000) exp10 = exp10 * 10 + (s[k] - '0');
            if (eneg) exp10 = -exp10;
        }
    }
    if (sig == 0) { if (out) *out = neg ? -0.0 : 0.0; return AWR_OK; }
#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD == 0
    if (sig <= 19 && w <= ((uint64_t)1 << 53)) {
        /* Clinger: w and 10^e are exact doubles, so one multiplication or division rounds once. (With
         * x87 arithmetic, FLT_EVAL_METHOD 2 as on x86 without SSE2, it would round twice: no fast path.) */
        static const double pow10[23] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                         1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
        long e = dp - sig + exp10;
        double d = (double)w;
        if (e >= -22 && e <= 22) {
            d = e < 0 ? d / pow10[-e] : d * pow10[e];
            if (out) *out = neg ? -d : d;
            return AWR_OK;
        }
        if (e > 22 && e <= 22 + 15) {   /* w x 10^(e-22) may still be an exact integer below 2^53 */
            uint64_t m = w;
            long k;
            for (k = 0; k < e - 22 && m <= ((uint64_t)1 << 53); k++) m *= 10u;
            if (m <= ((uint64_t)1 << 53)) {
                d = (double)m * 1e22;
                if (out) *out = neg ? -d : d;
                return AWR_OK;
            }
        }
    }
#endif
    /* Exact fallback: every digit into the big decimal. */
    dec.nd = 0; dec.dp = 0; dec.trunc = 0;
    {
        size_t k = i;
        int seen_point = 0, any = 0;
        for (; k < n && (AWR__JSON_IS_DIGIT((unsigned char)s[k]) || s[k] == '.'); k++) {
            if (s[k] == '.') { seen_point = 1; continue; }
            if (!any && s[k] == '0') { if (seen_point) dec.dp--; continue; }
            any = 1;
            if (!seen_point) dec.dp++;
            if (dec.nd < AWR__JSON_DEC_DIGITS) dec.d[dec.nd++] = (unsigned char)(s[k] - '0');
            else if (s[k] != '0') dec.trunc = 1;
        }
    }
    {
        long dpl = (long)dec.dp + exp10;
        dec.dp = dpl > 100000 ? 100000 : dpl < -100000 ? -100000 : (int)dpl;
    }
    awr__json_dec_trim(&dec);
    bits = awr__json_dec_bits(&dec, &overflow);
    if (neg) bits |= (uint64_t)1 << 63;
    if (out) *out = awr__json_from_bits(bits);
    return overflow ? AWR_ERR_JSON_RANGE : AWR_OK;
}

AWR_API awr_result awr_json_double(const char *json, const awr_json_token *t, double *out) {
    if (out) *out = 0.0;
    if (!json || !t) return AWR_ERR_ARG;
    if (AWR_JSON_TYPE(t) != AWR_JSON_NUMBER) return AWR_ERR_JSON_TYPE;
    return awr_json_double_n(json + t->start, t->len, out);
}
#endif

AWR_API awr_result awr_json_bool(const char *json, const awr_json_token *t, int *out) {
    if (out) *out = 0;
    if (!json || !t) return AWR_ERR_ARG;
    if (AWR_JSON_TYPE(t) == AWR_JSON_TRUE) { if (out) *out = 1; return AWR_OK; }
    return AWR_JSON_TYPE(t) == AWR_JSON_FALSE ? AWR_OK : AWR_ERR_JSON_TYPE;
}

/* ---- compact --------------------------------------------------------------------------------- */

#ifndef AWR_NO_JSON_COMPACT
/* Appends json[0..len) to o without the whitespace outside strings, a run at a time: the bytes up to
 * the next blank or quote, or a whole string (escapes included, byte for byte). */
static awr_result awr__json_compact_to(awr__out *o, const char *json, size_t len) {
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        if (json[j] == '"') {
            j++;
            while (j < len && json[j] != '"') j += json[j] == '\\' ? 2u : 1u;
            if (j >= len) return AWR_ERR_JSON_TRUNCATED;
            j++;
        } else {
            while (j < len && json[j] != '"' && !AWR__JSON_IS_WS((unsigned char)json[j])) j++;
        }
        awr__out_mem(o, json + i, j - i);
        while (j < len && AWR__JSON_IS_WS((unsigned char)json[j])) j++;
        i = j;
    }
    return AWR_OK;
}

AWR_API awr_result awr_json_compact(const char *json, size_t len, char *out, size_t cap, size_t *out_len) {
    awr__out o;
    awr_result r;
    if (out_len) *out_len = 0;
    if (out && cap) out[0] = 0;
    if ((!json && len) || (!out && cap)) return AWR_ERR_ARG;
    if (cap == 0) return AWR_ERR_BUFFER;
    awr__out_init(&o, out, cap);
    r = awr__json_compact_to(&o, json, len);
    if (r == AWR_OK && o.overflow) r = AWR_ERR_BUFFER;
    if (r != AWR_OK) { out[0] = 0; return r; }   /* "" on failure, not the part before it */
    if (out_len) *out_len = o.len;
    return AWR_OK;
}
#endif

/* ---- writer ---------------------------------------------------------------------------------- */

AWR_API void awr_json_writer_init(awr_json_writer *w, char *buf, size_t cap) {
    if (!w) return;
    memset(w, 0, sizeof *w);
    awr__out_init(&w->out, buf, cap);
}

/* A full buffer is not recorded in err (the writer goes on counting past it): it is the first error
 * when it came before the one recorded now. */
static void awr__jw_fail(awr_json_writer *w, awr_result r) {
    if (w->err == AWR_OK) w->err = w->out.overflow ? AWR_ERR_BUFFER : r;
}

static void awr__jw_put(awr_json_writer *w, const char *s, size_t n) {
    if (w->err == AWR_OK) awr__out_mem(&w->out, s, n);
}

/* Before any value: the comma, or nothing after a key; a value where a key belongs is misuse. */
static int awr__jw_value(awr_json_writer *w) {
    uint32_t bit;
    if (w->err != AWR_OK) return 0;
    if (w->depth == 0) {
        if (w->out.len > 0) { awr__jw_fail(w, AWR_ERR_STATE); return 0; }   /* one root value only */
        return 1;
    }
    bit = 1u << (w->depth - 1u);
    if (w->objects & bit) {
        if (!w->after_key) { awr__jw_fail(w, AWR_ERR_STATE); return 0; }
        w->after_key = 0;
        return 1;
    }
    if (w->nonempty & bit) awr__jw_put(w, ",", 1);
    w->nonempty |= bit;
    return w->err == AWR_OK;
}

/* Code points the official SDKs write as \uXXXX although JSON allows them raw (json-bigint's quote(),
 * which their Query helper uses): U+007F-U+009F, U+00AD, U+0600-U+0604, U+070F, U+17B4, U+17B5,
 * U+200C-U+200F, U+2028-U+202F, U+2060-U+206F, U+FEFF, U+FFF0-U+FFFF. */
static int awr__jw_sdk_escaped(uint32_t cp) {
    return (cp >= 0x7Fu && cp <= 0x9Fu) || cp == 0xADu || (cp >= 0x600u && cp <= 0x604u) || cp == 0x70Fu ||
           cp == 0x17B4u || cp == 0x17B5u || (cp >= 0x200Cu && cp <= 0x200Fu) || (cp >= 0x2028u && cp <= 0x202Fu) ||
           (cp >= 0x2060u && cp <= 0x206Fu) || cp == 0xFEFFu || cp >= 0xFFF0u;
}

/* The code point of the k-byte (valid) UTF-8 character at u. */
static uint32_t awr__jw_code_point(const unsigned char *u, size_t k) {
    uint32_t cp = k == 1 ? u[0] : (uint32_t)(u[0] & (0x7Fu >> k));
    size_t j;
    for (j = 1; j < k; j++) cp = (cp << 6) | (uint32_t)(u[j] & 0x3Fu);
    return cp;
}

/* A string literal; sdk_escapes: also the \uXXXX escapes of awr__jw_sdk_escaped (below U+10000 only,
 * so one escape per character). */
static void awr__jw_string(awr_json_writer *w, const char *s, size_t n, int sdk_escapes) {
    static const char hexd[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, run = 0;
    awr__jw_put(w, "\"", 1);
    while (i < n && w->err == AWR_OK) {
        unsigned char c = u[i];
        uint32_t cp = c;
        char esc[6];
        size_t elen = 2, k = 1;
        if (c >= 0x20u && c != '"' && c != '\\' && c < 0x7Fu) { i++; continue; }
        if (c >= 0x7Fu) {
            int short_input;
            if (c >= 0x80u) k = awr__json_utf8_char(u, i, n, &short_input);
            if (k == 0) { awr__jw_fail(w, AWR_ERR_JSON_UTF8); return; }
            if (!sdk_escapes || k == 4 || !awr__jw_sdk_escaped(cp = awr__jw_code_point(u + i, k))) { i += k; continue; }
        }
        awr__jw_put(w, s + run, i - run);
        esc[0] = '\\';
        esc[1] = cp < 0x7Fu ? awr__json_short_escape((char)cp, 0) : 0;
        if (!esc[1]) {
            esc[1] = 'u'; esc[2] = hexd[(cp >> 12) & 15u]; esc[3] = hexd[(cp >> 8) & 15u];
            esc[4] = hexd[(cp >> 4) & 15u]; esc[5] = hexd[cp & 15u];
            elen = 6;
        }
        awr__jw_put(w, esc, elen);
        i += k;
        run = i;
    }
    awr__jw_put(w, s + run, n - run);
    awr__jw_put(w, "\"", 1);
}

static void awr__jw_begin(awr_json_writer *w, int object) {
    if (!w || !awr__jw_value(w)) return;
    if (w->depth >= AWR_JSON_WRITER_DEPTH) { awr__jw_fail(w, AWR_ERR_JSON_DEPTH); return; }
    awr__jw_put(w, object ? "{" : "[", 1);
    if (object) w->objects |= 1u << w->depth;
    else w->objects &= ~(1u << w->depth);
    w->nonempty &= ~(1u << w->depth);
    w->depth++;
}

static void awr__jw_end(awr_json_writer *w, int object) {
    uint32_t bit;
    if (!w || w->err != AWR_OK) return;
    if (w->depth == 0) { awr__jw_fail(w, AWR_ERR_STATE); return; }
    bit = 1u << (w->depth - 1u);
    if (((w->objects & bit) != 0) != (object != 0) || w->after_key) { awr__jw_fail(w, AWR_ERR_STATE); return; }
    awr__jw_put(w, object ? "}" : "]", 1);
    w->depth--;
}

AWR_API void awr_json_write_begin_object(awr_json_writer *w) { awr__jw_begin(w, 1); }
AWR_API void awr_json_write_end_object(awr_json_writer *w) { awr__jw_end(w, 1); }
AWR_API void awr_json_write_begin_array(awr_json_writer *w) { awr__jw_begin(w, 0); }
AWR_API void awr_json_write_end_array(awr_json_writer *w) { awr__jw_end(w, 0); }

AWR_API void awr_json_write_key_n(awr_json_writer *w, const char *key, size_t n) {
    uint32_t bit;
    if (!w || w->err != AWR_OK) return;
    if (!key && n) { awr__jw_fail(w, AWR_ERR_ARG); return; }
    if (w->depth == 0) { awr__jw_fail(w, AWR_ERR_STATE); return; }
    bit = 1u << (w->depth - 1u);
    if (!(w->objects & bit) || w->after_key) { awr__jw_fail(w, AWR_ERR_STATE); return; }
    if (w->nonempty & bit) awr__jw_put(w, ",", 1);
    w->nonempty |= bit;
    awr__jw_string(w, key ? key : "", n, 0);
    awr__jw_put(w, ":", 1);
    w->after_key = 1;
}

AWR_API void awr_json_write_key(awr_json_writer *w, const char *key) {
    if (!key) { if (w) awr__jw_fail(w, AWR_ERR_ARG); return; }
    awr_json_write_key_n(w, key, awr__strlen(key));
}

AWR_API void awr_json_write_string_n(awr_json_writer *w, const char *s, size_t n) {
    if (!w) return;
    if (!s && n) { awr__jw_fail(w, AWR_ERR_ARG); return; }
    if (!awr__jw_value(w)) return;
    awr__jw_string(w, s ? s : "", n, 0);
}

AWR_API void awr_json_write_null(awr_json_writer *w) {
    if (w && awr__jw_value(w)) awr__jw_put(w, "null", 4);
}

AWR_API void awr_json_write_string(awr_json_writer *w, const char *s) {
    if (!s) awr_json_write_null(w);
    else awr_json_write_string_n(w, s, awr__strlen(s));
}

AWR_API void awr_json_write_uint64(awr_json_writer *w, uint64_t v) {
    if (w && awr__jw_value(w)) awr__out_dec(&w->out, v);
}

AWR_API void awr_json_write_int64(awr_json_writer *w, int64_t v) {
    if (!w || !awr__jw_value(w)) return;
    if (v < 0) awr__out_char(&w->out, '-');
    awr__out_dec(&w->out, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
}

AWR_API void awr_json_write_bool(awr_json_writer *w, int v) {
    if (w && awr__jw_value(w)) awr__jw_put(w, v ? "true" : "false", v ? 4u : 5u);
}

#ifndef AWR_NO_JSON_DOUBLE
/* a = m x 2^e2, exactly (a double has at most 767 significant digits; so has a midpoint between two). */
static void awr__json_dec_exact(awr__json_dec *a, uint64_t m, int e2) {
    char t[AWR__DEC_MAX];
    int i = (int)awr__dec(m, t), p;
    a->nd = a->dp = AWR__DEC_MAX - i;
    a->trunc = 0;
    for (p = 0; p < a->nd; p++) a->d[p] = (unsigned char)(t[i + p] - '0');
    awr__json_dec_trim(a);
    awr__json_dec_shift(a, e2);
}

/* The sign of 0.dig[0..k) x 10^point - b (dig[0] is not '0'; b > 0, its first digit not 0 either). */
static int awr__json_dec_cmp(const char *dig, int k, int point, const awr__json_dec *b) {
    int i;
    if (point != b->dp) return point < b->dp ? -1 : 1;
    for (i = 0; i < k || i < b->nd; i++) {
        int x = i < k ? dig[i] - '0' : 0, y = i < b->nd ? b->d[i] : 0;
        if (x != y) return x < y ? -1 : 1;
    }
    return 0;
}

/* The decimals that read back as v = m x 2^e2 are those between the midpoints to its neighbours,
 * low and high; one that is a midpoint reads back as v when m is even (ties round to even). */
typedef struct awr__json_interval {
    awr__json_dec low, high;
    int even;
} awr__json_interval;

static int awr__json_reads_back(const char *dig, int k, int point, const awr__json_interval *iv) {
    int lo = awr__json_dec_cmp(dig, k, point, &iv->low), hi = awr__json_dec_cmp(dig, k, point, &iv->high);
    return (lo > 0 || (lo == 0 && iv->even)) && (hi < 0 || (hi == 0 && iv->even));
}

/* The digits ECMAScript's Number::toString picks for a finite v > 0: the fewest that read back as v,
 * and of two such the closer to v (a tie: the even one). v = 0.dig[0..k) x 10^*point; returns k.
 * Exact decimals of v and of the two midpoints decide: no parse, no rounding. Of v's own digits only
 * the first 18 matter (17 at most are written, the 18th and whether more follow break a tie), so v is
 * worked out in the storage of a midpoint: two big decimals on the stack. Below a power of two the
 * neighbour is half as far (unless it is subnormal: the same step). */
static int awr__json_shortest(double v, char dig[17], int *point) {
    awr__json_interval iv;
    char vd[18];
    uint64_t bits, m;
    int e2, field, p, i, nd, vdp, more;
    memcpy(&bits, &v, sizeof bits);
    m = bits & (((uint64_t)1 << 52) - 1u);
    field = (int)((bits >> 52) & 0x7FFu);
    if (field == 0) e2 = -1074;
    else { m |= (uint64_t)1 << 52; e2 = field - 1075; }
    awr__json_dec_exact(&iv.low, m, e2);
    nd = iv.low.nd;
    vdp = iv.low.dp;
    for (i = 0; i < 18; i++) vd[i] = (char)('0' + (i < nd ? iv.low.d[i] : 0));
    more = nd > 18;                          /* (trimmed: a digit past the 18th is not 0) */
    awr__json_dec_exact(&iv.high, 2u * m + 1u, e2 - 1);
    if (m == (uint64_t)1 << 52 && field > 1) awr__json_dec_exact(&iv.low, 4u * m - 1u, e2 - 2);
    else awr__json_dec_exact(&iv.low, 2u * m - 1u, e2 - 1);
    iv.even = !(m & 1u);
    for (p = 1; p <= 17 && p < nd; p++) {
        char hi[17];
        int hi_point = vdp, lo_ok, hi_ok, j, up;
        memcpy(hi, vd, (size_t)p);
        for (j = p - 1; j >= 0 && hi[j] == '9'; j--) hi[j] = '0';
        if (j < 0) { hi[0] = '1'; hi_point++; }
        else hi[j]++;
        lo_ok = awr__json_reads_back(vd, p, vdp, &iv);
        hi_ok = awr__json_reads_back(hi, p, hi_point, &iv);
        if (!lo_ok && !hi_ok) continue;
        if (lo_ok && hi_ok) {                /* the rest of the digits against one half */
            if (vd[p] != '5') up = vd[p] > '5';
            else {
                up = more;
                for (i = p + 1; i < 18 && !up; i++) up = vd[i] != '0';
                if (!up) up = (vd[p - 1] - '0') & 1;
            }
        } else up = hi_ok;
        memcpy(dig, up ? hi : vd, (size_t)p);
        *point = up ? hi_point : vdp;
        return p;
    }
    p = nd < 17 ? nd : 17;                   /* at most 17 digits: v itself */
    memcpy(dig, vd, (size_t)p);
    *point = vdp;
    return p;
}

AWR_API void awr_json_write_double(awr_json_writer *w, double v) {
    char dig[17];
    awr__out *o;
    int k, point, i;
    if (!w) return;
    if (v != v || v - v != 0) { awr_json_write_null(w); return; }   /* NaN, +-Infinity */
    if (!awr__jw_value(w)) return;
    o = &w->out;
    if (v == 0) { awr__out_char(o, '0'); return; }
    if (v < 0) { awr__out_char(o, '-'); v = -v; }
    k = awr__json_shortest(v, dig, &point);
    if (k <= point && point <= 21) {              /* an integer: the digits and zeros */
        awr__out_mem(o, dig, (size_t)k);
        for (i = k; i < point; i++) awr__out_char(o, '0');
    } else if (0 < point && point <= 21) {        /* 12.5 */
        awr__out_mem(o, dig, (size_t)point);
        awr__out_char(o, '.');
        awr__out_mem(o, dig + point, (size_t)(k - point));
    } else if (-6 < point && point <= 0) {        /* 0.000125 */
        awr__out_str(o, "0.");
        for (i = point; i < 0; i++) awr__out_char(o, '0');
        awr__out_mem(o, dig, (size_t)k);
    } else {                                      /* 1.25e+21, 1e-7 */
        awr__out_char(o, dig[0]);
        if (k > 1) { awr__out_char(o, '.'); awr__out_mem(o, dig + 1, (size_t)(k - 1)); }
        awr__out_str(o, point - 1 < 0 ? "e-" : "e+");
        awr__out_dec(o, point - 1 < 0 ? (uint64_t)(1 - point) : (uint64_t)(point - 1));
    }
}
#endif

AWR_API void awr_json_write_raw(awr_json_writer *w, const char *json, size_t n) {
    if (!w) return;
    if (!json || n == 0) { awr__jw_fail(w, AWR_ERR_ARG); return; }
    if (awr__jw_value(w)) awr__jw_put(w, json, n);
}

AWR_API awr_result awr_json_writer_error(const awr_json_writer *w) {
    if (!w) return AWR_ERR_ARG;
    if (w->err != AWR_OK) return w->err;
    return w->out.overflow ? AWR_ERR_BUFFER : AWR_OK;
}

AWR_API awr_result awr_json_writer_finish(awr_json_writer *w, size_t *len) {
    awr_result r = awr_json_writer_error(w);
    if (len) *len = 0;
    if (!w) return r;
    if (w->out.p && !w->out.overflow) w->out.p[w->out.len] = 0;   /* after a value taken back too */
    if (r != AWR_OK) return r;
    if (w->depth != 0 || w->out.len == 0) return AWR_ERR_STATE;
    if (len) *len = w->out.len;
    return AWR_OK;
}

/* ==================================================================================================
 * MATCH (implementation)
 * ================================================================================================== */

AWR_API int awr_match_n(const char *pattern, size_t pattern_len, const char *name, size_t name_len) {
    /* One byte loop over both strings: most patterns differ from a name within its first bytes, so
       failing at the first different byte beats splitting both into segments first. */
    size_t pi = 0, ni = 0;
    if (!pattern || !name) return 0;
    for (;;) {
        if (pi < pattern_len && pattern[pi] == '*' && (pi + 1 == pattern_len || pattern[pi + 1] == '.')) {
            size_t start = ni;
            while (ni < name_len && name[ni] != '.') ni++;
            if (ni == start) return 0;                   /* `*` needs a segment of at least one byte */
            pi++;
        } else {
            while (pi < pattern_len && pattern[pi] != '.') {
                if (ni == name_len || name[ni] != pattern[pi]) return 0;
                pi++;
                ni++;
            }
            if (ni < name_len && name[ni] != '.') return 0;
        }
        /* both stand at the end of a segment */
        if (pi == pattern_len || ni == name_len) return pi == pattern_len && ni == name_len;
        pi++;
        ni++;
    }
}

AWR_API int awr_match(const char *pattern, const char *name) {
    if (!pattern || !name) return 0;
    return awr_match_n(pattern, awr__strlen(pattern), name, awr__strlen(name));
}

#ifndef AWR_NO_MATCH_SET
/* ---- pattern set: a segment trie ------------------------------------------------------------------
 * Record 0 is the root. A node has literal children (a sibling list, each with the hash of its
 * segment so most comparisons are one word) and at most one `*` child; the patterns that end at a
 * node hang off it as a list of end records, which reuse the node layout (hash = pattern id). Link
 * value 0 means "none": the root is never anyone's child or end record. */
/* Length of the segment that starts at s (up to the next dot or the end). */
static size_t awr__match_segment_len(const char *s, size_t len) {
    const void *dot = len ? awr__memchr(s, '.', len) : NULL;
    return dot ? (size_t)((const char *)dot - s) : len;
}

static int awr__match_is_star(const char *seg, size_t len) {
    return len == 1 && seg[0] == '*';
}

typedef struct awr__match_node {
    uint32_t hash;   /* fingerprint of the segment; in an end record: the pattern id */
    uint32_t text;   /* offset of the segment text from the start of the set's memory */
    uint32_t len;    /* segment length */
    uint32_t child;  /* first literal child */
    uint32_t next;   /* next literal sibling; in an end record: the next end record */
    uint32_t star;   /* the `*` child */
    uint32_t ends;   /* first end record */
    uint32_t below;  /* bit k: a pattern ends k segments below this node (bit 31: 31 or more) */
} awr__match_node;

/* The `below` bit for a distance of k segments. */
static uint32_t awr__match_below_bit(size_t k) {
    return (uint32_t)1u << (k < 31u ? k : 31u);
}

/* A cheap fingerprint of a segment: its length and three of its bytes. Siblings almost always differ
 * in it, so a lookup rarely compares text that does not match, without hashing every byte. */
static uint32_t awr__match_hash(const char *s, size_t len) {
    uint32_t f = (uint32_t)len;
    if (len) {
        f ^= (uint32_t)(unsigned char)s[0] << 8;
        f ^= (uint32_t)(unsigned char)s[len / 2] << 16;
        f ^= (uint32_t)(unsigned char)s[len - 1] << 24;
    }
    return f;
}

static awr__match_node *awr__match_nodes(const awr_match_set *set) {
    return (awr__match_node *)(void *)set->mem;
}

AWR_API awr_result awr_match_set_init(awr_match_set *set, void *mem, size_t size) {
    unsigned char *p = (unsigned char *)mem;
    size_t skew;
    if (!set || !mem) return AWR_ERR_ARG;
    /* Records are arrays of uint32_t: start on a 4-byte boundary whatever the caller passed. */
    skew = (size_t)((4u - (uintptr_t)p % 4u) % 4u);
    if (size < AWR_MATCH_SET_MIN || size - skew < sizeof(awr__match_node)) return AWR_ERR_BUFFER;
    size -= skew;
    if (size > 0xFFFFFFF0u) size = 0xFFFFFFF0u;           /* offsets are 32-bit */
    set->mem = p + skew;
    set->cap = (uint32_t)size;
    set->nodes = 1;
    set->text = 0;
    set->patterns = 0;
    memset(set->mem, 0, sizeof(awr__match_node));
    return AWR_OK;
}

AWR_API uint32_t awr_match_set_count(const awr_match_set *set) {
    return set ? set->patterns : 0;
}

/* The literal child of node n whose segment is seg, or 0. */
static uint32_t awr__match_find_child(const awr_match_set *set, const awr__match_node *n, const char *seg,
                                      size_t len, uint32_t hash) {
    const awr__match_node *nodes = awr__match_nodes(set);
    uint32_t c = n->child;
    while (c) {
        const awr__match_node *k = &nodes[c];
        if (k->hash == hash && k->len == len && memcmp(set->mem + k->text, seg, len) == 0) return c;
        c = k->next;
    }
    return 0;
}

/* Walk as far as the trie already holds the pattern: returns the last node reached, the number of
 * pattern bytes consumed in *used (at a segment start, or len + 1 when the walk reached the end). */
static uint32_t awr__match_walk(const awr_match_set *set, const char *p, size_t len, size_t *used) {
    const awr__match_node *nodes = awr__match_nodes(set);
    uint32_t at = 0;
    size_t i = 0;
    for (;;) {
        size_t sl = awr__match_segment_len(p + i, len - i);
        uint32_t next = awr__match_is_star(p + i, sl)
                            ? nodes[at].star
                            : awr__match_find_child(set, &nodes[at], p + i, sl, awr__match_hash(p + i, sl));
        if (!next) break;
        at = next;
        i += sl + 1;
        if (i > len) break;
    }
    *used = i;
    return at;
}

AWR_API awr_result awr_match_set_add_n(awr_match_set *set, const char *pattern, size_t len, uint32_t *id) {
    awr__match_node *nodes;
    size_t i, used, new_nodes = 0, new_text = 0, segments = 1, need;
    uint32_t at;
    if (id) *id = AWR_MATCH_NO_ID;
    if (!set || !set->mem || !pattern) return AWR_ERR_ARG;
    for (i = 0; i < len; i++) if (pattern[i] == '.') segments++;
    if (segments > AWR_MATCH_MAX_SEGMENTS) return AWR_ERR_LIMIT;
    if (set->patterns == AWR_MATCH_NO_ID) return AWR_ERR_LIMIT;   /* the last value is no id */
    /* First count what the pattern needs, so a set that is too small is left unchanged. */
    at = awr__match_walk(set, pattern, len, &used);
    for (i = used; i <= len; i++) {
        size_t sl = awr__match_segment_len(pattern + i, len - i);
        new_nodes++;
        if (!awr__match_is_star(pattern + i, sl)) new_text += sl;
        i += sl;
    }
    need = ((size_t)set->nodes + new_nodes + 1) * sizeof(awr__match_node) + set->text + new_text;
    if (need > set->cap) return AWR_ERR_BUFFER;
    nodes = awr__match_nodes(set);
    for (i = used; i <= len; i++) {
        size_t sl = awr__match_segment_len(pattern + i, len - i);
        uint32_t n = set->nodes++;
        awr__match_node *k = &nodes[n];
        memset(k, 0, sizeof *k);
        if (awr__match_is_star(pattern + i, sl)) {
            nodes[at].star = n;
        } else {
            set->text += (uint32_t)sl;
            k->text = set->cap - set->text;
            k->len = (uint32_t)sl;
            k->hash = awr__match_hash(pattern + i, sl);
            if (sl) memcpy(set->mem + k->text, pattern + i, sl);
            k->next = nodes[at].child;
            nodes[at].child = n;
        }
        at = n;
        i += sl;
    }
    {
        uint32_t e = set->nodes++;
        memset(&nodes[e], 0, sizeof nodes[e]);
        nodes[e].hash = set->patterns;
        nodes[e].next = nodes[at].ends;
        nodes[at].ends = e;
    }
    /* Tell every node on the path how far below it this pattern ends, so a walk can skip subtrees
       where no pattern has the name's number of segments. */
    at = 0;
    nodes[0].below |= awr__match_below_bit(segments);
    for (i = 0; i <= len; i++) {
        size_t sl = awr__match_segment_len(pattern + i, len - i);
        at = awr__match_is_star(pattern + i, sl)
                 ? nodes[at].star
                 : awr__match_find_child(set, &nodes[at], pattern + i, sl, awr__match_hash(pattern + i, sl));
        nodes[at].below |= awr__match_below_bit(--segments);
        i += sl;
    }
    if (id) *id = set->patterns;
    set->patterns++;
    return AWR_OK;
}

AWR_API awr_result awr_match_set_add(awr_match_set *set, const char *pattern, uint32_t *id) {
    if (id) *id = AWR_MATCH_NO_ID;
    if (!pattern) return AWR_ERR_ARG;
    return awr_match_set_add_n(set, pattern, awr__strlen(pattern), id);
}

AWR_API uint32_t awr_match_set_test(const awr_match_set *set, const char *name, size_t name_len,
                                    uint32_t *hits, size_t hit_words) {
    /* Split the name once; then a depth-first walk follows, at each node, the one literal child
     * equal to the next segment and the `*` child. Each node is reached at most once, and the stack
     * never holds more than one waiting sibling per depth. */
    uint32_t seg_hash[AWR_MATCH_MAX_SEGMENTS];
    uint32_t seg_off[AWR_MATCH_MAX_SEGMENTS], seg_len[AWR_MATCH_MAX_SEGMENTS];
    uint32_t stack_node[AWR_MATCH_MAX_SEGMENTS + 2];
    uint32_t stack_depth[AWR_MATCH_MAX_SEGMENTS + 2];
    const awr__match_node *nodes;
    size_t i = 0, nseg = 0, top = 0;
    uint32_t turned_on = 0;
    if (!set || !set->mem || !name || set->patterns == 0) return 0;
    if (name_len > 0xFFFFFFFEu) return 0;
    for (;;) {
        size_t start = i;
        while (i < name_len && name[i] != '.') i++;
        if (nseg == AWR_MATCH_MAX_SEGMENTS) return 0;   /* longer than any pattern can be */
        seg_off[nseg] = (uint32_t)start;
        seg_len[nseg] = (uint32_t)(i - start);
        seg_hash[nseg] = awr__match_hash(name + start, i - start);
        nseg++;
        if (i == name_len) break;
        i++;
    }
    nodes = awr__match_nodes(set);
    stack_node[0] = 0;
    stack_depth[0] = 0;
    top = 1;
    if (!(nodes[0].below & awr__match_below_bit(nseg))) return 0;   /* no pattern of this length */
    while (top) {
        uint32_t n, d, need;
        top--;
        n = stack_node[top];
        d = stack_depth[top];
        if (d == nseg) {
            uint32_t e;
            for (e = nodes[n].ends; e; e = nodes[e].next) {
                uint32_t pid = nodes[e].hash, bit = (uint32_t)1u << (pid % 32u);
                if (pid / 32u < hit_words && !(hits[pid / 32u] & bit)) {
                    hits[pid / 32u] |= bit;
                    turned_on++;
                }
            }
            continue;
        }
        need = awr__match_below_bit(nseg - d - 1);
        if (nodes[n].star && seg_len[d] > 0 && (nodes[nodes[n].star].below & need) && top < AWR_MATCH_MAX_SEGMENTS + 2) {
            stack_node[top] = nodes[n].star;
            stack_depth[top] = d + 1;
            top++;
        }
        if (nodes[n].child && top < AWR_MATCH_MAX_SEGMENTS + 2) {
            uint32_t c = awr__match_find_child(set, &nodes[n], name + seg_off[d], seg_len[d], seg_hash[d]);
            if (c && (nodes[c].below & need)) {
                stack_node[top] = c;
                stack_depth[top] = d + 1;
                top++;
            }
        }
    }
    return turned_on;
}

AWR_API awr_result awr_match_set_test_json(const awr_match_set *set, const char *json, size_t len,
                                           awr_json_token *tokens, size_t max_tokens,
                                           uint32_t *hits, size_t hit_words, uint32_t *turned_on) {
    awr_json_options opt;
    size_t ntok = 0;
    uint32_t on = 0;
    int i;
    awr_result r;
    if (turned_on) *turned_on = 0;
    if (!set || !json || !tokens || max_tokens == 0) return AWR_ERR_ARG;
    memset(&opt, 0, sizeof opt);
    opt.max_depth = 2;                                   /* an array of strings nests no deeper */
    r = awr_json_parse(&opt, json, len, tokens, max_tokens, &ntok, NULL);
    if (r == AWR_ERR_JSON_DEPTH) return AWR_ERR_JSON_TYPE;
    if (r != AWR_OK) return r;
    if (AWR_JSON_TYPE(&tokens[0]) != AWR_JSON_ARRAY) return AWR_ERR_JSON_TYPE;
    /* Check everything first, so a rejected array reports nothing. */
    for (i = awr_json_first(tokens, 0); i >= 0; i = awr_json_next(tokens, i)) {
        const awr_json_token *t = &tokens[i];
        if (AWR_JSON_TYPE(t) != AWR_JSON_STRING) return AWR_ERR_JSON_TYPE;
        if (AWR_JSON_FLAGS(t) & AWR_JSON_ESCAPED) {
            char name[AWR_MATCH_ESCAPED_MAX];
            r = awr_json_unescape(json, t, name, sizeof name, NULL);
            if (r != AWR_OK) return r;
        }
    }
    for (i = awr_json_first(tokens, 0); i >= 0; i = awr_json_next(tokens, i)) {
        const awr_json_token *t = &tokens[i];
        if (AWR_JSON_FLAGS(t) & AWR_JSON_ESCAPED) {
            /* Appwrite never escapes event names, but JSON may: match the decoded text. */
            char name[AWR_MATCH_ESCAPED_MAX];
            size_t nlen = 0;
            (void)awr_json_unescape(json, t, name, sizeof name, &nlen);   /* checked above */
            on += awr_match_set_test(set, name, nlen, hits, hit_words);
        } else {
            on += awr_match_set_test(set, json + t->start, t->len, hits, hit_words);
        }
    }
    if (turned_on) *turned_on = on;
    return AWR_OK;
}
#endif

/* ---- channel builders ---------------------------------------------------------------------------- */

static int awr__channel_action_ok(const char *action) {
    return !action || awr__streq(action, "create") || awr__streq(action, "update") ||
           awr__streq(action, "upsert") || awr__streq(action, "delete");
}

/* Join the n parts with dots, then ".<action>" if action is given. */
static awr_result awr__channel_join(char *buf, size_t cap, const char *const *parts, size_t n,
                                    const char *action) {
    size_t i, at = 0;
    if (!buf || cap == 0) return AWR_ERR_BUFFER;
    buf[0] = 0;
    if (!awr__channel_action_ok(action)) return AWR_ERR_ARG;
    for (i = 0; i <= n; i++) {
        const char *s = i < n ? parts[i] : action;
        size_t len;
        if (!s) break;                                   /* only the action can be NULL here */
        len = awr__strlen(s);
        if (len == 0) { buf[0] = 0; return AWR_ERR_ARG; }
        if (at + (at ? 1u : 0u) + len >= cap) { buf[0] = 0; return AWR_ERR_BUFFER; }
        if (at) buf[at++] = '.';
        memcpy(buf + at, s, len);
        at += len;
    }
    buf[at] = 0;
    return AWR_OK;
}

static awr_result awr__channel_fail(char *buf, size_t cap, awr_result r) {
    if (buf && cap) buf[0] = 0;
    return r;
}

/* "<all>" when both a and b are NULL; "<p0>.<a>.<p1>.<b>.<p2>[.<c>]" when both are given. */
static awr_result awr__channel_nested(char *buf, size_t cap, const char *all, const char *p0, const char *a,
                                      const char *p1, const char *b, const char *p2, const char *c,
                                      const char *action) {
    const char *parts[6];
    if (!a && !b && !c && all) {
        parts[0] = all;
        return awr__channel_join(buf, cap, parts, 1, action);
    }
    if (!a || !b) return awr__channel_fail(buf, cap, AWR_ERR_ARG);
    parts[0] = p0; parts[1] = a; parts[2] = p1; parts[3] = b; parts[4] = p2; parts[5] = c;
    return awr__channel_join(buf, cap, parts, c ? 6u : 5u, action);
}

/* "<all>" or "<all>.<id>" */
static awr_result awr__channel_flat(char *buf, size_t cap, const char *all, const char *id, const char *action) {
    const char *parts[2];
    parts[0] = all;
    parts[1] = id;
    return awr__channel_join(buf, cap, parts, id ? 2u : 1u, action);
}

AWR_API awr_result awr_channel_account(const char *action, char *buf, size_t cap) {
    return awr__channel_flat(buf, cap, "account", NULL, action);
}

AWR_API awr_result awr_channel_documents(const char *db, const char *collection, const char *document,
                                         const char *action, char *buf, size_t cap) {
    return awr__channel_nested(buf, cap, "documents", "databases", db, "collections", collection, "documents",
                               document, action);
}

AWR_API awr_result awr_channel_rows(const char *db, const char *table, const char *row, const char *action,
                                    char *buf, size_t cap) {
    return awr__channel_nested(buf, cap, "rows", "databases", db, "tables", table, "rows", row, action);
}

AWR_API awr_result awr_channel_tablesdb(const char *db, const char *table, const char *row, const char *action,
                                        char *buf, size_t cap) {
    return awr__channel_nested(buf, cap, NULL, "tablesdb", db, "tables", table, "rows", row, action);
}

AWR_API awr_result awr_channel_documentsdb(const char *db, const char *collection, const char *document,
                                           const char *action, char *buf, size_t cap) {
    return awr__channel_nested(buf, cap, NULL, "documentsdb", db, "collections", collection, "documents",
                               document, action);
}

AWR_API awr_result awr_channel_vectorsdb(const char *db, const char *collection, const char *document,
                                         const char *action, char *buf, size_t cap) {
    return awr__channel_nested(buf, cap, NULL, "vectorsdb", db, "collections", collection, "documents",
                               document, action);
}

AWR_API awr_result awr_channel_files(const char *bucket, const char *file, const char *action, char *buf,
                                     size_t cap) {
    const char *parts[4];
    if (!bucket) {
        if (file) return awr__channel_fail(buf, cap, AWR_ERR_ARG);
        return awr__channel_flat(buf, cap, "files", NULL, action);
    }
    parts[0] = "buckets"; parts[1] = bucket; parts[2] = "files"; parts[3] = file;
    return awr__channel_join(buf, cap, parts, file ? 4u : 3u, action);
}

AWR_API awr_result awr_channel_executions(const char *execution, const char *action, char *buf, size_t cap) {
    return awr__channel_flat(buf, cap, "executions", execution, action);
}

AWR_API awr_result awr_channel_function(const char *function, const char *action, char *buf, size_t cap) {
    if (!function) return awr__channel_fail(buf, cap, AWR_ERR_ARG);
    return awr__channel_flat(buf, cap, "functions", function, action);
}

AWR_API awr_result awr_channel_teams(const char *team, const char *action, char *buf, size_t cap) {
    return awr__channel_flat(buf, cap, "teams", team, action);
}

AWR_API awr_result awr_channel_memberships(const char *membership, const char *action, char *buf, size_t cap) {
    return awr__channel_flat(buf, cap, "memberships", membership, action);
}

AWR_API awr_result awr_channel_presences(const char *presence, const char *action, char *buf, size_t cap) {
    return awr__channel_flat(buf, cap, "presences", presence, action);
}

/* ==================================================================================================
 * QUERIES (implementation): every builder is the JSON writer filling the caller's buffer
 * ================================================================================================== */
/* A value of type t, every other field zero: each constructor below sets the one its type reads. */
static awr_query_value awr__query_value_of(awr_query_value_type t) {
    awr_query_value v;
    memset(&v, 0, sizeof v);
    v.type = t;
    return v;
}
AWR_API awr_query_value awr_query_value_string(const char *s) {
    awr_query_value v = awr__query_value_of(AWR_QUERY_VALUE_STRING);
    v.s = s;
    return v;
}
AWR_API awr_query_value awr_query_value_int(int64_t i) {
    awr_query_value v = awr__query_value_of(AWR_QUERY_VALUE_INT);
    v.i = i;
    return v;
}
AWR_API awr_query_value awr_query_value_double(double d) {
    awr_query_value v = awr__query_value_of(AWR_QUERY_VALUE_DOUBLE);
    v.d = d;
    return v;
}
AWR_API awr_query_value awr_query_value_bool(int b) {
    awr_query_value v = awr__query_value_of(AWR_QUERY_VALUE_BOOL);
    v.i = b != 0;
    return v;
}

/* A string as the SDKs write it (see awr__jw_sdk_escaped). */
static void awr__query_string(awr_json_writer *w, const char *s) {
    if (!s) awr__jw_fail(w, AWR_ERR_ARG);
    else if (awr__jw_value(w)) awr__jw_string(w, s, awr__strlen(s), 1);
}

/* {"method":method[,"attribute":attr] : the object is left open. */
static void awr__query_begin(awr_json_writer *w, char *buf, size_t cap, const char *method, const char *attr) {
    awr_json_writer_init(w, buf, cap);
    awr_json_write_begin_object(w);
    awr_json_write_key(w, "method");
    awr__query_string(w, method);
    if (attr) {
        awr_json_write_key(w, "attribute");
        awr__query_string(w, attr);
    }
}

static awr_result awr__query_end(awr_json_writer *w, char *buf, size_t cap) {
    awr_result r;
    awr_json_write_end_object(w);
    r = awr_json_writer_finish(w, NULL);
    if (r != AWR_OK && buf && cap) buf[0] = 0;
    return r;
}

static awr_result awr__query_fail(char *buf, size_t cap) {
    if (buf && cap) buf[0] = 0;
    return AWR_ERR_ARG;
}

static void awr__query_value(awr_json_writer *w, const awr_query_value *v) {
    switch (v->type) {
    case AWR_QUERY_VALUE_STRING:
        awr__query_string(w, v->s);
        break;
    case AWR_QUERY_VALUE_INT: awr_json_write_int64(w, v->i); break;
#ifndef AWR_NO_JSON_DOUBLE
    case AWR_QUERY_VALUE_DOUBLE: awr_json_write_double(w, v->d); break;
#else
    case AWR_QUERY_VALUE_DOUBLE: awr__jw_fail(w, AWR_ERR_UNSUPPORTED); break;
#endif
    case AWR_QUERY_VALUE_BOOL: awr_json_write_bool(w, v->i != 0); break;
    default: awr__jw_fail(w, AWR_ERR_ARG); break;
    }
}

/* {"method":method,"attribute":attr,"values":[values...]} */
static awr_result awr__query_values(char *buf, size_t cap, const char *method, const char *attr,
                                    const awr_query_value *values, size_t n) {
    awr_json_writer w;
    size_t i;
    if (!buf || !attr || (n && !values)) return awr__query_fail(buf, cap);
    awr__query_begin(&w, buf, cap, method, attr);
    awr_json_write_key(&w, "values");
    awr_json_write_begin_array(&w);
    for (i = 0; i < n; i++) awr__query_value(&w, &values[i]);
    awr_json_write_end_array(&w);
    return awr__query_end(&w, buf, cap);
}

/* awr_query_equal, _not_equal, _less_than, _less_than_equal, _greater_than, _greater_than_equal and
 * _contains differ only in the method they write. */
#define AWR__QUERY_COMPARISONS(X) X(equal, "equal") X(not_equal, "notEqual") X(less_than, "lessThan") \
    X(less_than_equal, "lessThanEqual") X(greater_than, "greaterThan")                               \
    X(greater_than_equal, "greaterThanEqual") X(contains, "contains")
#define AWR__QUERY_COMPARISON(name, method)                                                                 \
    AWR_API awr_result awr_query_##name(const char *attr, const awr_query_value *values, size_t n, char *buf, \
                                        size_t cap) {                                                       \
        return awr__query_values(buf, cap, method, attr, values, n);                                        \
    }
AWR__QUERY_COMPARISONS(AWR__QUERY_COMPARISON)
#undef AWR__QUERY_COMPARISON
#undef AWR__QUERY_COMPARISONS

AWR_API awr_result awr_query_between(const char *attr, awr_query_value start, awr_query_value end, char *buf,
                                     size_t cap) {
    awr_query_value v[2];
    v[0] = start;
    v[1] = end;
    return awr__query_values(buf, cap, "between", attr, v, 2);
}

static awr_result awr__query_text(char *buf, size_t cap, const char *method, const char *attr, const char *text) {
    awr_query_value v = awr_query_value_string(text);
    if (!text) return awr__query_fail(buf, cap);
    return awr__query_values(buf, cap, method, attr, &v, 1);
}
/* awr_query_starts_with, _ends_with and _search */
#define AWR__QUERY_TEXT(name, method)                                                                 \
    AWR_API awr_result awr_query_##name(const char *attr, const char *text, char *buf, size_t cap) { \
        return awr__query_text(buf, cap, method, attr, text);                                         \
    }
AWR__QUERY_TEXT(starts_with, "startsWith")
AWR__QUERY_TEXT(ends_with, "endsWith")
AWR__QUERY_TEXT(search, "search")
#undef AWR__QUERY_TEXT

static awr_result awr__query_attr_only(char *buf, size_t cap, const char *method, const char *attr) {
    awr_json_writer w;
    if (!buf || !attr) return awr__query_fail(buf, cap);
    awr__query_begin(&w, buf, cap, method, attr);
    return awr__query_end(&w, buf, cap);
}
AWR_API awr_result awr_query_is_null(const char *attr, char *buf, size_t cap) {
    return awr__query_attr_only(buf, cap, "isNull", attr);
}
AWR_API awr_result awr_query_is_not_null(const char *attr, char *buf, size_t cap) {
    return awr__query_attr_only(buf, cap, "isNotNull", attr);
}

AWR_API awr_result awr_query_select(const char *const *attrs, size_t n, char *buf, size_t cap) {
    awr_json_writer w;
    size_t i;
    if (!buf || (n && !attrs)) return awr__query_fail(buf, cap);
    for (i = 0; i < n; i++) if (!attrs[i]) return awr__query_fail(buf, cap);
    awr__query_begin(&w, buf, cap, "select", NULL);
    awr_json_write_key(&w, "values");
    awr_json_write_begin_array(&w);
    for (i = 0; i < n; i++) awr__query_string(&w, attrs[i]);
    awr_json_write_end_array(&w);
    return awr__query_end(&w, buf, cap);
}

#ifdef AWR_NO_JSON_COMPACT
/* 1 if the valid JSON text s[0..n) has whitespace outside its strings (there is no awr_json_compact
   to take it out). */
static int awr__query_spaced(const char *s, size_t n) {
    size_t i;
    int in_string = 0;
    for (i = 0; i < n; i++) {
        if (in_string) {
            if (s[i] == '\\') i++;
            else if (s[i] == '"') in_string = 0;
        } else if (s[i] == '"') {
            in_string = 1;
        } else if (AWR__JSON_IS_WS((unsigned char)s[i])) {
            return 1;
        }
    }
    return 0;
}
#endif

/* A JSON text as the next value of w, checked, without its insignificant whitespace. */
static void awr__query_part(awr_json_writer *w, const char *json) {
    size_t len = awr__strlen(json);
    awr_result r = awr_json_parse(NULL, json, len, NULL, 0, NULL, NULL);   /* counting: no tokens */
    if (r != AWR_OK && r != AWR_ERR_JSON_TOKENS) { awr__jw_fail(w, r); return; }
    if (!awr__jw_value(w)) return;
#ifndef AWR_NO_JSON_COMPACT
    (void)awr__json_compact_to(&w->out, json, len);   /* it parsed: no truncation */
#else
    if (awr__query_spaced(json, len)) { awr__jw_fail(w, AWR_ERR_UNSUPPORTED); return; }
    awr__out_mem(&w->out, json, len);
#endif
}

static awr_result awr__query_logical(char *buf, size_t cap, const char *method, const char *const *queries, size_t n) {
    awr_json_writer w;
    size_t i;
    if (!buf || (n && !queries)) return awr__query_fail(buf, cap);
    for (i = 0; i < n; i++) if (!queries[i]) return awr__query_fail(buf, cap);
    awr__query_begin(&w, buf, cap, method, NULL);
    awr_json_write_key(&w, "values");
    awr_json_write_begin_array(&w);
    for (i = 0; i < n; i++) awr__query_part(&w, queries[i]);
    awr_json_write_end_array(&w);
    return awr__query_end(&w, buf, cap);
}
AWR_API awr_result awr_query_and(const char *const *queries, size_t n, char *buf, size_t cap) {
    return awr__query_logical(buf, cap, "and", queries, n);
}
AWR_API awr_result awr_query_or(const char *const *queries, size_t n, char *buf, size_t cap) {
    return awr__query_logical(buf, cap, "or", queries, n);
}

/* ==================================================================================================
 * CLIENT (implementation)
 *
 * Memory: one block, carved at init into the client struct, the subscription table, the name arena,
 * the JSON token array, the transmit buffer, the read buffer and the receive buffer. The upgrade
 * request is built in the transmit and read buffers, which lie one after the other and are both idle
 * until it is out (the transmit buffer serves the WebSocket once it is open; the read buffer takes
 * input only after the whole request went out). The receive buffer holds the handshake state at its
 * end and the response line being parsed at its start (at most AWR__CL_HS_CAP bytes), so it need not
 * be bigger than the largest message. The read buffer doubles as the scratch space where outbound
 * JSON is written before awr_ws_send masks it into the transmit buffer.
 *
 * Re-entrancy: user callbacks run inside awr_ws_feed. API calls made from them only change the tables
 * and set request flags; whatever touches the transport (closing, reconnecting, sending frames) is
 * done by awr__cl_settle() once feed has returned.
 * ================================================================================================== */
#define AWR__CL_HS_CAP 4096u         /* the most of the receive buffer the response lines use */
#define AWR__CL_MIN_RX 1024u         /* the smallest receive buffer (max_message) */
/* During the handshake the receive buffer holds the response's status line and current header line
 * at [0, min(4096, AWR__CL_HS_OFF)) and the handshake state at its (8-aligned) end. */
#define AWR__CL_HS_OFF(c) (((c)->rx_cap - sizeof(awr_ws_handshake)) & ~(size_t)7)
#define AWR__CL_HS(c) ((awr_ws_handshake *)(void *)((c)->rx + AWR__CL_HS_OFF(c)))
#define AWR__CL_NONE 0xFFFFFFFFu
#define AWR__CL_RATE_LOG 32
#define AWR__CL_PENDING_RING 6
#define AWR__CL_ID_MAX 36
#define AWR__CL_TOKEN_SIZE sizeof(awr_json_token)
#define AWR__CL_MEMO 64u             /* the longest `subscriptions` list text remembered */
#define AWR__CL_INDEXED_CHANNELS 4u  /* channels per subscription the channel index is sized for */

/* subscription flags */
#define AWR__CL_SUB_LIVE 1u     /* the user holds the handle */
#define AWR__CL_SUB_SYNCED 2u   /* the server of this connection has the current channels and queries */
#define AWR__CL_SUB_ZOMBIE 4u   /* only kept to send `unsubscribe` for wid */
#define AWR__CL_SUB_SOLO 8u     /* send its row alone: a frame it was in was refused as a whole */
#define AWR__CL_SUB_ROW 16u     /* its row is in the frame being built */
#define AWR__CL_SUB_LONG 32u    /* left out of the URL: it would have passed max_url */

/* connection phases */
#define AWR__CL_P_IDLE 0        /* no transport; nothing scheduled */
#define AWR__CL_P_WAIT 1        /* no transport; a reconnect is due at t_reconnect */
#define AWR__CL_P_OPENING 2     /* sans-I/O: waiting for awr_client_transport_opened */
#define AWR__CL_P_HS 3          /* sending the upgrade request / reading the response */
#define AWR__CL_P_WS 4          /* WebSocket open */
#define AWR__CL_P_CLOSING 5     /* the transport should be closed (after flushing a close frame) */

/* what follows a closed transport */
#define AWR__CL_NEXT_BACKOFF 0
#define AWR__CL_NEXT_NOW 1
#define AWR__CL_NEXT_STOP 2

/* outstanding requests, matched with replies to learn what the server supports */
#define AWR__CL_REQ_PING 1
#define AWR__CL_REQ_SUB 2
#define AWR__CL_REQ_UNSUB 3
#define AWR__CL_REQ_PRESENCE 4
#define AWR__CL_REQ_PROBE 5

/* AWR_NO_URL_MODE pins message mode: what only URL mode and generation detection use (the URL's
 * subscriptions, the message-mode probe) is then constant-false code the compiler drops. */
#ifdef AWR_NO_URL_MODE
#define AWR__CL_MODE(c) AWR_MODE_MESSAGE
#define AWR__CL_URL_CONN(c) 0
#define AWR__CL_PROBE_DUE(c) 0
#define AWR__CL_PROBE_OUT(c) 0
#define AWR__CL_IS_PROBE(kind) ((void)(kind), 0)
#else
#define AWR__CL_MODE(c) ((c)->cfg.mode)
#define AWR__CL_URL_CONN(c) ((c)->url_conn)
#define AWR__CL_PROBE_DUE(c) ((c)->probe_due)
#define AWR__CL_PROBE_OUT(c) ((c)->probe_out)
#define AWR__CL_IS_PROBE(kind) ((kind) == AWR__CL_REQ_PROBE)
#endif
/* AWR_NO_DISPATCH_INDEX: no hash indexes; dispatch scans the table, which for a handful of
 * subscriptions is as fast and takes less code and memory. */
/* AWR_NO_IO_HOOKS: sans-I/O only; what calls the transport hooks (open, send, recv, close, error) is
 * then constant-false code the compiler drops. */
#ifdef AWR_NO_IO_HOOKS
#define AWR__CL_HOOKS 0
#else
#define AWR__CL_HOOKS 1
#endif
#ifdef AWR_NO_DISPATCH_INDEX
#define AWR__CL_INDEXED 0
#else
#define AWR__CL_INDEXED 1
#endif

typedef struct awr__cl_ref { uint32_t off, len; } awr__cl_ref;

typedef struct awr__cl_sub {
    uint32_t handle;       /* 0 when the slot is free */
    uint32_t flags;
    awr_event_fn fn;
    void *user;
    awr__cl_ref names;        /* arena: nch channels then nq queries, each NUL-terminated */
    uint16_t nch, nq;
    int32_t slot;          /* URL slot on the current connection, -1 when not in its URL */
    uint32_t epoch;        /* dispatch number of the last event it was a target of: at most once per event */
    uint32_t sent_seq;     /* the subscribe frame its row last went out in */
    char wid[AWR__CL_ID_MAX + 1]; /* the id the server knows it by ("" when none yet) */
} awr__cl_sub;

struct awr_client {
    /* The fields used most come first: on a Thumb core (Cortex-M) small offsets take the short loads. */
    uint8_t phase;
    uint8_t state;               /* awr_state last reported */
    uint8_t gen;                 /* awr_generation */
    uint8_t url_conn;            /* the current connection put its subscriptions in the URL */
    uint8_t frames_ok;           /* the current connection takes subscribe/unsubscribe frames */
    uint8_t connected;           /* `connected` arrived on the current connection */
    uint8_t no_ping;             /* the server answered a ping with an error */
    uint8_t read_more;           /* the last poll stopped reading with input left: poll again now */
    uint8_t probe_due;           /* send the message-mode probe */
    uint8_t probe_out;           /* the probe went out, no answer yet */
    uint8_t presence_dirty;      /* presence to be (re)sent */
    uint8_t url_dirty;           /* URL mode: the channel set changed, reconnect on the next poll */
    uint8_t req_close;           /* awr_client_disconnect: close the socket */
    uint8_t req_reconnect;       /* reconnect at once (credentials changed, fallbacks) */
    uint8_t suppress;            /* deliver nothing more from the current socket */
    uint8_t in_feed;
    uint8_t in_callback;         /* user callbacks running (nested): destroy and poll are refused */
    uint8_t ws_live;             /* ws is initialised for the current connection */
    uint8_t next_after_close;    /* AWR__CL_NEXT_* */
    uint8_t idx_dirty;           /* the table changed since the indexes were built */
    uint8_t idx_ch_full;         /* more channels than idx_ch may hold: the channel path scans */
    awr_result stopped;          /* why the client stopped (AWR_STATE_CLOSED), AWR_OK when it runs */
    awr_result close_why;        /* reason recorded for the transport being closed */
    awr__cl_sub *subs;
    size_t max_subs;
    const char *mj;              /* the text the tokens describe */
    const awr_json_token *ltoks; /* the tokens of the name list tokenized last (ptoks or toks) */
    awr_json_token *toks;
    size_t max_toks;
    char *arena;
    uint32_t arena_cap, arena_used;
    void *conn;
    size_t req_len, req_sent;
    uint32_t pending_head, pending_count;
    uint32_t epoch;              /* dispatch counter */
    uint32_t *targets;           /* handles the event being dispatched goes to, in order */
    awr_client_config cfg;
    void *block;                 /* the allocation of awr_client_create, else NULL */
    int64_t now;
    int64_t t_deadline_connect;  /* connect + handshake + `connected` */
    int64_t t_reconnect;
    int64_t t_last_rx;
    int64_t t_next_ping;
    int64_t t_probe;             /* when the probe went out */
    uint8_t *tx, *rd, *rx;
    size_t tx_cap, rd_cap, rx_cap;

    awr__cl_ref host, host_hdr, path, project, session, jwt, presence;
    int port, tls;

    uint32_t attempts;           /* reconnects since the last `connected` */
    uint32_t next_handle;        /* generation counter for handles */
    uint32_t next_id;            /* counter for subscription ids */
    uint32_t rnd_counter;        /* for random bytes without io.random */

    uint32_t rate_log[AWR__CL_RATE_LOG]; /* send times (ms, modulo 2^32) of the latest frames (ring) */
    uint32_t rate_head, rate_count;
    uint8_t pending[AWR__CL_PENDING_RING];
    uint32_t pending_seq[AWR__CL_PENDING_RING];
    uint32_t frame_seq;          /* numbers the subscribe frames */
    uint32_t pending_t[AWR__CL_PENDING_RING];
    char errmsg[72];             /* the latest error message, unescaped (at most 71 bytes) */
    /* the latest failure's detail (awr_state_info, awr_client_last_error), and the result it explains */
    awr_result noted;
    int http_status, sys_error;
    size_t needed;
    char detail[96];
    /* Dispatch indexes, rebuilt after the table changed: open addressing, entries (hash, slot + 1). */
    uint32_t *idx_wid;           /* subscription id -> slot */
    uint32_t *idx_ch;            /* channel -> slot, one entry per channel of a live subscription */
    size_t idx_wid_cap, idx_ch_cap;   /* entries (powers of two) */
    uint32_t idx_plain;          /* live subscriptions without queries: the channel path's candidates */
    /* The `subscriptions` list of the latest event and what its ids resolved to, while the table is
       unchanged: the usual next event names the same ids and skips tokenizing and looking them up. */
    char memo[AWR__CL_MEMO];
    uint32_t memo_len, memo_n;   /* memo_len 0: nothing remembered */
    uint32_t *memo_targets;
    uint32_t *marks;             /* bit per slot: channel matches of that event */
    awr_json_token *ptoks;       /* the payload tokens of the event being dispatched (awr_event_get_*) */
    size_t max_ptoks;
    const char *ptok_src;        /* the payload they describe, NULL: not made yet for this event */
    size_t ptok_len;
    awr_result ptok_result;      /* what tokenizing it gave */
    awr_ws ws;
};

static int awr__cl_json_is_object(awr_client *c, const char *json);

/* ---- small helpers ------------------------------------------------------------------------------ */
static size_t awr__cl_align8(size_t n) { return (n + 7u) & ~(size_t)7u; }

static int32_t awr__cl_cfg_ms(int32_t v, int32_t def) { return v == 0 ? def : v; }

static const char *awr__cl_str(const awr_client *c, awr__cl_ref r) {
    return r.len == AWR__CL_NONE ? NULL : c->arena + r.off;
}

static awr__cl_ref awr__cl_ref_none(void) { awr__cl_ref r; r.off = 0; r.len = AWR__CL_NONE; return r; }

/* Reserve len bytes (plus a NUL) in the arena. */
static awr_result awr__cl_arena_alloc(awr_client *c, size_t len, awr__cl_ref *out) {
    if (len + 1u > (size_t)(c->arena_cap - c->arena_used)) return AWR_ERR_BUFFER;
    out->off = c->arena_used;
    out->len = (uint32_t)len;
    c->arena[c->arena_used + len] = 0;
    c->arena_used += (uint32_t)len + 1u;
    return AWR_OK;
}

static void awr__cl_ref_shift(awr__cl_ref *r, uint32_t off, uint32_t size) {
    if (r->len != AWR__CL_NONE && r->off > off) r->off -= size;
}

/* Free an arena block by moving everything after it down and fixing every reference. */
static void awr__cl_arena_free(awr_client *c, awr__cl_ref *r) {
    uint32_t off, size;
    size_t i;
    if (r->len == AWR__CL_NONE) return;
    off = r->off;
    size = r->len + 1u;
    awr__memmove(c->arena + off, c->arena + off + size, (size_t)(c->arena_used - off - size));
    c->arena_used -= size;
    *r = awr__cl_ref_none();
    awr__cl_ref_shift(&c->host, off, size);
    awr__cl_ref_shift(&c->host_hdr, off, size);
    awr__cl_ref_shift(&c->path, off, size);
    awr__cl_ref_shift(&c->project, off, size);
    awr__cl_ref_shift(&c->session, off, size);
    awr__cl_ref_shift(&c->jwt, off, size);
    awr__cl_ref_shift(&c->presence, off, size);
    for (i = 0; i < c->max_subs; i++) awr__cl_ref_shift(&c->subs[i].names, off, size);
}

static awr_result awr__cl_arena_strn(awr_client *c, const char *s, size_t n, awr__cl_ref *out) {
    awr_result r = awr__cl_arena_alloc(c, n, out);
    if (r == AWR_OK && n) memcpy(c->arena + out->off, s, n);
    return r;
}

static awr_result awr__cl_arena_str(awr_client *c, const char *s, awr__cl_ref *out) {
    if (!s) { *out = awr__cl_ref_none(); return AWR_OK; }
    return awr__cl_arena_strn(c, s, awr__strlen(s), out);
}

static int awr__cl_is_alnum(unsigned char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}
/* A character of an Appwrite ID or of a host name: letters, digits, '.', '-', '_'. */
static int awr__cl_is_id_char(unsigned char ch) {
    return awr__cl_is_alnum(ch) || ch == '.' || ch == '-' || ch == '_';
}

static const char awr__cl_hex[] = "0123456789ABCDEF";
/* Percent-encoding of everything but the RFC 3986 unreserved characters. */
static void awr__cl_out_pct(awr__out *o, const char *s) {
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (awr__cl_is_id_char(ch) || ch == '~') {
            awr__out_char(o, (char)ch);
        } else {
            awr__out_char(o, '%');
            awr__out_char(o, awr__cl_hex[ch >> 4]);
            awr__out_char(o, awr__cl_hex[ch & 15u]);
        }
    }
}
static int awr__cl_text_eq(const char *p, size_t n, const char *s) {
    size_t m = awr__strlen(s);
    return m == n && memcmp(p, s, n) == 0;
}

/* ---- state reporting ---------------------------------------------------------------------------- */
static void awr__cl_report(awr_client *c, awr_state st, awr_result why, uint32_t delay, awr_text user) {
    awr_state_info info;
    c->state = (uint8_t)st;
    if (!c->cfg.on_state) return;
    memset(&info, 0, sizeof info);
    info.state = st;
    info.reason = why;
    info.delay_ms = delay;
    info.attempt = c->attempts;
    info.user = user;
    info.generation = (awr_generation)c->gen;
    if (why != AWR_OK && why == c->noted) {
        info.http_status = c->http_status;
        info.sys_error = c->sys_error;
        info.needed = c->needed;
        info.detail.ptr = c->detail[0] ? c->detail : NULL;
        info.detail.len = awr__strlen(c->detail);
    }
    c->in_callback++;
    c->cfg.on_state(c, &info, c->cfg.user);
    c->in_callback--;
}
/* The latest failure's detail: text (printable ASCII is kept, anything else becomes '?'), cut to fit. */
static AWR__SIZE_NOINLINE void awr__cl_note(awr_client *c, const char *text, size_t len, size_t needed) {
    size_t i;
    c->http_status = c->sys_error = 0;
    if (len > sizeof c->detail - 1u) len = sizeof c->detail - 1u;
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        c->detail[i] = ch >= 0x20 && ch < 0x7F ? (char)ch : '?';
    }
    c->detail[len] = 0;
    c->needed = needed;
}
static void awr__cl_note_s(awr_client *c, const char *text) { awr__cl_note(c, text, awr__strlen(text), 0); }
/* AWR_ERR_BUFFER, with the buffer's name and the bytes it needs noted. */
static AWR__SIZE_NOINLINE awr_result awr__cl_too_small(awr_client *c, const char *buffer, size_t needed) {
    awr__cl_note_s(c, buffer);
    c->needed = needed;
    c->noted = AWR_ERR_BUFFER;
    return AWR_ERR_BUFFER;
}
/* The transport's own account of its failure why (the resolver's text, errno, the TLS error). */
static void awr__cl_note_transport(awr_client *c, void *conn, awr_result why) {
    const char *text = NULL;
    int err = 0;
    if (AWR__CL_HOOKS && c->cfg.io.error) text = c->cfg.io.error(c->cfg.io.user, conn, &err);
    awr__cl_note_s(c, text ? text : "");
    c->sys_error = err;
    c->noted = why;
}

static void awr__cl_report_simple(awr_client *c, awr_state st, awr_result why) {
    awr_text none;
    none.ptr = NULL; none.len = 0;
    awr__cl_report(c, st, why, 0, none);
}
static void awr__cl_report_error_sub(awr_client *c, int64_t code, const char *msg, size_t len, awr_text raw,
                                     awr_result why, awr_sub sub) {
    awr_server_error e;
    if (!c->cfg.on_error) return;
    e.code = code; e.message = msg; e.message_len = len; e.raw = raw; e.reason = why; e.sub = sub;
    c->in_callback++;
    c->cfg.on_error(c, &e, c->cfg.user);
    c->in_callback--;
}
static void awr__cl_report_error(awr_client *c, int64_t code, const char *msg, size_t len, awr_result why) {
    awr_text raw;
    raw.ptr = msg; raw.len = len;
    awr__cl_report_error_sub(c, code, msg, len, raw, why, 0);
}

/* ---- what may reach the upgrade request ------------------------------------------------------- */
/* The scheme of url if it is one of ours (any case): the length of "scheme://" and *tls, else 0. */
static size_t awr__cl_scheme(const char *url, int *tls) {
    static const char *const names[4] = { "https://", "http://", "wss://", "ws://" };
    size_t i, k;
    for (i = 0; i < 4; i++) {
        for (k = 0; names[i][k] && awr__lower((unsigned char)url[k]) == names[i][k]; k++) {}
        if (!names[i][k]) { *tls = i % 2u == 0u; return k; }
    }
    return 0;
}

/* 1 if s[0, n) is a host name (letters, digits, '.', '-', '_') or a bracketed IPv6 literal. */
static int awr__cl_valid_host(const char *s, size_t n) {
    size_t i;
    if (n == 0) return 0;
    if (s[0] == '[') {
        if (n < 3 || s[n - 1u] != ']') return 0;
        for (i = 1; i + 1u < n; i++) {
            unsigned char ch = (unsigned char)s[i];
            if (!awr__cl_is_alnum(ch) && ch != ':' && ch != '.' && ch != '%') return 0;
        }
        return 1;
    }
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (!awr__cl_is_id_char(ch)) return 0;
    }
    return 1;
}

/* 1 if s[0, n) may stand in a URL path: RFC 3986 pchar and '/', no '%' that is not an escape. */
static int awr__cl_valid_path(const char *s, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '%') {
            if (i + 2u >= n || awr__json_hex((unsigned char)s[i + 1u]) < 0 || awr__json_hex((unsigned char)s[i + 2u]) < 0)
                return 0;
            continue;
        }
        if (!awr__cl_is_alnum(ch) && !awr__memchr("-._~!$&'()*+,;=:@/", (char)ch, 18)) return 0;
    }
    return 1;
}

/* 1 if s is an Appwrite ID: 1 to 36 letters, digits, '.', '-', '_'. */
static int awr__cl_valid_id(const char *s) {
    size_t n = 0;
    for (; s[n]; n++) {
        unsigned char ch = (unsigned char)s[n];
        if (!awr__cl_is_id_char(ch)) return 0;
    }
    return n >= 1u && n <= AWR__CL_ID_MAX;
}

/* 1 if s may be sent as a session or JWT: RFC 6265 cookie octets (visible ASCII but for '"', ',',
 * ';' and '\'), so that it can neither end its header nor add a cookie. */
static int awr__cl_valid_credential(const char *s) {
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch <= 0x20 || ch >= 0x7F || ch == '"' || ch == ',' || ch == ';' || ch == '\\') return 0;
    }
    return 1;
}

/* 1 if s is valid UTF-8 without control characters (a channel, a query; a header value may hold tabs). */
static AWR__SIZE_NOINLINE int awr__cl_valid_text(const char *s, size_t n, int tabs) {
    size_t i;
    for (i = 0; i < n; i++)
        if (((unsigned char)s[i] < 0x20 && !(tabs && s[i] == '\t')) || s[i] == 0x7F) return 0;
    return awr_utf8_valid(s, n);
}

/* 1 if s is an extra header line "Name: value" that the handshake can carry: a token name that is not
 * one the client writes itself, and a value of text (tabs allowed). */
static AWR__SIZE_NOINLINE int awr__cl_valid_header(const char *s) {
    static const char *const own[4] = { "host", "upgrade", "connection", "sec-websocket-" };
    size_t n = 0, i, k;
    while (awr__cl_is_alnum((unsigned char)s[n]) || (s[n] && awr__memchr("!#$%&'*+-.^_`|~", s[n], 15))) n++;
    if (n == 0 || s[n] != ':') return 0;
    for (i = 0; i < 4; i++) {
        for (k = 0; own[i][k] && k < n && awr__lower((unsigned char)s[k]) == own[i][k]; k++) {}
        if (!own[i][k] && (k == n || own[i][k - 1u] == '-')) return 0;
    }
    return awr__cl_valid_text(s + n + 1u, awr__strlen(s + n + 1u), 1);
}

/* 1 if q is an Appwrite query: one JSON object (the server parses it; refusing here gives the caller
 * AWR_ERR_ARG at once instead of an error frame later). */
static int awr__cl_valid_query(const char *q, size_t n) {
    size_t i = 0;
    while (i < n && (q[i] == ' ' || q[i] == '\t' || q[i] == '\n' || q[i] == '\r')) i++;
    return i < n && q[i] == '{' && awr_json_parse(NULL, q, n, NULL, 0, NULL, NULL) == AWR_OK;
}

/* ---- subscriptions ------------------------------------------------------------------------------ */
static awr__cl_sub *awr__cl_sub_get(awr_client *c, awr_sub h) {
    size_t i;
    if (!c || h == 0) return NULL;
    i = (size_t)(h & 0xFFFFu) - 1u;
    if (i >= c->max_subs || c->subs[i].handle != h || !(c->subs[i].flags & AWR__CL_SUB_LIVE)) return NULL;
    return &c->subs[i];
}

static size_t awr__cl_live_count(const awr_client *c) {
    size_t i, n = 0;
    for (i = 0; i < c->max_subs; i++) n += (c->subs[i].flags & AWR__CL_SUB_LIVE) ? 1u : 0u;
    return n;
}

static void awr__cl_sub_release(awr_client *c, awr__cl_sub *s) {
    c->idx_dirty = 1;
    awr__cl_arena_free(c, &s->names);
    s->handle = 0; s->flags = 0; s->fn = NULL; s->user = NULL; s->nch = 0; s->nq = 0;
    s->slot = -1; s->wid[0] = 0;
}

/* A fresh id of our own: never all digits (the server would turn it into a JSON number). */
static void awr__cl_new_id(awr_client *c, char out[AWR__CL_ID_MAX + 1]) {
    awr__out o;
    c->idx_dirty = 1;
    awr__out_init(&o, out, AWR__CL_ID_MAX + 1u);
    awr__out_str(&o, "awr");
    awr__out_dec(&o, ++c->next_id);
}

/* A subscription's names are NUL-terminated strings one after the other (channels first, then
 * queries): walk them with these two, never by index, so that every pass over them is linear. */
static const char *awr__cl_first_name(const awr_client *c, const awr__cl_sub *s) { return c->arena + s->names.off; }
static const char *awr__cl_next_name(const char *p) { return p + awr__strlen(p) + 1u; }

static awr_result awr__cl_store_names(awr_client *c, const char *const *ch, size_t n, const char *const *q,
                                   size_t nq, awr__cl_ref *out) {
    size_t i, total = 0;
    char *p;
    awr_result r;
    if (!ch || n == 0 || n > 0xFFFFu || nq > 0xFFFFu || (nq && !q)) return AWR_ERR_ARG;
    for (i = 0; i < n; i++) {
        size_t m = ch[i] ? awr__strlen(ch[i]) : 0;
        if (m == 0 || !awr__cl_valid_text(ch[i], m, 0)) return AWR_ERR_ARG;
        total += m + 1u;
    }
    for (i = 0; i < nq; i++) {
        size_t m = q[i] ? awr__strlen(q[i]) : 0;
        if (!q[i] || !awr__cl_valid_query(q[i], m)) return AWR_ERR_ARG;   /* escaped wherever it goes */
        total += m + 1u;
    }
    r = awr__cl_arena_alloc(c, total - 1u, out);
    if (r != AWR_OK) return awr__cl_too_small(c, "name_arena", (size_t)c->arena_used + total);
    p = c->arena + out->off;
    for (i = 0; i < n; i++) { size_t m = awr__strlen(ch[i]) + 1u; memcpy(p, ch[i], m); p += m; }
    for (i = 0; i < nq; i++) { size_t m = awr__strlen(q[i]) + 1u; memcpy(p, q[i], m); p += m; }
    return AWR_OK;
}

/* ---- the mode of the next connection ------------------------------------------------------------- */
static int awr__cl_message_capable(const awr_client *c) {
    if (AWR__CL_MODE(c) == AWR_MODE_MESSAGE) return 1;
    if (AWR__CL_MODE(c) == AWR_MODE_URL) return 0;
    return c->gen == AWR_GEN_MESSAGE;
}
static int awr__cl_presence_possible(const awr_client *c) {
    if (AWR__CL_MODE(c) == AWR_MODE_URL) return 0;
    if (AWR__CL_MODE(c) == AWR_MODE_MESSAGE) return 1;
    return c->gen == AWR_GEN_UNKNOWN || c->gen == AWR_GEN_MESSAGE;
}
static int awr__cl_wants_connection(const awr_client *c) {
    if (c->stopped != AWR_OK) return 0;
    if (awr__cl_live_count(c) > 0) return 1;
    return c->presence.len != AWR__CL_NONE && awr__cl_presence_possible(c);
}
/* 1: connect with subscriptions in the URL; 0: project only, then frames. */
static int awr__cl_next_is_url(const awr_client *c) {
    if (awr__cl_message_capable(c)) return 0;
    if (AWR__CL_MODE(c) == AWR_MODE_AUTO && c->gen == AWR_GEN_UNKNOWN && awr__cl_live_count(c) == 0) return 0;
    return 1;
}

/* ---- rate limit: a sliding 60 s window over the latest frames ----------------------------------- */
static uint32_t awr__cl_rate_limit(const awr_client *c) {
    int32_t r = c->cfg.rate_per_minute;
    if (r < 0) return 0;              /* unlimited */
    if (r == 0 || r > AWR__CL_RATE_LOG) r = AWR__CL_RATE_LOG;
    return (uint32_t)r;
}
/* Time from which one more frame may go out (pings may use the last slot; others leave it free). */
static int64_t awr__cl_rate_ready_at(const awr_client *c, int is_ping) {
    uint32_t lim = awr__cl_rate_limit(c), allowed, i;
    if (lim == 0) return c->now;
    allowed = lim > 1u && !is_ping ? lim - 1u : lim;
    {   /* frames sent within the window */
        uint32_t in = 0;
        int64_t oldest_needed = c->now;
        for (i = 0; i < c->rate_count; i++) {
            uint32_t age = (uint32_t)c->now - c->rate_log[(c->rate_head + AWR__CL_RATE_LOG - 1u - i) % AWR__CL_RATE_LOG];
            if (age < 60000u) {
                in++;
                if (in >= allowed) { oldest_needed = c->now + (int64_t)(60000u - age); break; }
            }
        }
        return in < allowed ? c->now : oldest_needed;
    }
}
static void awr__cl_rate_note(awr_client *c) {
    c->rate_log[c->rate_head] = (uint32_t)c->now;
    c->rate_head = (c->rate_head + 1u) % AWR__CL_RATE_LOG;
    if (c->rate_count < AWR__CL_RATE_LOG) c->rate_count++;
}

static void awr__cl_pending_push(awr_client *c, uint8_t kind, uint32_t seq) {
    uint32_t at;
    if (c->pending_count == AWR__CL_PENDING_RING) {        /* forget the oldest */
        c->pending_head = (c->pending_head + 1u) % AWR__CL_PENDING_RING;
        c->pending_count--;
    }
    at = (c->pending_head + c->pending_count) % AWR__CL_PENDING_RING;
    c->pending[at] = kind;
    c->pending_seq[at] = seq;
    c->pending_t[at] = (uint32_t)c->now;
    c->pending_count++;
}
/* Requests unanswered for 10 s never will be (some servers do not acknowledge every frame): drop them
 * so that they do not take the blame for a later error. */
static void awr__cl_pending_expire(awr_client *c) {
    while (c->pending_count && (uint32_t)c->now - c->pending_t[c->pending_head] > 10000u) {
        c->pending_head = (c->pending_head + 1u) % AWR__CL_PENDING_RING;
        c->pending_count--;
    }
}
/* Remove the oldest request of this kind (0: the oldest of any kind); returns its kind or 0. */
static uint8_t awr__cl_pending_take(awr_client *c, uint8_t kind, uint32_t *seq) {
    uint32_t i, j;
    awr__cl_pending_expire(c);
    for (i = 0; i < c->pending_count; i++) {
        uint32_t at = (c->pending_head + i) % AWR__CL_PENDING_RING;
        uint8_t k = c->pending[at];
        if (kind == 0 || k == kind || (kind == AWR__CL_REQ_UNSUB && AWR__CL_IS_PROBE(k))) {
            if (seq) *seq = c->pending_seq[at];
            for (j = i; j + 1u < c->pending_count; j++) {
                uint32_t to = (c->pending_head + j) % AWR__CL_PENDING_RING;
                uint32_t from = (c->pending_head + j + 1u) % AWR__CL_PENDING_RING;
                c->pending[to] = c->pending[from];
                c->pending_t[to] = c->pending_t[from];
                c->pending_seq[to] = c->pending_seq[from];
            }
            c->pending_count--;
            return k;
        }
    }
    return 0;
}

/* ---- the transport: open, handshake, close ------------------------------------------------------ */
/* Random bytes from io.random, or (without it) a SHA-1 of the client's address, the time and a
 * counter: unpredictable enough for WebSocket keys, which only have to defeat caching proxies. */
static void awr__cl_random(awr_client *c, uint8_t *out, size_t len) {
    uint8_t d[AWR_SHA1_SIZE];
    awr_sha1_ctx h;
    if (c->cfg.io.random && c->cfg.io.random(c->cfg.io.user, out, len) == AWR_OK) return;
    while (len) {
        size_t n = len < sizeof d ? len : sizeof d;
        awr_sha1_init(&h);
        awr_sha1_update(&h, &c, sizeof c);
        awr_sha1_update(&h, &c->now, sizeof c->now);
        c->rnd_counter++;
        awr_sha1_update(&h, &c->rnd_counter, sizeof c->rnd_counter);
        awr_sha1_final(&h, d);
        memcpy(out, d, n);
        out += n; len -= n;
    }
}

/* Masking keys for the WebSocket layer: a failing io.random falls back as for the upgrade key, so
 * that no frame (subscribe, ping) is held back for good by a generator that stopped working. */
static awr_result awr__cl_ws_random(void *user, void *out, size_t len) {
    awr__cl_random((awr_client *)user, (uint8_t *)out, len);
    return AWR_OK;
}

/* ---- the handshake URL ------------------------------------------------------------------------- */
static size_t awr__cl_max_url(const awr_client *c) {
    return c->cfg.max_url ? c->cfg.max_url : AWR_CLIENT_DEFAULT_MAX_URL;
}

/* URL mode for good: the subscriptions travel in the URL and nowhere else. */
static int awr__cl_url_only(const awr_client *c) {
    if (AWR__CL_MODE(c) == AWR_MODE_URL) return 1;
    return AWR__CL_MODE(c) == AWR_MODE_AUTO && (c->gen == AWR_GEN_LEGACY || c->gen == AWR_GEN_URL_IDS);
}

static void awr__cl_out_base(const awr_client *c, awr__out *o) {
    awr__out_str(o, awr__cl_str(c, c->path));
    awr__out_str(o, "?project=");
    awr__cl_out_pct(o, awr__cl_str(c, c->project));
}

/* The 1.9.0 query slot of s: every channel with each of its queries, or with `select *` when it has
 * none (older servers ignore these parameters). */
static void awr__cl_out_slots(const awr_client *c, awr__out *o, const awr__cl_sub *s, size_t slot) {
    const char *ch = awr__cl_first_name(c, s), *queries = ch, *q;
    size_t j, k, nq = s->nq ? s->nq : 1u;
    for (j = 0; j < s->nch; j++) queries = awr__cl_next_name(queries);
    for (j = 0; j < s->nch; j++, ch = awr__cl_next_name(ch)) {
        for (k = 0, q = queries; k < nq; k++) {
            awr__out_char(o, '&');
            awr__cl_out_pct(o, ch);
            awr__out_char(o, '[');
            awr__out_dec(o, slot);
            awr__out_str(o, "][]=");
            awr__cl_out_pct(o, s->nq ? q : "{\"method\":\"select\",\"values\":[\"*\"]}");
            if (s->nq) q = awr__cl_next_name(q);
        }
    }
}

/* At most how many bytes s adds to the URL (each of its channels counted as new there). */
static size_t awr__cl_url_cost(const awr_client *c, const awr__cl_sub *s) {
    awr__out o;
    const char *ch = awr__cl_first_name(c, s);
    size_t j;
    awr__out_init(&o, NULL, 0);
    for (j = 0; j < s->nch; j++, ch = awr__cl_next_name(ch)) {
        awr__out_str(&o, "&channels[]=");
        awr__cl_out_pct(&o, ch);
    }
    awr__cl_out_slots(c, &o, s, c->max_subs);   /* the widest slot number */
    return o.len;
}

/* The longest URL the live subscriptions (without skip, plus extra) can make. */
static size_t awr__cl_url_len(const awr_client *c, const awr__cl_sub *extra, const awr__cl_sub *skip) {
    awr__out o;
    size_t i, n;
    awr__out_init(&o, NULL, 0);
    awr__cl_out_base(c, &o);
    n = o.len + (extra ? awr__cl_url_cost(c, extra) : 0u);
    for (i = 0; i < c->max_subs; i++)
        if ((c->subs[i].flags & AWR__CL_SUB_LIVE) && &c->subs[i] != skip) n += awr__cl_url_cost(c, &c->subs[i]);
    return n;
}

/* 1 if channel ch (the j-th of subscription i) is already among the URL's channels[]. The URL holds
 * at most max_url bytes, which bounds this search. */
static int awr__cl_url_has_channel(const awr_client *c, size_t i, size_t j, const char *ch) {
    size_t k, m;
    for (k = 0; k <= i; k++) {
        const awr__cl_sub *t = &c->subs[k];
        const char *p = awr__cl_first_name(c, t);
        size_t lim = k == i ? j : t->nch;
        if (!(t->flags & AWR__CL_SUB_LIVE) || t->slot < 0) continue;
        for (m = 0; m < lim; m++, p = awr__cl_next_name(p))
            if (awr__streq(p, ch)) return 1;
    }
    return 0;
}

/* The resource: path?project=P, and in URL mode the channels and query slots of every live
 * subscription, in table order, as long as the URL stays within max_url: the others are marked
 * AWR__CL_SUB_LONG (frames will carry them on 1.9.5+; older servers cannot have them). */
static void awr__cl_build_resource(awr_client *c, awr__out *o, int url_mode) {
    size_t i, j, slot = 0, used, max = awr__cl_max_url(c);
    awr__cl_out_base(c, o);
    if (!url_mode) return;
    used = o->len;
    for (i = 0; i < c->max_subs; i++) {          /* who fits: a slot each */
        awr__cl_sub *s = &c->subs[i];
        size_t cost;
        s->flags &= ~AWR__CL_SUB_LONG;
        if (!(s->flags & AWR__CL_SUB_LIVE)) { if (s->flags == 0) s->slot = -1; continue; }
        cost = awr__cl_url_cost(c, s);
        if (used + cost > max) { s->slot = -1; s->flags |= AWR__CL_SUB_LONG; continue; }
        used += cost;
        s->slot = (int32_t)slot++;
    }
    for (i = 0; i < c->max_subs; i++) {          /* channels[]: each distinct channel once */
        awr__cl_sub *s = &c->subs[i];
        const char *ch = awr__cl_first_name(c, s);
        if (!(s->flags & AWR__CL_SUB_LIVE) || s->slot < 0) continue;
        for (j = 0; j < s->nch; j++, ch = awr__cl_next_name(ch)) {
            if (awr__cl_url_has_channel(c, i, j, ch)) continue;
            awr__out_str(o, "&channels[]=");
            awr__cl_out_pct(o, ch);
        }
    }
    for (i = 0; i < c->max_subs; i++)            /* an explicit slot for every channel (1.9.0) */
        if ((c->subs[i].flags & AWR__CL_SUB_LIVE) && c->subs[i].slot >= 0)
            awr__cl_out_slots(c, o, &c->subs[i], (size_t)c->subs[i].slot);
}

/* The extra header lines: credentials, then cfg.headers, each ending in CRLF. */
static void awr__cl_build_headers(awr_client *c, awr__out *o) {
    size_t i;
    if (c->jwt.len != AWR__CL_NONE) {              /* 1.9.0+ refuses a JWT together with a session */
        awr__out_str(o, "X-Appwrite-JWT: ");
        awr__out_str(o, awr__cl_str(c, c->jwt));
        awr__out_str(o, "\r\n");
    } else if (c->session.len != AWR__CL_NONE) {
        if (c->cfg.session_via_cookie) {
            awr__out_str(o, "Cookie: a_session_");
            awr__out_str(o, awr__cl_str(c, c->project));
            awr__out_char(o, '=');
        } else {
            awr__out_str(o, "X-Appwrite-Session: ");
        }
        awr__out_str(o, awr__cl_str(c, c->session));
        awr__out_str(o, "\r\n");
    }
    for (i = 0; i < c->cfg.nheaders; i++) {
        if (!c->cfg.headers[i]) continue;
        awr__out_str(o, c->cfg.headers[i]);
        awr__out_str(o, "\r\n");
    }
}

/* The upgrade request goes to the start of the transmit + read buffers; its resource and header
 * strings are built at their end first (awr_ws_handshake_request reads each before it writes there). */
static awr_result awr__cl_build_request(awr_client *c, int url_mode) {
    uint8_t key[AWR_WS_KEY_SIZE];
    awr__out res, hdr;
    awr_ws_request rq;
    char *area = (char *)c->tx, none[1];
    size_t room = (size_t)(c->rd + c->rd_cap - c->tx), bare = 0, need;
    awr_result r;
    awr__out_init(&res, NULL, 0);
    awr__cl_build_resource(c, &res, url_mode);
    awr__out_init(&hdr, NULL, 0);
    awr__cl_build_headers(c, &hdr);
    memset(&rq, 0, sizeof rq);
    rq.host = awr__cl_str(c, c->host_hdr);
    rq.port = c->port;
    rq.tls = c->tls;
    awr__cl_random(c, key, sizeof key);
    awr_ws_handshake_init(AWR__CL_HS(c), c->rx, AWR__CL_HS_OFF(c) < AWR__CL_HS_CAP ? AWR__CL_HS_OFF(c) : AWR__CL_HS_CAP);
    /* the request with resource "/" and no headers, to learn what the whole one needs */
    r = awr_ws_handshake_request(AWR__CL_HS(c), &rq, key, none, 0, &bare);
    if (r != AWR_ERR_BUFFER || bare == 0) return r == AWR_OK ? AWR_ERR_STATE : r;
    need = bare - 1u + res.len + hdr.len;
    if (need > room || res.len + hdr.len + 2u > room) return awr__cl_too_small(c, "tx_buffer + read_buffer", need);
    awr__out_init(&res, area + room - res.len - hdr.len - 2u, res.len + 1u);
    awr__cl_build_resource(c, &res, url_mode);
    awr__out_init(&hdr, res.p + res.len + 1u, hdr.len + 1u);
    awr__cl_build_headers(c, &hdr);
    rq.resource = res.p;
    rq.headers = hdr.len ? hdr.p : NULL;
    r = awr_ws_handshake_request(AWR__CL_HS(c), &rq, key, area, room, &c->req_len);
    c->req_sent = 0;
    if (r == AWR_ERR_BUFFER) return awr__cl_too_small(c, "tx_buffer + read_buffer", need);
    return r;
}

static void awr__cl_reset_connection_state(awr_client *c) {
    size_t i;
    c->conn = NULL;
    c->ws_live = c->connected = c->frames_ok = c->suppress = 0;   /* nothing of the old socket counts */
    c->probe_due = c->probe_out = 0;                              /* a probe in flight died with it */
    c->url_dirty = c->req_reconnect = 0;                          /* the next connection takes every change */
    c->pending_count = c->pending_head = c->rate_count = c->rate_head = 0;   /* the frame rings */
    c->req_len = c->req_sent = 0;
    c->idx_dirty = 1;
    for (i = 0; i < c->max_subs; i++) {
        awr__cl_sub *s = &c->subs[i];
        if (s->flags & AWR__CL_SUB_ZOMBIE) { awr__cl_sub_release(c, s); continue; } /* the server forgot it */
        s->flags &= ~AWR__CL_SUB_SYNCED;
        s->slot = -1;
        s->wid[0] = 0;
    }
    c->presence_dirty = c->presence.len != AWR__CL_NONE;
}

static void awr__cl_start(awr_client *c);

/* The transport is gone: decide what comes next. */
static void awr__cl_transport_gone(awr_client *c, awr_result why, int next) {
    awr__cl_reset_connection_state(c);
    c->phase = AWR__CL_P_IDLE;
    if (c->stopped != AWR_OK) {
        awr__cl_report_simple(c, AWR_STATE_CLOSED, c->stopped == AWR_ERR_CLOSED ? AWR_OK : c->stopped);
        return;
    }
    if (!awr__cl_wants_connection(c)) {
        awr__cl_report_simple(c, AWR_STATE_IDLE, why);
        return;
    }
    if (next != AWR__CL_NEXT_BACKOFF) { awr__cl_start(c); return; }
    {
        uint32_t a = c->attempts;
        uint32_t delay = a < 5u ? 1000u : a < 15u ? 5000u : a < 100u ? 10000u : 60000u;
        awr_text none;
        int32_t pct = c->cfg.jitter_pct;
        if (pct > 0) {
            uint8_t rnd[4];   /* 16 bits could not reach past 65,535 ms of a span of up to 120,001 */
            uint32_t span = delay * (uint32_t)(pct > 100 ? 100 : pct) / 100u;   /* <= 60,000 */
            uint32_t v;
            awr__cl_random(c, rnd, sizeof rnd);
            v = awr__load_be32(rnd) % (2u * span + 1u);
            delay = delay - span + v;
        }
        c->attempts++;
        c->phase = AWR__CL_P_WAIT;
        c->t_reconnect = c->now + (int64_t)delay;
        none.ptr = NULL; none.len = 0;
        awr__cl_report(c, AWR_STATE_RECONNECTING, why, delay, none);
    }
}

static void awr__cl_io_close(awr_client *c) {
    if (AWR__CL_HOOKS && c->conn && c->cfg.io.close) c->cfg.io.close(c->cfg.io.user, c->conn);
    c->conn = NULL;
}

/* Stop using the current connection: queue a close frame if the WebSocket is open, and let poll (or
 * the sans-I/O host) close the transport. */
static void awr__cl_begin_close(awr_client *c, awr_result why, int next) {
    if (c->ws_live && awr_ws_get_state(&c->ws) == AWR_WS_OPEN) (void)awr_ws_close(&c->ws, 1000, NULL);
    c->phase = AWR__CL_P_CLOSING;
    c->suppress = 1;
    c->close_why = why;
    c->next_after_close = (uint8_t)next;
}

/* 1 for a failure that the same attempt would meet again: the client stops (see FAILURES). */
static int awr__cl_fatal(const awr_client *c, awr_result why) {
    switch (why) {
    case AWR_ERR_TLS_UNTRUSTED: case AWR_ERR_TLS_HOSTNAME: case AWR_ERR_TLS_EXPIRED:
    case AWR_ERR_UNSUPPORTED: case AWR_ERR_ARG: case AWR_ERR_URL: case AWR_ERR_BUFFER:
    case AWR_ERR_HS_TOO_LARGE: case AWR_ERR_HS_MALFORMED: case AWR_ERR_HS_UPGRADE: case AWR_ERR_HS_CONNECTION:
    case AWR_ERR_HS_ACCEPT: case AWR_ERR_HS_EXTENSION: case AWR_ERR_HS_PROTOCOL:
        return 1;
    case AWR_ERR_HS_STATUS:   /* the server is there but refuses: only overload may pass */
        return !(c->http_status >= 500 || c->http_status == 429);
    default:
        return 0;
    }
}
/* A failed transport or handshake: back off, or stop when retrying cannot help. */
static int awr__cl_next_after(awr_client *c, awr_result why) {
    if (!awr__cl_fatal(c, why)) return AWR__CL_NEXT_BACKOFF;
    if (c->stopped == AWR_OK) c->stopped = why;
    return AWR__CL_NEXT_STOP;
}

static void awr__cl_fail(awr_client *c, awr_result why) {
    if (c->phase == AWR__CL_P_IDLE || c->phase == AWR__CL_P_WAIT) return;
    awr__cl_begin_close(c, why, awr__cl_next_after(c, why));
}

static void awr__cl_start(awr_client *c) {
    awr_result r;
    int url_mode = awr__cl_next_is_url(c);
    awr__cl_reset_connection_state(c);
    c->url_conn = (uint8_t)url_mode;
    c->t_deadline_connect = c->now + awr__cl_cfg_ms(c->cfg.connect_timeout_ms, AWR_CLIENT_DEFAULT_CONNECT_TIMEOUT_MS);
    c->t_last_rx = c->now;
    r = awr__cl_build_request(c, url_mode);
    if (r != AWR_OK) {   /* the URL or the headers do not fit: retrying cannot help */
        c->stopped = r;
        c->phase = AWR__CL_P_IDLE;
        awr__cl_report_simple(c, AWR_STATE_CLOSED, r);
        return;
    }
    c->phase = AWR__CL_P_OPENING;
    awr__cl_report_simple(c, AWR_STATE_CONNECTING, AWR_OK);
    if (c->phase != AWR__CL_P_OPENING) return;
    if (AWR__CL_HOOKS && c->cfg.io.open) {
        void *conn = NULL;
        r = c->cfg.io.open(c->cfg.io.user, awr__cl_str(c, c->host), c->port, c->tls, &conn);
        if (r != AWR_OK) {
            awr__cl_note_transport(c, NULL, r);
            if (r == AWR_ERR_UNSUPPORTED && c->tls && !c->detail[0])
                awr__cl_note_s(c, "wss:// needs a TLS transport (AWR_BEARSSL)");
            c->phase = AWR__CL_P_HS;
            awr__cl_transport_gone(c, r, awr__cl_next_after(c, r));
            return;
        }
        c->conn = conn;
        c->phase = AWR__CL_P_HS;
    }
}

/* ---- outbound frames ---------------------------------------------------------------------------- */
static AWR__SIZE_NOINLINE size_t awr__cl_frame_cap(const awr_client *c) {
    size_t cap = c->rd_cap;
    if (c->tx_cap - AWR_WS_MAX_HEADER < cap) cap = c->tx_cap - AWR_WS_MAX_HEADER;
    if (AWR_CLIENT_MAX_FRAME < cap) cap = AWR_CLIENT_MAX_FRAME;
    return cap;
}

/* AWR_ERR_BUFFER for a frame of this many payload bytes that can never go out: the buffer that
 * bounds it and the size it would need (above the server's limit no buffer helps). */
static awr_result awr__cl_frame_too_small(awr_client *c, size_t frame) {
    if (frame > AWR_CLIENT_MAX_FRAME) return awr__cl_too_small(c, "a frame over the server's limit", frame);
    if (frame > c->rd_cap) return awr__cl_too_small(c, "read_buffer", frame);
    return awr__cl_too_small(c, "tx_buffer", frame + AWR_WS_MAX_HEADER);
}

/* The subscribe row of s: {"subscriptionId":...,"channels":[...],"queries":[...]}. */
static void awr__cl_write_row(const awr_client *c, awr_json_writer *w, const awr__cl_sub *s) {
    size_t i;
    const char *p = awr__cl_first_name(c, s);
    awr_json_write_begin_object(w);
    awr_json_write_key(w, "subscriptionId");
    awr_json_write_string(w, s->wid);
    awr_json_write_key(w, "channels");
    awr_json_write_begin_array(w);
    for (i = 0; i < s->nch; i++, p = awr__cl_next_name(p)) awr_json_write_string(w, p);
    awr_json_write_end_array(w);
    awr_json_write_key(w, "queries");
    awr_json_write_begin_array(w);
    for (i = 0; i < s->nq; i++, p = awr__cl_next_name(p)) awr_json_write_string(w, p);
    awr_json_write_end_array(w);
    awr_json_write_end_object(w);
}

/* Length of the subscribe row of s, with the longest id: the row as a counting writer measures it. */
static size_t awr__cl_row_len(const awr_client *c, const awr__cl_sub *s) {
    awr_json_writer w;
    awr_json_writer_init(&w, NULL, 0);
    awr__cl_write_row(c, &w, s);
    return w.out.len - awr__strlen(s->wid) + AWR__CL_ID_MAX;
}

/* The frame being built in the read buffer: frame_cap bytes of JSON (the writer keeps one more for
 * its NUL when the buffer has it). A row that would leave no room for the frame's closing "]}" is
 * taken back by restoring the writer as it was before the row. */
static void awr__cl_frame_begin(awr_client *c, awr_json_writer *w, size_t cap, const char *type) {
    awr_json_writer_init(w, (char *)c->rd, cap < c->rd_cap ? cap + 1u : cap);
    awr_json_write_begin_object(w);
    awr_json_write_key(w, "type");
    awr_json_write_string(w, type);
    awr_json_write_key(w, "data");
}
static AWR__SIZE_NOINLINE int awr__cl_row_fits(awr_json_writer *w, const awr_json_writer *before, size_t cap) {
    if (awr_json_writer_error(w) == AWR_OK && w->out.len + 2u <= cap) return 1;
    *w = *before;
    return 0;
}

static int awr__cl_send_text(awr_client *c, const char *buf, size_t len, uint8_t req, uint32_t seq) {
    awr_result r = awr_ws_send(&c->ws, AWR_WS_OP_TEXT, buf, len);
    if (r != AWR_OK) return 0;
    awr__cl_rate_note(c);
    if (req) awr__cl_pending_push(c, req, seq);
    return 1;
}

/* Send what the subscription table and presence need, in order: unsubscribes, subscribes, presence,
 * probe. Returns 1 while everything went out, 0 when something waits (rate limit or full buffer). */
/* The message-mode probe: a constant, so it can go out from inside awr_client_feed too (at `connected`,
 * before the rest of the input is read), without the read buffer where frames are built. */
static int awr__cl_send_probe(awr_client *c) {
    static const char probe[] = "{\"type\":\"unsubscribe\",\"data\":[{\"subscriptionId\":\"awr-probe\"}]}";
    if (!awr__cl_send_text(c, probe, sizeof probe - 1u, AWR__CL_REQ_PROBE, 0)) return 0;
    c->probe_due = 0;
    c->probe_out = 1;
    c->t_probe = c->now;
    return 1;
}

/* What the table has to send (only on a connection that takes frames): AWR__CL_DUE_UNSUB for an id to
 * retire, AWR__CL_DUE_SUB for a live subscription the server does not have yet. */
#define AWR__CL_DUE_UNSUB 1
#define AWR__CL_DUE_SUB 2
static int awr__cl_table_due(const awr_client *c) {
    size_t i;
    int due = 0;
    if (!c->frames_ok) return 0;   /* URL mode: only the probe goes out as a frame */
    for (i = 0; i < c->max_subs; i++) {
        if (c->subs[i].flags & AWR__CL_SUB_ZOMBIE) due |= AWR__CL_DUE_UNSUB;
        if ((c->subs[i].flags & (AWR__CL_SUB_LIVE | AWR__CL_SUB_SYNCED)) == AWR__CL_SUB_LIVE) due |= AWR__CL_DUE_SUB;
    }
    return due;
}

static AWR__SIZE_NOINLINE int awr__cl_flush_frames(awr_client *c) {
    size_t cap = awr__cl_frame_cap(c), i;
    awr_json_writer w, before;
    for (;;) {
        int due = awr__cl_table_due(c), rows = 0;
        int zombies = due & AWR__CL_DUE_UNSUB, unsynced = due & AWR__CL_DUE_SUB;
        if (!zombies && !unsynced && !(c->presence_dirty && c->frames_ok) && !AWR__CL_PROBE_DUE(c)) return 1;
        if (awr__cl_rate_ready_at(c, 0) > c->now) return 0;
        if (zombies) {
            awr__cl_frame_begin(c, &w, cap, "unsubscribe");
            awr_json_write_begin_array(&w);
            for (i = 0; i < c->max_subs; i++) {
                if (!(c->subs[i].flags & AWR__CL_SUB_ZOMBIE)) continue;
                before = w;
                awr_json_write_begin_object(&w);
                awr_json_write_key(&w, "subscriptionId");
                awr_json_write_string(&w, c->subs[i].wid);
                awr_json_write_end_object(&w);
                if (!awr__cl_row_fits(&w, &before, cap)) break;
                rows++;
            }
            awr_json_write_end_array(&w);
            awr_json_write_end_object(&w);
            if (!awr__cl_send_text(c, w.out.p, w.out.len, AWR__CL_REQ_UNSUB, 0)) return 0;
            for (i = 0; i < c->max_subs && rows; i++) {
                if (!(c->subs[i].flags & AWR__CL_SUB_ZOMBIE)) continue;
                awr__cl_sub_release(c, &c->subs[i]);
                rows--;
            }
            continue;
        }
        if (unsynced) {
            uint32_t solo = 0;   /* a row that must go alone goes first, alone */
            for (i = 0; i < c->max_subs && !solo; i++)
                solo = (c->subs[i].flags & (AWR__CL_SUB_LIVE | AWR__CL_SUB_SYNCED | AWR__CL_SUB_SOLO)) ==
                       (AWR__CL_SUB_LIVE | AWR__CL_SUB_SOLO);
            awr__cl_frame_begin(c, &w, cap, "subscribe");
            awr_json_write_begin_array(&w);
            for (i = 0; i < c->max_subs; i++) {
                awr__cl_sub *s = &c->subs[i];
                if ((s->flags & (AWR__CL_SUB_LIVE | AWR__CL_SUB_SYNCED)) != AWR__CL_SUB_LIVE) continue;
                if (solo ? !(s->flags & AWR__CL_SUB_SOLO) || rows : (s->flags & AWR__CL_SUB_SOLO) != 0) continue;
                if (!s->wid[0]) awr__cl_new_id(c, s->wid);
                before = w;
                awr__cl_write_row(c, &w, s);
                if (!awr__cl_row_fits(&w, &before, cap)) {
                    if (rows == 0) {   /* can never fit: tell the user once and leave it */
                        s->flags |= AWR__CL_SUB_SYNCED;
                        awr__cl_report_error(c, 0, "subscription too large for tx_buffer", 36, AWR_ERR_BUFFER);
                        continue;
                    }
                    break;
                }
                s->flags |= AWR__CL_SUB_ROW;
                rows++;
            }
            if (rows == 0) continue;
            awr_json_write_end_array(&w);
            awr_json_write_end_object(&w);
            {
                int sent = awr__cl_send_text(c, w.out.p, w.out.len, AWR__CL_REQ_SUB, ++c->frame_seq);
                for (i = 0; i < c->max_subs; i++) {
                    awr__cl_sub *s = &c->subs[i];
                    if (!(s->flags & AWR__CL_SUB_ROW)) continue;
                    s->flags &= ~AWR__CL_SUB_ROW;
                    if (sent) { s->flags |= AWR__CL_SUB_SYNCED; s->sent_seq = c->frame_seq; }
                }
                if (!sent) return 0;
            }
            continue;
        }
        if (c->presence_dirty && c->frames_ok) {
            const char *p = awr__cl_str(c, c->presence);
            awr__cl_frame_begin(c, &w, cap, "presence");
            awr_json_write_raw(&w, p, awr__strlen(p));
            awr_json_write_end_object(&w);
            if (awr_json_writer_error(&w) != AWR_OK || w.out.len > cap) { c->presence_dirty = 0; continue; }   /* checked at awr_client_upsert_presence */
            if (!awr__cl_send_text(c, w.out.p, w.out.len, AWR__CL_REQ_PRESENCE, 0)) return 0;
            c->presence_dirty = 0;
            continue;
        }
        if (AWR__CL_PROBE_DUE(c)) {
            if (!awr__cl_send_probe(c)) return 0;
            continue;
        }
        return 1;
    }
}

static void awr__cl_heartbeat(awr_client *c) {
    int32_t hb = awr__cl_cfg_ms(c->cfg.heartbeat_ms, AWR_CLIENT_DEFAULT_HEARTBEAT_MS);
    static const char ping[] = "{\"type\":\"ping\"}";
    if (hb < 0 || c->no_ping || !c->connected || c->now < c->t_next_ping) return;
    if (awr__cl_rate_ready_at(c, 1) > c->now) return;
    if (awr__cl_send_text(c, ping, sizeof ping - 1u, AWR__CL_REQ_PING, 0)) c->t_next_ping = c->now + hb;
}

/* ---- settling: everything that touches the transport, outside the callbacks -------------------- */
/* How long the link may stay silent before it counts as dead (0: never). By default two pings left
 * unanswered plus half a period for the second answer; not without pings, nor on a server that does
 * not answer them (<= 1.6.0 may be silent for hours). */
static int64_t awr__cl_dead_link_ms(const awr_client *c) {
    int32_t dead = c->cfg.dead_link_ms, hb = awr__cl_cfg_ms(c->cfg.heartbeat_ms, AWR_CLIENT_DEFAULT_HEARTBEAT_MS);
    if (dead < 0 || hb < 0 || c->no_ping) return 0;
    if (dead > 0) return dead;
    return (int64_t)hb * 5 / 2;
}

static void awr__cl_timers(awr_client *c) {
    int64_t dead = awr__cl_dead_link_ms(c);
    if (c->phase == AWR__CL_P_WAIT && c->now >= c->t_reconnect) { awr__cl_start(c); return; }
    if (c->phase == AWR__CL_P_OPENING || c->phase == AWR__CL_P_HS || (c->phase == AWR__CL_P_WS && !c->connected)) {
        if (c->now >= c->t_deadline_connect) { awr__cl_fail(c, AWR_ERR_TIMEOUT); return; }
    }
    if (c->phase == AWR__CL_P_WS && dead > 0 && c->now - c->t_last_rx >= dead) {
        awr__cl_fail(c, AWR_ERR_TIMEOUT);
        return;
    }
}

/* URL mode: the channel set changed and the socket cannot be told: reconnect. While the probe is out,
 * wait (at most 10 s) for its answer: a 1.9.5+ server takes the change as frames, no reconnect. */
static int awr__cl_probe_waiting(const awr_client *c) {
    return AWR__CL_PROBE_DUE(c) || (AWR__CL_PROBE_OUT(c) && c->now - c->t_probe <= 10000);
}
static int awr__cl_url_change_due(const awr_client *c) {
    return c->url_dirty && AWR__CL_URL_CONN(c) && !c->frames_ok && !awr__cl_probe_waiting(c);
}

static void awr__cl_settle(awr_client *c, int from_poll) {
    int live = c->phase == AWR__CL_P_OPENING || c->phase == AWR__CL_P_HS || c->phase == AWR__CL_P_WS;
    if (live) {
        if (c->req_close) {
            c->req_close = 0;
            awr__cl_begin_close(c, AWR_OK, awr__cl_wants_connection(c) ? AWR__CL_NEXT_NOW : AWR__CL_NEXT_STOP);
        } else if (c->stopped != AWR_OK) {
            awr__cl_begin_close(c, c->stopped, AWR__CL_NEXT_STOP);
        } else if (!awr__cl_wants_connection(c)) {
            awr__cl_begin_close(c, AWR_OK, AWR__CL_NEXT_STOP);
        } else if (c->req_reconnect) {
            awr__cl_begin_close(c, AWR_OK, AWR__CL_NEXT_NOW);
        } else if (from_poll && awr__cl_url_change_due(c)) {
            awr__cl_begin_close(c, AWR_OK, AWR__CL_NEXT_NOW);
        } else if (c->phase == AWR__CL_P_WS && c->connected) {
            if (c->frames_ok || AWR__CL_PROBE_DUE(c)) (void)awr__cl_flush_frames(c);
            awr__cl_heartbeat(c);
        }
        return;
    }
    if (c->phase == AWR__CL_P_IDLE || c->phase == AWR__CL_P_WAIT) {
        int was_closing = c->req_close;
        c->req_close = 0;
        c->req_reconnect = 0;
        c->url_dirty = 0;
        if (was_closing && c->stopped != AWR_OK && c->state != AWR_STATE_CLOSED) {
            c->phase = AWR__CL_P_IDLE;
            awr__cl_report_simple(c, AWR_STATE_CLOSED, c->stopped == AWR_ERR_CLOSED ? AWR_OK : c->stopped);
        }
        if (from_poll && c->phase == AWR__CL_P_IDLE && awr__cl_wants_connection(c)) awr__cl_start(c);
    }
}

/* ---- receiving ---------------------------------------------------------------------------------- */
static void awr__cl_on_text(awr_client *c, const char *data, size_t len, int check_utf8);

static void awr__cl_on_ws_message(awr_ws *ws, int opcode, const uint8_t *data, size_t len, void *user) {
    awr_client *c = (awr_client *)user;
    if (opcode != AWR_WS_OP_TEXT) return;
    if (c->suppress) {   /* ignored, but invalid UTF-8 still fails the connection (1007) as it always does */
        if (!ws->msg_checked && !awr_utf8_valid(data, len)) (void)awr__ws_fail(ws, AWR_ERR_WS_UTF8);
        return;
    }
    awr__cl_on_text(c, (const char *)data, len, !ws->msg_checked);
    /* The socket is to be dropped (1008, logout, disconnect): the close goes out now, so that what
       follows in the same input is ignored as it would be in a later call (any chunking). */
    if (c->suppress && awr_ws_get_state(ws) == AWR_WS_OPEN) (void)awr_ws_close(ws, 1000, NULL);
}

static void awr__cl_ws_open(awr_client *c) {
    awr_ws_config wc;
    memset(&wc, 0, sizeof wc);
    wc.rx_buf = c->rx;
    wc.rx_cap = c->rx_cap;
    wc.max_message = c->cfg.max_message ? c->cfg.max_message : AWR_CLIENT_DEFAULT_MAX_MESSAGE;
    if (wc.max_message > c->rx_cap) wc.max_message = c->rx_cap;
    wc.tx_buf = c->tx;
    wc.tx_cap = c->tx_cap;
    wc.on_message = awr__cl_on_ws_message;
    wc.user = c;
    if (c->cfg.io.random) wc.random = awr__cl_ws_random;
    else awr__cl_random(c, wc.seed, sizeof wc.seed);
    (void)awr_ws_init(&c->ws, &wc);
    c->ws.text_unchecked = 1;   /* awr__cl_on_text checks the UTF-8 of a message that arrives whole */
    c->ws_live = 1;
    c->phase = AWR__CL_P_WS;
}

/* The upgrade was refused: note the status and reason phrase (or what was wrong) before failing. */
static void awr__cl_handshake_failed(awr_client *c, awr_result r) {
    const awr_ws_handshake *hs = AWR__CL_HS(c);
    size_t n = 0;
    const char *reason = awr_ws_handshake_reason(hs, &n);
    if (r == AWR_ERR_HS_STATUS) {
        awr__cl_note(c, reason, n, 0);
        c->http_status = hs->status;
    } else {
        awr__cl_note_s(c, r == AWR_ERR_HS_TOO_LARGE ? "a response header line does not fit max_message" : "");
    }
    c->noted = r;
    awr__cl_fail(c, r);
}

static awr_result awr__cl_feed(awr_client *c, const uint8_t *p, size_t len) {
    if (len) c->t_last_rx = c->now;
    if (c->phase == AWR__CL_P_HS) {
        size_t used = 0;
        awr_result r;
        if (c->req_sent < c->req_len) c->req_sent = c->req_len;   /* the server answered: it has it all */
        r = awr_ws_handshake_response(AWR__CL_HS(c), p, len, &used);
        if (r == AWR_AGAIN) return AWR_OK;
        if (r != AWR_OK) { awr__cl_handshake_failed(c, r); return r; }
        awr__cl_ws_open(c);
        awr__cl_report_simple(c, AWR_STATE_OPEN, AWR_OK);
        if (c->phase != AWR__CL_P_WS) return AWR_OK;
        p += used; len -= used;
    }
    if (c->phase == AWR__CL_P_WS && len && !c->suppress) {
        awr_result r;
        c->in_feed = 1;
        r = awr_ws_feed(&c->ws, p, len);
        c->in_feed = 0;
        if (c->suppress) return AWR_OK;   /* dropped from a callback: the rest was not for us */
        if (c->phase == AWR__CL_P_WS && awr_ws_get_state(&c->ws) == AWR_WS_CLOSED) {
            /* the peer closed the WebSocket or broke the protocol; a close code 1008 stops us too */
            int code = awr_ws_peer_close(&c->ws, NULL, NULL);
            if (code == AWR_WS_CLOSE_POLICY && c->stopped == AWR_OK) c->stopped = AWR_ERR_POLICY;
            c->phase = AWR__CL_P_CLOSING;
            c->suppress = 1;
            c->close_why = r != AWR_OK ? r : AWR_ERR_EOF;
            c->next_after_close = AWR__CL_NEXT_BACKOFF;
        }
        return r;
    }
    return AWR_OK;
}

/* ---- public: lifecycle -------------------------------------------------------------------------- */
/* The parts of the block after the client struct, in this order (tx right before rd: the upgrade
 * request uses both). Each of the first seven has a config field: its units (0: the default) within
 * [min, max], elem bytes each; the others follow from max_subscriptions. */
enum { AWR__CL_PART_SUBS, AWR__CL_PART_TOKS, AWR__CL_PART_ARENA, AWR__CL_PART_TX, AWR__CL_PART_RD,
       AWR__CL_PART_RX, AWR__CL_PART_PTOKS, AWR__CL_PART_IDX_WID, AWR__CL_PART_IDX_CH, AWR__CL_PART_TARGETS,
       AWR__CL_PART_MEMO, AWR__CL_PART_MARKS, AWR__CL_PARTS };
typedef struct awr__cl_layout {
    size_t n[AWR__CL_PARTS];    /* units of each part */
    size_t at[AWR__CL_PARTS];   /* its offset from the (8-aligned) start of the client */
    size_t total;               /* the block's size, with 8 bytes of room to align its start */
} awr__cl_layout;

typedef struct awr__cl_part { uint16_t field, elem; uint32_t def, min; size_t max; } awr__cl_part;
static const awr__cl_part awr__cl_parts[AWR__CL_PART_IDX_WID] = {
    { offsetof(awr_client_config, max_subscriptions), sizeof(awr__cl_sub), AWR_CLIENT_DEFAULT_MAX_SUBSCRIPTIONS, 1u,
      0xFFFFu },
    { offsetof(awr_client_config, max_tokens), AWR__CL_TOKEN_SIZE, AWR_CLIENT_DEFAULT_MAX_TOKENS, 16u, (size_t)-1 },
    { offsetof(awr_client_config, name_arena), 1u, AWR_CLIENT_DEFAULT_NAME_ARENA, 1u, 0x7FFFFFFFu },
    { offsetof(awr_client_config, tx_buffer), 1u, AWR_CLIENT_DEFAULT_TX_BUFFER, AWR_WS_MIN_TX, (size_t)-1 },
    { offsetof(awr_client_config, read_buffer), 1u, AWR_CLIENT_DEFAULT_READ_BUFFER, 256u, (size_t)-1 },
    { offsetof(awr_client_config, max_message), 1u, AWR_CLIENT_DEFAULT_MAX_MESSAGE, AWR__CL_MIN_RX, (size_t)-1 / 4u },
    { offsetof(awr_client_config, payload_tokens), AWR__CL_TOKEN_SIZE, AWR_CLIENT_DEFAULT_PAYLOAD_TOKENS, 1u,
      0x7FFFFFFFu / AWR__CL_TOKEN_SIZE }
};
#define AWR__CL_BLOCK_MAX ((size_t)-1 / 2u)   /* the largest block: the layout's sums cannot wrap */

/* The smallest power of two >= n (n <= 2^20 here). */
static size_t awr__cl_pow2(size_t n) {
    size_t p = 4;
    while (p < n) p <<= 1;
    return p;
}

static int awr__cl_layout_of(const awr_client_config *cfg, awr__cl_layout *l) {
    size_t i, s, off = awr__cl_align8(sizeof(awr_client));
    if (!cfg) return 0;
    for (i = 0; i < AWR__CL_PART_IDX_WID; i++) {
        const awr__cl_part *p = &awr__cl_parts[i];
        size_t v;
        memcpy(&v, (const char *)cfg + p->field, sizeof v);
        l->n[i] = v ? v : p->def;
        if (l->n[i] < p->min || l->n[i] > p->max) return 0;
    }
    s = l->n[AWR__CL_PART_SUBS];
    /* the indexes stay at most half full: AWR__CL_INDEXED_CHANNELS channels per subscription on average */
    l->n[AWR__CL_PART_IDX_WID] = AWR__CL_INDEXED ? awr__cl_pow2(2u * s) : 0;
    l->n[AWR__CL_PART_IDX_CH] = AWR__CL_INDEXED ? awr__cl_pow2(2u * AWR__CL_INDEXED_CHANNELS * s) : 0;
    l->n[AWR__CL_PART_TARGETS] = l->n[AWR__CL_PART_MEMO] = s;
    l->n[AWR__CL_PART_MARKS] = (s + 31u) / 32u;
    for (i = 0; i < AWR__CL_PARTS; i++) {
        size_t elem = i < AWR__CL_PART_IDX_WID ? awr__cl_parts[i].elem :
                      i < AWR__CL_PART_TARGETS ? 2u * sizeof(uint32_t) : sizeof(uint32_t);   /* index entries: 2 */
        if (l->n[i] > (AWR__CL_BLOCK_MAX - off) / elem) return 0;
        l->at[i] = off;
        off += awr__cl_align8(l->n[i] * elem);
        if (off > AWR__CL_BLOCK_MAX) return 0;
    }
    l->total = off + 8u;
    return 1;
}

static awr_result awr__cl_parse_endpoint(awr_client *c, const char *url);
static awr_result awr__cl_check_config(const awr_client_config *cfg, awr__cl_layout *l);

AWR_API size_t awr_client_size(const awr_client_config *cfg) {
    awr__cl_layout l;
    return awr__cl_check_config(cfg, &l) == AWR_OK ? l.total : 0;
}

/* Split "scheme://host[:port]/path" into the client's host, port, tls and path. The path follows the
 * SDKs' convention: ".../v1" gets "/realtime" appended, ".../v1/realtime" is kept; no other path can be
 * Appwrite's realtime endpoint. */
/* An endpoint's parts as parsed (pointers into the URL): nothing copied yet. */
typedef struct awr__cl_url {
    const char *host;
    size_t host_len;   /* as written: an IPv6 address keeps its brackets (the Host header's form) */
    const char *bare;  /* the host without brackets, for the transport */
    size_t bare_len;
    const char *path;
    size_t path_len;   /* without the query, the fragment and trailing slashes */
    int add_realtime;  /* the path ends in /v1: "/realtime" is appended */
    size_t stored_len; /* the path as the client keeps it: path_len, + 9 with "/realtime" */
    int port, tls;
} awr__cl_url;

static awr_result awr__cl_parse_url(const char *url, awr__cl_url *u) {
    const char *p, *host, *path;
    size_t pl = 0, k;
    long port = -1;
    k = awr__cl_scheme(url, &u->tls);
    if (k == 0) return AWR_ERR_URL;
    p = url + k;
    host = p;
    if (*p == '[') {
        while (*p && *p != ']') p++;
        if (*p != ']') return AWR_ERR_URL;
        p++;
    } else {
        while (*p && *p != ':' && *p != '/' && *p != '?' && *p != '#') p++;
    }
    if (!awr__cl_valid_host(host, (size_t)(p - host))) return AWR_ERR_URL;
    u->host = u->bare = host;
    u->host_len = u->bare_len = (size_t)(p - host);
    if (host[0] == '[') { u->bare++; u->bare_len -= 2u; }
    if (*p == ':') {
        port = 0;
        p++;
        if (*p < '0' || *p > '9') return AWR_ERR_URL;
        while (*p >= '0' && *p <= '9') { port = port * 10 + (*p - '0'); if (port > 65535) return AWR_ERR_URL; p++; }
        if (port == 0) return AWR_ERR_URL;
    }
    if (*p && *p != '/') return AWR_ERR_URL;
    path = p;
    while (path[pl] && path[pl] != '?' && path[pl] != '#') pl++;   /* query and fragment are dropped */
    if (!awr__cl_valid_path(path, pl)) return AWR_ERR_URL;
    while (pl > 0 && path[pl - 1u] == '/') pl--;
    if (pl >= 12u && memcmp(path + pl - 12u, "/v1/realtime", 12) == 0) u->add_realtime = 0;
    else if (pl >= 3u && memcmp(path + pl - 3u, "/v1", 3) == 0) u->add_realtime = 1;
    else return AWR_ERR_URL;
    u->path = path;
    u->path_len = pl;
    u->stored_len = pl + (u->add_realtime ? 9u : 0u);
    u->port = port > 0 ? (int)port : u->tls ? 443 : 80;
    return AWR_OK;
}

/* The arena bytes awr__cl_parse_endpoint takes for u: the Host header's form, the bare host and the
 * path, each NUL-terminated. */
static size_t awr__cl_url_arena(const awr__cl_url *u) {
    return u->host_len + 1u + u->bare_len + 1u + u->stored_len + 1u;
}

static awr_result awr__cl_parse_endpoint(awr_client *c, const char *url) {
    awr__cl_url u;
    awr__out o;
    awr_result r = awr__cl_parse_url(url, &u);
    if (r != AWR_OK) return r;
    c->tls = u.tls;
    c->port = u.port;
    r = awr__cl_arena_strn(c, u.host, u.host_len, &c->host_hdr);
    if (r == AWR_OK) r = awr__cl_arena_strn(c, u.bare, u.bare_len, &c->host);
    if (r == AWR_OK) r = awr__cl_arena_alloc(c, u.stored_len, &c->path);
    if (r != AWR_OK) return r;
    awr__out_init(&o, c->arena + c->path.off, c->path.len + 1u);
    awr__out_mem(&o, u.path, u.path_len);
    if (u.add_realtime) awr__out_str(&o, "/realtime");
    return AWR_OK;
}

#define AWR__CL_ENDPOINT_MAX 512u
/* Whatever makes a configuration unusable, for awr_client_size (0) and awr_client_init (the result).
 * The endpoint is parsed as init parses it, without copying it anywhere. */
static awr_result awr__cl_check_config(const awr_client_config *cfg, awr__cl_layout *l) {
    size_t i, need;
    const char *url;
    awr__cl_url u;
    awr_result r;
    if (!cfg || !cfg->project || !cfg->project[0] || !awr__allocator_ok(&cfg->allocator)) return AWR_ERR_ARG;
    if (!cfg->endpoint && !cfg->realtime_endpoint) return AWR_ERR_ARG;
    if (!awr__cl_layout_of(cfg, l)) return AWR_ERR_ARG;
    /* nothing reaches the upgrade request unchecked */
    if (!awr__cl_valid_id(cfg->project)) return AWR_ERR_ARG;
    if ((cfg->session && !awr__cl_valid_credential(cfg->session)) || (cfg->jwt && !awr__cl_valid_credential(cfg->jwt)))
        return AWR_ERR_ARG;
    if (cfg->nheaders && !cfg->headers) return AWR_ERR_ARG;
#ifdef AWR_NO_URL_MODE
    if (cfg->mode == AWR_MODE_URL) return AWR_ERR_UNSUPPORTED;
#endif
#ifdef AWR_NO_IO_HOOKS
    if (cfg->io.open) return AWR_ERR_UNSUPPORTED;
#endif
    for (i = 0; i < cfg->nheaders; i++) if (cfg->headers[i] && !awr__cl_valid_header(cfg->headers[i])) return AWR_ERR_ARG;
    url = cfg->realtime_endpoint ? cfg->realtime_endpoint : cfg->endpoint;
    if (awr__strlen(url) > AWR__CL_ENDPOINT_MAX) return AWR_ERR_URL;
    r = awr__cl_parse_url(url, &u);
    if (r != AWR_OK) return r;
    /* init copies the endpoint's parts, the project and the credentials into name_arena */
    need = awr__cl_url_arena(&u) + awr__strlen(cfg->project) + 1u;
    if (cfg->session && cfg->session[0]) need += awr__strlen(cfg->session) + 1u;
    if (cfg->jwt && cfg->jwt[0]) need += awr__strlen(cfg->jwt) + 1u;
    return need > l->n[AWR__CL_PART_ARENA] ? AWR_ERR_BUFFER : AWR_OK;
}

AWR_API awr_result awr_client_init(void *mem, size_t size, const awr_client_config *cfg, awr_client **out) {
    awr__cl_layout l;
    awr_client *c;
    unsigned char *base;
    size_t i;
    awr_result r;
    if (out) *out = NULL;
    if (!mem || !out) return AWR_ERR_ARG;
    r = awr__cl_check_config(cfg, &l);
    if (r != AWR_OK) return r;
    if (size < l.total) return AWR_ERR_BUFFER;
    base = (unsigned char *)mem;
    base += (8u - ((uintptr_t)base & 7u)) & 7u;
    c = (awr_client *)(void *)base;
    memset(c, 0, sizeof *c);
    c->cfg = *cfg;
    c->subs = (awr__cl_sub *)(void *)(base + l.at[AWR__CL_PART_SUBS]);
    c->max_subs = l.n[AWR__CL_PART_SUBS];
    c->toks = (awr_json_token *)(void *)(base + l.at[AWR__CL_PART_TOKS]);
    c->max_toks = l.n[AWR__CL_PART_TOKS];
    c->arena = (char *)(base + l.at[AWR__CL_PART_ARENA]);
    c->arena_cap = (uint32_t)l.n[AWR__CL_PART_ARENA];
    c->tx = base + l.at[AWR__CL_PART_TX]; c->tx_cap = l.n[AWR__CL_PART_TX];
    c->rd = base + l.at[AWR__CL_PART_RD]; c->rd_cap = l.n[AWR__CL_PART_RD];
    c->rx = base + l.at[AWR__CL_PART_RX]; c->rx_cap = l.n[AWR__CL_PART_RX];
    c->ptoks = (awr_json_token *)(void *)(base + l.at[AWR__CL_PART_PTOKS]);
    c->max_ptoks = l.n[AWR__CL_PART_PTOKS];
    c->idx_wid = (uint32_t *)(void *)(base + l.at[AWR__CL_PART_IDX_WID]);
    c->idx_wid_cap = l.n[AWR__CL_PART_IDX_WID];
    c->idx_ch = (uint32_t *)(void *)(base + l.at[AWR__CL_PART_IDX_CH]);
    c->idx_ch_cap = l.n[AWR__CL_PART_IDX_CH];
    c->targets = (uint32_t *)(void *)(base + l.at[AWR__CL_PART_TARGETS]);
    c->memo_targets = (uint32_t *)(void *)(base + l.at[AWR__CL_PART_MEMO]);
    c->marks = (uint32_t *)(void *)(base + l.at[AWR__CL_PART_MARKS]);
    c->idx_dirty = 1;
    memset(c->subs, 0, l.n[AWR__CL_PART_SUBS] * sizeof(awr__cl_sub));
    for (i = 0; i < l.n[AWR__CL_PART_SUBS]; i++) { c->subs[i].names = awr__cl_ref_none(); c->subs[i].slot = -1; }
    /* no strings yet (the memset made every offset 0) */
    c->host.len = c->host_hdr.len = c->path.len = c->project.len = c->session.len = c->jwt.len = c->presence.len = AWR__CL_NONE;
    r = awr__cl_parse_endpoint(c, cfg->realtime_endpoint ? cfg->realtime_endpoint : cfg->endpoint);
    if (r == AWR_OK) r = awr__cl_arena_str(c, cfg->project, &c->project);
    if (r == AWR_OK && cfg->session && cfg->session[0]) r = awr__cl_arena_str(c, cfg->session, &c->session);
    if (r == AWR_OK && cfg->jwt && cfg->jwt[0]) r = awr__cl_arena_str(c, cfg->jwt, &c->jwt);
    if (r != AWR_OK) return r;
    c->cfg.endpoint = c->cfg.realtime_endpoint = c->cfg.project = c->cfg.session = c->cfg.jwt = NULL;
    c->gen = AWR_GEN_UNKNOWN;
    c->phase = AWR__CL_P_IDLE;
    c->state = AWR_STATE_IDLE;
    *out = c;
    return AWR_OK;
}

/* Destroying the client under a running callback would pull the memory from under the code that
 * called it: a contract violation, caught by AWR_ASSERT; with assertions off the call does nothing
 * (a leak is better than a use after free). */
static int awr__cl_destroy_allowed(const awr_client *c) {
    AWR_ASSERT(!c->in_callback && !c->in_feed && "awr_client_destroy/deinit called from a callback");
    return !c->in_callback && !c->in_feed;
}

AWR_API void awr_client_deinit(awr_client *c) {
    if (!c || !awr__cl_destroy_allowed(c)) return;
    awr__cl_io_close(c);
    c->phase = AWR__CL_P_IDLE;
}

AWR_API awr_result awr_client_create(const awr_client_config *cfg, awr_client **out) {
    awr__cl_layout l;
    size_t size;
    void *mem;
    awr_result r;
    if (out) *out = NULL;
    if (!out || !cfg) return AWR_ERR_ARG;
    r = awr__cl_check_config(cfg, &l);
    if (r != AWR_OK) return r;
    size = l.total;
    mem = awr__alloc(&cfg->allocator, size);
    if (!mem) return AWR_ERR_NOMEM;
    r = awr_client_init(mem, size, cfg, out);
    if (r != AWR_OK) {
        awr__free(&cfg->allocator, mem);
        return r;
    }
    (*out)->block = mem;
    return AWR_OK;
}

AWR_API void awr_client_destroy(awr_client *c) {
    void *mem;
    awr_allocator a;
    if (!c || !awr__cl_destroy_allowed(c)) return;
    awr_client_deinit(c);
    mem = c->block;
    a = c->cfg.allocator;
    if (mem) awr__free(&a, mem);
}

/* ---- public: subscriptions ---------------------------------------------------------------------- */
static void awr__cl_changed(awr_client *c) {
    c->idx_dirty = 1;
    if (c->stopped != AWR_OK) c->stopped = AWR_OK;   /* a new wish restarts a stopped client */
    if (!c->frames_ok) c->url_dirty = 1;
}

static int awr__cl_free_slot(const awr_client *c) {
    size_t i;
    for (i = 0; i < c->max_subs; i++) if (c->subs[i].flags == 0) return (int)i;
    return -1;
}

/* A slot that only waits to send an `unsubscribe` (-1: none). */
static int awr__cl_zombie_slot(const awr_client *c) {
    size_t i;
    for (i = 0; i < c->max_subs; i++) if (c->subs[i].flags & AWR__CL_SUB_ZOMBIE) return (int)i;
    return -1;
}

/* Names and checks of a new subscription in slot s (free); on failure s is free again. */
static awr_result awr__cl_fill_new(awr_client *c, awr__cl_sub *s, const char *const *channels, size_t n,
                                   const char *const *queries, size_t nq) {
    awr__cl_ref names;
    awr_result r = awr__cl_store_names(c, channels, n, queries, nq, &names);
    if (r != AWR_OK) return r;
    s->names = names;
    s->nch = (uint16_t)n;
    s->nq = (uint16_t)nq;
    if (awr__cl_row_len(c, s) + 40u > awr__cl_frame_cap(c)) {
        size_t row = awr__cl_row_len(c, s) + 40u;
        awr__cl_sub_release(c, s);
        return awr__cl_frame_too_small(c, row);
    }
    if (awr__cl_url_only(c) && awr__cl_url_len(c, s, NULL) > awr__cl_max_url(c)) {
        awr__cl_sub_release(c, s);
        return AWR_ERR_LIMIT;
    }
    return AWR_OK;
}

AWR_API awr_result awr_client_subscribe(awr_client *c, const char *const *channels, size_t n,
                                 const char *const *queries, size_t nq,
                                 awr_event_fn fn, void *user, awr_sub *out) {
    int i, evict = 0;
    awr__cl_sub *s, zombie;
    awr_result r;
    if (out) *out = 0;
    if (!c || !fn || !out) return AWR_ERR_ARG;
    i = awr__cl_free_slot(c);
    if (i < 0) {
        /* Only ids retired since the last flush fill the rest of the table (unsubscribe, then
           subscribe, before their `unsubscribe` could go out): take one, and reconnect instead of
           sending it, since the server forgets a connection's subscriptions with it. */
        i = awr__cl_zombie_slot(c);
        evict = i >= 0;
    }
    if (i < 0) return AWR_ERR_LIMIT;
    s = &c->subs[i];
    zombie = *s;
    if (evict) awr__cl_sub_release(c, s);
    r = awr__cl_fill_new(c, s, channels, n, queries, nq);
    if (r != AWR_OK) {
        if (evict) *s = zombie;   /* (it owns no names: nothing of the arena moved under it) */
        return r;
    }
    if (evict) c->req_reconnect = 1;
    c->next_handle++;
    s->handle = ((c->next_handle & 0xFFFFu) << 16) | (uint32_t)(i + 1);
    s->flags = AWR__CL_SUB_LIVE;
    s->fn = fn;
    s->user = user;
    s->slot = -1;
    s->wid[0] = 0;
    awr__cl_changed(c);
    *out = s->handle;
    return AWR_OK;
}

AWR_API awr_result awr_client_subscribe_channel(awr_client *c, const char *channel, awr_event_fn fn, void *user,
                                         awr_sub *out) {
    const char *one[1];
    one[0] = channel;
    return awr_client_subscribe(c, one, 1, NULL, 0, fn, user, out);
}

/* The server holds s under wid on this connection: keep the id in a zombie slot until an `unsubscribe`
 * for it has gone out. Without a free slot, reconnect instead (the server then forgets everything). */
static void awr__cl_retire_id(awr_client *c, const awr__cl_sub *s) {
    int z;
    if (!(s->flags & AWR__CL_SUB_SYNCED) || !s->wid[0] || !c->frames_ok) return;
    z = awr__cl_free_slot(c);
    if (z < 0) { c->req_reconnect = 1; return; }
    c->subs[z].flags = AWR__CL_SUB_ZOMBIE;
    c->idx_dirty = 1;
    c->subs[z].handle = 0;
    memcpy(c->subs[z].wid, s->wid, sizeof s->wid);
}

AWR_API awr_result awr_client_unsubscribe(awr_client *c, awr_sub sub) {
    awr__cl_sub *s = awr__cl_sub_get(c, sub);
    awr__cl_sub copy;
    if (!s) return c ? AWR_ERR_NOT_FOUND : AWR_ERR_ARG;
    copy = *s;
    awr__cl_sub_release(c, s);          /* first: the zombie may take this very slot */
    awr__cl_retire_id(c, &copy);
    /* URL mode needs no reconnect: the socket keeps the channels, and their events are dropped here */
    return AWR_OK;
}

AWR_API awr_result awr_client_update_subscription(awr_client *c, awr_sub sub, const char *const *channels, size_t n,
                              const char *const *queries, size_t nq) {
    awr__cl_sub *s = awr__cl_sub_get(c, sub);
    awr__cl_ref names;
    awr__cl_sub probe;
    awr_result r;
    if (!s) return c ? AWR_ERR_NOT_FOUND : AWR_ERR_ARG;
    r = awr__cl_store_names(c, channels, n, queries, nq, &names);
    if (r != AWR_OK) return r;
    s = awr__cl_sub_get(c, sub);        /* (the arena does not move the table, but stay obvious) */
    probe = *s;
    probe.names = names;
    probe.nch = (uint16_t)n;
    probe.nq = (uint16_t)nq;
    if (awr__cl_row_len(c, &probe) + 40u > awr__cl_frame_cap(c)) {
        awr__cl_arena_free(c, &names);
        return awr__cl_frame_too_small(c, awr__cl_row_len(c, &probe) + 40u);
    }
    if (awr__cl_url_only(c) && awr__cl_url_len(c, &probe, s) > awr__cl_max_url(c)) {
        awr__cl_arena_free(c, &names);
        return AWR_ERR_LIMIT;
    }
    awr__cl_retire_id(c, s);
    awr__cl_arena_free(c, &s->names);
    /* the arena moved: find the new block again (it is the last one) */
    names.off = c->arena_used - names.len - 1u;
    s->names = names;
    s->nch = (uint16_t)n;
    s->nq = (uint16_t)nq;
    s->flags = AWR__CL_SUB_LIVE;        /* not synced: no event reaches it until the server has the change */
    s->slot = -1;
    s->wid[0] = 0;
    awr__cl_changed(c);
    return AWR_OK;
}

AWR_API awr_result awr_client_disconnect(awr_client *c) {
    size_t i;
    if (!c) return AWR_ERR_ARG;
    for (i = 0; i < c->max_subs; i++) if (c->subs[i].flags) awr__cl_sub_release(c, &c->subs[i]);
    awr__cl_arena_free(c, &c->presence);
    c->presence_dirty = 0;
    c->url_dirty = 0;
    c->req_reconnect = 0;
    c->stopped = AWR_ERR_CLOSED;
    c->req_close = 1;
    c->suppress = 1;
    c->attempts = 0;
    return AWR_OK;
}

/* The presence object: {"status":...,"presenceId":...,"metadata":...,"permissions":[...]}. */
static void awr__cl_write_presence(awr_json_writer *w, const char *status, const char *presence_id,
                                   const char *metadata_json, const char *const *permissions, size_t nperm) {
    size_t i;
    awr_json_write_begin_object(w);
    awr_json_write_key(w, "status");
    awr_json_write_string(w, status);
    if (presence_id) { awr_json_write_key(w, "presenceId"); awr_json_write_string(w, presence_id); }
    if (metadata_json) { awr_json_write_key(w, "metadata"); awr_json_write_raw(w, metadata_json, awr__strlen(metadata_json)); }
    if (nperm) {
        awr_json_write_key(w, "permissions");
        awr_json_write_begin_array(w);
        for (i = 0; i < nperm; i++) awr_json_write_string(w, permissions[i]);
        awr_json_write_end_array(w);
    }
    awr_json_write_end_object(w);
}

AWR_API awr_result awr_client_upsert_presence(awr_client *c, const char *status, const char *presence_id,
                                const char *metadata_json, const char *const *permissions, size_t nperm) {
    awr_json_writer w;
    awr__cl_ref blk;
    size_t i, len;
    awr_result r;
    if (!c || !status || (nperm && !permissions)) return AWR_ERR_ARG;
    if (!awr__cl_presence_possible(c)) return AWR_ERR_UNSUPPORTED;
    if (metadata_json && !awr__cl_json_is_object(c, metadata_json)) return AWR_ERR_ARG;
    for (i = 0; i < nperm; i++) if (!permissions[i]) return AWR_ERR_ARG;
    awr_json_writer_init(&w, NULL, 0);   /* measured (and checked: text that is not UTF-8), then written */
    awr__cl_write_presence(&w, status, presence_id, metadata_json, permissions, nperm);
    if (awr_json_writer_finish(&w, &len) != AWR_OK) return AWR_ERR_ARG;
    if (len + 40u > awr__cl_frame_cap(c)) return awr__cl_frame_too_small(c, len + 40u);
    r = awr__cl_arena_alloc(c, len, &blk);
    if (r != AWR_OK) return awr__cl_too_small(c, "name_arena", (size_t)c->arena_used + len + 1u);
    awr_json_writer_init(&w, c->arena + blk.off, len + 1u);
    awr__cl_write_presence(&w, status, presence_id, metadata_json, permissions, nperm);
    (void)awr_json_writer_finish(&w, NULL);   /* the same text that was measured */
    awr__cl_arena_free(c, &c->presence);
    blk.off = c->arena_used - (uint32_t)len - 1u;   /* freeing moved it down */
    c->presence = blk;
    c->presence_dirty = 1;
    if (c->stopped != AWR_OK) c->stopped = AWR_OK;
    return AWR_OK;
}

static awr_result awr__cl_set_cred(awr_client *c, awr__cl_ref *ref, const char *value) {
    awr__cl_ref blk = awr__cl_ref_none();
    awr_result r;
    if (!c) return AWR_ERR_ARG;
    if (value && !awr__cl_valid_credential(value)) return AWR_ERR_ARG;
    if (value && value[0]) {
        r = awr__cl_arena_str(c, value, &blk);
        if (r != AWR_OK) return awr__cl_too_small(c, "name_arena", (size_t)c->arena_used + awr__strlen(value) + 1u);
    }
    awr__cl_arena_free(c, ref);
    if (blk.len != AWR__CL_NONE) blk.off = c->arena_used - blk.len - 1u;
    *ref = blk;
    if (c->phase == AWR__CL_P_OPENING || c->phase == AWR__CL_P_HS || c->phase == AWR__CL_P_WS) {
        /* the socket keeps the roles it was opened with: not one more event from it */
        c->suppress = 1;
        c->req_reconnect = 1;
    }
    /* the old credentials may be why it stopped (401 at the upgrade) or waits: try the new ones now */
    if (c->stopped != AWR_OK) c->stopped = AWR_OK;
    if (c->phase == AWR__CL_P_WAIT) c->t_reconnect = c->now;
    return AWR_OK;
}

AWR_API awr_result awr_client_set_session(awr_client *c, const char *session) {
    return awr__cl_set_cred(c, c ? &c->session : NULL, session);
}
AWR_API awr_result awr_client_set_jwt(awr_client *c, const char *jwt) {
    return awr__cl_set_cred(c, c ? &c->jwt : NULL, jwt);
}
AWR_API awr_result awr_client_logout(awr_client *c) {
    awr_result r = awr__cl_set_cred(c, c ? &c->session : NULL, NULL);
    if (r == AWR_OK) r = awr__cl_set_cred(c, &c->jwt, NULL);
    return r;
}

/* ---- public: driving ---------------------------------------------------------------------------- */
static void awr__cl_closed_now(awr_client *c, awr_result why) {
    if (c->phase != AWR__CL_P_CLOSING && why != AWR_OK) awr__cl_note_transport(c, c->conn, why);
    awr__cl_io_close(c);
    if (c->phase == AWR__CL_P_CLOSING) awr__cl_transport_gone(c, c->close_why, c->next_after_close);
    else awr__cl_transport_gone(c, why, awr__cl_next_after(c, why));
}

/* What a failed send or recv means for the client. A hook may return -1 out of habit (POSIX, lwIP),
 * which is also AWR_ERR_ARG, and codes such as AWR_ERR_BUFFER would stop the client for good (see
 * FAILURES): only the transport's own failures keep their meaning (end of stream, time-out, TLS, a
 * transport that cannot do what was asked); every other value, and a count over what was offered, is
 * a transport failure (AWR_ERR_IO), which backs off and retries. */
static awr_result awr__cl_hook_failure(long n) {
    switch (n) {
    case AWR_ERR_EOF: case AWR_ERR_TIMEOUT: case AWR_ERR_UNSUPPORTED:
    case AWR_ERR_TLS: case AWR_ERR_TLS_UNTRUSTED: case AWR_ERR_TLS_HOSTNAME: case AWR_ERR_TLS_EXPIRED:
    case AWR_ERR_TLS_ALERT:
        return (awr_result)n;
    default:
        return AWR_ERR_IO;
    }
}

static int awr__cl_io_write(awr_client *c) {
    const void *p;
    size_t len;
    long n;
    p = awr_client_pending_output(c, &len);
    if (!p || !len) return 0;
    n = c->cfg.io.send(c->cfg.io.user, c->conn, p, len);
    if (n < 0 || (unsigned long)n > len) {
        awr__cl_closed_now(c, n < 0 ? awr__cl_hook_failure(n) : AWR_ERR_IO);
        return -1;
    }
    if (n == 0) return 0;
    awr_client_output_done(c, (size_t)n);
    return 1;
}

/* Where the next read goes: once the WebSocket is open, into the receive buffer after the message being
 * reassembled (when that room is at least the read buffer): a big read, whose whole frames are delivered
 * in place and whose partial one moves down to its message (awr__ws_on_data) instead of being copied
 * from the read buffer. Before that (the handshake), and when the room is short, the read buffer. */
static uint8_t *awr__cl_read_room(awr_client *c, size_t *cap) {
    if (c->phase == AWR__CL_P_WS && c->ws_live && c->rx_cap - c->ws.msg_len >= c->rd_cap) {
        *cap = c->rx_cap - c->ws.msg_len;
        return c->rx + c->ws.msg_len;
    }
    *cap = c->rd_cap;
    return c->rd;
}

static void awr__cl_io_work(awr_client *c) {
    int round;
    /* A poll reads at most 16 chunks, so one busy connection cannot starve the host's loop; when it
       stops with input left, awr_client_wants() asks for the next poll at once. A TLS transport may
       hold decrypted bytes while the socket shows nothing to read, so waiting on the socket is not
       enough. */
    c->read_more = 0;
    for (round = 0; round < 16; round++) {
        int progress = 0, w;
        uint8_t phase = c->phase;
        if (phase == AWR__CL_P_HS || phase == AWR__CL_P_WS || phase == AWR__CL_P_CLOSING) {
            w = awr__cl_io_write(c);
            if (w < 0) continue;
            progress |= w;
        }
        if (c->phase == AWR__CL_P_CLOSING) { awr__cl_closed_now(c, c->close_why); continue; }
        if (c->phase == AWR__CL_P_HS || c->phase == AWR__CL_P_WS) {
            long n;
            size_t cap;
            if (c->phase == AWR__CL_P_HS && c->req_sent < c->req_len) {   /* the whole request first */
                if (progress) continue;
                break;
            }
            uint8_t *buf = awr__cl_read_room(c, &cap);
            n = c->cfg.io.recv(c->cfg.io.user, c->conn, buf, cap);
            if (n < 0 || (unsigned long)n > cap) {
                awr__cl_closed_now(c, n < 0 ? awr__cl_hook_failure(n) : AWR_ERR_IO);
                continue;
            }
            if (n > 0) {
                (void)awr__cl_feed(c, buf, (size_t)n);
                awr__cl_settle(c, 0);
                progress = 1;
            }
        }
        if (!progress) break;
    }
    if (round == 16) c->read_more = 1;
    for (round = 0; round < 64; round++) {   /* frames, as long as the transport takes them */
        awr__cl_settle(c, 1);
        if (c->phase != AWR__CL_P_HS && c->phase != AWR__CL_P_WS) break;
        if (awr__cl_io_write(c) <= 0) break;
    }
    if (c->phase == AWR__CL_P_CLOSING) {
        (void)awr__cl_io_write(c);
        if (c->phase == AWR__CL_P_CLOSING) awr__cl_closed_now(c, c->close_why);
        if (c->phase == AWR__CL_P_HS) (void)awr__cl_io_write(c);
    }
}

AWR_API awr_result awr_client_poll(awr_client *c, int64_t now_ms) {
    if (!c) return AWR_ERR_ARG;
    if (c->in_feed || c->in_callback) return AWR_ERR_STATE;
    c->now = now_ms;
    awr__cl_timers(c);
    awr__cl_settle(c, 1);
    if (AWR__CL_HOOKS && c->cfg.io.open) awr__cl_io_work(c);
    if (c->stopped != AWR_OK && c->phase == AWR__CL_P_IDLE) return AWR_ERR_CLOSED;
    return AWR_OK;
}

static AWR__SIZE_NOINLINE int64_t awr__cl_min_dl(int64_t a, int64_t b) { return a < 0 ? b : b < 0 ? a : a < b ? a : b; }

AWR_API int awr_client_wants(const awr_client *c, int64_t *deadline_ms) {
    int flags = 0;
    int64_t dl = -1;
    if (!c) { if (deadline_ms) *deadline_ms = -1; return 0; }
    switch (c->phase) {
    case AWR__CL_P_IDLE:
        if (awr__cl_wants_connection(c) || c->req_close) dl = c->now;
        break;
    case AWR__CL_P_WAIT:
        dl = c->t_reconnect;
        break;
    case AWR__CL_P_OPENING:
        flags = AWR_WANT_CONNECT;
        dl = c->t_deadline_connect;
        break;
    case AWR__CL_P_HS:
        flags = AWR_WANT_READ | (c->req_sent < c->req_len ? AWR_WANT_WRITE : 0);
        dl = c->t_deadline_connect;
        if (c->read_more) dl = c->now;
        break;
    case AWR__CL_P_WS: {
        int32_t hb = awr__cl_cfg_ms(c->cfg.heartbeat_ms, AWR_CLIENT_DEFAULT_HEARTBEAT_MS);
        flags = AWR_WANT_READ;
        if (awr__ws_has_output(&c->ws)) flags |= AWR_WANT_WRITE;
        if (!c->connected) dl = c->t_deadline_connect;
        if (c->read_more) dl = c->now;
        if (awr__cl_dead_link_ms(c) > 0) dl = awr__cl_min_dl(dl, c->t_last_rx + awr__cl_dead_link_ms(c));
        if (c->req_close || c->req_reconnect || awr__cl_url_change_due(c) || c->stopped != AWR_OK ||
            !awr__cl_wants_connection(c))
            dl = awr__cl_min_dl(dl, c->now);
        else if (c->url_dirty && AWR__CL_URL_CONN(c) && !c->frames_ok && AWR__CL_PROBE_OUT(c))
            dl = awr__cl_min_dl(dl, c->t_probe + 10001);
        if (c->connected) {
            int work = AWR__CL_PROBE_DUE(c) || (c->frames_ok && c->presence_dirty) || awr__cl_table_due(c);
            if (work && !(flags & AWR_WANT_WRITE)) dl = awr__cl_min_dl(dl, awr__cl_rate_ready_at(c, 0));
            if (hb >= 0 && !c->no_ping) {
                int64_t t = c->t_next_ping, r = awr__cl_rate_ready_at(c, 1);
                dl = awr__cl_min_dl(dl, t > r ? t : r);
            }
        }
        break;
    }
    case AWR__CL_P_CLOSING:
        flags = AWR_WANT_CLOSE;
        if (c->ws_live && awr__ws_has_output(&c->ws)) flags |= AWR_WANT_WRITE;
        dl = c->now;
        break;
    default:
        break;
    }
    if (deadline_ms) *deadline_ms = dl;
    return flags;
}

#ifdef AWR_TCP
/* For the TCP adapter's blocking run loop: what to watch (*wants) and how long the next wait may be,
 * never past the client's deadline or the loop's end (-1: none), and at most a second, so that a
 * state change with no socket to watch is still seen. */
static int32_t awr__cl_loop_wait_ms(const awr_client *c, int64_t now, int64_t end, int *wants) {
    int64_t deadline = -1, wait = 1000;
    *wants = awr_client_wants(c, &deadline);
    if (deadline >= 0 && deadline - now < wait) wait = deadline - now;
    if (end >= 0 && end - now < wait) wait = end - now;
    return wait < 0 ? 0 : (int32_t)wait;
}
#endif

AWR_API awr_result awr_client_target(const awr_client *c, const char **host, int *port, int *tls) {
    if (!c) {
        if (host) *host = NULL;
        if (port) *port = 0;
        if (tls) *tls = 0;
        return AWR_ERR_ARG;
    }
    if (host) *host = awr__cl_str(c, c->host);
    if (port) *port = c->port;
    if (tls) *tls = c->tls;
    return AWR_OK;
}

AWR_API awr_result awr_client_transport_opened(awr_client *c, int64_t now_ms) {
    if (!c) return AWR_ERR_ARG;
    c->now = now_ms;
    if (c->phase != AWR__CL_P_OPENING) return AWR_ERR_STATE;
    c->phase = AWR__CL_P_HS;
    return AWR_OK;
}

AWR_API awr_result awr_client_feed(awr_client *c, const void *data, size_t len, int64_t now_ms) {
    awr_result r;
    if (!c || (!data && len)) return AWR_ERR_ARG;
    if (c->in_feed || c->in_callback) return AWR_ERR_STATE;
    c->now = now_ms;
    if (c->phase != AWR__CL_P_HS && c->phase != AWR__CL_P_WS) return c->phase == AWR__CL_P_CLOSING ? AWR_OK : AWR_ERR_STATE;
    r = awr__cl_feed(c, (const uint8_t *)data, len);
    awr__cl_settle(c, 0);
    return r;
}

AWR_API const void *awr_client_pending_output(awr_client *c, size_t *len) {
    size_t n = 0;
    const void *p = NULL;
    if (c && c->phase == AWR__CL_P_HS && c->req_sent < c->req_len) {
        p = c->tx + c->req_sent;
        n = c->req_len - c->req_sent;
    } else if (c && c->ws_live && (c->phase == AWR__CL_P_WS || c->phase == AWR__CL_P_CLOSING)) {
        p = awr_ws_output(&c->ws, &n);
    }
    if (len) *len = n;
    return n ? p : NULL;
}

AWR_API void awr_client_output_done(awr_client *c, size_t n) {
    if (!c) return;
    if (c->phase == AWR__CL_P_HS && c->req_sent < c->req_len) {
        c->req_sent += n < c->req_len - c->req_sent ? n : c->req_len - c->req_sent;
    } else if (c->ws_live && (c->phase == AWR__CL_P_WS || c->phase == AWR__CL_P_CLOSING)) {
        awr_ws_output_done(&c->ws, n);
    }
}

AWR_API void awr_client_transport_closed(awr_client *c, awr_result why, int64_t now_ms) {
    if (!c || c->in_feed || c->in_callback) return;
    c->now = now_ms;
    if (c->phase == AWR__CL_P_IDLE || c->phase == AWR__CL_P_WAIT) return;
    c->conn = NULL;
    if (c->phase == AWR__CL_P_CLOSING) awr__cl_transport_gone(c, c->close_why, c->next_after_close);
    else awr__cl_transport_gone(c, why == AWR_OK ? AWR_ERR_EOF : why, awr__cl_next_after(c, why));
}

AWR_API awr_state awr_client_state(const awr_client *c) { return c ? (awr_state)c->state : AWR_STATE_IDLE; }
AWR_API const char *awr_client_last_error(const awr_client *c, size_t *needed) {
    if (needed) *needed = c ? c->needed : 0;
    return c ? c->detail : "";
}
AWR_API awr_generation awr_client_generation(const awr_client *c) { return c ? (awr_generation)c->gen : AWR_GEN_UNKNOWN; }
AWR_API void *awr_client_user(const awr_client *c) { return c ? c->cfg.user : NULL; }

/* ---- receiving: the Appwrite messages ------------------------------------------------------------ */
/* Tokenize an event's text (its payload or one of its name lists) into the payload token area, once:
 * the area holds the tokens of the text asked about last (awr__cl_on_event forgets them). */
static awr_result awr__cl_tokens_of(awr_client *c, awr_text t) {
    if (!t.ptr) return AWR_ERR_NOT_FOUND;
    if (c->ptok_src != t.ptr || c->ptok_len != t.len) {
        awr_json_options o;
        memset(&o, 0, sizeof o);
        o.skip_utf8 = 1;   /* the WebSocket layer checked the whole message */
        c->ptok_result = awr_json_parse(&o, t.ptr, t.len, c->ptoks, c->max_ptoks, NULL, NULL);
        c->ptok_src = t.ptr;
        c->ptok_len = t.len;
    }
    return c->ptok_result;
}

/* The tokens of a name list (an event's `events`, `channels`, `subscriptions`, or the `subscriptions`
 * of `connected`), in c->ltoks: in the larger of the payload token area and the envelope's (whose
 * tokens are not needed once the message's fields are taken); 0 when it needs more than that. */
static int awr__cl_list_tokens(awr_client *c, awr_text list) {
    awr_json_options o;
    if (c->max_ptoks >= c->max_toks) {
        c->ltoks = c->ptoks;
        return awr__cl_tokens_of(c, list) == AWR_OK;
    }
    memset(&o, 0, sizeof o);
    o.skip_utf8 = 1;
    c->ltoks = c->toks;
    return list.ptr && awr_json_parse(&o, list.ptr, list.len, c->toks, c->max_toks, NULL, NULL) == AWR_OK;
}
/* The first element of a name list, < 0 when it is empty, not an array or too long (see above). */
static int awr__cl_list(awr_client *c, awr_text list) {
    if (!awr__cl_list_tokens(c, list) || AWR_JSON_TYPE(c->ltoks) != AWR_JSON_ARRAY) return -1;
    return awr_json_first(c->ltoks, 0);
}

/* The text of a name token of list: names are compared after unescaping (as awr_match_set_test_json
 * does), so an escaped one is decoded into buf; 0 when it is not a string (or an all-digit id, which
 * the server sends as a number) or its decoded text does not fit buf. */
static int awr__cl_name(const char *list, const awr_json_token *t, char *buf, size_t cap, awr_text *out) {
    size_t n = 0;
    if (AWR_JSON_TYPE(t) != AWR_JSON_STRING && AWR_JSON_TYPE(t) != AWR_JSON_NUMBER) return 0;
    if (!(AWR_JSON_FLAGS(t) & AWR_JSON_ESCAPED)) {
        out->ptr = list + t->start;
        out->len = t->len;
        return 1;
    }
    if (awr_json_unescape(list, t, buf, cap, &n) != AWR_OK) return 0;
    out->ptr = buf;
    out->len = n;
    return 1;
}

AWR_API int awr_event_is(const awr_event *ev, const char *pattern) {
    size_t pl;
    int t;
    char buf[AWR_MATCH_ESCAPED_MAX];
    awr_text name;
    if (!ev || !pattern || !ev->client) return 0;
    pl = awr__strlen(pattern);
    for (t = awr__cl_list(ev->client, ev->events); t >= 0; t = awr_json_next(ev->client->ltoks, t))
        if (awr__cl_name(ev->events.ptr, ev->client->ltoks + t, buf, sizeof buf, &name) &&
            awr_match_n(pattern, pl, name.ptr, name.len))
            return 1;
    return 0;
}

AWR_API int awr_event_has_channel(const awr_event *ev, const char *channel) {
    int t;
    char buf[AWR_MATCH_ESCAPED_MAX];
    awr_text name;
    if (!ev || !channel || !ev->client) return 0;
    for (t = awr__cl_list(ev->client, ev->channels); t >= 0; t = awr_json_next(ev->client->ltoks, t))
        if (awr__cl_name(ev->channels.ptr, ev->client->ltoks + t, buf, sizeof buf, &name) &&
            awr__cl_text_eq(name.ptr, name.len, channel))
            return 1;
    return 0;
}

/* ---- payload fields: the payload's tokens, made by the first awr_event_get_* call of an event ---- */
/* The token of the payload member at path; the payload is tokenized once per event (awr__cl_on_event
 * forgets the previous event's tokens). */
static awr_result awr__cl_payload_member(const awr_event *ev, const char *path, const awr_json_token **tok) {
    awr_client *c;
    awr_result r;
    int t;
    if (!ev || !path || !ev->client) return AWR_ERR_ARG;
    c = ev->client;
    r = awr__cl_tokens_of(c, ev->payload);   /* no payload: AWR_ERR_NOT_FOUND, whatever the area holds */
    if (r != AWR_OK) return r;
    t = awr_json_path(ev->payload.ptr, c->ptoks, 0, path);
    if (t < 0) return AWR_ERR_NOT_FOUND;
    *tok = c->ptoks + t;
    return AWR_OK;
}

AWR_API awr_result awr_event_get_string(const awr_event *ev, const char *path, char *out, size_t cap,
                                        size_t *out_len) {
    const awr_json_token *t = NULL;
    awr_result r;
    if (out_len) *out_len = 0;
    if (out && cap) out[0] = 0;
    if (!out || cap == 0) return AWR_ERR_ARG;
    r = awr__cl_payload_member(ev, path, &t);
    return r != AWR_OK ? r : awr_json_unescape(ev->payload.ptr, t, out, cap, out_len);
}

/* The number and bool getters: one lookup, then the JSON layer's converter, which zeroes *out first and
 * (given no token when the lookup failed) leaves it 0. */
enum { AWR__CL_GET_INT64, AWR__CL_GET_DOUBLE, AWR__CL_GET_BOOL };
static awr_result awr__cl_payload_scalar(const awr_event *ev, const char *path, int kind, void *out) {
    const awr_json_token *t = NULL;
    const char *json = ev ? ev->payload.ptr : NULL;
    awr_result found, r;
    if (!out) return AWR_ERR_ARG;
    found = awr__cl_payload_member(ev, path, &t);
    switch (kind) {
    case AWR__CL_GET_INT64: r = awr_json_int64(json, t, (int64_t *)out); break;
#ifndef AWR_NO_JSON_DOUBLE
    case AWR__CL_GET_DOUBLE: r = awr_json_double(json, t, (double *)out); break;
#endif
    default: r = awr_json_bool(json, t, (int *)out); break;
    }
    return found != AWR_OK ? found : r;
}

AWR_API awr_result awr_event_get_int64(const awr_event *ev, const char *path, int64_t *out) {
    return awr__cl_payload_scalar(ev, path, AWR__CL_GET_INT64, out);
}
#ifndef AWR_NO_JSON_DOUBLE
AWR_API awr_result awr_event_get_double(const awr_event *ev, const char *path, double *out) {
    return awr__cl_payload_scalar(ev, path, AWR__CL_GET_DOUBLE, out);
}
#endif
AWR_API awr_result awr_event_get_bool(const awr_event *ev, const char *path, int *out) {
    return awr__cl_payload_scalar(ev, path, AWR__CL_GET_BOOL, out);
}

AWR_API awr_result awr_event_get_json(const awr_event *ev, const char *path, awr_text *out) {
    const awr_json_token *t = NULL;
    size_t off, len;
    awr_result r;
    if (!out) return AWR_ERR_ARG;
    out->ptr = NULL;
    out->len = 0;
    r = awr__cl_payload_member(ev, path, &t);
    if (r != AWR_OK) return r;
    awr_json_span(t, &off, &len);
    out->ptr = ev->payload.ptr + off;
    out->len = len;
    return AWR_OK;
}

/* ---- dispatch: indexes from subscription id and from channel to the table's slots ---------------- */
static uint32_t awr__cl_hash(const char *p, size_t n) {   /* FNV-1a */
    uint32_t h = 2166136261u;
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 16777619u;
    return h;
}

static void awr__cl_index_put(uint32_t *idx, size_t cap, uint32_t h, size_t slot) {
    size_t at = h & (cap - 1u);
    while (idx[2u * at + 1u]) at = (at + 1u) & (cap - 1u);
    idx[2u * at] = h;
    idx[2u * at + 1u] = (uint32_t)slot + 1u;
}

/* Every slot with an id goes into idx_wid, every channel of a live subscription into idx_ch (while
 * it stays half empty); whether a slot may have the event is checked when it is looked up. */
static void awr__cl_index_build(awr_client *c) {
    size_t i, k, room = AWR__CL_INDEXED ? c->idx_ch_cap / 2u : 0u;   /* AWR_NO_DISPATCH_INDEX: no indexes */
    if (AWR__CL_INDEXED) {
        memset(c->idx_wid, 0, c->idx_wid_cap * 2u * sizeof(uint32_t));
        memset(c->idx_ch, 0, c->idx_ch_cap * 2u * sizeof(uint32_t));
    }
    c->idx_plain = 0;
    c->idx_ch_full = 0;
    c->memo_len = 0;
    for (i = 0; i < c->max_subs; i++) {
        const awr__cl_sub *s = &c->subs[i];
        const char *p;
        if (AWR__CL_INDEXED && s->wid[0]) awr__cl_index_put(c->idx_wid, c->idx_wid_cap, awr__cl_hash(s->wid, awr__strlen(s->wid)), i);
        if (!(s->flags & AWR__CL_SUB_LIVE)) continue;
        c->idx_plain += s->nq == 0;
        for (k = 0, p = awr__cl_first_name(c, s); k < s->nch; k++, p = awr__cl_next_name(p)) {
            if (room == 0) { c->idx_ch_full = 1; break; }
            awr__cl_index_put(c->idx_ch, c->idx_ch_cap, awr__cl_hash(p, awr__strlen(p)), i);
            room--;
        }
    }
    c->idx_dirty = 0;
}

/* The live subscription the server knows by this id. Ids are never reused: one that is not synced
 * yet was assigned at `connected` and its subscribe frame is on its way. */
static int awr__cl_wid_is(const awr__cl_sub *s, const char *id, size_t len) {
    return (s->flags & AWR__CL_SUB_LIVE) && s->wid[len] == 0 && memcmp(s->wid, id, len) == 0;
}
static awr__cl_sub *awr__cl_sub_by_wid(awr_client *c, const char *id, size_t len) {
    uint32_t h;
    size_t at, m = c->idx_wid_cap - 1u;
    if (len == 0 || len > AWR__CL_ID_MAX) return NULL;
    if (!AWR__CL_INDEXED) {   /* AWR_NO_DISPATCH_INDEX */
        for (at = 0; at < c->max_subs; at++) if (awr__cl_wid_is(&c->subs[at], id, len)) return &c->subs[at];
        return NULL;
    }
    h = awr__cl_hash(id, len);
    for (at = h & m; c->idx_wid[2u * at + 1u]; at = (at + 1u) & m) {
        awr__cl_sub *s = &c->subs[c->idx_wid[2u * at + 1u] - 1u];
        if (c->idx_wid[2u * at] == h && awr__cl_wid_is(s, id, len)) return s;
    }
    return NULL;
}

static int awr__cl_sub_has_channel(const awr_client *c, const awr__cl_sub *s, awr_text ch) {
    size_t j;
    const char *p = awr__cl_first_name(c, s);
    for (j = 0; j < s->nch; j++, p = awr__cl_next_name(p))
        if (awr__cl_text_eq(ch.ptr, ch.len, p)) return 1;
    return 0;
}

/* May s have the event by channel? Synced, not had it yet, and (beside ids) without queries. */
static int awr__cl_channel_candidate(const awr_client *c, const awr__cl_sub *s, int by_id) {
    return (s->flags & (AWR__CL_SUB_LIVE | AWR__CL_SUB_SYNCED)) == (AWR__CL_SUB_LIVE | AWR__CL_SUB_SYNCED) &&
           !(by_id && s->nq > 0) && s->epoch != c->epoch;
}

/* Appends to targets[n...] the subscriptions whose channels meet the event's, in table order. */
static size_t awr__cl_by_channel(awr_client *c, const awr_event *ev, int by_id, size_t n) {
    size_t words = (c->max_subs + 31u) / 32u, w, i, m = c->idx_ch_cap - 1u;
    char buf[AWR_MATCH_ESCAPED_MAX];
    awr_text ch;
    int t;
    memset(c->marks, 0, words * sizeof(uint32_t));
    for (t = awr__cl_list(c, ev->channels); t >= 0; t = awr_json_next(c->ltoks, t)) {
        uint32_t h;
        if (!awr__cl_name(ev->channels.ptr, c->ltoks + t, buf, sizeof buf, &ch)) continue;
        if (!AWR__CL_INDEXED || c->idx_ch_full) {   /* no index, or more channels than it was sized for */
            for (i = 0; i < c->max_subs; i++)
                if (awr__cl_channel_candidate(c, &c->subs[i], by_id) && awr__cl_sub_has_channel(c, &c->subs[i], ch))
                    c->marks[i / 32u] |= (uint32_t)1u << (i % 32u);
            continue;
        }
        h = awr__cl_hash(ch.ptr, ch.len);
        for (i = h & m; c->idx_ch[2u * i + 1u]; i = (i + 1u) & m) {
            size_t slot = c->idx_ch[2u * i + 1u] - 1u;
            if (c->idx_ch[2u * i] == h && awr__cl_channel_candidate(c, &c->subs[slot], by_id) &&
                awr__cl_sub_has_channel(c, &c->subs[slot], ch))
                c->marks[slot / 32u] |= (uint32_t)1u << (slot % 32u);
        }
    }
    for (w = 0; w < words; w++) {
        uint32_t bits = c->marks[w];
        for (i = w * 32u; bits; bits >>= 1, i++) {
            if (!(bits & 1u)) continue;
            c->subs[i].epoch = c->epoch;
            c->targets[n++] = c->subs[i].handle;
        }
    }
    return n;
}

/* By the event's `subscriptions` ids when it has them, then (below 1.9.5) by channel for every
 * subscription without queries: Appwrite up to 1.9.0 names only the first of a connection's
 * subscriptions whose channel matches (`files` and `buckets.b2.files` on one connection: only one id
 * comes), and a subscription without queries wants every event of its channels; 1.9.5+ names every
 * match, so there the ids alone decide. Subscriptions with queries are left to the
 * server, which alone evaluates them. Both lookups go through the indexes: the cost of an event does
 * not grow with the number of subscriptions (AWR_NO_DISPATCH_INDEX: both scan the table). The targets are found first, then called: the callbacks
 * may use the token area and change the table (a target unsubscribed or updated meanwhile is skipped). */
static void awr__cl_dispatch(awr_client *c, awr_event *ev) {
    size_t n = 0, plain = 0, i;
    int by_id = ev->subscriptions.ptr != NULL, t;
    char buf[AWR__CL_ID_MAX + 1];
    awr_text id;
    c->epoch++;
    if (c->idx_dirty) awr__cl_index_build(c);
    if (by_id && c->memo_len && ev->subscriptions.len == c->memo_len &&
        memcmp(ev->subscriptions.ptr, c->memo, c->memo_len) == 0) {
        for (i = 0; i < c->memo_n; i++) {   /* the same ids as the latest event, the same table */
            awr__cl_sub *s = awr__cl_sub_get(c, c->memo_targets[i]);
            if (!s || s->epoch == c->epoch) continue;
            s->epoch = c->epoch;
            c->targets[n++] = s->handle;
            plain += s->nq == 0;
        }
    } else if (by_id) {
        for (t = awr__cl_list(c, ev->subscriptions); t >= 0; t = awr_json_next(c->ltoks, t)) {
            awr__cl_sub *s;
            if (!awr__cl_name(ev->subscriptions.ptr, c->ltoks + t, buf, sizeof buf, &id)) continue;
            s = awr__cl_sub_by_wid(c, id.ptr, id.len);
            if (!s || s->epoch == c->epoch) continue;
            s->epoch = c->epoch;
            c->targets[n++] = s->handle;
            plain += s->nq == 0;
        }
        c->memo_len = 0;
        if (ev->subscriptions.len <= sizeof c->memo) {
            memcpy(c->memo, ev->subscriptions.ptr, ev->subscriptions.len);
            memcpy(c->memo_targets, c->targets, n * sizeof(uint32_t));
            c->memo_len = (uint32_t)ev->subscriptions.len;
            c->memo_n = (uint32_t)n;
        }
    }
    if (!by_id || (c->gen != AWR_GEN_MESSAGE && plain < c->idx_plain)) n = awr__cl_by_channel(c, ev, by_id, n);
    c->ptok_src = NULL;   /* the token area is the callbacks' now */
    for (i = 0; i < n && !c->suppress; i++) {   /* re-checked after every callback */
        awr__cl_sub *s = awr__cl_sub_get(c, c->targets[i]);
        if (!s || (!s->wid[0] && !(s->flags & AWR__CL_SUB_SYNCED))) continue;   /* updated meanwhile */
        ev->sub = s->handle;
        c->in_callback++;
        s->fn(c, s->handle, ev, s->user);
        c->in_callback--;
    }
}

/* ---- JSON access: one parse per message, the envelope only ---------------------------------------
 * The message is tokenized with emit_depth 2: the root object and `data` get tokens, every member of
 * `data` is ONE token (a 1 MiB payload costs one token), skimmed in a message of 512 bytes or more
 * where the skim is built (AWR_JSON_HAS_SKIM; options.skim: its grammar is checked when
 * awr_event_get_* tokenize it; a shorter message, where that is cheaper, and any without the skim
 * are validated whole, and refused whole when broken). The same pass checks the text as UTF-8 when
 * the WebSocket layer has not (a message that arrived whole: awr_ws.text_unchecked), so every byte is
 * checked once. The fields below are looked up among those few tokens. */
typedef struct awr__cl_msg {
    int type;                    /* token of the `type` string */
    int data;                    /* token of the `data` object, -1 when absent or not an object */
} awr__cl_msg;

#define AWR__CL_SKIM_MIN 512u   /* the shortest message whose payload the envelope parse skims */

static AWR__SIZE_NOINLINE const awr_json_token *awr__cl_tk(const awr_client *c, int i) { return c->toks + i; }

/* AWR_OK for an Appwrite message (m filled in), AWR_ERR_NOT_FOUND for other JSON, the parse's error
 * when it is not JSON (or its envelope needs more than max_tokens); check_utf8: see above. */
static awr_result awr__cl_msg_parse(awr_client *c, const char *json, size_t len, int check_utf8, awr__cl_msg *m) {
    awr_json_options o;
    awr_result r;
    int k;
    memset(&o, 0, sizeof o);
    o.emit_depth = 2;
    o.skip_utf8 = !check_utf8;
    /* A long message's payload is skimmed: its grammar is checked when awr_event_get_* tokenize it.
     * A short one is validated whole, which costs less than setting up the skim's 64-byte blocks. */
    o.skim = len >= AWR__CL_SKIM_MIN;
    c->mj = json;
    r = awr_json_parse(&o, json, len, c->toks, c->max_toks, NULL, NULL);
    if (r != AWR_OK) return r;
    if (AWR_JSON_TYPE(awr__cl_tk(c, 0)) != AWR_JSON_OBJECT) return AWR_ERR_NOT_FOUND;
    m->type = m->data = -1;
    for (k = awr_json_first(c->toks, 0); k >= 0; k = awr_json_next(c->toks, k)) {   /* the first wins */
        const awr_json_token *kt = awr__cl_tk(c, k);
        int is_type, is_data;
        if (AWR_JSON_FLAGS(kt) & AWR_JSON_ESCAPED) {
            is_type = awr_json_eq(json, kt, "type");
            is_data = awr_json_eq(json, kt, "data");
        } else {
            is_type = kt->len == 4 && memcmp(json + kt->start, "type", 4) == 0;
            is_data = kt->len == 4 && memcmp(json + kt->start, "data", 4) == 0;
        }
        if (is_type && m->type < 0) m->type = k + 1;
        if (is_data && m->data < 0) m->data = k + 1;
    }
    if (m->type < 0 || AWR_JSON_TYPE(awr__cl_tk(c, m->type)) != AWR_JSON_STRING) return AWR_ERR_NOT_FOUND;
    if (m->data >= 0 && AWR_JSON_TYPE(awr__cl_tk(c, m->data)) != AWR_JSON_OBJECT) m->data = -1;
    return AWR_OK;
}
static int awr__cl_is(const awr_client *c, int tok, const char *s) {
    return tok >= 0 && awr_json_eq(c->mj, awr__cl_tk(c, tok), s);
}
static int awr__cl_find(const awr_client *c, int obj, const char *key) {
    return obj < 0 ? -1 : awr_json_find(c->mj, c->toks, obj, key);
}
/* The member's whole JSON text (strings with their quotes). */
static int awr__cl_get(awr_client *c, int obj, const char *key, awr_text *val) {
    size_t off, len;
    int t = awr__cl_find(c, obj, key);
    if (t < 0) return 0;
    awr_json_span(awr__cl_tk(c, t), &off, &len);
    val->ptr = c->mj + off;
    val->len = len;
    return 1;
}
/* A string member's content (still escaped). */
static int awr__cl_get_str(awr_client *c, int obj, const char *key, awr_text *val) {
    int t = awr__cl_find(c, obj, key);
    if (t < 0 || AWR_JSON_TYPE(awr__cl_tk(c, t)) != AWR_JSON_STRING) return 0;
    val->ptr = c->mj + awr__cl_tk(c, t)->start;
    val->len = awr__cl_tk(c, t)->len;
    return 1;
}
static int awr__cl_get_int(awr_client *c, int obj, const char *key, int64_t *v) {
    int t = awr__cl_find(c, obj, key);
    *v = 0;
    return t >= 0 && awr_json_int64(c->mj, awr__cl_tk(c, t), v) == AWR_OK;
}
static int awr__cl_json_is_object(awr_client *c, const char *json) {
    size_t len = awr__strlen(json), i = 0, n = 0;
    awr_result r = awr_json_parse(NULL, json, len, NULL, 0, &n, NULL);   /* counting: tokens untouched */
    (void)c;
    while (i < len && (json[i] == ' ' || json[i] == '\t' || json[i] == '\r' || json[i] == '\n')) i++;
    return (r == AWR_OK || r == AWR_ERR_JSON_TOKENS) && i < len && json[i] == '{';
}
/* The error message, decoded into c->errmsg (as much as fits); *raw gets the whole text as sent. */
static size_t awr__cl_error_text(awr_client *c, int obj, awr_text *raw) {
    int t = awr__cl_find(c, obj, "message");
    size_t n = 0;
    c->errmsg[0] = 0;
    raw->ptr = NULL; raw->len = 0;
    if (t < 0 || AWR_JSON_TYPE(awr__cl_tk(c, t)) != AWR_JSON_STRING) return 0;
    raw->ptr = c->mj + awr__cl_tk(c, t)->start;
    raw->len = awr__cl_tk(c, t)->len;
    (void)awr_json_unescape_n(raw->ptr, raw->len, c->errmsg, sizeof c->errmsg, &n);   /* cut if long */
    return n;
}

static void awr__cl_presence_unsupported(awr_client *c) {
    static const char text[] = "presence needs Appwrite 1.9.5 or newer";
    if (c->presence.len == AWR__CL_NONE || awr__cl_presence_possible(c)) return;
    awr__cl_arena_free(c, &c->presence);
    c->presence_dirty = 0;
    awr__cl_report_error(c, 0, text, sizeof text - 1u, AWR_ERR_UNSUPPORTED);
}

/* Subscriptions left out of the URL for its length, once the URL is known to be the only way: they can
 * never be served. The error callback names each (reason AWR_ERR_LIMIT); it is dropped. */
static void awr__cl_refuse_long(awr_client *c) {
    static const char text[] = "subscription too long for max_url on a server without frames";
    size_t i;
    awr_text raw;
    if (!awr__cl_url_only(c)) return;
    raw.ptr = text; raw.len = sizeof text - 1u;
    for (i = 0; i < c->max_subs; i++) {
        awr__cl_sub *s = &c->subs[i];
        awr_sub h = s->handle;
        if ((s->flags & (AWR__CL_SUB_LIVE | AWR__CL_SUB_LONG)) != (AWR__CL_SUB_LIVE | AWR__CL_SUB_LONG)) continue;
        awr__cl_sub_release(c, s);
        awr__cl_report_error_sub(c, 0, text, raw.len, raw, AWR_ERR_LIMIT, h);
    }
}

/* The server id of URL slot `slot` in connected.data.subscriptions (an array, or an object keyed by
 * slot number when the slots are not 0..n-1), tokenized once into the payload token area. */
static int awr__cl_slot_id(awr_client *c, awr_text subs, int32_t slot, char *buf, size_t cap, awr_text *id) {
    int t;
    if (!awr__cl_list_tokens(c, subs)) return 0;
    if (AWR_JSON_TYPE(c->ltoks) == AWR_JSON_ARRAY) {
        t = awr_json_at(c->ltoks, 0, (size_t)slot);
    } else {
        char key[16];
        awr__out o;
        awr__out_init(&o, key, sizeof key);
        awr__out_dec(&o, (uint64_t)slot);
        t = awr_json_find(subs.ptr, c->ltoks, 0, key);
    }
    return t >= 0 && awr__cl_name(subs.ptr, c->ltoks + t, buf, cap, id);   /* an all-digit id is a number */
}

static void awr__cl_on_connected(awr_client *c, int data) {
    awr_text subs = {NULL, 0}, user;   /* -O3 cannot see that has_subs guards every use */
    int32_t hb = awr__cl_cfg_ms(c->cfg.heartbeat_ms, AWR_CLIENT_DEFAULT_HEARTBEAT_MS);
    int has_subs = awr__cl_get(c, data, "subscriptions", &subs) && subs.len && (subs.ptr[0] == '[' || subs.ptr[0] == '{');
    size_t i;
    if (c->connected) return;   /* once per connection */
    c->connected = 1;
    c->attempts = 0;
    c->t_next_ping = c->now + (hb > 0 ? hb : 0);
    if (!awr__cl_get(c, data, "user", &user) || user.len == 0 || user.ptr[0] != '{') { user.ptr = NULL; user.len = 0; }
    if (AWR__CL_URL_CONN(c)) {
        if (!has_subs) {
            if (c->gen == AWR_GEN_UNKNOWN) c->gen = AWR_GEN_LEGACY;
        } else if (c->gen == AWR_GEN_UNKNOWN) {
            if (AWR__CL_MODE(c) == AWR_MODE_AUTO) c->probe_due = 1;   /* sent at the end of this message */
            else c->gen = AWR_GEN_URL_IDS;
        }
        for (i = 0; i < c->max_subs; i++) {
            awr__cl_sub *s = &c->subs[i];
            awr_text id;
            char buf[AWR__CL_ID_MAX + 1];
            if (!(s->flags & AWR__CL_SUB_LIVE)) continue;
            if (s->slot < 0) {   /* left out for length (frames may take it), or changed during the handshake */
                if (!(s->flags & AWR__CL_SUB_LONG)) c->url_dirty = 1;
                continue;
            }
            if (has_subs && awr__cl_slot_id(c, subs, s->slot, buf, sizeof buf, &id) && id.len <= AWR__CL_ID_MAX) {
                memcpy(s->wid, id.ptr, id.len);
                s->wid[id.len] = 0;
            }
            s->flags |= AWR__CL_SUB_SYNCED;
        }
        c->ptok_src = NULL;
        c->idx_dirty = 1;
    } else {
        /* The ids of the subscribe frames that follow, given now: an event in the same input as
           `connected` is then dispatched as it would be after the frames went out (any chunking). */
        for (i = 0; i < c->max_subs; i++)
            if ((c->subs[i].flags & AWR__CL_SUB_LIVE) && !c->subs[i].wid[0]) awr__cl_new_id(c, c->subs[i].wid);
        c->frames_ok = 1;
        c->url_dirty = 0;
        c->gen = AWR_GEN_MESSAGE;   /* only 1.9.5+ accepts a connection without channels */
    }
    awr__cl_presence_unsupported(c);
    awr__cl_refuse_long(c);
    awr__cl_report(c, AWR_STATE_CONNECTED, AWR_OK, 0, user);
    /* the probe's answer may be in the same input: it must find the probe sent (any chunking) */
    if (AWR__CL_PROBE_DUE(c) && !c->suppress && c->phase == AWR__CL_P_WS && awr__cl_rate_ready_at(c, 0) <= c->now)
        (void)awr__cl_send_probe(c);
}

static void awr__cl_on_error_frame(awr_client *c, int data) {
    int64_t code = 0;
    size_t ml, i, rows = 0;
    uint8_t kind;
    uint32_t seq = 0;
    awr_sub refused = 0;
    awr_text raw;
    (void)awr__cl_get_int(c, data, "code", &code);
    ml = awr__cl_error_text(c, data, &raw);
    kind = awr__cl_pending_take(c, 0, &seq);
    if (code == AWR_WS_CLOSE_POLICY) {
        /* the server drops TCP next, without a close frame: stop here, whatever the text says */
        c->stopped = AWR_ERR_POLICY;
        c->suppress = 1;
    } else if (kind == AWR__CL_REQ_PING && code == 1003) {
        c->no_ping = 1;              /* up to 1.6.0 a ping is an unknown message type */
        return;                      /* any other error (1013: too many messages) is the server's word */
    } else if (AWR__CL_IS_PROBE(kind)) {
        c->probe_out = 0;
        if (c->gen == AWR_GEN_UNKNOWN) c->gen = AWR_GEN_URL_IDS;   /* 1.9.0: no message mode */
        awr__cl_presence_unsupported(c);
        awr__cl_refuse_long(c);
        return;
    } else if (kind == AWR__CL_REQ_PRESENCE && code == 1013) {
        c->presence_dirty = c->presence.len != AWR__CL_NONE;   /* dropped by the rate limit: send it again */
    } else if (kind == AWR__CL_REQ_SUB) {
        /* the server refuses a subscribe frame as a whole (one bad query is enough): dropped by the
           rate limit (1013), send the rows again; else send each row alone, and the row that is
           refused alone is the culprit */
        for (i = 0; i < c->max_subs; i++)
            rows += (c->subs[i].flags & (AWR__CL_SUB_LIVE | AWR__CL_SUB_SYNCED)) == (AWR__CL_SUB_LIVE | AWR__CL_SUB_SYNCED) &&
                    c->subs[i].sent_seq == seq;
        for (i = 0; i < c->max_subs; i++) {
            awr__cl_sub *s = &c->subs[i];
            if ((s->flags & (AWR__CL_SUB_LIVE | AWR__CL_SUB_SYNCED)) != (AWR__CL_SUB_LIVE | AWR__CL_SUB_SYNCED) ||
                s->sent_seq != seq) continue;
            if (code == 1013) s->flags &= ~AWR__CL_SUB_SYNCED;
            else if (rows > 1) s->flags = (s->flags & ~AWR__CL_SUB_SYNCED) | AWR__CL_SUB_SOLO;
            else refused = s->handle;
        }
    }
    awr__cl_report_error_sub(c, code, c->errmsg, ml, raw, code == AWR_WS_CLOSE_POLICY ? AWR_ERR_POLICY : AWR_ERR_SERVER,
                             refused);
}

static void awr__cl_on_response(awr_client *c, int data) {
    awr_response r;
    awr_text v;
    uint8_t kind = 0, took;
    int to;
    memset(&r, 0, sizeof r);
    if (data >= 0) {
        size_t off, len;
        awr_json_span(awr__cl_tk(c, data), &off, &len);
        r.data.ptr = c->mj + off;
        r.data.len = len;
    }
    r.success = 1;
    if (awr__cl_get(c, data, "success", &v) && v.len == 5 && memcmp(v.ptr, "false", 5) == 0) r.success = 0;
    to = awr__cl_find(c, data, "to");
    if (awr__cl_get_str(c, data, "to", &r.to)) {
        if (awr__cl_is(c, to, "subscribe")) kind = AWR__CL_REQ_SUB;
        else if (awr__cl_is(c, to, "unsubscribe")) kind = AWR__CL_REQ_UNSUB;
        else if (awr__cl_is(c, to, "presence")) kind = AWR__CL_REQ_PRESENCE;
    }
    took = kind ? awr__cl_pending_take(c, kind, NULL) : 0;
    if (AWR__CL_IS_PROBE(took)) {     /* 1.9.5+: from now on, changes go as frames on this socket */
        c->probe_out = 0;
        if (AWR__CL_MODE(c) == AWR_MODE_AUTO) c->gen = AWR_GEN_MESSAGE;
        c->frames_ok = 1;
        c->url_dirty = 0;
        return;
    }
    if (!c->cfg.on_response) return;
    c->in_callback++;
    c->cfg.on_response(c, &r, c->cfg.user);
    c->in_callback--;
}

/* Which of the five event members key token kt names (-1: none); keys are told apart by length. */
static int awr__cl_event_field(const awr_client *c, const awr_json_token *kt, const char *const names[5]) {
    const char *k = c->mj + kt->start;
    int f;
    if (AWR_JSON_FLAGS(kt) & AWR_JSON_ESCAPED) {   /* rare: compare decoded */
        for (f = 0; f < 5; f++) if (awr_json_eq(c->mj, kt, names[f])) return f;
        return -1;
    }
    switch (kt->len) {
    case 6: f = 0; break;
    case 8: f = 1; break;
    case 9: f = 2; break;
    case 7: f = 3; break;
    case 13: f = 4; break;
    default: return -1;
    }
    return memcmp(k, names[f], kt->len) == 0 ? f : -1;
}

static AWR__SIZE_NOINLINE void awr__cl_on_event(awr_client *c, int data) {
    awr_event ev;
    size_t off, len;
    memset(&ev, 0, sizeof ev);
    if (data < 0) return;
    ev.client = c;
    c->ptok_src = NULL;   /* a new event: its payload is tokenized on the first awr_event_get_* call */
    awr_json_span(awr__cl_tk(c, data), &off, &len);
    ev.data.ptr = c->mj + off;
    ev.data.len = len;
    {   /* one walk over the members of `data` (the first of duplicate keys wins) */
        static const char *const names[5] = { "events", "channels", "timestamp", "payload", "subscriptions" };
        int k;
        for (k = awr_json_first(c->toks, data); k >= 0; k = awr_json_next(c->toks, k)) {
            const awr_json_token *kt = awr__cl_tk(c, k), *vt = kt + 1;
            awr_text *dst;
            int f = awr__cl_event_field(c, kt, names);
            if (f < 0) continue;
            dst = f == 0 ? &ev.events : f == 1 ? &ev.channels : f == 2 ? &ev.timestamp : f == 3 ? &ev.payload : &ev.subscriptions;
            if (dst->ptr) continue;
            if (f == 2) {   /* the timestamp: a string's content */
                if (AWR_JSON_TYPE(vt) == AWR_JSON_STRING) { dst->ptr = c->mj + vt->start; dst->len = vt->len; }
            } else if (f != 4 || AWR_JSON_TYPE(vt) == AWR_JSON_ARRAY) {
                awr_json_span(vt, &off, &len);
                dst->ptr = c->mj + off;
                dst->len = len;
            }
        }
    }
    awr__cl_dispatch(c, &ev);
}

/* 1 if the message's type is the literal lit (n bytes); decoded only when it has escapes. */
static int awr__cl_type_is(const awr_client *c, int tok, const char *lit, size_t n) {
    const awr_json_token *t = awr__cl_tk(c, tok);
    if (AWR_JSON_FLAGS(t) & AWR_JSON_ESCAPED) return awr_json_eq_n(c->mj, t, lit, n);
    return t->len == n && memcmp(c->mj + t->start, lit, n) == 0;
}

static void awr__cl_on_text(awr_client *c, const char *data, size_t len, int check_utf8) {
    awr__cl_msg m;
    awr_result r = awr__cl_msg_parse(c, data, len, check_utf8, &m);
    if (r != AWR_OK) {   /* not an Appwrite message: ignore it, unless it is not UTF-8 (1007) */
        /* a parse stops at its first error: the bytes after it are checked here */
        if (check_utf8 && r != AWR_ERR_NOT_FOUND && !awr_utf8_valid(data, len)) (void)awr__ws_fail(&c->ws, AWR_ERR_WS_UTF8);
        return;
    }
    if (awr__cl_type_is(c, m.type, "event", 5)) awr__cl_on_event(c, m.data);
    else if (awr__cl_type_is(c, m.type, "connected", 9)) awr__cl_on_connected(c, m.data);
    else if (awr__cl_type_is(c, m.type, "response", 8)) awr__cl_on_response(c, m.data);
    else if (awr__cl_type_is(c, m.type, "pong", 4)) (void)awr__cl_pending_take(c, AWR__CL_REQ_PING, NULL);
    else if (awr__cl_type_is(c, m.type, "error", 5)) awr__cl_on_error_frame(c, m.data);
}

/* ==================================================================================================
 * TCP ADAPTER (implementation)
 * The platform layer first (awr__tcp_sys_*: sockets, waiting, errors, clock, randomness, the lock and
 * the thread), POSIX then Winsock; then the adapter itself, written once on top of it.
 * ================================================================================================== */
#ifdef AWR_TCP
#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#  define WIN32_LEAN_AND_MEAN
#  define AWR__UNDEF_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <bcrypt.h>
#ifdef AWR__UNDEF_LEAN_AND_MEAN
#  undef WIN32_LEAN_AND_MEAN
#  undef AWR__UNDEF_LEAN_AND_MEAN
#endif
#ifdef _MSC_VER
#  pragma comment(lib, "ws2_32.lib")
#  pragma comment(lib, "bcrypt.lib")
#endif

typedef CRITICAL_SECTION awr__tcp_lock_t;
#define AWR__TCP_POLL_IN POLLRDNORM
#define AWR__TCP_POLL_OUT POLLWRNORM
#define AWR__TCP_EAI_NONAME WSAHOST_NOT_FOUND
/* WSAPoll reports a failed connect late or not at all on some Windows versions: the run loop looks
   at a connect in progress in steps this long. */
#define AWR__TCP_CONNECT_STEP_MS 20

#else /* POSIX */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/types.h>
#if defined(__linux__) && defined(__GLIBC__) && \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 25))
#  include <sys/random.h>
#  define AWR__TCP_GETRANDOM 1
#endif
#ifdef MSG_NOSIGNAL
#  define AWR__TCP_SEND_FLAGS MSG_NOSIGNAL
#else
#  define AWR__TCP_SEND_FLAGS 0
#endif

typedef pthread_mutex_t awr__tcp_lock_t;
#define AWR__TCP_POLL_IN POLLIN
#define AWR__TCP_POLL_OUT POLLOUT
#define AWR__TCP_EAI_NONAME EAI_NONAME
#define AWR__TCP_CONNECT_STEP_MS (-1)   /* poll() reports a finished connect, failed or not */
#endif

/* While the resolver thread runs there is no socket to wait on: the run loop looks every so often. */
#define AWR__TCP_RESOLVE_STEP_MS 5

struct awr_tcp {
    awr_tcp_config cfg;
    char address[64];                     /* cfg.address, copied */
    awr_socket sock;                      /* the connection's socket, AWR_NO_SOCKET when there is none */
    int connecting;                       /* 1 while the TCP connect is in progress */
    int resolving;                        /* 1 while the connection waits for the resolver thread */
    int stop;                             /* set by awr_tcp_stop(): awr_tcp_run returns */
    int last_error;                       /* errno / WSAGetLastError() of the latest failure */
    int last_gai;                         /* the resolver's error (EAI_* / WSA*) of the latest open, else 0 */
    int sys_started;                  /* 1 after the platform started (WSAStartup) */
    size_t host_max;                      /* cfg.host_max, or AWR_TCP_HOST_MAX */
    char *host;                           /* the target, host_max + 1 bytes after the struct */
    char service[8];
    struct addrinfo *addrs;               /* the list being tried (freeaddrinfo), NULL once connected */
    const struct addrinfo *next_addr;     /* the address to try when the current one fails */
    const struct addrinfo *current;       /* the address being connected to */
    int from_resolver;                    /* the addresses being tried come from the resolver thread */
    int on_kept;                          /* ... or are the kept address */
    size_t skip;                          /* resolved addresses the next connect to this target passes over */
    int kept_valid;                       /* kept_ai is the address that connected last to host:service */
    struct addrinfo kept_ai;
    struct sockaddr_storage kept_addr;
    struct awr__tcp_job *job;             /* the lookup started last and not yet taken, or NULL */
#ifdef _WIN32
    char error_text[160];                 /* FormatMessage's text of the latest error */
#endif
};

/* A lookup on the resolver thread. It is not in the adapter's memory, which is the caller's again
   after awr_tcp_deinit: the block is shared by the thread and the adapter (refs: 2 while both hold
   it), and whichever lets go last frees it, an answer nobody took included. So deinit leaves a lookup
   that is still running (getaddrinfo cannot be cancelled) to the thread and returns at once. The
   thread writes list, rc, err and then done under the lock; the adapter reads them once done is set. */
typedef struct awr__tcp_job {
    awr__tcp_lock_t lock;
    int refs;
    int done;
    int cleanup;                          /* the adapter is gone: balance its platform start-up */
    struct addrinfo *list;
    int rc, err;
    int (*resolve)(const char *host, const char *service, const struct addrinfo *hints, struct addrinfo **res);
    awr_allocator alloc;                  /* where this block came from */
    char service[8];
    char host[AWR_TCP_HOST_MAX + 1];
} awr__tcp_job;

#define AWR__TCP_ALIGN 16
/* AWR_TCP_SIZE promises to hold an awr_tcp: a build where it does not fails here. */
typedef char awr__tcp_size_check[sizeof(struct awr_tcp) + AWR__TCP_ALIGN - 1 + (AWR_TCP_HOST_MAX + 1) <= AWR_TCP_SIZE ? 1 : -1];

/* The hints of every lookup: TCP over IPv6 or IPv4; numeric_only for addresses that must not reach
   a DNS server (cfg.address, or a host that is one). */
static void awr__tcp_hints(struct addrinfo *hints, int numeric_only) {
    memset(hints, 0, sizeof *hints);
    hints->ai_family = AF_UNSPEC;
    hints->ai_socktype = SOCK_STREAM;
    hints->ai_protocol = IPPROTO_TCP;
    hints->ai_flags = numeric_only ? AI_NUMERICHOST : 0;
#ifdef AI_NUMERICSERV
    hints->ai_flags |= AI_NUMERICSERV;
#endif
}

static int awr__tcp_sys_getaddrinfo(const char *host, const char *service, const struct addrinfo *hints,
                                    struct addrinfo **res) {
    return getaddrinfo(host, service, hints, res);
}

#ifdef _WIN32
/* ---- platform layer: Winsock ---- */
static int awr__tcp_sys_startup(int *err) {
    WSADATA wsa;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) == 0) return 1;
    *err = WSAGetLastError();
    return 0;
}
static void awr__tcp_sys_cleanup(void) { WSACleanup(); }

/* A non-blocking TCP socket for ai with the options every connection gets; AWR_NO_SOCKET on failure. */
static awr_socket awr__tcp_sys_socket(const struct addrinfo *ai, int *err) {
    u_long nonblocking = 1;
    BOOL nodelay = TRUE;
    SOCKET s = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (s == INVALID_SOCKET) { *err = WSAGetLastError(); return AWR_NO_SOCKET; }
    if (ioctlsocket(s, (long)FIONBIO, &nonblocking) != 0) {
        *err = WSAGetLastError();
        closesocket(s);
        return AWR_NO_SOCKET;
    }
    /* Small frames (pings, subscribe rows) must leave at once, not wait for Nagle. */
    (void)setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&nodelay, (int)sizeof nodelay);
    return (awr_socket)s;
}

static void awr__tcp_sys_close(awr_socket s) { closesocket((SOCKET)s); }

/* Start connecting s to ai: 1 connected, 0 in progress, -1 failed (*err says why). */
static int awr__tcp_sys_connect(awr_socket s, const struct addrinfo *ai, int *err) {
    int e;
    if (connect((SOCKET)s, ai->ai_addr, (int)ai->ai_addrlen) == 0) return 1;
    e = WSAGetLastError();
    if (e == WSAEWOULDBLOCK || e == WSAEINPROGRESS) return 0;
    *err = e;
    return -1;
}

/* How the connect in progress on s ended: 1 up, 0 still pending, -1 failed (*err says why). A
   zero-timeout select() asks the socket itself, as WSAPoll may not report a failed connect. */
static int awr__tcp_sys_connect_result(awr_socket s, int *err) {
    fd_set wr, ex;
    struct timeval tv;
    int n;
    FD_ZERO(&wr);
    FD_ZERO(&ex);
    FD_SET((SOCKET)s, &wr);
    FD_SET((SOCKET)s, &ex);
    tv.tv_sec = 0;
    tv.tv_usec = 0;
    n = select(0, 0, &wr, &ex, &tv);
    if (n == SOCKET_ERROR) { *err = WSAGetLastError(); return -1; }
    if (n == 0) return 0;
    if (FD_ISSET((SOCKET)s, &ex)) {
        int e = 0, len = (int)sizeof e;
        (void)getsockopt((SOCKET)s, SOL_SOCKET, SO_ERROR, (char *)&e, &len);
        *err = e;
        return -1;
    }
    return 1;
}

/* One send or recv: bytes moved, 0 when the socket would block, AWR_ERR_EOF, AWR_ERR_IO (*err). */
static long awr__tcp_sys_result(int n, int *err) {
    int e;
    if (n == 0) return AWR_ERR_EOF;
    if (n != SOCKET_ERROR) return (long)n;
    e = WSAGetLastError();
    if (e == WSAEWOULDBLOCK || e == WSAEINTR) return 0;
    *err = e;
    return (e == WSAECONNRESET || e == WSAECONNABORTED || e == WSAESHUTDOWN) ? AWR_ERR_EOF : AWR_ERR_IO;
}
static long awr__tcp_sys_send(awr_socket s, const void *data, size_t len, int *err) {
    int chunk = len > 0x40000000u ? 0x40000000 : (int)len;
    int n = send((SOCKET)s, (const char *)data, chunk, 0);
    return n == 0 ? 0 : awr__tcp_sys_result(n, err);
}
static long awr__tcp_sys_recv(awr_socket s, void *buf, size_t cap, int *err) {
    int chunk = cap > 0x40000000u ? 0x40000000 : (int)cap;
    return awr__tcp_sys_result(recv((SOCKET)s, (char *)buf, chunk, 0), err);
}

/* Wait up to ms for events on s (none, or no socket: just sleep). -1 if waiting itself failed. */
static int awr__tcp_sys_wait(awr_socket s, short events, int32_t ms, int *err) {
    WSAPOLLFD pfd;
    if (s == AWR_NO_SOCKET || events == 0) {
        Sleep((DWORD)ms);
        return 0;
    }
    pfd.fd = (SOCKET)s;
    pfd.events = events;
    pfd.revents = 0;
    if (WSAPoll(&pfd, 1, (INT)ms) != SOCKET_ERROR) return 0;
    *err = WSAGetLastError();
    return -1;
}

/* The system's text for a Winsock or resolver error code, kept in t. */
static const char *awr__tcp_sys_error_text(awr_tcp *t, int resolver_error, int sys_error) {
    int code = resolver_error ? resolver_error : sys_error;
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, (DWORD)code, 0,
                             t->error_text, (DWORD)sizeof t->error_text, NULL);
    while (n > 0 && (t->error_text[n - 1] == '\n' || t->error_text[n - 1] == '\r' || t->error_text[n - 1] == ' '))
        t->error_text[--n] = 0;
    return n > 0 ? t->error_text : "Winsock error (see sys_error)";
}

static int awr__tcp_sys_resolve_errno(int rc) { return rc; }   /* getaddrinfo's result is a WSA code */

static void awr__tcp_sys_lock_init(awr__tcp_lock_t *l) { InitializeCriticalSection(l); }
static void awr__tcp_sys_lock_free(awr__tcp_lock_t *l) { DeleteCriticalSection(l); }
static void awr__tcp_sys_lock(awr__tcp_lock_t *l) { EnterCriticalSection(l); }
static void awr__tcp_sys_unlock(awr__tcp_lock_t *l) { LeaveCriticalSection(l); }

static void awr__tcp_resolve_job(awr__tcp_job *j);
static DWORD WINAPI awr__tcp_thread_main(LPVOID arg) {
    awr__tcp_resolve_job((awr__tcp_job *)arg);
    return 0;
}
/* Start the resolver thread on j, detached (nobody joins it); 0 and *err when the system refused. */
static int awr__tcp_sys_thread_start(awr__tcp_job *j, int *err) {
    HANDLE h = CreateThread(NULL, 0, awr__tcp_thread_main, j, 0, NULL);
    if (!h) {
        *err = (int)GetLastError();
        return 0;
    }
    CloseHandle(h);
    return 1;
}

AWR_API awr_result awr_tcp_random(void *out, size_t len) {
    unsigned char *p = (unsigned char *)out;
    if (!out && len) return AWR_ERR_ARG;
    while (len > 0) {
        ULONG chunk = len > 0x10000000u ? 0x10000000u : (ULONG)len;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, p, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG))) return AWR_ERR_RANDOM;
        p += chunk;
        len -= chunk;
    }
    return AWR_OK;
}

AWR_API int64_t awr_tcp_now_ms(void) {
    LARGE_INTEGER freq, count;
    (void)QueryPerformanceFrequency(&freq);     /* both always succeed on Windows XP and later */
    (void)QueryPerformanceCounter(&count);
    /* split so that count * 1000 cannot overflow */
    return (int64_t)(count.QuadPart / freq.QuadPart * 1000 + count.QuadPart % freq.QuadPart * 1000 / freq.QuadPart);
}

#else
/* ---- platform layer: POSIX ---- */
static int awr__tcp_sys_startup(int *err) { (void)err; return 1; }
static void awr__tcp_sys_cleanup(void) {}

/* A non-blocking TCP socket for ai with the options every connection gets; AWR_NO_SOCKET on failure. */
static awr_socket awr__tcp_sys_socket(const struct addrinfo *ai, int *err) {
    int one = 1, flags;
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) { *err = errno; return AWR_NO_SOCKET; }
    flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        *err = errno;
        close(fd);
        return AWR_NO_SOCKET;
    }
    (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    /* Small frames (pings, subscribe rows) must leave at once, not wait for Nagle. */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, (socklen_t)sizeof one);
#if defined(SO_NOSIGPIPE) && !defined(MSG_NOSIGNAL)
    (void)setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, (socklen_t)sizeof one);
#endif
    return fd;
}

static void awr__tcp_sys_close(awr_socket s) { close(s); }

/* Start connecting s to ai: 1 connected, 0 in progress, -1 failed (*err says why). */
static int awr__tcp_sys_connect(awr_socket s, const struct addrinfo *ai, int *err) {
    if (connect(s, ai->ai_addr, ai->ai_addrlen) == 0) return 1;
    if (errno == EINPROGRESS || errno == EINTR) return 0;
    *err = errno;
    return -1;
}

/* How the connect in progress on s ended: 1 up, 0 still pending, -1 failed (*err says why). */
static int awr__tcp_sys_connect_result(awr_socket s, int *err) {
    struct pollfd pfd;
    int e = 0, r;
    socklen_t len = (socklen_t)sizeof e;
    pfd.fd = s;
    pfd.events = POLLOUT;
    pfd.revents = 0;
    r = poll(&pfd, 1, 0);
    if (r == 0 || (r < 0 && errno == EINTR)) return 0;
    if (r < 0) { *err = errno; return -1; }
    if (getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &len) != 0) e = errno;
    if (e == 0) return 1;
    *err = e;
    return -1;
}

/* One send or recv: bytes moved, 0 when the socket would block, AWR_ERR_EOF, AWR_ERR_IO (*err). */
static long awr__tcp_sys_send(awr_socket s, const void *data, size_t len, int *err) {
    for (;;) {
        ssize_t n = send(s, data, len, AWR__TCP_SEND_FLAGS);
        if (n >= 0) return (long)n;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        *err = errno;
        return errno == EPIPE || errno == ECONNRESET ? AWR_ERR_EOF : AWR_ERR_IO;   /* the peer closed */
    }
}
static long awr__tcp_sys_recv(awr_socket s, void *buf, size_t cap, int *err) {
    for (;;) {
        ssize_t n = recv(s, buf, cap, 0);
        if (n > 0) return (long)n;
        if (n == 0) return AWR_ERR_EOF;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        *err = errno;
        return errno == ECONNRESET ? AWR_ERR_EOF : AWR_ERR_IO;
    }
}

/* Wait up to ms for events on s (none, or no socket: just sleep). -1 if waiting itself failed. */
static int awr__tcp_sys_wait(awr_socket s, short events, int32_t ms, int *err) {
    struct pollfd pfd;
    int r;
    pfd.fd = s;
    pfd.events = events;
    pfd.revents = 0;
    if (s != AWR_NO_SOCKET && events) r = poll(&pfd, 1, (int)ms);
    else r = poll(NULL, 0, (int)ms);
    if (r >= 0 || errno == EINTR) return 0;
    *err = errno;
    return -1;
}

static const char *awr__tcp_sys_error_text(awr_tcp *t, int resolver_error, int sys_error) {
    (void)t;
    if (resolver_error) return gai_strerror(resolver_error);
    return sys_error ? strerror(sys_error) : NULL;
}

static int awr__tcp_sys_resolve_errno(int rc) { return rc == EAI_SYSTEM ? errno : 0; }

static void awr__tcp_sys_lock_init(awr__tcp_lock_t *l) { (void)pthread_mutex_init(l, NULL); }
static void awr__tcp_sys_lock_free(awr__tcp_lock_t *l) { (void)pthread_mutex_destroy(l); }
static void awr__tcp_sys_lock(awr__tcp_lock_t *l) { (void)pthread_mutex_lock(l); }
static void awr__tcp_sys_unlock(awr__tcp_lock_t *l) { (void)pthread_mutex_unlock(l); }

static void awr__tcp_resolve_job(awr__tcp_job *j);
static void *awr__tcp_thread_main(void *arg) {
    awr__tcp_resolve_job((awr__tcp_job *)arg);
    return NULL;
}
/* Start the resolver thread on j, detached (nobody joins it); 0 and *err when the system refused. */
static int awr__tcp_sys_thread_start(awr__tcp_job *j, int *err) {
    pthread_t th;
    int e = pthread_create(&th, NULL, awr__tcp_thread_main, j);
    if (e != 0) {
        *err = e;
        return 0;
    }
    (void)pthread_detach(th);
    return 1;
}

AWR_API awr_result awr_tcp_random(void *out, size_t len) {
    unsigned char *o = (unsigned char *)out;
    if (!out && len) return AWR_ERR_ARG;
#ifdef AWR__TCP_GETRANDOM
    while (len) {
        ssize_t n = getrandom(o, len, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            break;                                      /* e.g. ENOSYS in old kernels: try the device */
        }
        o += n;
        len -= (size_t)n;
    }
    if (len == 0) return AWR_OK;
#endif
    {
        int fd = open("/dev/urandom", O_RDONLY);
        if (fd < 0) return AWR_ERR_RANDOM;
        while (len) {
            ssize_t n = read(fd, o, len);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) { close(fd); return AWR_ERR_RANDOM; }
            o += n;
            len -= (size_t)n;
        }
        close(fd);
    }
    return AWR_OK;
}

AWR_API int64_t awr_tcp_now_ms(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0;
    return (int64_t)ts.tv_sec * 1000 + (int64_t)(ts.tv_nsec / 1000000);
}
#endif /* platform layer */

/* ---- the adapter ---- */

/* The lookup's block and what it still holds (an answer nobody took, a deinit's platform start-up). */
static void awr__tcp_job_free(awr__tcp_job *j) {
    if (j->list) freeaddrinfo(j->list);
    if (j->cleanup) awr__tcp_sys_cleanup();
    awr__tcp_sys_lock_free(&j->lock);
    awr__free(&j->alloc, j);
}

/* Let go of the lookup j; the last of the thread and the adapter frees it. */
static void awr__tcp_job_release(awr__tcp_job *j) {
    int last;
    awr__tcp_sys_lock(&j->lock);
    last = --j->refs == 0;
    awr__tcp_sys_unlock(&j->lock);
    if (last) awr__tcp_job_free(j);
}

/* The resolver thread's work: look the host up, then hand the result over and let go in one step
   under the lock: an adapter that sees done holds the last reference, so the block is freed on the
   thread only when the adapter let go first (awr_tcp_deinit during the lookup). */
static void awr__tcp_resolve_job(awr__tcp_job *j) {
    struct addrinfo hints, *list = NULL;
    int rc, e, last;
    awr__tcp_hints(&hints, 0);
    rc = (j->resolve ? j->resolve : awr__tcp_sys_getaddrinfo)(j->host, j->service, &hints, &list);
    e = rc != 0 ? awr__tcp_sys_resolve_errno(rc) : 0;
    if (rc == 0 && !list) rc = AWR__TCP_EAI_NONAME;
    awr__tcp_sys_lock(&j->lock);
    j->list = list;
    j->rc = rc;
    j->err = e;
    j->done = 1;
    last = --j->refs == 0;
    awr__tcp_sys_unlock(&j->lock);
    if (last) awr__tcp_job_free(j);
}

static int awr__tcp_job_done(awr_tcp *t) {
    int done;
    awr__tcp_sys_lock(&t->job->lock);
    done = t->job->done;
    awr__tcp_sys_unlock(&t->job->lock);
    return done;
}

/* The adapter lets go of its lookup (finished or not). */
static void awr__tcp_job_drop(awr_tcp *t) {
    awr__tcp_job_release(t->job);
    t->job = NULL;
}

/* Resolve host:service on the resolver thread. getaddrinfo has no asynchronous form everywhere
   (getaddrinfo_a is glibc's alone) and a DNS client of our own would miss the system's
   configuration (hosts file, mDNS, VPN resolvers), so the system's resolver runs on a thread of its
   own and the caller's thread only looks whether it is done. A job still running for an earlier
   connection is waited for: the connection takes its result if it is for the same target. Each
   lookup allocates its block (cfg.allocator); connects to a kept or numeric address do not. */
static awr_result awr__tcp_resolve_start(awr_tcp *t) {
    awr__tcp_job *j;
    t->resolving = 1;
    if (t->job) {
        if (!awr__tcp_job_done(t)) return AWR_OK;
        awr__tcp_job_drop(t);
    }
    j = (awr__tcp_job *)awr__alloc(&t->cfg.allocator, sizeof *j);
    if (!j) {
        t->resolving = 0;
        t->last_error = ENOMEM;
        return AWR_ERR_IO;
    }
    memset(j, 0, sizeof *j);
    memcpy(j->host, t->host, strlen(t->host) + 1);
    memcpy(j->service, t->service, sizeof j->service);
    j->resolve = t->cfg.resolve;
    j->alloc = t->cfg.allocator;
    j->refs = 2;
    awr__tcp_sys_lock_init(&j->lock);
    if (!awr__tcp_sys_thread_start(j, &t->last_error)) {
        awr__tcp_sys_lock_free(&j->lock);
        awr__free(&j->alloc, j);
        t->resolving = 0;
        return AWR_ERR_IO;
    }
    t->job = j;
    return AWR_OK;
}

static void awr__tcp_drop_addrs(awr_tcp *t) {
    if (t->addrs) freeaddrinfo(t->addrs);
    t->addrs = NULL;
    t->next_addr = t->current = NULL;
    t->from_resolver = t->on_kept = 0;
}

static void awr__tcp_close_socket(awr_tcp *t) {
    if (t->sock != AWR_NO_SOCKET) awr__tcp_sys_close(t->sock);
    t->sock = AWR_NO_SOCKET;
    t->connecting = 0;
}

/* The connect to t->current succeeded: keep a resolved address for the next connects. */
static void awr__tcp_connected(awr_tcp *t) {
    const struct addrinfo *ai = t->current;
    if (t->from_resolver && ai && ai->ai_addrlen <= sizeof t->kept_addr) {
        memcpy(&t->kept_ai, ai, sizeof t->kept_ai);
        memcpy(&t->kept_addr, ai->ai_addr, ai->ai_addrlen);
        t->kept_ai.ai_addr = (struct sockaddr *)&t->kept_addr;
        t->kept_ai.ai_canonname = NULL;
        t->kept_ai.ai_next = NULL;
        t->kept_valid = 1;
    }
    t->connecting = 0;
    t->last_error = t->last_gai = 0;   /* an address that failed before this one is no longer news */
    awr__tcp_drop_addrs(t);
}

/* Start connecting to the next address; AWR_OK when one is under way (or connected). When every
   address failed: the kept address is dropped and the host resolved again, else AWR_ERR_IO. */
static awr_result awr__tcp_try_next(awr_tcp *t) {
    int on_kept = t->on_kept;
    while (t->next_addr) {
        const struct addrinfo *ai = t->next_addr;
        int r;
        t->next_addr = ai->ai_next;
        awr__tcp_close_socket(t);
        t->sock = awr__tcp_sys_socket(ai, &t->last_error);
        if (t->sock == AWR_NO_SOCKET) continue;
        t->current = ai;
        r = awr__tcp_sys_connect(t->sock, ai, &t->last_error);
        if (r > 0) {
            awr__tcp_connected(t);
            return AWR_OK;
        }
        if (r == 0) {
            t->connecting = 1;
            return AWR_OK;
        }
    }
    awr__tcp_close_socket(t);
    awr__tcp_drop_addrs(t);
    if (on_kept) {
        t->kept_valid = 0;   /* the host may have moved: ask the resolver again */
        return awr__tcp_resolve_start(t);
    }
    return AWR_ERR_IO;
}

/* Take the resolver's answer when it is there: 1 taken (the addresses are being tried), 0 still
   waiting, AWR_ERR_IO when the lookup failed or no address could be tried. */
static long awr__tcp_take_resolved(awr_tcp *t) {
    awr__tcp_job *j = t->job;
    if (!j || !awr__tcp_job_done(t)) return 0;
    if (strcmp(j->host, t->host) != 0 || strcmp(j->service, t->service) != 0) {
        /* an earlier connection's lookup of another target: ask again for this one */
        awr__tcp_job_drop(t);
        return awr__tcp_resolve_start(t) == AWR_OK ? 0 : AWR_ERR_IO;
    }
    t->resolving = 0;
    if (j->rc != 0) {
        t->last_gai = j->rc;
        t->last_error = j->err;
        awr__tcp_job_drop(t);
        return AWR_ERR_IO;
    }
    t->addrs = j->list;
    j->list = NULL;
    awr__tcp_job_drop(t);
    t->next_addr = t->addrs;
    for (; t->skip > 0 && t->next_addr->ai_next; t->skip--) t->next_addr = t->next_addr->ai_next;
    t->skip = 0;
    t->from_resolver = 1;
    return awr__tcp_try_next(t) == AWR_OK ? 1 : AWR_ERR_IO;
}

/* Move a connection on that is resolving or connecting: 1 connected, 0 still under way, AWR_ERR_IO
   when it failed for good. */
static long awr__tcp_progress(awr_tcp *t) {
    for (;;) {
        if (t->resolving) {
            long r = awr__tcp_take_resolved(t);
            if (r <= 0) return r;
        } else if (t->connecting) {
            int up = awr__tcp_sys_connect_result(t->sock, &t->last_error);
            if (up == 0) return 0;
            if (up > 0) {
                awr__tcp_connected(t);
                return 1;
            }
            /* This address refused or is unreachable: the next one (IPv4 after IPv6, say) may work. */
            if (awr__tcp_try_next(t) != AWR_OK) return AWR_ERR_IO;
        } else {
            return t->sock != AWR_NO_SOCKET ? 1 : AWR_ERR_IO;
        }
    }
}

/* Addresses for a numeric host (or cfg.address) without asking any DNS server: AWR_OK with the list
   being tried, AWR_ERR_NOT_FOUND when text is not a numeric address. */
static awr_result awr__tcp_numeric(awr_tcp *t, const char *text) {
    struct addrinfo hints, *list = NULL;
    int rc;
    awr__tcp_hints(&hints, 1);
    rc = awr__tcp_sys_getaddrinfo(text, t->service, &hints, &list);
    if (rc != 0 || !list) {
        if (list) freeaddrinfo(list);
        return AWR_ERR_NOT_FOUND;
    }
    t->addrs = list;
    t->next_addr = list;
    return AWR_OK;
}

static awr_result awr__tcp_open(void *user, const char *host, int port, int tls, void **conn) {
    awr_tcp *t = (awr_tcp *)user;
    char service[8];
    int i = 7;
    awr_result r;
    if (!t || !host || !conn || port <= 0 || port > 65535 || strlen(host) > t->host_max) return AWR_ERR_ARG;
    if (tls) return AWR_ERR_UNSUPPORTED;                                   /* TLS is a wrapper io (AWR_BEARSSL) */
    if (t->sock != AWR_NO_SOCKET || t->resolving || t->addrs) return AWR_ERR_STATE;   /* one connection per awr_tcp */
    t->last_error = t->last_gai = 0;
    service[7] = 0;   /* the port as text, without snprintf */
    do {
        service[--i] = (char)('0' + port % 10);
        port /= 10;
    } while (port && i > 0);
    if (strcmp(host, t->host) != 0 || strcmp(service + i, t->service) != 0) {
        t->kept_valid = 0;   /* a new target: what was kept is for another */
        t->skip = 0;
        memcpy(t->host, host, strlen(host) + 1);
        memcpy(t->service, service + i, (size_t)(8 - i));
    }
    if (t->kept_valid) {
        t->next_addr = &t->kept_ai;
        t->on_kept = 1;
        r = awr__tcp_try_next(t);
    } else if (t->address[0]) {
        if (awr__tcp_numeric(t, t->address) != AWR_OK) return AWR_ERR_ARG;
        r = awr__tcp_try_next(t);
    } else if (awr__tcp_numeric(t, host) == AWR_OK) {
        r = awr__tcp_try_next(t);
    } else {
        r = awr__tcp_resolve_start(t);
    }
    if (r != AWR_OK) return AWR_ERR_IO;
    *conn = t;
    return AWR_OK;
}

/* Before a send or a receive: 1 when the socket is connected, else what awr__tcp_progress says. */
static long awr__tcp_ready(awr_tcp *t) { return t ? awr__tcp_progress(t) : (long)AWR_ERR_IO; }

static long awr__tcp_send(void *user, void *conn, const void *data, size_t len) {
    awr_tcp *t = (awr_tcp *)user;
    long r = awr__tcp_ready(t);
    (void)conn;
    if (r <= 0 || len == 0) return r <= 0 ? r : 0;
    return awr__tcp_sys_send(t->sock, data, len, &t->last_error);
}

static long awr__tcp_recv(void *user, void *conn, void *buf, size_t cap) {
    awr_tcp *t = (awr_tcp *)user;
    long r = awr__tcp_ready(t);
    (void)conn;
    if (r <= 0 || cap == 0) return r <= 0 ? r : 0;
    return awr__tcp_sys_recv(t->sock, buf, cap, &t->last_error);
}

/* A connect closed while still in progress (the client's connect timeout) counts as failed: an
   address that drops packets never fails on its own. A kept address is dropped (the host may have
   moved); after a resolved one, the next connect to the target starts with the address that follows. */
static void awr__tcp_cut_short(awr_tcp *t) {
    const struct addrinfo *ai;
    size_t at = 0;
    if (!t->connecting) return;
    if (t->on_kept) t->kept_valid = 0;
    if (!t->from_resolver || !t->current || !t->current->ai_next) return;
    for (ai = t->addrs; ai && ai != t->current; ai = ai->ai_next) at++;
    t->skip = at + 1;
}

static void awr__tcp_close(void *user, void *conn) {
    awr_tcp *t = (awr_tcp *)user;
    (void)conn;
    if (!t) return;
    awr__tcp_cut_short(t);
    awr__tcp_close_socket(t);
    awr__tcp_drop_addrs(t);
    t->resolving = 0;   /* a lookup still running is left to finish: getaddrinfo cannot be cancelled */
    if (t->job && awr__tcp_job_done(t)) awr__tcp_job_drop(t);
}

static awr_result awr__tcp_random_hook(void *user, void *out, size_t len) {
    (void)user;
    return awr_tcp_random(out, len);
}

static const char *awr__tcp_error(void *user, void *conn, int *sys_error) {
    awr_tcp *t = (awr_tcp *)user;
    (void)conn;
    *sys_error = t ? t->last_error : 0;
    if (!t || (!t->last_gai && !t->last_error)) return NULL;
    return awr__tcp_sys_error_text(t, t->last_gai, t->last_error);
}

/* The host names follow the struct: their room is what host_max asks for, not the longest name. */
static size_t awr__tcp_host_max(const awr_tcp_config *cfg) {
    return cfg && cfg->host_max ? cfg->host_max : AWR_TCP_HOST_MAX;
}

AWR_API size_t awr_tcp_size(const awr_tcp_config *cfg) {
    size_t hm = awr__tcp_host_max(cfg);
    if (hm > AWR_TCP_HOST_MAX) return 0;
    return sizeof(struct awr_tcp) + AWR__TCP_ALIGN - 1 + hm + 1u;
}

AWR_API awr_result awr_tcp_init(void *mem, size_t size, const awr_tcp_config *cfg, awr_tcp **out) {
    awr_tcp *t;
    int err = 0;
    if (out) *out = NULL;
    if (!mem || !out || awr_tcp_size(cfg) == 0 || (cfg && !awr__allocator_ok(&cfg->allocator))) return AWR_ERR_ARG;
    if (size < awr_tcp_size(cfg)) return AWR_ERR_BUFFER;
    if (cfg && cfg->address && strlen(cfg->address) >= sizeof t->address) return AWR_ERR_ARG;
    t = (awr_tcp *)(void *)((uintptr_t)((unsigned char *)mem + AWR__TCP_ALIGN - 1) & ~(uintptr_t)(AWR__TCP_ALIGN - 1));
    memset(t, 0, sizeof *t + awr__tcp_host_max(cfg) + 1u);
    if (cfg) t->cfg = *cfg;
    t->host_max = awr__tcp_host_max(cfg);
    t->host = (char *)(t + 1);
    t->sock = AWR_NO_SOCKET;
    if (cfg && cfg->address) memcpy(t->address, cfg->address, strlen(cfg->address) + 1);
    t->cfg.address = t->address;
    /* First: Winsock refuses every call before it, getaddrinfo of a numeric address included. */
    if (!awr__tcp_sys_startup(&err)) return AWR_ERR_IO;
    if (t->address[0]) {   /* refuse an address that is not numeric now, not on every connect */
        memcpy(t->service, "1", 2);
        if (awr__tcp_numeric(t, t->address) != AWR_OK) {
            awr__tcp_sys_cleanup();
            return AWR_ERR_ARG;
        }
        awr__tcp_drop_addrs(t);
        t->service[0] = 0;
    }
    t->sys_started = 1;
    *out = t;
    return AWR_OK;
}

AWR_API void awr_tcp_deinit(awr_tcp *t) {
    if (!t) return;
    awr__tcp_close(t, t);
    if (t->job) {   /* a lookup still running: its thread frees it, and balances the start-up, when done */
        awr__tcp_sys_lock(&t->job->lock);
        t->job->cleanup = t->sys_started;
        awr__tcp_sys_unlock(&t->job->lock);
        t->sys_started = 0;
        awr__tcp_job_drop(t);
    }
    if (t->sys_started) awr__tcp_sys_cleanup();
    t->sys_started = 0;
}

AWR_API awr_io awr_tcp_io(awr_tcp *t) {
    /* every field, in awr_io's order (user, open, send, recv, close, random, error) */
    awr_io io = {t, awr__tcp_open, awr__tcp_send, awr__tcp_recv, awr__tcp_close, awr__tcp_random_hook,
                 awr__tcp_error};
    return io;
}

AWR_API awr_socket awr_tcp_socket(const awr_tcp *t) { return t ? t->sock : AWR_NO_SOCKET; }
AWR_API int awr_tcp_resolving(const awr_tcp *t) { return t ? t->resolving : 0; }
AWR_API int awr_tcp_last_error(const awr_tcp *t) { return t ? t->last_error : 0; }

AWR_API short awr_tcp_poll_events(const awr_tcp *t, int wants) {
    short ev = 0;
    if (!t || t->sock == AWR_NO_SOCKET) return 0;
    if (wants & AWR_WANT_READ) ev = (short)(ev | AWR__TCP_POLL_IN);
    /* A connect in progress completes as "writable". */
    if ((wants & AWR_WANT_WRITE) || t->connecting) ev = (short)(ev | AWR__TCP_POLL_OUT);
    return ev;
}

AWR_API void awr_tcp_stop(awr_tcp *t) {
    if (t) t->stop = 1;
}

AWR_API awr_result awr_tcp_run(awr_tcp *t, awr_client *c, int32_t timeout_ms) {
    int64_t end = timeout_ms < 0 ? -1 : awr_tcp_now_ms() + timeout_ms;
    if (!c || !t) return AWR_ERR_ARG;
    t->stop = 0;
    for (;;) {
        int64_t now = awr_tcp_now_ms();
        int32_t wait;
        int wants;
        (void)awr_client_poll(c, now);       /* failures are reported through the state callback */
        if (t->stop) return AWR_OK;
        if (awr_client_state(c) == AWR_STATE_CLOSED) return AWR_ERR_CLOSED;
        now = awr_tcp_now_ms();
        if (end >= 0 && now >= end) return AWR_OK;
        wait = awr__cl_loop_wait_ms(c, now, end, &wants);
        if (t->resolving && wait > AWR__TCP_RESOLVE_STEP_MS) wait = AWR__TCP_RESOLVE_STEP_MS;
        if (t->connecting && AWR__TCP_CONNECT_STEP_MS >= 0 && wait > AWR__TCP_CONNECT_STEP_MS)
            wait = AWR__TCP_CONNECT_STEP_MS;
        if (awr__tcp_sys_wait(t->sock, awr_tcp_poll_events(t, wants), wait, &t->last_error) < 0) return AWR_ERR_IO;
    }
}

#endif /* AWR_TCP */

/* ==================================================================================================
 * BEARSSL ADAPTER (implementation)
 * ================================================================================================== */
#ifdef AWR_BEARSSL
#ifndef AWR_BEARSSL_NO_STDIO
#include <stdio.h>    /* fopen/fread for the CA bundle file */
#endif

/* Bytes send() accepts while the handshake runs (the WebSocket upgrade request, typically), so that a
   poll loop waits for the handshake's records to arrive instead of spinning on a writable socket. */
#ifndef AWR_BEARSSL_STAGE_SIZE
#  define AWR_BEARSSL_STAGE_SIZE 4096
#endif

struct awr_bearssl {
    awr_io inner;
    awr_allocator alloc;           /* what awr_bearssl_create took block from */
    void *block;                   /* the block of awr_bearssl_create, NULL after awr_bearssl_init */
    struct awr__tls_conn *conns;   /* max_conns slots, each with its own iobuf */
    size_t max_conns;
    const br_x509_trust_anchor *anchors;
    size_t anchor_count;
    const char *server_name;
    int64_t (*unix_time)(void *user);
    void *time_user;
    size_t iobuf_size;
    int insecure;
    int last_error;                /* BR_ERR_* of the latest failure */
};

/* The X.509 engine the SSL engine sees: it forwards to br_x509_minimal (checking the name the adapter
   chose rather than the SNI name, which is empty for IP literals), or, in insecure mode, only
   decodes the end-entity certificate to learn its key. */
typedef struct awr__x509 {
    const br_x509_class *vtable;   /* first: BearSSL passes &vtable as the context */
    br_x509_minimal_context minimal;
    br_x509_decoder_context decoder;
    const char *name;
    int insecure;
    int cert_index;
} awr__x509;

typedef struct awr__tls_conn {
    br_ssl_client_context sc;
    awr__x509 x509;
    awr_bearssl *owner;
    void *inner;
    int tls;
    int app_ready;                 /* the handshake is done (the engine has offered application data) */
    awr_result failed;             /* sticky: once the engine fails, every call returns this */
    int in_use;                    /* the slot holds an open connection */
    unsigned char *iobuf;          /* the slot's own, iobuf_size bytes, for as long as the adapter lives */
    size_t staged, stage_off;      /* application bytes accepted during the handshake, and sent so far */
    char name[256];
    unsigned char stage[AWR_BEARSSL_STAGE_SIZE];
} awr__tls_conn;

/* br_x509_decoder must not be fed once it has finished or failed (bytes after the certificate's DER). */
static int awr__x509_decoder_wants_more(br_x509_decoder_context *dc) {
    return br_x509_decoder_last_error(dc) == BR_ERR_X509_TRUNCATED;
}

static awr__x509 *awr__x509_of(const br_x509_class *const *ctx) {
    return (awr__x509 *)(void *)(uintptr_t)ctx;
}

static void awr__x509_ignore_dn(void *ctx, const void *data, size_t len) {
    (void)ctx; (void)data; (void)len;
}

static void awr__x509_start_chain(const br_x509_class **ctx, const char *server_name) {
    awr__x509 *x = awr__x509_of(ctx);
    (void)server_name;
    x->cert_index = 0;
    if (x->insecure) return;
    x->minimal.vtable->start_chain(&x->minimal.vtable, x->name);
}
static void awr__x509_start_cert(const br_x509_class **ctx, uint32_t length) {
    awr__x509 *x = awr__x509_of(ctx);
    if (x->insecure) {
        if (x->cert_index == 0) br_x509_decoder_init(&x->decoder, awr__x509_ignore_dn, 0);
        return;
    }
    x->minimal.vtable->start_cert(&x->minimal.vtable, length);
}
static void awr__x509_append(const br_x509_class **ctx, const unsigned char *buf, size_t len) {
    awr__x509 *x = awr__x509_of(ctx);
    if (x->insecure) {
        if (x->cert_index == 0 && awr__x509_decoder_wants_more(&x->decoder)) br_x509_decoder_push(&x->decoder, buf, len);
        return;
    }
    x->minimal.vtable->append(&x->minimal.vtable, buf, len);
}
static void awr__x509_end_cert(const br_x509_class **ctx) {
    awr__x509 *x = awr__x509_of(ctx);
    x->cert_index++;
    if (x->insecure) return;
    x->minimal.vtable->end_cert(&x->minimal.vtable);
}
static unsigned awr__x509_end_chain(const br_x509_class **ctx) {
    awr__x509 *x = awr__x509_of(ctx);
    if (x->insecure) {
        if (x->cert_index == 0) return BR_ERR_X509_EMPTY_CHAIN;
        if (br_x509_decoder_get_pkey(&x->decoder) == 0) {
            int err = br_x509_decoder_last_error(&x->decoder);
            return (unsigned)(err ? err : BR_ERR_X509_UNSUPPORTED);
        }
        return 0;
    }
    return x->minimal.vtable->end_chain(&x->minimal.vtable);
}
static const br_x509_pkey *awr__x509_get_pkey(const br_x509_class *const *ctx, unsigned *usages) {
    awr__x509 *x = awr__x509_of(ctx);
    if (x->insecure) {
        if (usages) *usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
        return br_x509_decoder_get_pkey(&x->decoder);
    }
    return x->minimal.vtable->get_pkey(&x->minimal.vtable, usages);
}

static const br_x509_class awr__x509_vtable = {
    sizeof(awr__x509),
    awr__x509_start_chain,
    awr__x509_start_cert,
    awr__x509_append,
    awr__x509_end_cert,
    awr__x509_end_chain,
    awr__x509_get_pkey
};

/* ---- trust anchors from PEM: a pass to size (awr_bearssl_size, create), a pass to fill ----------
 * The filling pass needs no count beforehand: DN and key bytes go up from the start of the block, the
 * anchors down from its end. So awr_bearssl_init reads a CA file once; awr_bearssl_size must read it
 * too (nothing can be kept between the calls) and create reads it twice (to size its one allocation,
 * then to fill it), rather than hold the whole file in memory. */

typedef struct awr__ta_loader {
    br_pem_decoder_context pem;
    br_x509_decoder_context x509;
    unsigned char *mem;            /* NULL in the sizing pass */
    size_t cap, used;              /* bytes of mem (anchors included), of DN and key data */
    size_t peak;                   /* the most ever used: a certificate that is dropped in the end
                                      (unsupported key, damaged) held its DN bytes for a while */
    size_t count;                  /* anchors kept (the filling pass: count of them end at mem + cap) */
    size_t slots;                  /* anchor slots taken at the end of mem: count, or count + 1 while
                                      a certificate's key is copied */
    int in_cert;
    int overflow;
    int pem_error;
    size_t dn_start;
} awr__ta_loader;

/* The anchor slot i of the filling pass (0 is the block's last). */
static br_x509_trust_anchor *awr__ta_slot(awr__ta_loader *ld, size_t i) {
    return (br_x509_trust_anchor *)(void *)(ld->mem + ld->cap) - 1 - i;
}
static void awr__ta_put(awr__ta_loader *ld, const void *data, size_t len) {
    if (ld->mem) {   /* room: what neither the bytes so far nor the anchor slots take */
        size_t taken = ld->used + ld->slots * sizeof(br_x509_trust_anchor);
        if (ld->overflow || taken > ld->cap || len > ld->cap - taken) { ld->overflow = 1; return; }
        if (len) memcpy(ld->mem + ld->used, data, len);
    }
    ld->used += len;
    if (ld->used > ld->peak) ld->peak = ld->used;
}
static void awr__ta_dn_sink(void *ctx, const void *data, size_t len) {
    awr__ta_put((awr__ta_loader *)ctx, data, len);
}
static void awr__ta_der_sink(void *ctx, const void *data, size_t len) {
    awr__ta_loader *ld = (awr__ta_loader *)ctx;
    if (ld->in_cert && awr__x509_decoder_wants_more(&ld->x509)) br_x509_decoder_push(&ld->x509, data, len);
}
static int awr__ta_is_cert_name(const char *name) {
    return awr__streq(name, "CERTIFICATE") || awr__streq(name, "X509 CERTIFICATE");
}

/* The decoder finished one certificate: keep it as an anchor if BearSSL can use its key. Its slot
   is taken only then: a certificate that is dropped needs none (the sizing pass counted none). */
static void awr__ta_finish_cert(awr__ta_loader *ld) {
    const br_x509_pkey *pk = br_x509_decoder_get_pkey(&ld->x509);
    size_t dn_len = ld->used - ld->dn_start;
    br_x509_trust_anchor *ta;
    if (!pk || br_x509_decoder_last_error(&ld->x509) != 0 ||
        (pk->key_type != BR_KEYTYPE_RSA && pk->key_type != BR_KEYTYPE_EC)) {
        ld->used = ld->dn_start;
        return;
    }
    ld->slots = ld->count + 1u;
    if (ld->mem && (ld->overflow || ld->used > ld->cap || ld->cap - ld->used < ld->slots * sizeof *ta)) {
        ld->overflow = 1;
        return;
    }
    ta = ld->mem ? awr__ta_slot(ld, ld->count) : 0;
    if (ta) {
        ta->dn.data = ld->mem + ld->dn_start;
        ta->dn.len = dn_len;
        ta->flags = br_x509_decoder_isCA(&ld->x509) ? BR_X509_TA_CA : 0;
        ta->pkey.key_type = pk->key_type;
    }
    if (pk->key_type == BR_KEYTYPE_RSA) {
        size_t n_at = ld->used, e_at;
        awr__ta_put(ld, pk->key.rsa.n, pk->key.rsa.nlen);
        e_at = ld->used;
        awr__ta_put(ld, pk->key.rsa.e, pk->key.rsa.elen);
        if (ta && !ld->overflow) {
            ta->pkey.key.rsa.n = ld->mem + n_at;
            ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
            ta->pkey.key.rsa.e = ld->mem + e_at;
            ta->pkey.key.rsa.elen = pk->key.rsa.elen;
        }
    } else if (pk->key_type == BR_KEYTYPE_EC) {
        size_t q_at = ld->used;
        awr__ta_put(ld, pk->key.ec.q, pk->key.ec.qlen);
        if (ta && !ld->overflow) {
            ta->pkey.key.ec.curve = pk->key.ec.curve;
            ta->pkey.key.ec.q = ld->mem + q_at;
            ta->pkey.key.ec.qlen = pk->key.ec.qlen;
        }
    }
    ld->count++;
}

static void awr__ta_push(awr__ta_loader *ld, const char *data, size_t len) {
    const unsigned char *p = (const unsigned char *)data;
    while (len > 0 && !ld->pem_error) {
        size_t n = br_pem_decoder_push(&ld->pem, p, len);
        p += n;
        len -= n;
        switch (br_pem_decoder_event(&ld->pem)) {
        case BR_PEM_BEGIN_OBJ:
            ld->in_cert = awr__ta_is_cert_name(br_pem_decoder_name(&ld->pem));
            if (ld->in_cert) {
                ld->dn_start = ld->used;
                br_x509_decoder_init(&ld->x509, awr__ta_dn_sink, ld);
            }
            br_pem_decoder_setdest(&ld->pem, awr__ta_der_sink, ld);
            break;
        case BR_PEM_END_OBJ:
            if (ld->in_cert) awr__ta_finish_cert(ld);
            ld->in_cert = 0;
            break;
        case BR_PEM_ERROR:
            ld->pem_error = 1;
            break;
        default:
            break;
        }
    }
}

static void awr__ta_begin(awr__ta_loader *ld, unsigned char *mem, size_t cap) {
    memset(ld, 0, sizeof *ld);
    br_pem_decoder_init(&ld->pem);
    ld->mem = mem;
    ld->cap = cap;
}
static void awr__ta_end(awr__ta_loader *ld) {
    awr__ta_push(ld, "\n", 1);   /* the PEM decoder needs a line end after the last object */
}

/* One source of PEM text, read either from memory or from a file, in chunks. */
typedef struct awr__pem_source {
    const char *pem;
    size_t pem_len;
    const char *path;
} awr__pem_source;

static awr_result awr__ta_run(const awr__pem_source *src, awr__ta_loader *ld) {
    if (src->pem) {
        awr__ta_push(ld, src->pem, src->pem_len);
    } else {
#ifdef AWR_BEARSSL_NO_STDIO
        return AWR_ERR_UNSUPPORTED;
#else
        char chunk[1024];
        size_t n;
        FILE *f = fopen(src->path, "rb");
        if (!f) return AWR_ERR_NOT_FOUND;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) awr__ta_push(ld, chunk, n);
        if (ferror(f)) { fclose(f); return AWR_ERR_NOT_FOUND; }
        fclose(f);
#endif
    }
    awr__ta_end(ld);
    if (ld->pem_error) return AWR_ERR_TLS;
    return AWR_OK;
}

/* DN and key bytes, the anchors, and the slack for aligning the anchors' end to a pointer. */
static size_t awr__ta_block_size(size_t count, size_t bytes) {
    return count * sizeof(br_x509_trust_anchor) + bytes + sizeof(void *) - 1u;
}

/* The sizing pass: how many anchors the source holds and how many bytes of DN and key data they need. */
static awr_result awr__ta_measure(const awr__pem_source *src, size_t *count, size_t *bytes) {
    awr__ta_loader ld;
    awr_result r;
    awr__ta_begin(&ld, 0, 0);
    r = awr__ta_run(src, &ld);
    if (r != AWR_OK) return r;
    if (ld.count == 0) return AWR_ERR_TLS;
    *count = ld.count;
    *bytes = ld.peak;
    return AWR_OK;
}

/* The filling pass, into mem_size bytes at mem (any alignment): AWR_ERR_BUFFER when the anchors do
   not fit. The anchors end up in the order of the PEM. */
static awr_result awr__ta_fill(awr_bearssl *t, const awr__pem_source *src, void *mem, size_t mem_size) {
    awr__ta_loader ld;
    awr_result r;
    size_t i, misaligned = (size_t)(((uintptr_t)mem + mem_size) % sizeof(void *));
    br_x509_trust_anchor *first, swap;
    if (mem_size < misaligned) return AWR_ERR_BUFFER;
    awr__ta_begin(&ld, (unsigned char *)mem, mem_size - misaligned);
    r = awr__ta_run(src, &ld);
    if (r == AWR_OK && ld.overflow) r = AWR_ERR_BUFFER;
    if (r == AWR_OK && ld.count == 0) r = AWR_ERR_TLS;
    if (r != AWR_OK) return r;
    first = awr__ta_slot(&ld, ld.count - 1u);
    for (i = 0; i < ld.count / 2u; i++) {   /* slot 0 holds the first anchor of the PEM */
        swap = first[i];
        first[i] = first[ld.count - 1u - i];
        first[ld.count - 1u - i] = swap;
    }
    t->anchors = first;
    t->anchor_count = ld.count;
    return AWR_OK;
}

AWR_API size_t awr_bearssl_anchor_bytes(const char *pem, size_t len) {
    awr__pem_source src;
    size_t count, bytes;
    if (!pem) return 0;
    src.pem = pem;
    src.pem_len = len;
    src.path = 0;
    if (awr__ta_measure(&src, &count, &bytes) != AWR_OK) return 0;
    return awr__ta_block_size(count, bytes);
}

/* ---- the adapter ------------------------------------------------------------------------------- */

/* Where everything goes in the adapter's memory, decided once from the config: the adapter, the
   connection slots, their I/O buffers, then the decoded anchors (when they come from PEM and there
   is no anchor_mem). Deciding it runs the sizing pass over the PEM when measure is set; without it
   (awr_bearssl_init) total leaves the anchors out: they take what is left of the caller's memory. */
typedef struct awr__tls_layout {
    awr__pem_source src;           /* the PEM to decode (pem and path NULL: none) */
    size_t ta_count, ta_bytes;     /* what decoding it needs */
    size_t slots, iobuf;
    size_t conns_at, iobufs_at, anchors_at;   /* offsets from the aligned start */
    size_t total;                  /* bytes, with the slack for aligning the start */
} awr__tls_layout;

#define AWR__TLS_ALIGN 16u         /* the start is aligned to this, and so is every piece after it */
static size_t awr__tls_round(size_t n) { return (n + (AWR__TLS_ALIGN - 1u)) & ~(size_t)(AWR__TLS_ALIGN - 1u); }

static int awr__tls_has_anchors(const awr_bearssl_config *cfg) { return cfg->anchors && cfg->anchor_count; }
static int awr__tls_decodes_pem(const awr__tls_layout *l) { return l->src.pem || l->src.path; }

static awr_result awr__tls_plan(const awr_bearssl_config *cfg, int measure, awr__tls_layout *l) {
    const size_t limit = (size_t)-1 / 4;   /* beyond any memory: the sums below cannot wrap */
    size_t slot;
    awr_result r;
    memset(l, 0, sizeof *l);
    if (!cfg) return AWR_ERR_ARG;
    l->iobuf = cfg->iobuf_size ? cfg->iobuf_size : (size_t)BR_SSL_BUFSIZE_BIDI;
    l->slots = cfg->max_connections ? cfg->max_connections : 1u;
    if (l->iobuf < (size_t)BR_SSL_BUFSIZE_MONO || l->iobuf > limit) return AWR_ERR_ARG;
    if (cfg->server_name && !cfg->server_name[0]) return AWR_ERR_ARG;   /* see awr__tls_start */
    slot = sizeof(awr__tls_conn) + awr__tls_round(l->iobuf);
    if (l->slots > limit / slot) return AWR_ERR_ARG;
    if (!awr__tls_has_anchors(cfg)) {   /* else the ready anchors: nothing to decode */
        if (cfg->ca_pem) {
            l->src.pem = cfg->ca_pem;
            l->src.pem_len = cfg->ca_pem_len ? cfg->ca_pem_len : awr__strlen(cfg->ca_pem);
        } else {
            l->src.path = cfg->ca_file ? cfg->ca_file : AWR_BEARSSL_DEFAULT_CA_FILE;
            if (!l->src.path && !cfg->insecure_no_verify) return AWR_ERR_UNSUPPORTED;
        }
    }
    if (measure && awr__tls_decodes_pem(l)) {
        r = awr__ta_measure(&l->src, &l->ta_count, &l->ta_bytes);
        if (r != AWR_OK && !cfg->insecure_no_verify) return r;
        if (r != AWR_OK) memset(&l->src, 0, sizeof l->src);   /* no verification: anchors are not needed */
    }
    l->conns_at = awr__tls_round(sizeof(awr_bearssl));
    l->iobufs_at = l->conns_at + awr__tls_round(l->slots * sizeof(awr__tls_conn));
    l->anchors_at = l->iobufs_at + l->slots * awr__tls_round(l->iobuf);
    l->total = l->anchors_at + AWR__TLS_ALIGN - 1u;
    if (measure && awr__tls_decodes_pem(l) && !cfg->anchor_mem) {
        size_t ta = awr__ta_block_size(l->ta_count, l->ta_bytes);
        if (ta > limit) return AWR_ERR_ARG;
        l->total += ta;
    }
    return AWR_OK;
}

static int awr__tls_inner_ok(const awr_io *inner) {
    return inner && inner->open && inner->send && inner->recv && inner->close;
}

/* Lay the adapter out in mem (size bytes, at least l->total) as l says and decode the anchors into it. */
static awr_result awr__tls_build(void *mem, size_t size, const awr_bearssl_config *cfg, const awr_io *inner,
                                 const awr__tls_layout *l, awr_bearssl **out) {
    unsigned char *base = (unsigned char *)mem + (AWR__TLS_ALIGN - (uintptr_t)mem % AWR__TLS_ALIGN) % AWR__TLS_ALIGN;
    awr_bearssl *t = (awr_bearssl *)(void *)base;
    awr_result r = AWR_OK;
    size_t i;
    memset(t, 0, sizeof *t);
    t->inner = *inner;
    t->conns = (awr__tls_conn *)(void *)(base + l->conns_at);
    t->max_conns = l->slots;
    t->server_name = cfg->server_name;
    t->unix_time = cfg->unix_time;
    t->time_user = cfg->time_user;
    t->iobuf_size = l->iobuf;
    t->insecure = cfg->insecure_no_verify != 0;
    for (i = 0; i < l->slots; i++) {
        memset(&t->conns[i], 0, sizeof t->conns[i]);
        t->conns[i].iobuf = base + l->iobufs_at + i * awr__tls_round(l->iobuf);
    }
    if (awr__tls_has_anchors(cfg)) {
        t->anchors = cfg->anchors;
        t->anchor_count = cfg->anchor_count;
    } else if (awr__tls_decodes_pem(l)) {
        if (cfg->anchor_mem)
            r = awr__ta_fill(t, &l->src, cfg->anchor_mem, cfg->anchor_mem_size);
        else
            r = awr__ta_fill(t, &l->src, base + l->anchors_at, size - (size_t)(base - (unsigned char *)mem) - l->anchors_at);
        if (r != AWR_OK && t->insecure) r = AWR_OK;   /* no verification: anchors are not needed */
    }
    if (r == AWR_OK) *out = t;
    return r;
}

AWR_API size_t awr_bearssl_size(const awr_bearssl_config *cfg) {
    awr__tls_layout l;
    return awr__tls_plan(cfg, 1, &l) == AWR_OK ? l.total : 0;
}

AWR_API awr_result awr_bearssl_init(void *mem, size_t size, const awr_bearssl_config *cfg, const awr_io *inner,
                                    awr_bearssl **out) {
    awr__tls_layout l;
    awr_result r;
    if (!out) return AWR_ERR_ARG;
    *out = 0;
    if (!mem || !awr__tls_inner_ok(inner)) return AWR_ERR_ARG;
    r = awr__tls_plan(cfg, 0, &l);   /* the anchors are decoded straight into mem: one pass over a file */
    if (r != AWR_OK) return r;
    if (size < l.total) return AWR_ERR_BUFFER;
    return awr__tls_build(mem, size, cfg, inner, &l, out);
}

AWR_API awr_result awr_bearssl_create(const awr_bearssl_config *cfg, const awr_io *inner, awr_bearssl **out) {
    awr__tls_layout l;
    awr_result r;
    void *mem;
    if (!out) return AWR_ERR_ARG;
    *out = 0;
    if (!cfg || !awr__allocator_ok(&cfg->allocator) || !awr__tls_inner_ok(inner)) return AWR_ERR_ARG;
    r = awr__tls_plan(cfg, 1, &l);
    if (r != AWR_OK) return r;
    mem = awr__alloc(&cfg->allocator, l.total);
    if (!mem) return AWR_ERR_NOMEM;
    r = awr__tls_build(mem, l.total, cfg, inner, &l, out);
    if (r == AWR_ERR_BUFFER && !cfg->anchor_mem) r = AWR_ERR_TLS;   /* the file grew between the passes */
    if (r != AWR_OK) {
        awr__free(&cfg->allocator, mem);
        return r;
    }
    (*out)->block = mem;
    (*out)->alloc = cfg->allocator;
    return AWR_OK;
}

static void awr__tls_close(void *user, void *conn);

AWR_API void awr_bearssl_deinit(awr_bearssl *t) {
    size_t i;
    if (!t) return;
    for (i = 0; i < t->max_conns; i++)
        if (t->conns[i].in_use) awr__tls_close(t, &t->conns[i]);
}

AWR_API void awr_bearssl_destroy(awr_bearssl *t) {
    void *block;
    awr_allocator a;
    if (!t) return;
    awr_bearssl_deinit(t);
    block = t->block;
    a = t->alloc;
    if (block) awr__free(&a, block);
}

AWR_API size_t awr_bearssl_anchor_count(const awr_bearssl *t) { return t ? t->anchor_count : 0; }
AWR_API int awr_bearssl_last_error(const awr_bearssl *t) { return t ? t->last_error : 0; }

/* BearSSL's error code, as the awr_result the user can act on. */
static awr_result awr__tls_result(int err) {
    if (err >= BR_ERR_RECV_FATAL_ALERT && err < BR_ERR_SEND_FATAL_ALERT) return AWR_ERR_TLS_ALERT;
    switch (err) {
    case BR_ERR_OK: return AWR_ERR_EOF;   /* closed cleanly with close_notify */
    case BR_ERR_IO: return AWR_ERR_IO;
    case BR_ERR_X509_EXPIRED: return AWR_ERR_TLS_EXPIRED;
    case BR_ERR_X509_BAD_SERVER_NAME: return AWR_ERR_TLS_HOSTNAME;
    case BR_ERR_X509_NOT_TRUSTED:
    case BR_ERR_X509_BAD_SIGNATURE:
    case BR_ERR_X509_DN_MISMATCH:
    case BR_ERR_X509_NOT_CA:
    case BR_ERR_X509_FORBIDDEN_KEY_USAGE:
    case BR_ERR_X509_WEAK_PUBLIC_KEY:
    case BR_ERR_X509_CRITICAL_EXTENSION:
    case BR_ERR_X509_EMPTY_CHAIN:
        return AWR_ERR_TLS_UNTRUSTED;
    default: return AWR_ERR_TLS;
    }
}

static int awr__tls_is_ip_literal(const char *host) {
    size_t i, digits = 0, dots = 0;
    for (i = 0; host[i]; i++) {
        char ch = host[i];
        if (ch == ':' || ch == '[') return 1;   /* IPv6 */
        if (ch == '.') dots++;
        else if (ch >= '0' && ch <= '9') digits++;
        else return 0;
    }
    return dots == 3 && digits > 0;
}

/* Days since 0000-01-01 and seconds in the day, as br_x509_minimal counts time. */
static void awr__tls_set_time(awr__tls_conn *c) {
    int64_t now;
    int64_t days;
    if (!c->owner->unix_time) return;      /* BearSSL reads the system clock itself */
    now = c->owner->unix_time(c->owner->time_user);
    if (now < 0) now = 0;
    days = now / 86400;
    br_x509_minimal_set_time(&c->x509.minimal, (uint32_t)(days + 719528), (uint32_t)(now - days * 86400));
}

static awr_result awr__tls_fail(awr__tls_conn *c, awr_result r) {
    if (c->failed == AWR_OK) c->failed = r;
    return c->failed;
}

static awr_result awr__tls_start(awr__tls_conn *c, const char *host) {
    awr_bearssl *t = c->owner;
    const char *name = t->server_name ? t->server_name : host;
    size_t n = awr__strlen(name);
    unsigned char seed[32];
    /* br_x509_minimal takes an empty name for "no name to check": any trusted certificate would do. */
    if (n == 0 || n >= sizeof c->name) return AWR_ERR_ARG;
    memcpy(c->name, name, n + 1);
    br_ssl_client_init_full(&c->sc, &c->x509.minimal, t->anchors, t->anchor_count);
    br_ssl_engine_set_versions(&c->sc.eng, BR_TLS12, BR_TLS12);   /* RFC 8996: not TLS 1.0 or 1.1 */
    c->x509.vtable = &awr__x509_vtable;
    c->x509.name = c->name;
    c->x509.insecure = t->insecure;
    br_ssl_engine_set_x509(&c->sc.eng, &c->x509.vtable);
    awr__tls_set_time(c);
    br_ssl_engine_set_buffer(&c->sc.eng, c->iobuf, t->iobuf_size, t->iobuf_size >= (size_t)BR_SSL_BUFSIZE_BIDI);
    if (t->inner.random) {   /* the host's random source seeds BearSSL (and is the only one on bare metal) */
        if (t->inner.random(t->inner.user, seed, sizeof seed) != AWR_OK) return AWR_ERR_RANDOM;
        br_ssl_engine_inject_entropy(&c->sc.eng, seed, sizeof seed);
    }
    /* No SNI for an IP literal (RFC 6066); the certificate is still checked against c->name. */
    if (!br_ssl_client_reset(&c->sc, awr__tls_is_ip_literal(name) ? 0 : c->name, 0)) {
        int err = br_ssl_engine_last_error(&c->sc.eng);
        t->last_error = err;
        return err == BR_ERR_NO_RANDOM ? AWR_ERR_RANDOM : AWR_ERR_TLS;
    }
    return AWR_OK;
}

/* A slot with no open connection, reset for a new one (its iobuf stays), or NULL when all are taken. */
static awr__tls_conn *awr__tls_take_slot(awr_bearssl *t) {
    size_t i;
    for (i = 0; i < t->max_conns; i++) {
        awr__tls_conn *c = &t->conns[i];
        unsigned char *iobuf = c->iobuf;
        if (c->in_use) continue;
        memset(c, 0, sizeof *c);
        c->iobuf = iobuf;
        c->owner = t;
        return c;
    }
    return 0;
}

static awr_result awr__tls_open(void *user, const char *host, int port, int tls, void **conn) {
    awr_bearssl *t = (awr_bearssl *)user;
    awr__tls_conn *c;
    awr_result r;
    if (!t || !host || !conn) return AWR_ERR_ARG;
    *conn = 0;
    c = awr__tls_take_slot(t);
    if (!c) return AWR_ERR_LIMIT;
    c->tls = tls != 0;
    if (c->tls) {
        r = awr__tls_start(c, host);
        if (r != AWR_OK) return r;
    }
    r = t->inner.open(t->inner.user, host, port, 0, &c->inner);
    if (r != AWR_OK) return r;
    c->in_use = 1;
    *conn = c;
    return AWR_OK;
}

/* The engine has stopped: why, as an awr_result (remembered). */
static awr_result awr__tls_closed(awr__tls_conn *c) {
    int err = br_ssl_engine_last_error(&c->sc.eng);
    if (err != BR_ERR_OK) c->owner->last_error = err;
    return awr__tls_fail(c, awr__tls_result(err));
}

/* Move records between the engine and the inner transport until neither side can move more.
   Reading is careful: a record decrypted into the engine while the socket then runs dry would sit
   there unseen, since the host waits for the socket to become readable before it calls recv. So
   records are read only by recv, while the engine has no plaintext to give (AWR__TLS_READ), or by
   send while the handshake is still under way (AWR__TLS_READ_HANDSHAKE): the client writes its
   request before it reads anything, and the handshake must progress meanwhile. */
#define AWR__TLS_NO_READ 0
#define AWR__TLS_READ 1
#define AWR__TLS_READ_HANDSHAKE 2
static awr_result awr__tls_pump(awr__tls_conn *c, int reading) {
    br_ssl_engine_context *eng = &c->sc.eng;
    awr_io *in = &c->owner->inner;
    for (;;) {
        unsigned st = br_ssl_engine_current_state(eng);
        int moved = 0;
        if (st & BR_SSL_CLOSED) return awr__tls_closed(c);
        if (st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP)) c->app_ready = 1;
        if (st & BR_SSL_SENDREC) {
            size_t len;
            unsigned char *buf = br_ssl_engine_sendrec_buf(eng, &len);
            long n = in->send(in->user, c->inner, buf, len);
            if (n < 0) return awr__tls_fail(c, (awr_result)n);
            if (n > 0) { br_ssl_engine_sendrec_ack(eng, (size_t)n); moved = 1; }
        }
        if ((st & BR_SSL_RECVREC) && !(st & BR_SSL_RECVAPP) &&
            (reading == AWR__TLS_READ || (reading == AWR__TLS_READ_HANDSHAKE && !c->app_ready))) {
            size_t len;
            unsigned char *buf = br_ssl_engine_recvrec_buf(eng, &len);
            long n = in->recv(in->user, c->inner, buf, len);
            if (n < 0) {
                /* The peer dropped TCP: an engine error explains it better than the bare EOF. */
                int err = br_ssl_engine_last_error(eng);
                if (err != BR_ERR_OK) return awr__tls_closed(c);
                return awr__tls_fail(c, (awr_result)n);
            }
            if (n > 0) { br_ssl_engine_recvrec_ack(eng, (size_t)n); moved = 1; }
        }
        if (!moved) return AWR_OK;
    }
}

/* Move staged bytes into the engine once it takes application data; AWR_OK also when some remain. */
static awr_result awr__tls_flush_stage(awr__tls_conn *c) {
    br_ssl_engine_context *eng = &c->sc.eng;
    int moved = 0;
    while (c->stage_off < c->staged && (br_ssl_engine_current_state(eng) & BR_SSL_SENDAPP)) {
        size_t cap, n = c->staged - c->stage_off;
        unsigned char *buf = br_ssl_engine_sendapp_buf(eng, &cap);
        if (n > cap) n = cap;
        memcpy(buf, c->stage + c->stage_off, n);
        br_ssl_engine_sendapp_ack(eng, n);
        c->stage_off += n;
        moved = 1;
        if (c->stage_off < c->staged) {   /* the engine's buffer is full: let records go out first */
            br_ssl_engine_flush(eng, 0);
            if (awr__tls_pump(c, AWR__TLS_NO_READ) != AWR_OK) return c->failed;
        }
    }
    if (c->stage_off == c->staged) c->staged = c->stage_off = 0;
    if (!moved) return AWR_OK;
    br_ssl_engine_flush(eng, 0);
    return awr__tls_pump(c, AWR__TLS_NO_READ);
}

/* Take len bytes into the stage (all that fits); the count taken. */
static long awr__tls_stage(awr__tls_conn *c, const void *data, size_t len) {
    size_t room = sizeof c->stage - c->staged;
    if (len > room) len = room;
    memcpy(c->stage + c->staged, data, len);
    c->staged += len;
    return (long)len;
}

/* Application bytes into the engine of a live TLS connection (see awr__tls_move). */
static long awr__tls_send_app(awr__tls_conn *c, const void *data, size_t len) {
    br_ssl_engine_context *eng = &c->sc.eng;
    awr_result r = awr__tls_pump(c, AWR__TLS_READ_HANDSHAKE);
    size_t cap;
    unsigned char *buf;
    if (r == AWR_OK) r = awr__tls_flush_stage(c);
    if (r != AWR_OK) return r;
    if (len == 0) return 0;
    /* Handshake still running, or staged bytes still waiting: keep the order, stage. */
    if (c->staged || !c->app_ready) return awr__tls_stage(c, data, len);
    if (!(br_ssl_engine_current_state(eng) & BR_SSL_SENDAPP)) return 0;
    buf = br_ssl_engine_sendapp_buf(eng, &cap);
    if (cap > len) cap = len;
    memcpy(buf, data, cap);
    br_ssl_engine_sendapp_ack(eng, cap);
    br_ssl_engine_flush(eng, 0);
    r = awr__tls_pump(c, AWR__TLS_NO_READ);
    if (r != AWR_OK) return r;
    return (long)cap;
}

/* Application bytes out of the engine of a live TLS connection (see awr__tls_move). */
static long awr__tls_recv_app(awr__tls_conn *c, void *out, size_t cap) {
    br_ssl_engine_context *eng = &c->sc.eng;
    size_t len;
    unsigned char *buf;
    if (!(br_ssl_engine_current_state(eng) & BR_SSL_RECVAPP)) {
        awr_result r = awr__tls_pump(c, AWR__TLS_READ);
        if (r == AWR_OK && c->staged) r = awr__tls_flush_stage(c);   /* the handshake may just have ended */
        if (r != AWR_OK) return r;
        if (!(br_ssl_engine_current_state(eng) & BR_SSL_RECVAPP)) return 0;
    }
    buf = br_ssl_engine_recvapp_buf(eng, &len);
    if (len > cap) len = cap;
    memcpy(out, buf, len);
    br_ssl_engine_recvapp_ack(eng, len);
    /* Send what the engine has queued (an alert, staged bytes); reading waits for the next recv. */
    if (c->staged) (void)awr__tls_flush_stage(c);
    (void)awr__tls_pump(c, AWR__TLS_NO_READ);   /* a failure is sticky: the next call reports it */
    return (long)len;
}

/* send (out == NULL: data to send) and recv (into out): a plain ws:// connection is the inner
 * transport's alone; a TLS one goes through the engine until it fails, then gives that failure. */
static long awr__tls_move(void *conn, const void *data, void *out, size_t len) {
    awr__tls_conn *c = (awr__tls_conn *)conn;
    awr_io *in;
    if (!c) return AWR_ERR_ARG;
    in = &c->owner->inner;
    if (!c->tls) return out ? in->recv(in->user, c->inner, out, len) : in->send(in->user, c->inner, data, len);
    if (c->failed != AWR_OK) return c->failed;
    return out ? awr__tls_recv_app(c, out, len) : awr__tls_send_app(c, data, len);
}

static long awr__tls_send(void *user, void *conn, const void *data, size_t len) {
    (void)user;
    return awr__tls_move(conn, data, NULL, len);
}

static long awr__tls_recv(void *user, void *conn, void *out, size_t cap) {
    (void)user;
    return out ? awr__tls_move(conn, NULL, out, cap) : (long)AWR_ERR_ARG;
}

static void awr__tls_close(void *user, void *conn) {
    awr__tls_conn *c = (awr__tls_conn *)conn;
    awr_bearssl *t;
    (void)user;
    if (!c) return;
    t = c->owner;
    if (c->tls && c->failed == AWR_OK) {
        br_ssl_engine_close(&c->sc.eng);   /* best effort close_notify; never waits */
        (void)awr__tls_pump(c, AWR__TLS_NO_READ);
    }
    if (c->inner) t->inner.close(t->inner.user, c->inner);
    c->inner = 0;
    c->in_use = 0;
}

/* The text of a failure: the certificate check's own words, else the inner transport's account. */
static const char *awr__tls_error(void *user, void *conn, int *sys_error) {
    awr_bearssl *t = (awr_bearssl *)user;
    awr__tls_conn *c = (awr__tls_conn *)conn;
    *sys_error = 0;
    if (c && c->tls && c->failed <= AWR_ERR_TLS && c->failed >= AWR_ERR_TLS_ALERT) {
        switch (t->last_error) {
        case BR_ERR_X509_NOT_TRUSTED: return "certificate chain does not end at a trusted CA (BR_ERR_X509_NOT_TRUSTED)";
        case BR_ERR_X509_BAD_SERVER_NAME: return "certificate does not name the host (BR_ERR_X509_BAD_SERVER_NAME)";
        case BR_ERR_X509_EXPIRED: return "certificate expired or not yet valid (BR_ERR_X509_EXPIRED)";
        default: return awr_result_str(c->failed);
        }
    }
    if (!t->inner.error) return NULL;
    return t->inner.error(t->inner.user, c ? c->inner : NULL, sys_error);
}

static awr_result awr__tls_random(void *user, void *out, size_t len) {
    awr_bearssl *t = (awr_bearssl *)user;
    if (!t->inner.random) return AWR_ERR_RANDOM;
    return t->inner.random(t->inner.user, out, len);
}

AWR_API awr_io awr_bearssl_io(awr_bearssl *t) {
    awr_io io = {t, awr__tls_open, awr__tls_send, awr__tls_recv, awr__tls_close, awr__tls_random, awr__tls_error};
    return io;
}
#endif /* AWR_BEARSSL */

#ifdef __cplusplus
}
#endif
#endif /* AWR__IMPLEMENTED */
#endif /* APPWRITE_REALTIME_IMPLEMENTATION */

/* ==================================================================================================
 * VERSION HISTORY
 *   unreleased
 *     - BearSSL adapter: TLS 1.2 only (BearSSL's full profile also offered TLS 1.0 and 1.1, which
 *       RFC 8996 forbids; a server that answers with TLS 1.1 now fails the handshake with AWR_ERR_TLS:
 *       test_tls, against a Node server limited to TLS 1.1, which it connected to before)
 *     - TCP adapter: the resolver thread hands its answer over and lets go of the lookup's block in one
 *       step, so the block is freed on the caller's thread unless awr_tcp_deinit came during the
 *       lookup, as awr_tcp_config.allocator says (when the caller took the answer between the two
 *       steps, the thread freed it: a call of the allocator from another thread while the adapter lived)
 *     - a `presence` the server drops for its message rate (error 1013) is sent again once the rate
 *       allows, as subscribe rows are (it was lost until the next connection). With the handshake
 *       changes below, `make size`: core 35,772 B, client image 27,616 B, minimal 24,264 B (25,000 B
 *       without AWR_NO_IO_HOOKS)
 *     - TCP adapter (POSIX): send() on a connection the peer reset is AWR_ERR_EOF, as recv() and
 *       Winsock say (it was AWR_ERR_IO); awr_tcp_last_error() still gives ECONNRESET
 *     - TCP adapter: a connect closed while still in progress (the client's connect timeout) counts as
 *       failed: the kept address is dropped and the host resolved again, and after a resolved address
 *       the next connect to the same target starts with the one that follows it. An address that drops
 *       packets (an IPv6 route that leads nowhere, a server that moved) was tried again on every
 *       reconnect: the client never reached the host's other addresses, or its new one
 *     - awr_ws_handshake_response reads past interim responses (1xx but 101, such as 103 Early Hints)
 *       to the answer after them, as RFC 9110 15.2 asks (it failed with AWR_ERR_HS_STATUS, which
 *       stopped the client for good)
 *     - awr_ws_decode with no bytes returns AWR_AGAIN without touching data (data NULL with len 0
 *       reached memcpy in a frame header: undefined behaviour, stopped by UBSan)
 *     - BearSSL adapter: an empty awr_bearssl_config.server_name is refused (awr_bearssl_size 0,
 *       init and create AWR_ERR_ARG), and so is open() of an empty host (AWR_ERR_ARG): BearSSL checks
 *       no name at all for "", so a certificate for any host that chains to a trust anchor was accepted
 *     - awr_tcp_init on Windows starts Winsock before it checks cfg->address: a program that had not
 *       called WSAStartup itself got AWR_ERR_ARG for every address (getaddrinfo fails before it)
 *     - C++: awr::subscription::result() is AWR_ERR_STATE once the subscription ended (unsubscribe(),
 *       a move over it, disconnect(), its client gone), as documented (it stayed AWR_OK); awr::client
 *       with a config the C client refuses allocates nothing first (max_subscriptions SIZE_MAX was
 *       AWR_ERR_NOMEM, not AWR_ERR_ARG, after a try to allocate that many slots); the callbacks the
 *       layer gives the C client are noexcept: an exception from a callable ends the program there
 *       (it unwound through the C client, which then refused every poll and its own destruction)
 *     - C++: awr::client::on_state(), on_error() and on_response() return AWR_ERR_STATE inside a
 *       callback (the state lambda that set a new one destroyed itself while it ran: a use after free)
 *     - awr_json_write_double (and the query builders' doubles) decides between candidate digits
 *       against the exact midpoints to v's neighbours instead of parsing each candidate back: the
 *       same JavaScript text (test_query now compares 20,000 random doubles with Node, 2,700 of them
 *       powers of two), about 260,000 instructions for the extremes where it took up to 8.5 million
 *       (2.2250738585072014e-308; make bench-cg: common doubles 6,913 instructions, was 7,262,
 *       extremes 259,887, was 4,107,004), and 1.8 KB of stack on x86-64 (was 2.3 KB)
 *     - awr_ws_handshake_response fails with AWR_ERR_HS_UPGRADE when an Upgrade header of the 101
 *       names a protocol besides websocket ("Upgrade: h2c, websocket" passed; RFC 6455 4.1)
 *     - awr_event_get_* on an event without a payload, after awr_event_is or awr_event_has_channel
 *       in the same callback, return AWR_ERR_NOT_FOUND (they took the names' tokens for the payload's:
 *       awr_event_get_json then read through a NULL token, found by fuzz_client)
 *     - the upgrade response's status code must be 100..599 (RFC 9110's classes): "HTTP/1.1 000" and
 *       "HTTP/1.1 600" are AWR_ERR_HS_MALFORMED (they were statuses 0 and 600; a status of 0 also
 *       read as "no status line yet"). With the fixes above, `make size`: core 35,676 B, client image
 *       27,520 B, minimal 24,164 B (24,900 B without AWR_NO_IO_HOOKS)
 *     - the client's config check parses the endpoint without a whole awr_client on the stack: size,
 *       init and create need 288 bytes of stack on a Cortex-M4 (-Os) for it, was 2,856 (gcc
 *       -fstack-usage; tests/embedded.sh checks at most 512)
 *     - awr_json_int64_n, awr_json_uint64_n and awr_json_double_n: s NULL is AWR_ERR_ARG (was
 *       AWR_ERR_JSON_SYNTAX)
 *     - awr_tcp_init: a cfg->address that is not a numeric address (or too long) is AWR_ERR_ARG (was
 *       AWR_ERR_IO)
 *     - awr_client_size is 0, and awr_client_init AWR_ERR_BUFFER / AWR_ERR_ARG, for a name_arena too
 *       small for the endpoint's host and path, the project and the credentials, and for an allocator
 *       with one function (size gave a size that init then refused; init accepted half an allocator);
 *       the client's declarations list init's results
 *     - the client's masking keys fall back like its upgrade key when io.random fails (each frame
 *       waited for a working generator: subscribes and pings were held back, unreported)
 *     - a build for size (-Os, -Oz) is smaller again: the tokenizer skips whitespace through one call
 *       (AWR__JSON_PEEK had five inline copies), reads strings and digit runs byte by byte (no 8-byte
 *       word steps: 64-bit arithmetic on a 32-bit target), compares a string byte's class instead of
 *       reading the 256-byte awr__json_strclass table (not built there); awr_ws_mask_copy keeps only
 *       its byte loop; five more functions stay out of line (AWR__SIZE_NOINLINE). -O2 and -O3 code is
 *       unchanged. `make size`: core 35,678 bytes of .text + 3,720 of .rodata (was 36,212 + 3,974),
 *       client image 27,508 (was 28,466), minimal 24,144 (was 25,110), 24,880 without AWR_NO_IO_HOOKS
 *     - awr_client_subscribe on a table whose free slots hold ids unsubscribed since the last flush
 *       (message mode, their `unsubscribe` not yet sent) takes one and reconnects instead of sending
 *       it; it returned AWR_ERR_LIMIT with fewer than max_subscriptions live
 *     - awr_client_set_session, awr_client_set_jwt and awr_client_logout restart a client that
 *       stopped (a 401 at the upgrade stopped it for good: fresh credentials did nothing until the
 *       next subscribe) and cut a reconnect's wait short
 *     - an error frame in answer to a ping stops the pings only for code 1003 (a server up to 1.6.0);
 *       any other (1013, too many messages) goes to on_error, and the pings and the dead-link timer
 *       go on (any error did stop them for the client's life, unreported)
 *     - dead_link_ms set with heartbeat_ms = -1 arms no timer, as documented (it dropped a quiet,
 *       healthy connection every dead_link_ms)
 *     - reconnect jitter takes 32 random bits (16 could not reach past 65,535 ms: with jitter_pct 100
 *       the 60 s delay fell in 0..65.5 s instead of 0..120 s)
 *     - awr_ws_handshake_request refuses extra header lines with a CR or LF that is not a line's CRLF
 *       (AWR_ERR_ARG; a bare LF passed)
 *     - C++: awr::client::disconnect() ends every awr::subscription (it tests false, its slot is
 *       free), and so does the client dropping one it cannot serve (on_error, AWR_ERR_LIMIT);
 *       awr::subscription::unsubscribe() of one the client ended returns AWR_OK
 *     - the ranges of RFC 3629 are written once (AWR__UTF8_LEAD_MIN/MAX and the four rows of
 *       AWR__UTF8_NARROW): the validator, the JSON tokenizer's inline characters and its SSE2 window
 *       all expand that table (the window repeated the ranges as constants). No behaviour change;
 *       callgrind (bench_json): E2 full tokenizing 14.352 -> 14.374, envelope with UTF-8 4.349 ->
 *       4.358 instructions per byte, E1 the same (bench/results/0.3.0-0f0a726-cg.txt)
 *     - awr_client_size returns 0, awr_client_init and awr_client_create AWR_ERR_ARG, for buffer
 *       sizes whose block would pass SIZE_MAX / 2 (a size near SIZE_MAX wrapped the sum: a block
 *       smaller than the default one with that buffer in it)
 *     - a build for size (-Os, -Oz) keeps one copy of the tokenizer's steps and leaves out the 32-byte
 *       unrolled loops of masking and UTF-8 checking; the client's most used fields come first;
 *       AWR_NO_DISPATCH_INDEX leaves out the code that builds the indexes too; small
 *       functions the compiler copied into many callers stay out of line (AWR__SIZE_NOINLINE). The
 *       Cortex-M4 client image of `make size`: 30,314 bytes of .text (31,252 at 00a9142), minimal 24,910
 *       with AWR_NO_IO_HOOKS (28,292 at 00a9142 with the others), 25,650 without it; callgrind per
 *       event unchanged
 *     - awr_bearssl_init reads a CA file once (it read it twice: to size, then to fill; size + init
 *       read it three times); anchor_mem may have any alignment (a misaligned one was AWR_ERR_BUFFER),
 *       and awr_bearssl_anchor_bytes and awr_bearssl_size count sizeof(void *) - 1 bytes more for it
 *     - awr_tcp_deinit no longer waits for a DNS lookup still running (a getaddrinfo that never
 *       returned blocked it): the lookup's state is a block of its own, freed by the resolver thread
 *       (detached) when the lookup ends. New awr_tcp_config.allocator for that block (zero:
 *       AWR_MALLOC/AWR_FREE; awr_tcp_init refuses one function alone: AWR_ERR_ARG); one block per
 *       lookup, none for a kept, numeric or pre-resolved address. awr_tcp_size is smaller by
 *       host_max + 1 bytes (the adapter keeps one copy of the host name, not two)
 *     - AWR_NO_IO_HOOKS: a client driven sans-I/O only (the host opens, feeds, sends and closes); it
 *       never calls io.open/send/recv/close/error, and a config with io.open is refused
 *       (AWR_ERR_UNSUPPORTED)
 *     - the JSON skim (awr_json_options.skim) is built only with its SSE2 or NEON block scan; without
 *       them (a Cortex-M, big-endian machines, AWR_JSON_NO_SIMD) the option is ignored, as with
 *       AWR_NO_JSON_SKIM: collapsed containers are validated in full, so a grammar error inside one is
 *       AWR_ERR_JSON_SYNTAX there and the client drops such a message (it made an event before). The
 *       portable 8-byte-word skim is gone: with AWR_JSON_NO_SIMD it cost 12.72 and 14.55 instructions
 *       per byte of envelope parse on E1 and the small event, 11.90 on E2; validating costs 7.59, 11.40
 *       and 13.61 (CC="gcc -DAWR_JSON_NO_SIMD" sh bench/run.sh --callgrind json: 00a9142 and 7da2069
 *       in bench/results/). New AWR_JSON_HAS_SKIM (1 or 0, set in the declarations: code that
 *       includes only them sees it). `make size`: core 36,106 bytes of .text (was 38,068), client
 *       image 28,270 (was 30,314), minimal 24,910 (the same: it left the skim out already;
 *       AWR_NO_JSON_SKIM is no longer among its flags)
 *   0.3.0  (breaking: one argument order and one failure convention; update callers as listed)
 *     - awr_base64_encode(data, len, out, cap, &out_len) returns an awr_result (AWR_ERR_BUFFER when
 *       out is too small, AWR_ERR_ARG for NULL pointers) and the length through out_len (was: the
 *       length, 0 when refused); on failure out is "" (cap > 0) and *out_len 0
 *     - awr_utf8_feed and awr_utf8_finish return an awr_result: AWR_OK, or the new AWR_ERR_UTF8 (-13)
 *       (were 1 / 0: test `!= AWR_OK` where you tested `!`); awr_utf8_feed sets *bad_at to len on
 *       AWR_OK. awr_utf8_valid stays a predicate (1 / 0)
 *     - out-parameters are written on failure too (CONVENTIONS in the manual): awr_match_set_add(_n)
 *       sets *id to the new AWR_MATCH_NO_ID, awr_client_target(NULL, ...) clears host/port/tls,
 *       awr_json_compact and awr_ws_handshake_request leave out "" (compact left the part before the
 *       failure). Documented exceptions: awr_ws_decode writes *piece only on AWR_OK, awr_tcp_random's
 *       bytes are unspecified on failure
 *     - output buffers come last, after the inputs: awr_channel_*(ids..., action, buf, cap) (was
 *       buf, cap first), awr_query_*(attr, values..., buf, cap) (was buf, cap first),
 *       awr_ws_frame_header(fin, opcode, payload_len, mask, out) (was out first),
 *       awr_ws_mask_copy(src, len, mask, offset, dst) (was dst first)
 *     - awr_tcp_run(tcp, client, timeout_ms): the adapter's own object first, as every awr_tcp_*
 *       call (was client, tcp)
 *     - query values say their layer: awr_qv_string/int/double/bool are awr_query_value_string/
 *       int/double/bool, AWR_QV_* are AWR_QUERY_VALUE_*, the type awr_query_type is
 *       awr_query_value_type
 *     - awr_tcp_config.host_max: the longest host name the adapter keeps room for (0 = 255); a
 *       program that opens thousands of clients to one host sizes it to that host
 *     - AWR_NO_JSON_DOUBLE, AWR_NO_JSON_COMPACT, AWR_NO_MATCH_SET leave those parts out (declarations
 *       included) for small images
 *     - AWR_NO_URL_MODE: a client for Appwrite 1.9.5+ only (message mode), without URL mode and the
 *       generation detection; mode AWR_MODE_URL is then refused (AWR_ERR_UNSUPPORTED).
 *       AWR_NO_DISPATCH_INDEX: dispatch scans the subscription table instead of hash indexes.
 *       AWR_NO_JSON_SKIM: no skim (options.skim ignored, collapsed containers validated in full). The
 *       Cortex-M4 client image of `make size`: 31,252 bytes of .text, 26,792 with all three and the
 *       three above (bench/results/0.3.0-00a9142-size.txt)
 *     - awr_ws_frame_header returns 0 for a header no peer may accept (reserved opcode, a control
 *       frame without fin or over 125 bytes, a length of 2^63 or more; it encoded them before)
 *     - awr_client_subscribe and awr_client_update_subscription refuse a query that is not one JSON
 *       object (AWR_ERR_ARG; the server answered it with an error frame)
 *     - a negative send/recv result of the I/O hook other than AWR_ERR_EOF, AWR_ERR_TIMEOUT,
 *       AWR_ERR_UNSUPPORTED and AWR_ERR_TLS* (for example -1, which is also AWR_ERR_ARG), and a count
 *       over what was offered, is AWR_ERR_IO: the client reconnects (it stopped for good before, and
 *       a recv that over-reported was read past its buffer)
 *     - the client checks each message's UTF-8 once: a text message that arrives whole is checked by the
 *       envelope parse instead of the WebSocket layer first (invalid UTF-8 still closes with 1007 under
 *       every chunking), and once open it reads into its receive buffer, where whole frames are
 *       delivered in place
 *     - awr_json_writer_init(&w, NULL, 0) makes a counting writer: finish returns AWR_OK and the
 *       length the text needs (it was AWR_ERR_BUFFER); every text the header writes goes through one
 *       bounded appender and one integer formatter
 *     - awr_json_options.skim: a collapsed container is skimmed 64 bytes per step (SSE2, NEON,
 *       portable words) for its strings, UTF-8, control bytes, brackets and depth, not for the grammar
 *       between its values; the client reads its messages of 512 bytes or more this way (a shorter
 *       one is validated whole, which costs less there): awr_event_get_* refuse a payload
 *       whose grammar is broken with AWR_ERR_JSON_SYNTAX (such a message was dropped before), every
 *       other broken message is still dropped, and invalid UTF-8 still closes with 1007. In
 *       bench/results/0.3.0-00a9142-cg.txt (make bench-cg): the 1 MiB document event's envelope
 *       3.115 instructions per byte (0.1.0: 10.055), E1 through the whole client 12,055 instructions per
 *       event, the small event 3,179
 *   0.2.0
 *     - renamed, so that the client calls say their layer and the SDKs' words: awr_subscribe is
 *       awr_client_subscribe, awr_subscribe_channel awr_client_subscribe_channel, awr_unsubscribe
 *       awr_client_unsubscribe, awr_update awr_client_update_subscription, awr_presence
 *       awr_client_upsert_presence (the SDKs' upsertPresence), awr_disconnect awr_client_disconnect
 *     - endpoint: as the SDKs, ws(s)://host/v1 and http(s)://host/v1 get /realtime appended,
 *       .../v1/realtime is kept, schemes in any case; any other path is refused at create (AWR_ERR_URL)
 *     - failures classified (the FAILURES table in the client banner): certificate failures, HTTP 4xx
 *       but 429, a response that is not HTTP and wss:// without a TLS transport stop the client; 5xx,
 *       429 and transport errors back off. awr_state_info gains http_status, sys_error, needed and
 *       detail (reason phrase, resolver or errno text, the buffer too small); awr_client_last_error;
 *       awr_io gains an optional error hook (the POSIX, Winsock and BearSSL adapters fill it)
 *     - every value that reaches the upgrade request is checked at create/subscribe (project id,
 *       credentials, header lines, host, path, channels, queries)
 *     - the handshake response is parsed a line at a time and the request is built in tx_buffer +
 *       read_buffer: max_message can be as small as 1 KiB (was 8 KiB); awr_ws_handshake_reason
 *     - dead-link detection on by default (dead_link_ms 0 = 2.5 x heartbeat_ms; -1 = off)
 *     - name_arena default 4 KiB (a real 390-byte session and 8 full document channels); max_url [4 KiB]:
 *       in AUTO mode the first URL holds what fits and the rest follows in frames on 1.9.5+; URL mode
 *       refuses a subscription past it (AWR_ERR_LIMIT); starting a connection is linear in channels
 *     - awr_client_size returns 0 for every configuration awr_client_init refuses
 *     - dispatch: below 1.9.5 a subscription without queries also gets an event whose channels meet its
 *       own (1.9.0 names only the first overlapping subscription); ids and channels go through indexes
 *       in the client's memory, so an event costs about the same with 1 or 512 subscriptions
 *     - the client reads its messages with the tokenizer and awr_json_find and writes its frames with
 *       the JSON writer (UTF-8 checked); names are compared unescaped everywhere (awr_event_is,
 *       awr_event_has_channel, awr_match_set_test_json); any chunking of the input gives the same
 *       callbacks, results and output bytes
 *     - payload fields in one call: awr_event_get_string/int64/double/bool/json by path, tokens made
 *       once per event in cfg.payload_tokens [128]; realtime query builders (awr_query_*) that write the
 *       SDKs' JSON byte for byte; awr_json_write_double (JavaScript's shortest form)
 *     - the C++ layer (AWR_CPP, C++17, no exceptions or RTTI needed): awr::client, awr::subscription,
 *       lambdas, std::string_view fields; the threading model in the manual (THREADS)
 *     - awr_client_wants is const for real (it no longer flushes output); rate_per_minute above 32
 *       counts as 32; AWR_JSON_MAX_DEPTH below 512 no longer overruns the nesting stack;
 *       AWR_JSON_WRITER_DEPTH above 32 is refused; the implementation under C89 stops with one #error
 *     - tokenizer: digit runs eight bytes at a time, 2- and 3-byte UTF-8 checked inline
 *     - BearSSL adapter: one block laid out when it is made (the adapter, max_connections connection
 *       slots with their I/O buffers, the decoded anchors); open() and close() never allocate,
 *       reconnects included. New: awr_bearssl_size, awr_bearssl_init and awr_bearssl_deinit (memory
 *       you own), awr_bearssl_config.max_connections [1] (open() beyond it: AWR_ERR_LIMIT)
 *     - one allocator rule: awr_client_create and awr_bearssl_create refuse an awr_allocator with only
 *       one of its two functions (AWR_ERR_ARG); the adapter used to fall back to AWR_MALLOC, the
 *       client to allocate without ever freeing
 *     - packaging: one install (make install, cmake --install, meson install) gives the header, the
 *       pkg-config file and a CMake package with a version file; an optional compiled library, shared
 *       and static (make lib, APPWRITE_REALTIME_LIBRARY in CMake, -Dlibrary=true in meson)
 *     - one TCP adapter, awr_tcp_*, on POSIX sockets or Winsock as the platform is (the same program
 *       builds on both), in place of awr_posix_* and awr_win32_* (renamed: awr_posix_fd and
 *       awr_win32_socket are awr_tcp_socket, of type awr_socket; awr_win32_cleanup is awr_tcp_deinit;
 *       AWR_WIN32_NO_SOCKET is AWR_NO_SOCKET). Switched on by AWR_TCP; AWR_POSIX and AWR_WIN32 are
 *       still accepted for it. Built like the client: awr_tcp_size + awr_tcp_init on memory you own
 *       (AWR_TCP_SIZE always suffices), awr_tcp_deinit; errno / WSAGetLastError() through
 *       awr_tcp_last_error
 *     - the TCP adapter never blocks the caller on DNS: a host name is looked up on a resolver
 *       thread (POSIX programs link -pthread), the address that connected is kept across reconnects
 *       and resolved again when a connect fails; numeric hosts and awr_tcp_config.address (a
 *       pre-resolved address) skip the resolver; awr_tcp_config.resolve replaces getaddrinfo.
 *       Winsock errors reach the state callback as the system's text (FormatMessage)
 *     - awr-listen: --version, --opt=value, --dead-link SECONDS, the user's $id and name and the
 *       server generation on the `connected as` line, exit 1 with the reason when the client stops for
 *       good or when --timeout ends without a connection
 *   0.1.0 (2026-11-29)  first release: RFC 6455 client framer, strict JSON tokenizer, matcher, the
 *                       Appwrite Realtime client for servers 1.5 to 1.9.x (URL and message mode,
 *                       presence), POSIX, Winsock and BearSSL adapters
 * ================================================================================================== */

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
