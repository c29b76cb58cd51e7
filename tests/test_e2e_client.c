/* The client linked in, over the POSIX adapter, against the local Appwrite-compatible server of every
 * generation: channel changes (a second subscription, unsubscribe, update that adds, drops and
 * replaces channels; queries from 1.9.0) with no event of a dropped channel reaching a callback, not
 * even one already on its way; disconnect and reuse; login and logout (session, JWT) with every
 * subscription kept and no event after logout that a guest could not read; presence set, answered,
 * and re-sent after a reconnect (1.9.6), and AWR_ERR_UNSUPPORTED on older servers.
 * "Not delivered" is decided without sleeping: a marker event on a channel of its own is published
 * after the event that must not arrive, and the server keeps the order on a connection. */
/* awr-link: -pthread */
#define AWR_TCP
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"
#include "awr_e2e.h"

static const char *const generations[] = {"1.6.0", "1.6.1", "1.8", "1.9.0", "1.9.6"};
#define N_GENERATIONS (sizeof generations / sizeof generations[0])

#define SESSION_U1 "eyJpZCI6InUxIiwic2VjcmV0IjoiczEifQ=="
#define JWT_U2 "jwt.eyJ1c2VySWQiOiJ1MiJ9"
#define PERM(role) "\\\"$permissions\\\":[\\\"read(\\\\\\\"" role "\\\\\\\")\\\"]"

typedef struct counter {
    int n;
    char last[128];     /* the first event name of the latest event */
} counter;

typedef struct ctx {
    const char *gen;
    int port;
    pid_t srv;
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_client *c;
    counter marker;
    awr_sub marker_sub;
    int presence_responses;
    int policy;
    int marker_seq;
} ctx;

static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    counter *k = (counter *)user;
    const char *p = ev->events.ptr;
    size_t i = 0;
    (void)c;
    (void)sub;
    k->n++;
    /* events is a JSON array of plain names: copy the first one */
    if (p && ev->events.len > 2 && p[1] == '"') {
        for (i = 0; i + 2 < ev->events.len && p[i + 2] != '"' && i < sizeof k->last - 1; i++) k->last[i] = p[i + 2];
    }
    k->last[i] = 0;
}

static void on_response(awr_client *c, const awr_response *r, void *user) {
    ctx *x = (ctx *)user;
    (void)c;
    if (r->to.len == 8 && memcmp(r->to.ptr, "presence", 8) == 0) x->presence_responses++;
}

static void on_error(awr_client *c, const awr_server_error *e, void *user) {
    ctx *x = (ctx *)user;
    (void)c;
    fprintf(stderr, "  [%s] server error %lld: %.*s\n", x->gen, (long long)e->code, (int)e->message_len, e->message);
    if (e->code == 1008) x->policy = 1;
}

static int is_url_ids_or_newer(const char *gen) { return strcmp(gen, "1.9.0") == 0 || strcmp(gen, "1.9.6") == 0; }

static void publish(ctx *x, const char *body) {
    char resp[4096];
    if (!AWR_CHECK_INT(e2e_control(x->port, "publish", body, resp, sizeof resp), 200)) fprintf(stderr, "%s\n", resp);
}

/* A document event in database d, collection col, readable by role. */
static void publish_doc(ctx *x, const char *col, const char *id, const char *role, const char *status) {
    char body[1024];
    snprintf(body, sizeof body,
             "{\"event\":\"document\",\"action\":\"update\",\"project\":\"test\",\"databaseId\":\"d\",\"collectionId\":\"%s\","
             "\"documentId\":\"%s\",\"payloadText\":\"{\\\"$id\\\":\\\"%s\\\",\\\"$permissions\\\":[\\\"read(\\\\\\\"%s\\\\\\\")\\\"],"
             "\\\"status\\\":\\\"%s\\\"}\"}",
             col, id, id, role, status ? status : "open");
    publish(x, body);
}

