/* openssl_io.h - wss:// through OpenSSL (1.1.1 or 3.x): an awr_io that wraps another one, the TCP
 * adapter's or your own. Include it after appwrite_realtime.h and link -lssl -lcrypto.
 *
 *     static ossl_io tls;                          (one connection at a time, like the client)
 *     awr_io tcp_io = awr_tcp_io(tcp);
 *     if (ossl_io_init(&tls, &tcp_io, NULL) != AWR_OK) ...;   (NULL: the system's CA store, or a PEM file)
 *     cfg.io = ossl_io_hooks(&tls);                (ws:// and wss:// alike)
 *     ... awr_client_create, awr_tcp_run(tcp, c, -1), awr_client_destroy ...
 *     ossl_io_deinit(&tls);
 *
 * TLS records move through a BIO over the inner hooks, so OpenSSL never touches the socket: the
 * inner transport keeps resolving, connecting and its error codes, and a plain ws:// connection goes
 * straight to it. OpenSSL allocates on every connect (SSL_new); this file adds no allocation. */
#ifndef OSSL_IO_H
#define OSSL_IO_H
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/* While the handshake runs, send() keeps up to this many bytes (the upgrade request) and says they
   went out, so the host loop waits for the server's answer instead of a socket that is always
   writable; they go out, in order, as soon as the handshake ends. */
#define OSSL_STAGE 4096

typedef struct ossl_io ossl_io;
typedef struct ossl_conn {            /* the connection the client holds */
    ossl_io *owner;
    SSL *ssl;                         /* NULL for ws:// */
    void *raw;                        /* the inner transport's connection */
    awr_result failed;                /* sticky: the first failure */
    char text[160];                   /* what the TLS library said about it */
    unsigned char stage[OSSL_STAGE];
    size_t staged, stage_sent;
    int in_use;
} ossl_conn;

struct ossl_io {
    SSL_CTX *ctx;                     /* set more options here after ossl_io_init (client certificates ...) */
    awr_io raw;                       /* the inner transport */
    BIO_METHOD *bio;
    ossl_conn conn;
};

/* ---- the BIO: TLS records through the inner hooks ---------------------------------------------- */
static int ossl__bio_write(BIO *b, const char *data, int len) {
    ossl_conn *k = (ossl_conn *)BIO_get_data(b);
    long n = k->owner->raw.send(k->owner->raw.user, k->raw, data, (size_t)len);
    BIO_clear_retry_flags(b);
    if (n > 0) return (int)n;
    if (n == 0) BIO_set_retry_write(b);   /* would block, or still connecting */
    else k->failed = (awr_result)n;       /* the transport's own failure wins over OpenSSL's account */
    return -1;
}
static int ossl__bio_read(BIO *b, char *buf, int cap) {
    ossl_conn *k = (ossl_conn *)BIO_get_data(b);
    long n = k->owner->raw.recv(k->owner->raw.user, k->raw, buf, (size_t)cap);
    BIO_clear_retry_flags(b);
    if (n > 0) return (int)n;
    if (n == 0) { BIO_set_retry_read(b); return -1; }
    k->failed = (awr_result)n;
    return n == AWR_ERR_EOF ? 0 : -1;
}
static long ossl__bio_ctrl(BIO *b, int cmd, long num, void *ptr) {
    (void)b; (void)num; (void)ptr;
    return cmd == BIO_CTRL_FLUSH;         /* writes are never buffered here */
}

