/* threads.c - an engine that polls the client on a network thread while game code subscribes.
 *   awr-threads ENDPOINT PROJECT CHANNEL [SECONDS]
 * The client is one object without locks (see THREADS in the header), so one mutex guards it:
 *   - the network thread locks, polls, asks what to wait for, unlocks, and then waits on the socket
 *     and on a wake-up pipe (never holding the lock while it waits);
 *   - the game thread locks to subscribe, unlocks, and writes the pipe so the change goes out now;
 *   - the event callback runs on the network thread with the lock held: it copies what the game
 *     needs (the payload's $id) into a queue, since the event's texts are gone after it returns;
 *   - the game thread takes the queue's entries once per frame.
 * It prints "frame F: <$id>" for each event the game consumed, for SECONDS (default 10; a whole
 * number up to 2,000,000, anything else is a usage error: exit 2). */
/* awr-link: -pthread */
#define AWR_TCP
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define QUEUE_LEN 64

typedef struct engine {
    pthread_mutex_t lock;          /* guards the client and the queue */
    awr_client *client;
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    int wake[2];                   /* a pipe: the game thread wakes the network thread */
    int stop;
    char queue[QUEUE_LEN][64];     /* $id of each event, for the game thread */
    unsigned head, count;
} engine;

/* Network thread, lock held. */
static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    engine *e = (engine *)user;
    (void)c; (void)sub;
    if (e->count == QUEUE_LEN) return;   /* the game is too slow: drop (a real engine counts these) */
    if (awr_event_get_string(ev, "$id", e->queue[(e->head + e->count) % QUEUE_LEN], 64, NULL) != AWR_OK)
        strcpy(e->queue[(e->head + e->count) % QUEUE_LEN], "?");
    e->count++;
}

static void *network_thread(void *arg) {
    engine *e = (engine *)arg;
    for (;;) {
        struct pollfd fds[2];
        int64_t deadline = -1, now;
        int wants, timeout = 100, n = 1, resolving;
        char drain[64];
        pthread_mutex_lock(&e->lock);
        if (e->stop) { pthread_mutex_unlock(&e->lock); break; }
        now = awr_tcp_now_ms();
        (void)awr_client_poll(e->client, now);
        wants = awr_client_wants(e->client, &deadline);
        fds[0].fd = e->wake[0];
        fds[0].events = POLLIN;
        if (awr_tcp_socket(e->tcp) >= 0) {
            fds[1].fd = awr_tcp_socket(e->tcp);
            fds[1].events = awr_tcp_poll_events(e->tcp, wants);
            n = 2;
        }
        resolving = awr_tcp_resolving(e->tcp);
        pthread_mutex_unlock(&e->lock);
        if (deadline >= 0) timeout = deadline <= now ? 0 : deadline - now < 100 ? (int)(deadline - now) : 100;
        if (resolving && timeout > 5) timeout = 5;   /* no socket until the resolver thread has the address */
        if (poll(fds, (nfds_t)n, timeout) > 0 && (fds[0].revents & POLLIN))
            if (read(e->wake[0], drain, sizeof drain) < 0) break;
    }
    return NULL;
}

/* SECONDS: a whole number from 0 to 2,000,000. */
static int parse_seconds(const char *s, long *out) {
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 0 || v > 2000000) return 0;
    *out = v;
    return 1;
}

static void sleep_ms(long ms) {
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

int main(int argc, char **argv) {
    static engine e;
    awr_client_config cfg;
    pthread_t net;
    awr_sub sub;
    awr_result r;
    long frame, frames, seconds = 10;
    if (argc < 4) {
        fprintf(stderr, "usage: awr-threads ENDPOINT PROJECT CHANNEL [SECONDS]\n");
        return 2;
    }
    if (argc > 4 && !parse_seconds(argv[4], &seconds)) {
        fprintf(stderr, "awr-threads: SECONDS must be a whole number from 0 to 2000000: %s\n", argv[4]);
        return 2;
    }
    frames = seconds * 100;   /* 100 frames a second */
    pthread_mutex_init(&e.lock, NULL);
    if (pipe(e.wake) != 0) return 1;
    awr_tcp_init(e.tcp_mem, sizeof e.tcp_mem, NULL, &e.tcp);
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = argv[1];
    cfg.project = argv[2];
    cfg.io = awr_tcp_io(e.tcp);
    if ((r = awr_client_create(&cfg, &e.client)) != AWR_OK) {
        fprintf(stderr, "awr-threads: %s\n", awr_result_str(r));
        return 1;
    }
    if (pthread_create(&net, NULL, network_thread, &e) != 0) return 1;

    /* The game thread (this one): subscribe while the network thread runs. */
    pthread_mutex_lock(&e.lock);
    r = awr_client_subscribe_channel(e.client, argv[3], on_event, &e, &sub);
    pthread_mutex_unlock(&e.lock);
    if (write(e.wake[1], "s", 1) != 1) r = AWR_ERR_IO;   /* go: the subscription connects now */
    if (r != AWR_OK) fprintf(stderr, "awr-threads: subscribe: %s\n", awr_result_str(r));

    for (frame = 0; frame < frames && r == AWR_OK; frame++) {
        char got[QUEUE_LEN][64];
        unsigned n = 0, i;
        pthread_mutex_lock(&e.lock);   /* take what the network thread queued, briefly */
        while (e.count > 0) {
            memcpy(got[n++], e.queue[e.head], 64);
            e.head = (e.head + 1) % QUEUE_LEN;
            e.count--;
        }
        pthread_mutex_unlock(&e.lock);
        for (i = 0; i < n; i++) printf("frame %ld: %s\n", frame, got[i]);
        fflush(stdout);
        sleep_ms(10);                  /* the rest of the frame */
    }

    pthread_mutex_lock(&e.lock);
    e.stop = 1;
    awr_client_disconnect(e.client);
    (void)awr_client_poll(e.client, awr_tcp_now_ms());   /* the close frame */
    pthread_mutex_unlock(&e.lock);
    if (write(e.wake[1], "q", 1) != 1) { /* the network thread still ends within 100 ms */ }
    pthread_join(net, NULL);
    awr_client_destroy(e.client);
    awr_tcp_deinit(e.tcp);
    close(e.wake[0]);
    close(e.wake[1]);
    pthread_mutex_destroy(&e.lock);
    return r == AWR_OK ? 0 : 1;
}