static int pump_until(ctx *x, const int *value, int want, int timeout_ms) {
    long long end = e2e_now_ms() + timeout_ms;
    while (*value < want && e2e_now_ms() < end) awr_tcp_run(x->tcp, x->c, 20);
    return *value >= want;
}

/* The subscriptions part of every connection in a state reply (the URLs name channels too). */
static void subscriptions_only(const char *st, char *out, size_t cap) {
    const char *p = st;
    size_t at = 0;
    out[0] = 0;
    while ((p = strstr(p, "\"subscriptions\":")) != NULL) {
        const char *e = strstr(p, "\"received\":");
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (at + len + 1 >= cap) break;
        memcpy(out + at, p, len);
        at += len;
        out[at] = 0;
        p += len;
    }
}

/* Run the client while polling the server's state until it holds every string (and not must_not):
 * channel names are looked for in the subscriptions, "user" entries in the whole state. */
static int pump_until_state(ctx *x, const char *must, const char *must2, const char *must_not, int timeout_ms) {
    static char st[1 << 16], subs[1 << 16];
    long long end = e2e_now_ms() + timeout_ms;
    while (e2e_now_ms() < end) {
        awr_tcp_run(x->tcp, x->c, 20);
        if (e2e_control(x->port, "state", NULL, st, sizeof st) != 200 || !strstr(st, "\"ready\":true")) continue;
        subscriptions_only(st, subs, sizeof subs);
        if (strstr(must[1] == 'u' ? st : subs, must) && (!must2 || strstr(must2[1] == 'u' ? st : subs, must2)) &&
            (!must_not || !strstr(must_not[1] == 'u' ? st : subs, must_not)) && awr_client_state(x->c) == AWR_STATE_CONNECTED)
            return 1;
    }
    fprintf(stderr, "  [%s] state never showed %s %s (without %s): %s\n", x->gen, must, must2 ? must2 : "", must_not ? must_not : "-", st);
    return 0;
}

/* Wait (running the client) until the server has no connection. */
static int pump_until_no_connection(ctx *x, int timeout_ms) {
    char st[4096];
    long long end = e2e_now_ms() + timeout_ms;
    while (e2e_now_ms() < end) {
        awr_tcp_run(x->tcp, x->c, 20);
        if (e2e_control(x->port, "state", NULL, st, sizeof st) == 200 && strstr(st, "\"connections\":[]")) return 1;
    }
    return 0;
}

/* Publish a marker file event and wait for it: every event published before it has been handled. */
static int marker(ctx *x) {
    char body[512];
    int want = x->marker.n + 1;
    snprintf(body, sizeof body,
             "{\"event\":\"file\",\"action\":\"create\",\"project\":\"test\",\"bucketId\":\"marker\",\"fileId\":\"m%d\","
             "\"payloadText\":\"{\\\"$id\\\":\\\"m%d\\\"," PERM("any") "}\"}",
             x->marker_seq, x->marker_seq);
    x->marker_seq++;
    publish(x, body);
    return AWR_CHECK(pump_until(x, &x->marker.n, want, 5000));
}

static int start(ctx *x, const char *gen, const char *session, const char *jwt) {
    awr_client_config cfg;
    static char endpoint[64];
    const char *mch[1] = {"buckets.marker.files"};
    memset(x, 0, sizeof *x);
    x->gen = gen;
    x->srv = e2e_server_start(gen, &x->port, (char *)NULL);
    if (!AWR_CHECK(x->srv > 0)) return 0;
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d/v1", x->port);
    awr_tcp_init(x->tcp_mem, sizeof x->tcp_mem, NULL, &x->tcp);
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = endpoint;
    cfg.project = "test";
    cfg.session = session;
    cfg.jwt = jwt;
    cfg.io = awr_tcp_io(x->tcp);
    cfg.on_response = on_response;
    cfg.on_error = on_error;
    cfg.user = x;
    if (!AWR_CHECK_INT(awr_client_create(&cfg, &x->c), AWR_OK)) { awr_test_stop(x->srv); return 0; }
    AWR_CHECK_INT(awr_client_subscribe(x->c, mch, 1, NULL, 0, on_event, &x->marker, &x->marker_sub), AWR_OK);
    return 1;
}

