/* test_cpp.cpp - the C++ layer (AWR_CPP), built with -fno-exceptions -fno-rtti and the usual warnings,
 * over the in-memory transport of client_fake.h: lambdas with captures get events through
 * awr::event (string_view fields, payload getters, the _or forms); a subscription ends when it goes
 * out of scope, when moved over, and from inside its own callback (ASan checks the callable outlives
 * that call); a subscription outlives its client safely; update(); the state and error lambdas;
 * the client's callables cannot be replaced inside a callback;
 * failures are results (a subscription's is AWR_ERR_STATE once ended, an out-of-range config the C
 * client's AWR_ERR_ARG); the callbacks the C client calls are noexcept. */
#define AWR_CPP
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include "awr_test.h"
#include "client_fake.h"

#include <string>
#include <vector>

static fake F;
static int64_t now;

static awr_client_config config() {
    awr_client_config cfg{};
    cfg.endpoint = "http://localhost:8080/v1";
    cfg.project = "p1";
    cfg.mode = AWR_MODE_URL;
    cfg.io = fake_io(&F);
    return cfg;
}

static void connect_(awr::client &rt, const char *channels) {
    std::string msg = std::string("{\"type\":\"connected\",\"data\":{\"channels\":") + channels + ",\"user\":null}}";
    (void)rt.poll(now);
    AWR_CHECK(fake_accept(&F));
    fake_text(&F, msg.c_str());
    (void)rt.poll(now);
    AWR_CHECK_INT(rt.state(), AWR_STATE_CONNECTED);
}

static void event(awr::client &rt, const char *channel, const char *payload) {
    std::string msg = std::string("{\"type\":\"event\",\"data\":{\"events\":[\"buckets.b.files.f.create\"],\"channels\":[\"") +
                      channel + "\"],\"timestamp\":\"2026-01-01T00:00:00.000+00:00\",\"payload\":" + payload + "}}";
    fake_text(&F, msg.c_str());
    (void)rt.poll(now);
    (void)fake_drain(&F);   /* the client's frames (a close once nothing is subscribed) are not the point here */
}

static std::string full(const char *id, int n) {
    return std::string("{\"$id\":\"") + id + "\",\"n\":" + std::to_string(n) +
           ",\"name\":\"caf\\u00e9 \\\"x\\\"\",\"done\":true,\"tags\":[1,2],\"ratio\":0.5}";
}

static void test_lambdas_and_fields() {
    awr::client rt(config());
    std::vector<std::string> log;
    int64_t total = 0;
    AWR_CHECK(static_cast<bool>(rt));
    AWR_CHECK_INT(rt.result(), AWR_OK);
    std::vector<awr_state> states;
    AWR_CHECK_INT(rt.on_state([&states](const awr_state_info &i) { states.push_back(i.state); }), AWR_OK);
    awr::subscription sub = rt.subscribe("files", [&log, &total](const awr::event &e) {
        char name[32], tiny[4];
        std::string_view v, cut;
        bool done = false;
        AWR_CHECK(e.is("buckets.*.files.*.create"));
        AWR_CHECK(e.has_channel("files"));
        AWR_CHECK(e.timestamp() == "2026-01-01T00:00:00.000+00:00");
        AWR_CHECK(e.channels() == "[\"files\"]");
        AWR_CHECK(e.payload().substr(0, 1) == "{");
        AWR_CHECK_INT(e.get("name", name, v), AWR_OK);
        AWR_CHECK(v == "caf\xc3\xa9 \"x\"");
        AWR_CHECK(v.data() == name);
        AWR_CHECK_INT(e.get("name", tiny, cut), AWR_ERR_BUFFER);   /* the start that fits */
        AWR_CHECK(cut == "caf");
        AWR_CHECK_INT(e.get("done", done), AWR_OK);
        AWR_CHECK(done);
        AWR_CHECK_INT(e.get("missing", done), AWR_ERR_NOT_FOUND);
        AWR_CHECK(!done);
        std::string_view json;
        AWR_CHECK_INT(e.get_json("tags", json), AWR_OK);
        AWR_CHECK(json == "[1,2]");
        AWR_CHECK(e.double_or("ratio", -1) == 0.5);
        AWR_CHECK(e.double_or("name", -1) == -1);            /* wrong type: the fallback */
        AWR_CHECK(e.bool_or("nope", true));
        AWR_CHECK(e.string_or("nope", name, "none") == "none");
        total += e.int64_or("n", 0);
        log.push_back(std::string(e.string_or("$id", name, "?")));
        AWR_CHECK(e.c_event() != nullptr && e.id() != 0);
    });
    AWR_CHECK(static_cast<bool>(sub));
    AWR_CHECK_INT(sub.result(), AWR_OK);
    connect_(rt, "[\"files\"]");
    event(rt, "files", full("a", 5).c_str());
    event(rt, "files", full("b", -2).c_str());
    AWR_CHECK_INT(log.size(), 2);
    AWR_CHECK(log.size() == 2 && log[0] == "a" && log[1] == "b");
    AWR_CHECK(total == 3);
    AWR_CHECK(!states.empty() && states.back() == AWR_STATE_CONNECTED);
    {   /* a moved subscription keeps delivering; the moved-from one is empty */
        awr::subscription moved = std::move(sub);
        AWR_CHECK(!sub);
        AWR_CHECK(static_cast<bool>(moved));
        event(rt, "files", full("c", 1).c_str());
        AWR_CHECK_INT(log.size(), 3);
    }   /* out of scope: unsubscribed */
    event(rt, "files", full("d", 1).c_str());
    AWR_CHECK_INT(log.size(), 3);
    AWR_CHECK_INT(sub.unsubscribe(), AWR_OK);   /* already ended: nothing to do */
}