/* ---- OpenSSL's answers as the hook's ------------------------------------------------------------ */
static awr_result ossl__verify_result(long v) {
    switch (v) {
    case X509_V_ERR_HOSTNAME_MISMATCH: case X509_V_ERR_IP_ADDRESS_MISMATCH: return AWR_ERR_TLS_HOSTNAME;
    case X509_V_ERR_CERT_HAS_EXPIRED: case X509_V_ERR_CERT_NOT_YET_VALID: return AWR_ERR_TLS_EXPIRED;
    default: return AWR_ERR_TLS_UNTRUSTED;   /* no chain to a trusted CA, or a chain that does not verify */
    }
}
/* n from SSL_read/SSL_write/SSL_do_handshake: > 0 bytes (or done), 0 would block, else the failure. */
static long ossl__result(ossl_conn *k, int n) {
    long v;
    if (n > 0) return n;
    switch (SSL_get_error(k->ssl, n)) {
    case SSL_ERROR_WANT_READ: case SSL_ERROR_WANT_WRITE: return 0;
    case SSL_ERROR_ZERO_RETURN: return k->failed = AWR_ERR_EOF;   /* close_notify */
    default: break;
    }
    if (k->failed != AWR_OK) return k->failed;
    v = SSL_get_verify_result(k->ssl);
    if (v != X509_V_OK) {
        snprintf(k->text, sizeof k->text, "%s", X509_verify_cert_error_string(v));
        return k->failed = ossl__verify_result(v);
    }
    if (ERR_peek_last_error()) ERR_error_string_n(ERR_peek_last_error(), k->text, sizeof k->text);
    return k->failed = AWR_ERR_TLS;
}
static long ossl__write(ossl_conn *k, const void *data, size_t len) {
    ERR_clear_error();   /* SSL_get_error reads the thread's error queue */
    return ossl__result(k, SSL_write(k->ssl, data, len > INT_MAX ? INT_MAX : (int)len));
}
/* Handshake, then the stage: 1 when both are done, 0 while either waits, or the failure. */
static long ossl__progress(ossl_conn *k) {
    long n;
    if (k->failed != AWR_OK) return k->failed;
    if (!SSL_is_init_finished(k->ssl)) {
        ERR_clear_error();
        n = ossl__result(k, SSL_do_handshake(k->ssl));
        if (n <= 0) return n;
    }
    while (k->stage_sent < k->staged) {
        n = ossl__write(k, k->stage + k->stage_sent, k->staged - k->stage_sent);
        if (n <= 0) return n;
        k->stage_sent += (size_t)n;
    }
    return 1;
}

/* ---- the hooks ---------------------------------------------------------------------------------- */
static void ossl_close(void *user, void *conn);

static awr_result ossl__start(ossl_conn *k, const char *host) {
    ASN1_OCTET_STRING *ip = a2i_IPADDRESS(host);   /* an IP literal: no SNI, check the IP SAN */
    BIO *b = BIO_new(k->owner->bio);
    int ok;
    k->ssl = SSL_new(k->owner->ctx);
    if (!k->ssl || !b) { BIO_free(b); ASN1_OCTET_STRING_free(ip); return AWR_ERR_NOMEM; }
    BIO_set_data(b, k);
    BIO_set_init(b, 1);
    SSL_set_bio(k->ssl, b, b);                     /* the SSL frees it */
    if (ip) ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(k->ssl), host);
    else ok = SSL_set_tlsext_host_name(k->ssl, host) && SSL_set1_host(k->ssl, host);
    ASN1_OCTET_STRING_free(ip);
    SSL_set_connect_state(k->ssl);                 /* the handshake runs inside send/recv */
    return ok ? AWR_OK : AWR_ERR_TLS;
}

static awr_result ossl_open(void *user, const char *host, int port, int tls, void **conn) {
    ossl_io *o = (ossl_io *)user;
    ossl_conn *k = &o->conn;
    awr_result r;
    if (k->in_use) return AWR_ERR_LIMIT;
    memset(k, 0, sizeof *k);
    k->owner = o;
    r = o->raw.open(o->raw.user, host, port, 0, &k->raw);   /* non-blocking TCP, for both schemes */
    if (r != AWR_OK) return r;
    k->in_use = 1;
    if (tls) r = ossl__start(k, host);
    if (r != AWR_OK) { ossl_close(o, k); return r; }
    *conn = k;
    return AWR_OK;
}

static long ossl_send(void *user, void *conn, const void *data, size_t len) {
    ossl_conn *k = (ossl_conn *)conn;
    long n;
    (void)user;
    if (!k->ssl) return k->owner->raw.send(k->owner->raw.user, k->raw, data, len);
    n = ossl__progress(k);
    if (n < 0) return n;
    if (!SSL_is_init_finished(k->ssl)) {
        size_t take = len < OSSL_STAGE - k->staged ? len : OSSL_STAGE - k->staged;
        memcpy(k->stage + k->staged, data, take);
        k->staged += take;
        return (long)take;
    }
    return n == 0 ? 0 : ossl__write(k, data, len);
}