static void stop(ctx *x) {
    awr_client_destroy(x->c);
    awr_test_stop(x->srv);
}

/* ---- channel changes ---------------------------------------------------------------------------------- */
static void test_channel_changes(const char *gen) {
    ctx x;
    counter a, b;
    awr_sub sa, sb;
    const char *ca[1] = {"databases.d.collections.ca.documents"};
    const char *cb[1] = {"databases.d.collections.cb.documents"};
    const char *both[2] = {"databases.d.collections.ca.documents", "databases.d.collections.cb.documents"};
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    if (!start(&x, gen, NULL, NULL)) return;
    AWR_CHECK_INT(awr_client_subscribe(x.c, ca, 1, NULL, 0, on_event, &a, &sa), AWR_OK);
    AWR_CHECK(pump_until_state(&x, "collections.ca.documents", "buckets.marker.files", NULL, 10000));
    publish_doc(&x, "ca", "a1", "any", NULL);
    AWR_CHECK(pump_until(&x, &a.n, 1, 5000));
    AWR_CHECK_STR(a.last, "databases.d.collections.ca.documents.a1.update");
    /* a second subscription: both get their own events only */
    AWR_CHECK_INT(awr_client_subscribe(x.c, cb, 1, NULL, 0, on_event, &b, &sb), AWR_OK);
    AWR_CHECK(pump_until_state(&x, "collections.cb.documents", "collections.ca.documents", NULL, 10000));
    publish_doc(&x, "ca", "a2", "any", NULL);
    publish_doc(&x, "cb", "b1", "any", NULL);
    marker(&x);
    AWR_CHECK_INT(a.n, 2);
    AWR_CHECK_INT(b.n, 1);
    AWR_CHECK_STR(b.last, "databases.d.collections.cb.documents.b1.update");
    /* unsubscribe a: its events stop at once, b is unaffected */
    AWR_CHECK_INT(awr_client_unsubscribe(x.c, sa), AWR_OK);
    AWR_CHECK_INT(awr_client_unsubscribe(x.c, sa), AWR_ERR_NOT_FOUND);
    publish_doc(&x, "ca", "a3", "any", NULL);                 /* may still be on its way: never delivered */
    publish_doc(&x, "ca", "a4", "any", NULL);
    publish_doc(&x, "cb", "b2", "any", NULL);
    marker(&x);
    AWR_CHECK_INT(a.n, 2);
    AWR_CHECK_INT(b.n, 2);
    /* update b: add a channel */
    AWR_CHECK_INT(awr_client_update_subscription(x.c, sb, both, 2, NULL, 0), AWR_OK);
    AWR_CHECK(pump_until_state(&x, "collections.cb.documents", "collections.ca.documents", NULL, 10000));
    publish_doc(&x, "ca", "a5", "any", NULL);
    publish_doc(&x, "cb", "b3", "any", NULL);
    marker(&x);
    AWR_CHECK_INT(b.n, 4);
    /* update b: drop cb, keep ca; an event of cb sent during the change is not delivered */
    AWR_CHECK_INT(awr_client_update_subscription(x.c, sb, ca, 1, NULL, 0), AWR_OK);
    publish_doc(&x, "cb", "b4", "any", NULL);
    AWR_CHECK(pump_until_state(&x, "collections.ca.documents", NULL, "collections.cb.documents", 10000));
    publish_doc(&x, "cb", "b5", "any", NULL);
    publish_doc(&x, "ca", "a6", "any", NULL);
    marker(&x);
    AWR_CHECK_INT(b.n, 5);
    AWR_CHECK_STR(b.last, "databases.d.collections.ca.documents.a6.update");
    /* update b: replace ca with cb */
    AWR_CHECK_INT(awr_client_update_subscription(x.c, sb, cb, 1, NULL, 0), AWR_OK);
    publish_doc(&x, "ca", "a7", "any", NULL);
    AWR_CHECK(pump_until_state(&x, "collections.cb.documents", NULL, "collections.ca.documents", 10000));
    publish_doc(&x, "ca", "a8", "any", NULL);
    publish_doc(&x, "cb", "b6", "any", NULL);
    marker(&x);
    AWR_CHECK_INT(b.n, 6);
    AWR_CHECK_STR(b.last, "databases.d.collections.cb.documents.b6.update");
    AWR_CHECK_INT(a.n, 2);
    /* a TCP drop without a close frame: after the reconnect every subscription is there again */
    {
        char resp[256];
        AWR_CHECK_INT(e2e_control(x.port, "drop", "{}", resp, sizeof resp), 200);
        AWR_CHECK(strstr(resp, "\"dropped\":1") != NULL);
    }
    {
        long long end = e2e_now_ms() + 3000;       /* the client notices the drop ... */
        while (awr_client_state(x.c) == AWR_STATE_CONNECTED && e2e_now_ms() < end) awr_tcp_run(x.tcp, x.c, 20);
        AWR_CHECK(awr_client_state(x.c) != AWR_STATE_CONNECTED);
    }
    /* ... and comes back */
    AWR_CHECK(pump_until_state(&x, "collections.cb.documents", "buckets.marker.files", NULL, 10000));
    publish_doc(&x, "cb", "b7", "any", NULL);
    marker(&x);
    AWR_CHECK_INT(b.n, 7);
    AWR_CHECK_STR(b.last, "databases.d.collections.cb.documents.b7.update");
    stop(&x);
}