/* Ending a subscription inside its own callback (unsubscribe and move-assign over it), twice in a
 * row on reused slots, and a state lambda; the captured string must still be alive during the call. */
static void test_end_in_callback() {
    awr::client rt(config());
    awr::subscription self;
    int calls = 0;
    std::string big(100, 'x');   /* a capture that lives in the callable's heap storage */
    self = rt.subscribe("files", [&self, &calls, big](const awr::event &) {
        calls++;
        AWR_CHECK_INT(self.unsubscribe(), AWR_OK);
        AWR_CHECK(big.size() == 100 && big[99] == 'x');   /* the callable is still alive here */
    });
    awr::subscription other = rt.subscribe({ "files" }, [&other, &calls](const awr::event &) {
        calls += 10;
        other = awr::subscription();                        /* move-assign: ends it */
    });
    AWR_CHECK(static_cast<bool>(self) && static_cast<bool>(other));
    connect_(rt, "[\"files\"]");
    event(rt, "files", "{\"n\":1}");
    AWR_CHECK_INT(calls, 11);
    event(rt, "files", "{\"n\":2}");
    AWR_CHECK_INT(calls, 11);
    AWR_CHECK(!self && !other);
    /* the slots are free again */
    int again = 0;
    awr::subscription s2 = rt.subscribe("files", [&again](const awr::event &) { again++; });
    AWR_CHECK(static_cast<bool>(s2));
}

static void test_update_and_limits() {
    awr_client_config cfg = config();
    cfg.max_subscriptions = 2;
    awr::client rt(cfg);
    int a = 0;
    awr::subscription s1 = rt.subscribe("files", [&a](const awr::event &) { a++; });
    awr::subscription s2 = rt.subscribe("teams", [&a](const awr::event &) { a += 100; });
    awr::subscription s3 = rt.subscribe("documents", [&a](const awr::event &) { a += 1000; });
    AWR_CHECK(!s3);
    AWR_CHECK_INT(s3.result(), AWR_ERR_LIMIT);
    awr::subscription bad = rt.subscribe("files", awr::event_fn());
    AWR_CHECK_INT(bad.result(), AWR_ERR_ARG);
    AWR_CHECK_INT(s2.update({ "files" }), AWR_OK);
    connect_(rt, "[\"files\"]");
    event(rt, "files", "{}");
    AWR_CHECK_INT(a, 101);
    s2.unsubscribe();
    AWR_CHECK_INT(s2.result(), AWR_ERR_STATE);   /* ended */
    AWR_CHECK_INT(s3.result(), AWR_ERR_LIMIT);   /* never started: why */
    AWR_CHECK_INT(s2.update({ "teams" }), AWR_ERR_STATE);
    awr::subscription s4 = rt.subscribe("files", [&a](const awr::event &) { a += 1000; });   /* reuses the slot */
    AWR_CHECK(static_cast<bool>(s4));
    AWR_CHECK_INT(rt.disconnect(), AWR_OK);
    AWR_CHECK(!s1);                               /* disconnect ended every subscription */
    AWR_CHECK(!s4);
    AWR_CHECK_INT(s1.result(), AWR_ERR_STATE);
    AWR_CHECK_INT(s4.unsubscribe(), AWR_OK);      /* already ended */
    awr::subscription s5 = rt.subscribe("files", [&a](const awr::event &) { a += 10000; });
    AWR_CHECK(static_cast<bool>(s5));             /* the slots are free again */
    AWR_CHECK(!s1);
}

/* The client's callables are not replaced inside a callback: the one running would be destroyed. */
static void test_set_in_callback() {
    awr::client rt(config());
    std::string big(100, 'x');   /* a capture in the callable's heap storage */
    int calls = 0, refused = 0;
    AWR_CHECK_INT(rt.on_state([&rt, &calls, &refused, big](const awr_state_info &) {
        calls++;
        refused += rt.on_state([](const awr_state_info &) {}) == AWR_ERR_STATE;
        refused += rt.on_error(nullptr) == AWR_ERR_STATE;
        AWR_CHECK(big.size() == 100 && big[99] == 'x');   /* still alive */
    }), AWR_OK);
    awr::subscription sub = rt.subscribe("files", [&rt, &refused](const awr::event &) {
        refused += rt.on_response(nullptr) == AWR_ERR_STATE;
    });
    connect_(rt, "[\"files\"]");
    event(rt, "files", "{}");
    AWR_CHECK(calls >= 2);                 /* connecting, connected */
    AWR_CHECK_INT(refused, 2 * calls + 1);
    AWR_CHECK_INT(rt.on_state(nullptr), AWR_OK);   /* outside the callbacks */
}

