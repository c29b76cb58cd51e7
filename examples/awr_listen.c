/* awr-listen: print Appwrite Realtime events, one line of compact JSON each.
 *
 *   awr-listen --endpoint URL --project ID [--session TOKEN] [--jwt JWT] [--mode auto|url|message]
 *              [--event PATTERN]... [--count N] [--timeout SECONDS] [--dead-link SECONDS] CHANNEL...
 *   awr-listen --version | --help
 * Every option with a value takes it as the next argument or after `=` (--count=5).
 *
 * stdout: one line per delivered event, the event's `data` object as compact JSON (key order and
 * number text kept as the server sent them, so integers above 2^53 stay exact); nothing else.
 * stderr: state changes, server errors, diagnostics.
 * --event PATTERN (repeatable): print an event only if one of its `events` names matches one of the
 * patterns (`*` = exactly one dot-separated segment).
 * --dead-link SECONDS: reconnect when nothing arrives for this long (0 = off; default: the library's).
 * Exit status: 0 after N events (--count), when the timeout ends after a connection was made, or on
 * SIGINT/SIGTERM; 2 on a usage error; 3 after the server sent an `error` with code 1008 (policy
 * violation: retrying cannot help); 1 on any other failure: the client stopped for good (one stderr
 * line "stopped for good: WHY"), or the timeout ended without a connection ever made.
 * URL is the REST endpoint (http[s]://host[:port]/v1) or the realtime one (ws[s]://host/v1/realtime).
 * wss:// goes through BearSSL with the system's CA bundle, or the PEM bundle of --cafile PATH;
 * --insecure turns certificate verification off (a warning says so: for local testing only). */
/* awr-link: -lbearssl -pthread */
#define AWR_TCP
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#ifndef AWR_BEARSSL   /* [tls] make defines AWR_BEARSSL when BearSSL is installed; without it main() */
typedef struct awr_bearssl awr_bearssl;                   /* refuses https:// and wss:// endpoints */
typedef struct awr_bearssl_config { int none; } awr_bearssl_config;
static void awr_bearssl_destroy(awr_bearssl *tls) { (void)tls; }
#endif

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_DONE 0
#define EXIT_FAILURE_ 1
#define EXIT_USAGE 2
#define EXIT_POLICY 3

#define MAX_PATTERNS 64
#define MAX_CHANNELS 64

typedef struct listener {
    awr_match_set patterns;          /* the --event patterns */
    unsigned char pattern_mem[8192];
    uint32_t npatterns;
    const char *pattern_text[MAX_PATTERNS];
    long count;                      /* --count; 0 = no limit */
    long printed;
    int policy;                      /* an error frame with code 1008 arrived */
    int failed;                      /* a failure that is not a policy stop */
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    char *out;                       /* compact-JSON line buffer */
    size_t out_cap;
    int ever_connected;
    awr_result last_failure;         /* why the latest attempt failed (for the timeout's message) */
    char who[320];                   /* "guest", or the user's name and $id, of the latest `connected` */
    int who_pending;                 /* the `connected as` line waits for the server generation */
    int64_t who_due_ms;              /* ... until then at the latest */
    awr_generation gen_said;         /* the generation the last line named */
} listener;

static volatile sig_atomic_t interrupted;
static void on_signal(int sig) {
    (void)sig;
    interrupted = 1;
}

static void usage(FILE *f) {
    fputs("usage: awr-listen --endpoint URL --project ID [--session TOKEN] [--jwt JWT]\n"
          "                  [--mode auto|url|message] [--event PATTERN]... [--count N]\n"
          "                  [--timeout SECONDS] [--dead-link SECONDS] [--cafile PATH] [--insecure]\n"
          "                  CHANNEL...\n"
          "       awr-listen --version | --help\n"
          "Prints the data object of every event on the channels as one line of compact JSON.\n"
          "Options with a value take it as the next argument or after '=' (--count=5).\n",
          f);
}