/* ---- queries (1.9.0+) ----------------------------------------------------------------------------------- */
static void test_queries(const char *gen) {
    ctx x;
    counter q;
    awr_sub s;
    const char *ch[1] = {"databases.d.collections.cq.documents"};
    const char *open_q[1] = {"{\"method\":\"equal\",\"attribute\":\"status\",\"values\":[\"open\"]}"};
    const char *closed_q[1] = {"{\"method\":\"equal\",\"attribute\":\"status\",\"values\":[\"closed\"]}"};
    memset(&q, 0, sizeof q);
    if (!start(&x, gen, NULL, NULL)) return;
    AWR_CHECK_INT(awr_client_subscribe(x.c, ch, 1, open_q, 1, on_event, &q, &s), AWR_OK);
    AWR_CHECK(pump_until_state(&x, "collections.cq.documents", "\\\"open\\\"", NULL, 10000));
    publish_doc(&x, "cq", "o1", "any", "open");
    publish_doc(&x, "cq", "c1", "any", "closed");
    marker(&x);
    AWR_CHECK_INT(q.n, 1);
    AWR_CHECK_STR(q.last, "databases.d.collections.cq.documents.o1.update");
    /* replace the query: the other way round from now on */
    AWR_CHECK_INT(awr_client_update_subscription(x.c, s, ch, 1, closed_q, 1), AWR_OK);
    publish_doc(&x, "cq", "o2", "any", "open");                  /* during the change: not delivered */
    AWR_CHECK(pump_until_state(&x, "\\\"closed\\\"", NULL, "\\\"open\\\"", 10000));
    publish_doc(&x, "cq", "o3", "any", "open");
    publish_doc(&x, "cq", "c2", "any", "closed");
    marker(&x);
    AWR_CHECK_INT(q.n, 2);
    AWR_CHECK_STR(q.last, "databases.d.collections.cq.documents.c2.update");
    stop(&x);
}

