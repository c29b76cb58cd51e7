/* awr-game-loop: the client inside a game's fixed-timestep loop.
 *
 *   awr-game-loop [--seconds N] [ENDPOINT PROJECT CHANNEL...]
 *
 * The "game" advances its world in fixed 1/60 s steps and draws one line of text a second; the
 * realtime client is polled exactly once per frame with the frame's clock, and never blocks: a frame
 * never waits for the network, whether it is busy, idle or gone (its cost is the bytes that arrived).
 * Events land in the game's own queue from the callback and are consumed by the next simulation step,
 * as a game would. Without an endpoint it runs the loop alone (no network) for N seconds (default 3;
 * 0 to 2,000,000, fractions allowed).
 *   ENDPOINT: ws://HOST:PORT/v1/realtime (or an http(s) REST endpoint; wss:// needs the BearSSL
 *   adapter around the TCP hooks, as examples/wss_connect.c shows). Exit status 0, 2 on a usage error. */
/* awr-link: -pthread */
#define AWR_TCP                /* the TCP adapter: POSIX sockets, or Winsock on Windows */
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The platform: a sleep (the clock and the TCP hooks are the adapter's, the same everywhere). */
#ifdef _WIN32
static void game_sleep_ms(int64_t ms) { if (ms > 0) Sleep((DWORD)ms); }
#else
#include <time.h>
static void game_sleep_ms(int64_t ms) {
    struct timespec ts;
    if (ms <= 0) return;
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}
#endif
#define game_now_ms awr_tcp_now_ms

#define STEP_MS 16            /* the simulation's fixed step (about 60 Hz) */
#define MAX_STEPS_PER_FRAME 5 /* after a long stall, catch up a little, then drop time */

typedef struct game {
    long steps, frames;
    double player_x;          /* the "world": one thing that moves */
    long events_seen;         /* total events consumed by the simulation */
    int pending_events;       /* queued by the callback, consumed by the next step */
    const char *state;
} game;

static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    game *g = (game *)user;
    (void)c;
    (void)sub;
    (void)ev;                 /* a real game would copy what it needs: ev points into the client */
    g->pending_events++;
}

static void on_state(awr_client *c, const awr_state_info *info, void *user) {
    game *g = (game *)user;
    (void)c;
    switch (info->state) {
    case AWR_STATE_IDLE: g->state = "idle"; break;
    case AWR_STATE_CONNECTING: g->state = "connecting"; break;
    case AWR_STATE_OPEN: g->state = "open"; break;
    case AWR_STATE_CONNECTED: g->state = "connected"; break;
    case AWR_STATE_RECONNECTING: g->state = "reconnecting"; break;
    case AWR_STATE_CLOSED: g->state = "closed"; break;
    }
}

static void simulate(game *g) {
    g->steps++;
    g->player_x += 0.5;
    if (g->player_x > 100.0) g->player_x = 0.0;
    g->events_seen += g->pending_events;   /* react to what the server said */
    g->pending_events = 0;
}

static void draw(const game *g, int64_t elapsed_ms) {
    printf("t=%5.2fs frames=%ld steps=%ld x=%5.1f net=%s events=%ld\n", (double)elapsed_ms / 1000.0,
           g->frames, g->steps, g->player_x, g->state, g->events_seen);
    fflush(stdout);
}

int main(int argc, char **argv) {
    static game g;
    static unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp = NULL;
    awr_client *c = NULL;
    awr_client_config cfg;
    awr_sub sub;
    double seconds = 3;
    int i = 1;
    int64_t start, next_step, next_draw, end;

    if (i + 1 < argc && strcmp(argv[i], "--seconds") == 0) {
        char *stop;
        seconds = strtod(argv[i + 1], &stop);
        if (stop == argv[i + 1] || *stop || !(seconds >= 0) || seconds > 2e6) seconds = -1;   /* a usage error */
        i += 2;
    }
    if ((argc - i != 0 && argc - i < 3) || seconds < 0) {
        fputs("usage: awr-game-loop [--seconds N] [ENDPOINT PROJECT CHANNEL...]\n", stderr);
        return 2;
    }
    g.state = "offline";
    if (argc - i >= 3) {
        memset(&cfg, 0, sizeof cfg);
        if (strncmp(argv[i], "ws", 2) == 0) cfg.realtime_endpoint = argv[i];
        else cfg.endpoint = argv[i];
        cfg.project = argv[i + 1];
        if (awr_tcp_init(tcp_mem, sizeof tcp_mem, NULL, &tcp) != AWR_OK) {
            fputs("awr-game-loop: no sockets\n", stderr);
            return 1;
        }
        cfg.io = awr_tcp_io(tcp);
        cfg.on_state = on_state;
        cfg.user = &g;
        cfg.max_message = 64 * 1024;   /* a game knows its messages: keep the buffers small */
        if (awr_client_create(&cfg, &c) != AWR_OK ||
            awr_client_subscribe(c, (const char *const *)(argv + i + 2), (size_t)(argc - i - 2), NULL, 0, on_event, &g, &sub) != AWR_OK) {
            fputs("awr-game-loop: bad endpoint or channels\n", stderr);
            if (c) awr_client_destroy(c);
            return 2;
        }
        g.state = "idle";
    }

    start = game_now_ms();
    next_step = start;
    next_draw = start + 1000;
    end = start + (int64_t)(seconds * 1000.0);
    for (;;) {
        int64_t now = game_now_ms();
        int steps = 0;
        if (now >= end) break;
        while (now >= next_step && steps < MAX_STEPS_PER_FRAME) {   /* fixed-timestep simulation */
            simulate(&g);
            next_step += STEP_MS;
            steps++;
        }
        if (now >= next_step) next_step = now + STEP_MS;            /* too far behind: drop time */
        if (c) (void)awr_client_poll(c, now);                       /* once per frame, never blocks */
        g.frames++;
        if (now >= next_draw) { draw(&g, now - start); next_draw += 1000; }
        game_sleep_ms(next_step - game_now_ms());                   /* stands in for vsync */
    }
    draw(&g, game_now_ms() - start);
    if (c) {
        awr_client_disconnect(c);
        (void)awr_client_poll(c, game_now_ms());
        awr_client_destroy(c);
    }
    awr_tcp_deinit(tcp);
    return 0;
}
