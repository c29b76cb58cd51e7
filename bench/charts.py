#!/usr/bin/env python3
"""make bench-charts: SVG bar charts from saved `make bench` / `make bench-cg` output.

    python3 bench/charts.py RESULTS.txt [RESULTS2.txt ...] OUTDIR

Each RESULTS file holds the lines `BENCH <name> <value> <unit>` the benches print (other lines are
ignored; a name in a later file wins); one SVG per chart below goes to OUTDIR, its note naming the files. Python standard library only. A chart whose figures are all
missing from the results is an error, so a renamed bench line cannot silently drop a chart.
"""
import os
import sys
from xml.sax.saxutils import escape

# (file, title, note, unit, better, groups); groups: (label, [(series, bench name), ...])
OURS, PEER2, PEER3, PEER4, PEER5 = "#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6"
SERIES_COLOURS = {
    "awr_json_parse": OURS, "awr (client mode)": "#60a5fa", "jsmn, parent links": PEER2,
    "jsmn, default": PEER3, "cJSON": PEER4, "appwrite_realtime.h": OURS, "wslay": PEER2,
    "official SDK (Node)": PEER4, "compiled pattern set": OURS, "one pattern at a time": PEER2,
}

JSON_CASES = [("E1, 3,099 B", "e1"), ("small event, 422 B", "small"), ("E2, 1,046,960 B", "e2")]
JSON_PARSERS = [("awr_json_parse", "awr"), ("awr (client mode)", "awr_envelope"),
                ("jsmn, parent links", "jsmn"), ("jsmn, default", "jsmn_default"), ("cJSON", "cjson")]
WS_CASES = [("text receive (E1 frames)", "text_recv"), ("binary receive (64 KiB)", "bin_recv"),
            ("masking 1 MiB", "mask")]

CHARTS = [
    ("e2e_cpu_per_event.svg", "End to end: CPU time per event",
     "E1-shaped events over loopback from the local server; alternating rounds, same run", "µs/event",
     "lower",
     [("receiving one event", [("appwrite_realtime.h", "e2e_client_cpu_us_per_event"),
                               ("official SDK (Node)", "e2e_official_sdk_cpu_us_per_event")])]),
    ("json_throughput.svg", "JSON tokenizing: throughput",
     "thread CPU time, medians of interleaved rounds, same run", "MB/s", "higher",
     [(label, [(p, "json_%s_%s_mbps" % (case, key)) for p, key in JSON_PARSERS])
      for label, case in JSON_CASES]),
    ("json_callgrind.svg", "JSON tokenizing: instructions per byte (callgrind)",
     "exact counts, repeat from run to run; jsmn default on E2 is not run (minutes)", "instr/byte",
     "lower",
     [(label, [(p, "cg_json_%s_%s" % (case, key)) for p, key in JSON_PARSERS])
      for label, case in JSON_CASES]),
    ("ws_callgrind.svg", "WebSocket receive and masking: instructions per byte (callgrind)",
     "exact counts; wslay from Debian's libwslay-dev on the same data", "instr/byte", "lower",
     [(label, [("appwrite_realtime.h", "cg_%s_awr" % key), ("wslay", "cg_%s_wslay" % key)])
      for label, key in WS_CASES + [("16-byte frames", "small")]]),
    ("ws_throughput.svg", "WebSocket receive and masking: throughput",
     "medians of interleaved rounds, same run", "GB/s", "higher",
     [(label, [("appwrite_realtime.h", "%s_awr" % key), ("wslay", "%s_wslay" % key)])
      for label, key in WS_CASES]),
    ("match_per_event.svg", "Event dispatch: 42 event names against 20 handler patterns",
     "time per event, medians, same run", "ns/event", "lower",
     [("E1's 42 names x 20 patterns", [("compiled pattern set", "match_set_e1_42x20"),
                                       ("one pattern at a time", "match_oneshot_e1_42x20")])]),
]


def read_results(path):
    values = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[0] == "BENCH":
                try:
                    values[parts[1]] = float(parts[2])
                except ValueError:
                    pass
    return values


def fmt(v):
    if v >= 100:
        return "{:,.0f}".format(v)
    if v >= 10:
        return "{:.1f}".format(v)
    return "{:.3g}".format(v)


def chart(title, note, unit, better, groups, values, source):
    """Horizontal grouped bars, one group per case, one bar per series; missing figures are left out."""
    rows = []
    for label, series in groups:
        bars = [(s, values[name]) for s, name in series if name in values]
        if bars:
            rows.append((label, bars))
    if not rows:
        raise ValueError("no figure of this chart is in the results")
    top = max(v for _, bars in rows for _, v in bars)
    left, bar_w, bar_h, gap, right = 170, 420, 16, 14, 110
    width = left + bar_w + right
    y = 76
    out = []
    for label, bars in rows:
        out.append('<text x="%d" y="%d" class="group">%s</text>' % (10, y + 11, escape(label)))
        y += 16
        for series, v in bars:
            w = max(1.0, bar_w * v / top) if top > 0 else 1.0
            colour = SERIES_COLOURS.get(series, "#6b7280")
            out.append('<text x="%d" y="%d" class="series" text-anchor="end">%s</text>'
                       % (left - 6, y + 12, escape(series)))
            out.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %s %s</title></rect>'
                       % (left, y, w, bar_h, colour, escape(series), fmt(v), escape(unit)))
            out.append('<text x="%.1f" y="%d" class="value">%s %s</text>' % (left + w + 4, y + 12, fmt(v), escape(unit)))
            y += bar_h + 3
        y += gap
    height = y + 8
    head = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">'
            % (width, height, width, height),
            '<style>text{font-family:sans-serif;font-size:11px;fill:#111}.title{font-size:14px;font-weight:bold}'
            '.note{fill:#555}.group{font-weight:bold}.value{fill:#333}</style>',
            '<rect width="100%" height="100%" fill="#fff"/>',
            '<text x="10" y="20" class="title">%s</text>' % escape(title),
            '<text x="10" y="38" class="note">%s; %s is better</text>' % (escape(note), better),
            '<text x="10" y="54" class="note">%s</text>' % escape(source),
            '<line x1="%d" y1="64" x2="%d" y2="%d" stroke="#999"/>' % (left, left, height - 8)]
    return "\n".join(head + out + ["</svg>", ""])


def main(argv):
    if len(argv) < 3:
        sys.stderr.write("usage: charts.py RESULTS.txt [RESULTS2.txt ...] OUTDIR\n")
        return 2
    files, outdir = argv[1:-1], argv[-1]
    values = {}
    for path in files:
        found = read_results(path)
        if not found:
            sys.stderr.write("charts.py: no BENCH lines in %s\n" % path)
            return 1
        values.update(found)
    source = "figures: " + ", ".join(os.path.basename(f) for f in files)
    os.makedirs(outdir, exist_ok=True)
    status = 0
    for name, title, note, unit, better, groups in CHARTS:
        try:
            svg = chart(title, note, unit, better, groups, values, source)
        except ValueError as e:
            sys.stderr.write("charts.py: %s: %s\n" % (name, e))
            status = 1
            continue
        with open(os.path.join(outdir, name), "w", encoding="utf-8") as f:
            f.write(svg)
        print("wrote %s" % os.path.join(outdir, name))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