static int usage_error(const char *what, const char *arg) {
    fprintf(stderr, "awr-listen: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
    usage(stderr);
    return EXIT_USAGE;
}

/* ---- output ------------------------------------------------------------------------------------- */

/* Does one of the event's names match one of the --event patterns? The compiled set looks at every
 * name once, whatever the number of patterns. */
static int event_selected(listener *l, const awr_event *ev) {
    uint32_t hits[AWR_MATCH_HIT_WORDS(MAX_PATTERNS)], on = 0;
    awr_json_token tok[256];
    uint32_t i;
    if (l->npatterns == 0) return 1;
    memset(hits, 0, sizeof hits);
    if (awr_match_set_test_json(&l->patterns, ev->events.ptr, ev->events.len, tok, 256, hits,
                                AWR_MATCH_HIT_WORDS(MAX_PATTERNS), &on) == AWR_OK)
        return on > 0;
    /* more names than tokens (or no `events`): one pattern at a time */
    for (i = 0; i < l->npatterns; i++)
        if (awr_event_is(ev, l->pattern_text[i])) return 1;
    return 0;
}

/* One line: the data object as compact JSON (whitespace outside strings removed; key order, number
 * text and string escapes exactly as the server sent them). */
static int print_compact(listener *l, awr_text data) {
    size_t n = 0;
    if (l->out_cap < data.len + 2) {
        char *grown = (char *)realloc(l->out, data.len + 2);
        if (!grown) return 0;
        l->out = grown;
        l->out_cap = data.len + 2;
    }
    if (awr_json_compact(data.ptr, data.len, l->out, l->out_cap, &n) != AWR_OK) return 0;
    l->out[n++] = '\n';
    if (fwrite(l->out, 1, n, stdout) != n) return 0;
    return fflush(stdout) == 0;
}

static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    listener *l = (listener *)user;
    (void)sub;
    if (l->count > 0 && l->printed >= l->count) return;
    if (!event_selected(l, ev)) return;
    if (!print_compact(l, ev->data)) {
        fprintf(stderr, "awr-listen: cannot write the event to stdout\n");
        l->failed = 1;
        awr_tcp_stop(l->tcp);
        return;
    }
    l->printed++;
    if (l->count > 0 && l->printed >= l->count) awr_tcp_stop(l->tcp);
    (void)c;
}

/* ---- state and errors ----------------------------------------------------------------------------- */

static const char *generation_name(awr_generation g) {
    switch (g) {
    case AWR_GEN_LEGACY: return "up to 1.8 (URL mode)";
    case AWR_GEN_URL_IDS: return "1.9.0 (URL mode with subscription ids)";
    case AWR_GEN_MESSAGE: return "1.9.5+ (message mode)";
    default: return "not known yet";
    }
}

/* What is known about a failure beyond its result: "404 Not Found", the resolver's words, errno. */
static void print_failure(const awr_state_info *info) {
    fputs(awr_result_str(info->reason), stderr);
    if (info->http_status) fprintf(stderr, ": HTTP %d", info->http_status);
    if (info->detail.len) fprintf(stderr, "%s%.*s", info->http_status ? " " : ": ", (int)info->detail.len, info->detail.ptr);
    if (info->needed) fprintf(stderr, " needs %lu bytes", (unsigned long)info->needed);
    if (info->sys_error) fprintf(stderr, " (errno %d)", info->sys_error);
}

/* Copy JSON string token t of json into out (cap bytes) as one printable line: control characters
 * (a name may hold any) become '?'. */
static void copy_printable(const char *json, const awr_json_token *t, char *out, size_t cap) {
    size_t n = 0, i;
    (void)awr_json_unescape(json, t, out, cap, &n);   /* AWR_ERR_BUFFER: the start that fits */
    for (i = 0; i < n; i++)
        if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f) out[i] = '?';
    out[n] = 0;
}

/* "Ada Lovelace ($id u1)" from the Account object of `connected`, read with the JSON API. */
static void describe_user(awr_text user, char *out, size_t cap) {
    awr_json_token tok[128];
    awr_json_options opt;
    char id[64], name[200];
    int t;
    memset(&opt, 0, sizeof opt);
    opt.emit_depth = 1;                  /* prefs, labels, targets: one token each */
    id[0] = name[0] = 0;
    if (awr_json_parse(&opt, user.ptr, user.len, tok, 128, NULL, NULL) != AWR_OK ||
        AWR_JSON_TYPE(&tok[0]) != AWR_JSON_OBJECT) {
        snprintf(out, cap, "a user (the account is not readable)");
        return;
    }
    if ((t = awr_json_find(user.ptr, tok, 0, "$id")) >= 0) copy_printable(user.ptr, &tok[t], id, sizeof id);
    if ((t = awr_json_find(user.ptr, tok, 0, "name")) >= 0) copy_printable(user.ptr, &tok[t], name, sizeof name);
    if (name[0]) snprintf(out, cap, "%s ($id %s)", name, id[0] ? id : "?");
    else snprintf(out, cap, "$id %s", id[0] ? id : "?");
}

