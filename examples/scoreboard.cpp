/* scoreboard.cpp - the C++ layer in a game loop: a live scoreboard.
 *   awr-scoreboard ENDPOINT PROJECT DATABASE COLLECTION [SECONDS]
 * The game advances in fixed 1/60 s steps and polls the realtime client once per frame (it never
 * blocks). A lambda subscribed to the collection's documents (one per player: `name`, `points`)
 * keeps the scoreboard, a std::map captured by reference; the state lambda shows the connection.
 * Every second, and at the end, it draws one line: "scores: ada=15 bob=7". Runs SECONDS (default 10;
 * a whole number up to 2,000,000, anything else is a usage error: exit 2).
 * Built with -fno-exceptions -fno-rtti, as engines often are. */
/* awr-link: -pthread */
#define AWR_TCP
#define AWR_CPP
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <string>

static void draw(const std::map<std::string, int64_t> &scores, const char *net) {
    std::string line = "scores:";
    for (const auto &s : scores) line += " " + s.first + "=" + std::to_string(s.second);
    std::printf("%s (%s)\n", line.c_str(), net);
    std::fflush(stdout);
}

// SECONDS: a whole number from 0 to 2,000,000.
static bool parse_seconds(const char *s, long &out) {
    char *end;
    long v = std::strtol(s, &end, 10);
    if (end == s || *end || v < 0 || v > 2000000) return false;
    out = v;
    return true;
}

static void sleep_ms(int64_t ms) {
    if (ms <= 0) return;
    timespec ts;
    ts.tv_sec = static_cast<time_t>(ms / 1000);
    ts.tv_nsec = static_cast<long>(ms % 1000) * 1000000L;
    nanosleep(&ts, nullptr);
}

int main(int argc, char **argv) {
    if (argc < 5) {
        std::fprintf(stderr, "usage: awr-scoreboard ENDPOINT PROJECT DATABASE COLLECTION [SECONDS]\n");
        return 2;
    }
    long seconds = 10;
    if (argc > 5 && !parse_seconds(argv[5], seconds)) {
        std::fprintf(stderr, "awr-scoreboard: SECONDS must be a whole number from 0 to 2000000: %s\n", argv[5]);
        return 2;
    }
    char channel[AWR_CHANNEL_MAX];
    if (awr_channel_documents(argv[3], argv[4], nullptr, nullptr, channel, sizeof channel) != AWR_OK) {
        std::fprintf(stderr, "awr-scoreboard: bad database or collection id\n");
        return 2;
    }
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    if (awr_tcp_init(tcp_mem, sizeof tcp_mem, NULL, &tcp) != AWR_OK) {
        std::fprintf(stderr, "awr-scoreboard: no sockets\n");
        return 1;
    }
    struct tcp_owner {                       // deinit after the client is gone: declared before it
        awr_tcp *tcp;
        ~tcp_owner() { awr_tcp_deinit(tcp); }
    } tcp_owner_{tcp};
    awr_client_config cfg{};
    cfg.endpoint = argv[1];
    cfg.project = argv[2];
    cfg.io = awr_tcp_io(tcp);
    cfg.max_message = 64 * 1024;             // a game knows its messages: small buffers

    awr::client rt(cfg);
    if (!rt) {
        std::fprintf(stderr, "awr-scoreboard: %s\n", awr_result_str(rt.result()));
        return 1;
    }
    const char *net = "offline";
    rt.on_state([&net](const awr_state_info &info) {
        net = info.state == AWR_STATE_CONNECTED ? "connected" : info.state == AWR_STATE_RECONNECTING ? "reconnecting" : "connecting";
    });

    std::map<std::string, int64_t> scores;
    awr::subscription players = rt.subscribe(channel, [&scores](const awr::event &e) {
        char name[64];
        std::string_view who;
        if (e.get("name", name, who) != AWR_OK) return;   // not a player document
        if (e.is("databases.*.collections.*.documents.*.delete")) scores.erase(std::string(who));
        else scores[std::string(who)] = e.int64_or("points", 0);
    });
    if (!players) {
        std::fprintf(stderr, "awr-scoreboard: subscribe: %s\n", awr_result_str(players.result()));
        return 1;
    }

    const int64_t step_ms = 16, start = awr_tcp_now_ms();
    const int64_t end = start + 1000 * static_cast<int64_t>(seconds);
    int64_t next_step = start, next_draw = start + 1000;
    long steps = 0;
    for (int64_t now = start; now < end; now = awr_tcp_now_ms()) {
        while (now >= next_step) { steps++; next_step += step_ms; }   // the simulation
        (void)rt.poll(now);                                          // once per frame, never blocks
        if (now >= next_draw) { draw(scores, net); next_draw += 1000; }
        sleep_ms(next_step - awr_tcp_now_ms());                   // stands in for vsync
    }
    draw(scores, net);
    players.unsubscribe();
    rt.disconnect();
    (void)rt.poll(awr_tcp_now_ms());                              // the close frame
    return steps > 0 ? 0 : 1;
}