/* A subscription the client cannot serve (too long for max_url on a server without frames) is dropped
 * by the client: its awr::subscription tests false, and its slot is free again. */
static void test_dropped_by_client() {
    awr_client_config cfg = config();
    cfg.mode = AWR_MODE_AUTO;
    cfg.max_url = 300;
    cfg.max_subscriptions = 2;
    awr::client rt(cfg);
    int errors = 0;
    awr_sub dropped = 0;
    AWR_CHECK_INT(rt.on_error([&](const awr_server_error &e) { errors++; dropped = e.sub; }), AWR_OK);
    awr::subscription shortsub = rt.subscribe("files", [](const awr::event &) {});
    std::string longname = "databases." + std::string(300, 'd') + ".collections.c.documents";
    awr::subscription longsub = rt.subscribe(longname.c_str(), [](const awr::event &) {});
    AWR_CHECK(static_cast<bool>(shortsub) && static_cast<bool>(longsub));
    connect_(rt, "[\"files\"]");     /* `connected` without `subscriptions`: 1.8 or older, URL only */
    AWR_CHECK_INT(errors, 1);
    AWR_CHECK(dropped == longsub.id());
    AWR_CHECK(!longsub);
    AWR_CHECK(static_cast<bool>(shortsub));
    AWR_CHECK_INT(longsub.unsubscribe(), AWR_OK);
    awr::subscription again = rt.subscribe("teams", [](const awr::event &) {});
    AWR_CHECK(static_cast<bool>(again));     /* the dropped one's slot */
}

/* A subscription that outlives its client, a failed client, a moved client. */
static void test_lifetimes() {
    awr::subscription outlives;
    {
        awr::client rt(config());
        outlives = rt.subscribe("files", [](const awr::event &) {});
        AWR_CHECK(static_cast<bool>(outlives));
        awr::client moved(std::move(rt));
        AWR_CHECK(!rt);
        AWR_CHECK(static_cast<bool>(moved));
        AWR_CHECK(static_cast<bool>(outlives));
    }
    AWR_CHECK(!outlives);
    AWR_CHECK_INT(outlives.result(), AWR_ERR_STATE);
    AWR_CHECK_INT(outlives.unsubscribe(), AWR_OK);
    awr_client_config cfg = config();
    cfg.project = nullptr;
    awr::client bad(cfg);
    AWR_CHECK(!bad);
    AWR_CHECK_INT(bad.result(), AWR_ERR_ARG);
    awr::subscription none = bad.subscribe("files", [](const awr::event &) {});
    AWR_CHECK_INT(none.result(), AWR_ERR_STATE);
    AWR_CHECK_INT(bad.poll(0), AWR_ERR_STATE);
    /* max_subscriptions out of range (1..65535) is the C client's AWR_ERR_ARG: the layer allocates
       nothing for it first (SIZE_MAX slots were AWR_ERR_NOMEM, or an ASan abort) */
    const size_t out_of_range[] = { 65536, (size_t)1 << 40, SIZE_MAX };
    for (size_t n : out_of_range) {
        cfg = config();
        cfg.max_subscriptions = n;
        awr::client huge(cfg);
        AWR_CHECK(!huge);
        AWR_CHECK_INT(huge.result(), AWR_ERR_ARG);
    }
    /* C callbacks in the config: the client keeps them, lambdas for them are refused */
    cfg = config();
    cfg.on_state = [](awr_client *, const awr_state_info *, void *) {};
    awr::client own(cfg);
    AWR_CHECK(static_cast<bool>(own));
    AWR_CHECK_INT(own.on_state([](const awr_state_info &) {}), AWR_ERR_STATE);
    AWR_CHECK(own.get() != nullptr);
}

/* An exception must not unwind through the C client (it would stay inside a callback for good): the
 * callbacks the layer gives it are noexcept, so a throwing callable ends the program there. */
static void test_callbacks_noexcept() {
    AWR_CHECK(noexcept(awr::detail::on_event(nullptr, 0, nullptr, nullptr)));
    AWR_CHECK(noexcept(awr::detail::on_state(nullptr, nullptr, nullptr)));
    AWR_CHECK(noexcept(awr::detail::on_error(nullptr, nullptr, nullptr)));
    AWR_CHECK(noexcept(awr::detail::on_response(nullptr, nullptr, nullptr)));
}

int main() {
    fake_init(&F);
    test_callbacks_noexcept();
    test_lambdas_and_fields();
    test_end_in_callback();
    test_set_in_callback();
    test_update_and_limits();
    test_dropped_by_client();
    test_lifetimes();
    fake_free(&F);
    return AWR_TEST_END();
}