/* The `connected as` line names the server generation; in auto mode the first connection learns it
 * a moment later (from the probe's answer), so the line waits for that, 3 s at most. A generation
 * learnt after the line was printed gets a line of its own. */
static void announce(listener *l, awr_client *c) {
    awr_generation g = awr_client_generation(c);
    if (l->who_pending) {
        if (g == AWR_GEN_UNKNOWN && awr_tcp_now_ms() < l->who_due_ms) return;
        fprintf(stderr, "awr-listen: connected as %s, server %s\n", l->who, generation_name(g));
        l->who_pending = 0;
        l->gen_said = g;
    } else if (l->ever_connected && g != l->gen_said) {
        fprintf(stderr, "awr-listen: server %s\n", generation_name(g));
        l->gen_said = g;
    }
}

static void on_state(awr_client *c, const awr_state_info *info, void *user) {
    listener *l = (listener *)user;
    switch (info->state) {
    case AWR_STATE_IDLE: fprintf(stderr, "awr-listen: idle\n"); break;
    case AWR_STATE_CONNECTING: fprintf(stderr, "awr-listen: connecting\n"); break;
    case AWR_STATE_OPEN: fprintf(stderr, "awr-listen: websocket open\n"); break;
    case AWR_STATE_CONNECTED:
        if (info->user.ptr) describe_user(info->user, l->who, sizeof l->who);
        else snprintf(l->who, sizeof l->who, "guest");
        l->ever_connected = 1;
        l->who_pending = 1;
        l->who_due_ms = awr_tcp_now_ms() + 3000;
        announce(l, c);
        break;
    case AWR_STATE_RECONNECTING:
        l->last_failure = info->reason;
        fprintf(stderr, "awr-listen: reconnecting in %u ms (attempt %u: ", (unsigned)info->delay_ms, (unsigned)info->attempt);
        print_failure(info);
        fputs(")\n", stderr);
        break;
    case AWR_STATE_CLOSED:
        if (info->reason == AWR_OK) {
            fprintf(stderr, "awr-listen: closed\n");
            break;
        }
        /* the client will not try again: say why, once, and end */
        fputs("awr-listen: stopped for good: ", stderr);
        print_failure(info);
        fputs("\n", stderr);
        if (info->reason == AWR_ERR_POLICY) l->policy = 1;
        else l->failed = 1;
        break;
    }
}

static void on_error(awr_client *c, const awr_server_error *err, void *user) {
    listener *l = (listener *)user;
    (void)c;
    fprintf(stderr, "awr-listen: server error %lld: %.*s\n", (long long)err->code, (int)err->message_len,
            err->message ? err->message : "");
    if (err->code == 1008) l->policy = 1;
}

/* ---- arguments ------------------------------------------------------------------------------------ */

static int parse_long(const char *s, long *out) {
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 0) return 0;
    *out = v;
    return 1;
}

static int parse_seconds(const char *s, double *out) {
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= 0) || v > 1e7) return 0;
    *out = v;
    return 1;
}

/* The options that take a value. */
static const char *const valued_options[] = {"--endpoint", "--project", "--session", "--jwt", "--cafile", "--mode",
                                             "--event", "--count", "--timeout", "--dead-link", NULL};

/* Split "--name=value" into name (copied into buf) and value; "--name" alone gives value NULL. */
static const char *option_name(const char *a, char *buf, size_t cap, const char **value) {
    const char *eq = strchr(a, '=');
    *value = NULL;
    if (!eq || (size_t)(eq - a) >= cap) return a;
    memcpy(buf, a, (size_t)(eq - a));
    buf[eq - a] = 0;
    *value = eq + 1;
    return buf;
}

static int is_valued_option(const char *name) {
    size_t i;
    for (i = 0; valued_options[i]; i++)
        if (strcmp(name, valued_options[i]) == 0) return 1;
    return 0;
}

/* Schemes are case-insensitive (RFC 3986), as the library takes them. */
static int has_scheme(const char *s, const char *scheme) {
    size_t i;
    for (i = 0; scheme[i]; i++)
        if (tolower((unsigned char)s[i]) != scheme[i]) return 0;
    return 1;
}

static int is_ws_url(const char *s) {
    return has_scheme(s, "ws://") || has_scheme(s, "wss://");
}