/* ---- disconnect and reuse ----------------------------------------------------------------------------- */
static void test_disconnect_reuse(const char *gen) {
    ctx x;
    counter a, b;
    awr_sub sa, sb;
    const char *ca[1] = {"databases.d.collections.ca.documents"};
    char st[4096];
    const char *mch[1] = {"buckets.marker.files"};
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    if (!start(&x, gen, NULL, NULL)) return;
    AWR_CHECK_INT(awr_client_subscribe(x.c, ca, 1, NULL, 0, on_event, &a, &sa), AWR_OK);
    AWR_CHECK(pump_until_state(&x, "collections.ca.documents", NULL, NULL, 10000));
    AWR_CHECK_INT(awr_client_disconnect(x.c), AWR_OK);
    AWR_CHECK(pump_until_no_connection(&x, 3000));                 /* closed ... */
    AWR_CHECK(awr_client_state(x.c) == AWR_STATE_IDLE || awr_client_state(x.c) == AWR_STATE_CLOSED);
    publish_doc(&x, "ca", "a1", "any", NULL);
    awr_tcp_run(x.tcp, x.c, 1500);                              /* longer than the first retry delay */
    AWR_CHECK_INT(e2e_control(x.port, "state", NULL, st, sizeof st), 200);
    AWR_CHECK(strstr(st, "\"connections\":[]") != NULL);          /* ... and no reconnect */
    AWR_CHECK_INT(a.n, 0);
    AWR_CHECK_INT(awr_client_unsubscribe(x.c, sa), AWR_ERR_NOT_FOUND);    /* every subscription was dropped */
    /* reuse: subscribe again, the client connects anew */
    AWR_CHECK_INT(awr_client_subscribe(x.c, mch, 1, NULL, 0, on_event, &x.marker, &x.marker_sub), AWR_OK);
    AWR_CHECK_INT(awr_client_subscribe(x.c, ca, 1, NULL, 0, on_event, &b, &sb), AWR_OK);
    AWR_CHECK(pump_until_state(&x, "collections.ca.documents", "buckets.marker.files", NULL, 10000));
    publish_doc(&x, "ca", "a2", "any", NULL);
    marker(&x);
    AWR_CHECK_INT(b.n, 1);
    AWR_CHECK_INT(a.n, 0);
    stop(&x);
}

/* ---- login and logout with subscriptions alive -------------------------------------------------------- */
static void test_login_logout(const char *gen) {
    ctx x;
    counter a;
    awr_sub sa;
    const char *ca[1] = {"databases.d.collections.ca.documents"};
    memset(&a, 0, sizeof a);
    if (!start(&x, gen, NULL, NULL)) return;
    AWR_CHECK_INT(awr_client_subscribe(x.c, ca, 1, NULL, 0, on_event, &a, &sa), AWR_OK);
    AWR_CHECK(pump_until_state(&x, "collections.ca.documents", "\"user\":null", NULL, 10000));
    publish_doc(&x, "ca", "u1only", "user:u1", NULL);
    publish_doc(&x, "ca", "any1", "any", NULL);
    marker(&x);
    AWR_CHECK_INT(a.n, 1);                                         /* a guest reads only the public one */
    /* login with a session: the same subscriptions, now as u1 */
    AWR_CHECK_INT(awr_client_set_session(x.c, SESSION_U1), AWR_OK);
    AWR_CHECK(pump_until_state(&x, "\"user\":\"u1\"", "collections.ca.documents", "\"user\":null", 10000));
    publish_doc(&x, "ca", "u1only", "user:u1", NULL);
    marker(&x);
    AWR_CHECK_INT(a.n, 2);
    AWR_CHECK_STR(a.last, "databases.d.collections.ca.documents.u1only.update");
    /* logout: nothing a guest could not read, from the call on */
    AWR_CHECK_INT(awr_client_logout(x.c), AWR_OK);
    publish_doc(&x, "ca", "u1only", "user:u1", NULL);              /* may reach the old socket: not delivered */
    AWR_CHECK(pump_until_state(&x, "\"user\":null", "collections.ca.documents", "\"user\":\"u1\"", 10000));
    publish_doc(&x, "ca", "u1only", "user:u1", NULL);
    publish_doc(&x, "ca", "any2", "any", NULL);
    marker(&x);
    AWR_CHECK_INT(a.n, 3);
    AWR_CHECK_STR(a.last, "databases.d.collections.ca.documents.any2.update");
    /* login with a JWT (u2) */
    AWR_CHECK_INT(awr_client_set_jwt(x.c, JWT_U2), AWR_OK);
    AWR_CHECK(pump_until_state(&x, "\"user\":\"u2\"", "collections.ca.documents", "\"user\":null", 10000));
    publish_doc(&x, "ca", "u2only", "user:u2", NULL);
    publish_doc(&x, "ca", "u1only", "user:u1", NULL);
    marker(&x);
    AWR_CHECK_INT(a.n, 4);
    AWR_CHECK_STR(a.last, "databases.d.collections.ca.documents.u2only.update");
    AWR_CHECK_INT(x.policy, 0);
    stop(&x);
}

