/* chat.c - a chat room: print each new message of a collection as "author: text".
 *   awr-chat ENDPOINT PROJECT DATABASE COLLECTION [ROOM [SECONDS]]
 * Subscribes to the documents of one collection (messages with `author`, `text` and `room`
 * attributes) and prints every message created there, reading the two fields straight from the
 * event with one call each. With ROOM, a realtime query (Appwrite 1.9.0+) asks the server for the
 * messages of that room only. Runs for SECONDS (default: until interrupted; a whole number up to
 * 2,000,000, anything else is a usage error: exit 2). */
/* awr-link: -pthread */
#define AWR_TCP
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_message(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    char author[64], text[1024];
    (void)c; (void)sub; (void)user;
    if (!awr_event_is(ev, "databases.*.collections.*.documents.*.create")) return;   /* new messages only */
    if (awr_event_get_string(ev, "author", author, sizeof author, NULL) != AWR_OK) strcpy(author, "(someone)");
    if (awr_event_get_string(ev, "text", text, sizeof text, NULL) == AWR_ERR_BUFFER) strcpy(text + sizeof text - 5, "...");
    printf("%s: %s\n", author, text);
    fflush(stdout);
}

/* SECONDS: a whole number from 0 to 2,000,000 (awr_tcp_run counts int32_t milliseconds). */
static int parse_seconds(const char *s, long *out) {
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 0 || v > 2000000) return 0;
    *out = v;
    return 1;
}

static void on_error(awr_client *c, const awr_server_error *e, void *user) {
    (void)c; (void)user;
    fprintf(stderr, "server error %lld: %s\n", (long long)e->code, e->message);
}

int main(int argc, char **argv) {
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_client_config cfg;
    awr_client *c;
    awr_sub sub;
    awr_result r;
    char channel[AWR_CHANNEL_MAX], room[256];
    const char *channels[1], *queries[1];
    long seconds = -1;
    if (argc < 5) {
        fprintf(stderr, "usage: awr-chat ENDPOINT PROJECT DATABASE COLLECTION [ROOM [SECONDS]]\n");
        return 2;
    }
    if (awr_channel_documents(argv[3], argv[4], NULL, NULL, channel, sizeof channel) != AWR_OK) {
        fprintf(stderr, "awr-chat: bad database or collection id\n");
        return 2;
    }
    if (argc > 5) {   /* only this room: {"method":"equal","attribute":"room","values":[ROOM]} */
        awr_query_value v = awr_query_value_string(argv[5]);
        if (awr_query_equal("room", &v, 1, room, sizeof room) != AWR_OK) {
            fprintf(stderr, "awr-chat: bad room name\n");
            return 2;
        }
        queries[0] = room;
    }
    if (argc > 6 && !parse_seconds(argv[6], &seconds)) {
        fprintf(stderr, "awr-chat: SECONDS must be a whole number from 0 to 2000000: %s\n", argv[6]);
        return 2;
    }

    awr_tcp_init(tcp_mem, sizeof tcp_mem, NULL, &tcp);
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = argv[1];
    cfg.project = argv[2];
    cfg.io = awr_tcp_io(tcp);
    cfg.on_error = on_error;
    if ((r = awr_client_create(&cfg, &c)) != AWR_OK) {
        fprintf(stderr, "awr-chat: %s\n", awr_result_str(r));
        return 1;
    }
    channels[0] = channel;
    if (argc > 5) r = awr_client_subscribe(c, channels, 1, queries, 1, on_message, NULL, &sub);
    else r = awr_client_subscribe_channel(c, channel, on_message, NULL, &sub);   /* the whole collection */
    if (r == AWR_OK) r = awr_tcp_run(tcp, c, seconds < 0 ? -1 : (int32_t)(seconds * 1000));
    if (r != AWR_OK) fprintf(stderr, "awr-chat: %s\n", awr_result_str(r));
    awr_client_destroy(c);
    awr_tcp_deinit(tcp);
    return r == AWR_OK ? 0 : 1;
}