int main(int argc, char **argv) {
    static listener l;
    const char *endpoint = NULL, *project = NULL, *session = NULL, *jwt = NULL;
    const char *channels[MAX_CHANNELS];
    size_t nchannels = 0;
    awr_mode mode = AWR_MODE_AUTO;
    double timeout_s = -1;
    double dead_link_s = -1;   /* --dead-link; < 0: the library's default */
    awr_client_config cfg;
    awr_client *c = NULL;
    awr_bearssl *tls = NULL;
    awr_bearssl_config tcfg;
    const char *cafile = NULL;   /* --cafile */
    int insecure = 0;            /* --insecure */
    awr_io tcp_io;
    awr_sub sub;
    awr_result r;
    int i, status;
    int64_t end_ms;

    awr_match_set_init(&l.patterns, l.pattern_mem, sizeof l.pattern_mem);
    for (i = 1; i < argc; i++) {
        char namebuf[32];
        const char *v, *a = option_name(argv[i], namebuf, sizeof namebuf, &v);
        if (strcmp(a, "--") == 0 && !v) {
            for (i++; i < argc; i++) {
                if (nchannels == MAX_CHANNELS) return usage_error("too many channels", NULL);
                channels[nchannels++] = argv[i];
            }
            break;
        }
        if (a[0] != '-' || a[1] == 0) {   /* a channel ("-" alone too) */
            if (nchannels == MAX_CHANNELS) return usage_error("too many channels", NULL);
            channels[nchannels++] = argv[i];
            continue;
        }
        if (!is_valued_option(a)) {
            if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
                if (v) return usage_error("this option takes no value", argv[i]);
                usage(stdout);
                return EXIT_DONE;
            }
            if (strcmp(a, "--version") == 0) {
                if (v) return usage_error("this option takes no value", argv[i]);
                printf("awr-listen %s\n", AWR_VERSION_STRING);
                return EXIT_DONE;
            }
            if (strcmp(a, "--insecure") == 0) {
                if (v) return usage_error("this option takes no value", argv[i]);
                insecure = 1;
                continue;
            }
            return usage_error("unknown option", argv[i]);
        }
        if (!v) {
            if (i + 1 == argc) return usage_error("missing value for", a);
            v = argv[++i];
        }
        if (strcmp(a, "--endpoint") == 0) endpoint = v;
        else if (strcmp(a, "--project") == 0) project = v;
        else if (strcmp(a, "--session") == 0) session = v;
        else if (strcmp(a, "--jwt") == 0) jwt = v;
        else if (strcmp(a, "--cafile") == 0) cafile = v;
        else if (strcmp(a, "--mode") == 0) {
            if (strcmp(v, "auto") == 0) mode = AWR_MODE_AUTO;
            else if (strcmp(v, "url") == 0) mode = AWR_MODE_URL;
            else if (strcmp(v, "message") == 0) mode = AWR_MODE_MESSAGE;
            else return usage_error("--mode must be auto, url or message", v);
        } else if (strcmp(a, "--event") == 0) {
            if (l.npatterns == MAX_PATTERNS) return usage_error("too many --event patterns", NULL);
            if (awr_match_set_add(&l.patterns, v, NULL) != AWR_OK) return usage_error("--event pattern too long", v);
            l.pattern_text[l.npatterns++] = v;
        } else if (strcmp(a, "--count") == 0) {
            if (!parse_long(v, &l.count) || l.count == 0) return usage_error("--count needs a positive integer", v);
        } else if (strcmp(a, "--timeout") == 0) {
            if (!parse_seconds(v, &timeout_s)) return usage_error("--timeout needs a number of seconds", v);
        } else if (strcmp(a, "--dead-link") == 0) {
            if (!parse_seconds(v, &dead_link_s) || dead_link_s > 2000000.0)
                return usage_error("--dead-link needs a number of seconds (0 = off)", v);
        }
    }
    if (!endpoint) return usage_error("--endpoint is required", NULL);
    if (!project || !*project) return usage_error("--project is required", NULL);
    if (nchannels == 0) return usage_error("at least one CHANNEL is required", NULL);

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);

    awr_tcp_init(l.tcp_mem, sizeof l.tcp_mem, NULL, &l.tcp);
    tcp_io = awr_tcp_io(l.tcp);
    memset(&cfg, 0, sizeof cfg);
    if (is_ws_url(endpoint)) cfg.realtime_endpoint = endpoint;
    else cfg.endpoint = endpoint;
    cfg.project = project;
    cfg.session = session;
    cfg.jwt = jwt;
    cfg.mode = mode;
    cfg.max_message = (size_t)16 << 20;   /* whole documents arrive in one message: allow large ones */
    /* --dead-link 0 is off, as a 0 timeout is off for most command-line tools (and nobody types an
       option to get what leaving it out gives); in the configuration off is -1, 0 the default, so
       that a zeroed configuration gets every default. */
    if (dead_link_s == 0) cfg.dead_link_ms = -1;
    else if (dead_link_s > 0) cfg.dead_link_ms = dead_link_s * 1000.0 < 1.0 ? 1 : (int32_t)(dead_link_s * 1000.0);
    cfg.io = tcp_io;
    cfg.on_state = on_state;
    cfg.on_error = on_error;
    cfg.user = &l;
    if (has_scheme(endpoint, "https://") || has_scheme(endpoint, "wss://")) {
#ifndef AWR_BEARSSL
        (void)tcfg; (void)cafile; (void)insecure;
        fprintf(stderr, "awr-listen: %s needs TLS, and this awr-listen was built without it "
                        "(install BearSSL, e.g. libbearssl-dev, and run make again)\n", endpoint);
        return EXIT_FAILURE_;
#else
        memset(&tcfg, 0, sizeof tcfg);
        tcfg.ca_file = cafile;                 /* NULL: the system bundle */
        tcfg.insecure_no_verify = insecure;
        if (insecure)
            fprintf(stderr, "awr-listen: WARNING: --insecure: the server's certificate is NOT verified; "
                            "anyone on the network path can read and change this connection\n");
        r = awr_bearssl_create(&tcfg, &tcp_io, &tls);
        if (r != AWR_OK) {
            fprintf(stderr, "awr-listen: TLS set-up failed: %s\n", awr_result_str(r));
            return EXIT_FAILURE_;
        }
        cfg.io = awr_bearssl_io(tls);
#endif
    }
    r = awr_client_create(&cfg, &c);
    if (r != AWR_OK) {
        fprintf(stderr, "awr-listen: %s\n", awr_result_str(r));
        if (tls) awr_bearssl_destroy(tls);
        return r == AWR_ERR_URL || r == AWR_ERR_ARG ? EXIT_USAGE : EXIT_FAILURE_;
    }
    r = awr_client_subscribe(c, channels, nchannels, NULL, 0, on_event, &l, &sub);
    if (r != AWR_OK) {
        fprintf(stderr, "awr-listen: subscribe: %s\n", awr_result_str(r));
        awr_client_destroy(c);
        if (tls) awr_bearssl_destroy(tls);
        return EXIT_FAILURE_;
    }

    /* Run in short slices so a signal is noticed promptly. */
    end_ms = timeout_s < 0 ? -1 : awr_tcp_now_ms() + (int64_t)(timeout_s * 1000.0);
    status = EXIT_DONE;
    for (;;) {
        int64_t now = awr_tcp_now_ms();
        int32_t slice = 200;
        if (interrupted) break;
        if (end_ms >= 0) {
            if (now >= end_ms) break;
            if (end_ms - now < slice) slice = (int32_t)(end_ms - now);
        }
        r = awr_tcp_run(l.tcp, c, slice);
        announce(&l, c);
        if (l.failed && !l.policy) { status = EXIT_FAILURE_; break; }
        if (r == AWR_ERR_CLOSED || l.policy) {
            status = l.policy ? EXIT_POLICY : EXIT_FAILURE_;
            break;
        }
        if (r != AWR_OK) {
            fprintf(stderr, "awr-listen: %s\n", awr_result_str(r));
            status = EXIT_FAILURE_;
            break;
        }
        if (l.count > 0 && l.printed >= l.count) break;
    }
    if (awr_client_state(c) != AWR_STATE_CLOSED) {
        awr_client_disconnect(c);
        (void)awr_tcp_run(l.tcp, c, 100);   /* let the close frame go out */
    }
    awr_client_destroy(c);
    if (tls) awr_bearssl_destroy(tls);
    awr_tcp_deinit(l.tcp);
    free(l.out);
    if (status == EXIT_DONE && !interrupted && !l.ever_connected) {
        fprintf(stderr, "awr-listen: no connection within --timeout %g s (last failure: %s)\n", timeout_s,
                l.last_failure != AWR_OK ? awr_result_str(l.last_failure) : "still connecting");
        status = EXIT_FAILURE_;
    }
    if (fflush(stdout) != 0 && status == EXIT_DONE) status = EXIT_FAILURE_;
    return status;
}