/* SSL_read gives one record's bytes at most and keeps the rest; the client calls recv again until it
   returns 0, so nothing decrypted stays behind while the socket looks idle. */
static long ossl_recv(void *user, void *conn, void *buf, size_t cap) {
    ossl_conn *k = (ossl_conn *)conn;
    long n;
    (void)user;
    if (!k->ssl) return k->owner->raw.recv(k->owner->raw.user, k->raw, buf, cap);
    n = ossl__progress(k);
    if (n <= 0) return n;
    ERR_clear_error();
    return ossl__result(k, SSL_read(k->ssl, buf, cap > INT_MAX ? INT_MAX : (int)cap));
}

static void ossl_close(void *user, void *conn) {
    ossl_conn *k = (ossl_conn *)conn;
    (void)user;
    if (!k || !k->in_use) return;
    if (k->ssl) {
        ERR_clear_error();
        if (k->failed == AWR_OK && SSL_is_init_finished(k->ssl)) (void)SSL_shutdown(k->ssl);   /* close_notify; never waits */
        SSL_free(k->ssl);
        k->ssl = NULL;
        ERR_clear_error();
    }
    k->owner->raw.close(k->owner->raw.user, k->raw);
    k->raw = NULL;
    k->in_use = 0;
}

static awr_result ossl_random(void *user, void *out, size_t len) {
    (void)user;
    return len <= INT_MAX && RAND_bytes((unsigned char *)out, (int)len) == 1 ? AWR_OK : AWR_ERR_RANDOM;
}

/* The certificate check's words, OpenSSL's error text, else the inner transport's account. */
static const char *ossl_error(void *user, void *conn, int *sys_error) {
    ossl_io *o = (ossl_io *)user;
    ossl_conn *k = (ossl_conn *)conn;
    *sys_error = 0;
    if (k && k->text[0]) return k->text;
    return o->raw.error ? o->raw.error(o->raw.user, k ? k->raw : NULL, sys_error) : NULL;
}

/* ---- set up and tear down ----------------------------------------------------------------------- */
static void ossl_io_deinit(ossl_io *o) {
    ossl_close(o, &o->conn);
    SSL_CTX_free(o->ctx);
    BIO_meth_free(o->bio);
    o->ctx = NULL;
    o->bio = NULL;
}

/* raw: the inner transport (copied); ca_file: a PEM bundle of trusted CAs, NULL: the system's store.
   AWR_ERR_NOMEM, or AWR_ERR_NOT_FOUND when the CAs cannot be loaded. */
static awr_result ossl_io_init(ossl_io *o, const awr_io *raw, const char *ca_file) {
    int ok;
    memset(o, 0, sizeof *o);
    o->raw = *raw;
    o->ctx = SSL_CTX_new(TLS_client_method());
    o->bio = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "awr_io");
    if (!o->ctx || !o->bio) { ossl_io_deinit(o); return AWR_ERR_NOMEM; }
    BIO_meth_set_write(o->bio, ossl__bio_write);
    BIO_meth_set_read(o->bio, ossl__bio_read);
    BIO_meth_set_ctrl(o->bio, ossl__bio_ctrl);
    SSL_CTX_set_verify(o->ctx, SSL_VERIFY_PEER, NULL);          /* chain, dates; the host name: ossl__start */
    SSL_CTX_set_min_proto_version(o->ctx, TLS1_2_VERSION);
    /* send() may take part of a buffer, and the client retries from wherever its buffer is then */
    SSL_CTX_set_mode(o->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    ok = ca_file ? SSL_CTX_load_verify_locations(o->ctx, ca_file, NULL) : SSL_CTX_set_default_verify_paths(o->ctx);
    ERR_clear_error();
    if (ok != 1) { ossl_io_deinit(o); return AWR_ERR_NOT_FOUND; }
    return AWR_OK;
}

static awr_io ossl_io_hooks(ossl_io *o) {
    awr_io io;
    memset(&io, 0, sizeof io);
    io.user = o;
    io.open = ossl_open;
    io.send = ossl_send;
    io.recv = ossl_recv;
    io.close = ossl_close;
    io.random = ossl_random;
    io.error = ossl_error;
    return io;
}
#endif