/* ---- presence ------------------------------------------------------------------------------------------ */
static void test_presence(const char *gen) {
    ctx x;
    counter p;
    awr_sub sp;
    const char *ch[1] = {"presences"};
    char resp[256];
    memset(&p, 0, sizeof p);
    if (!start(&x, gen, SESSION_U1, NULL)) return;
    AWR_CHECK_INT(awr_client_subscribe(x.c, ch, 1, NULL, 0, on_event, &p, &sp), AWR_OK);
    AWR_CHECK(pump_until_state(&x, "\"presences\"", "\"user\":\"u1\"", NULL, 10000));
    if (strcmp(gen, "1.9.6") != 0) {
        /* older servers have no presence: a clear result (once the generation is known), not a silent no-op */
        long long end = e2e_now_ms() + 5000;
        while (awr_client_generation(x.c) == AWR_GEN_UNKNOWN && e2e_now_ms() < end) awr_tcp_run(x.tcp, x.c, 20);
        AWR_CHECK_INT(awr_client_generation(x.c), strcmp(gen, "1.9.0") == 0 ? AWR_GEN_URL_IDS : AWR_GEN_LEGACY);
        AWR_CHECK_INT(awr_client_upsert_presence(x.c, "online", "p1", NULL, NULL, 0), AWR_ERR_UNSUPPORTED);
        stop(&x);
        return;
    }
    AWR_CHECK_INT(awr_client_upsert_presence(x.c, "online", "p1", "{\"x\":1}", NULL, 0), AWR_OK);
    AWR_CHECK(pump_until(&x, &x.presence_responses, 1, 5000));
    AWR_CHECK(pump_until(&x, &p.n, 1, 5000));
    AWR_CHECK_STR(p.last, "presences.p1.upsert");
    /* the latest one wins */
    AWR_CHECK_INT(awr_client_upsert_presence(x.c, "away", "p1", "{\"x\":2}", NULL, 0), AWR_OK);
    AWR_CHECK(pump_until(&x, &x.presence_responses, 2, 5000));
    AWR_CHECK(pump_until(&x, &p.n, 2, 5000));
    /* a drop: after the reconnect the presence is sent again by itself */
    AWR_CHECK_INT(e2e_control(x.port, "drop", "{}", resp, sizeof resp), 200);
    AWR_CHECK(pump_until(&x, &x.presence_responses, 3, 8000));
    /* the server announces it again: an upsert event on the new connection */
    AWR_CHECK(pump_until(&x, &p.n, 3, 5000));
    AWR_CHECK_STR(p.last, "presences.p1.upsert");
    AWR_CHECK_INT(x.presence_responses, 3);
    stop(&x);
}

int main(void) {
    size_t g;
    if (!AWR_CHECK(e2e_have_node())) return AWR_TEST_END();
    for (g = 0; g < N_GENERATIONS; g++) {
        fprintf(stderr, "== generation %s\n", generations[g]);
        test_channel_changes(generations[g]);
        if (is_url_ids_or_newer(generations[g])) test_queries(generations[g]);
        test_disconnect_reuse(generations[g]);
        test_login_logout(generations[g]);
        test_presence(generations[g]);
    }
    return AWR_TEST_END();
}
