#!/usr/bin/env python3
"""The benchmark's bookkeeping: reads wrk's output and writes bench/RESULTS.md. Standard library.

    report.py wrk LOG                     req/s, p50 ms, p99 ms, timeouts, non-2xx, requests and
                                          the status counts of one wrk run, tab-separated
    report.py peers ROWS                  compare.sh's markdown rows as result lines (backend peers)
    report.py render WORK OUT             RESULTS.md from WORK/results.tsv, WORK/header.md,
                                          WORK/writer-*.json and WORK/notes-<backend>.md

results.tsv has one line per measurement: backend, key, label, req/s, p50 ms, p99 ms,
timeouts, non-2xx, requests, statuses, max RSS MB, statements per request. The target lines
compare keys of this file (see TARGETS).
"""

import json
import os
import re
import sys

COLUMNS = ["backend", "key", "label", "rps", "p50", "p99", "timeouts", "non2xx", "requests",
           "statuses", "rss", "stmts"]


def ms(text):
    """A wrk duration (850.00us, 11.25ms, 1.02s, 2.00m) in milliseconds."""
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        return None
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[m.group(2)]


def parse_wrk(text):
    def find(pattern, default=None):
        m = re.search(pattern, text, re.M)
        return m.group(1) if m else default
    rps = find(r"^Requests/sec:\s+([\d.]+)")
    p50, p99 = find(r"^\s+50%\s+(\S+)"), find(r"^\s+99%\s+(\S+)")
    # wrk leaves latencies at 0 when no request finished within its timeout.
    p50 = (ms(p50) or None) if p50 else None
    p99 = (ms(p99) or None) if p99 else None
    return {
        "rps": float(rps) if rps else None,
        "p50": p50,
        "p99": p99,
        "timeouts": int(find(r"Socket errors:.*timeout (\d+)", "0")),
        "non2xx": int(find(r"Non-2xx or 3xx responses: (\d+)", "0")),
        "requests": int(find(r"^\s+(\d+) requests in", "0")),
        "statuses": find(r"^STATUS .*\[(.*)\]", "") + socket_errors(text),
    }


def socket_errors(text):
    """wrk's connect, read and write errors (timeouts have their own column)."""
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+)", text)
    if not m or m.groups() == ("0", "0", "0"):
        return ""
    return " (socket errors: connect {}, read {}, write {})".format(*m.groups())


def fmt(value, unit="", digits=0):
    if value is None or value == "":
        return "–"
    return f"{float(value):,.{digits}f}{unit}"


def fmt_ms(value):
    if value is None or value == "":
        return "–"
    v = float(value)
    return f"{v / 1000:.2f} s" if v >= 1000 else f"{v:.1f} ms" if v >= 10 else f"{v:.2f} ms"


def load(path):
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < len(COLUMNS):
                parts += [""] * (len(COLUMNS) - len(parts))
            row = dict(zip(COLUMNS, parts))
            for k in ("rps", "p50", "p99", "rss", "stmts"):
                row[k] = float(row[k]) if row[k] not in ("", "None") else None
            for k in ("timeouts", "non2xx", "requests"):
                row[k] = int(row[k]) if row[k] not in ("", "None") else None
            rows.append(row)
    return rows


def peers(path):
    """compare.sh prints `| peer: scenario | req/s | p50 | p99 | non-2xx |`."""
    names = [("hand-written", "list", "baseline_list"), ("hand-written", "one by id", "baseline_one"),
             ("PostGraphile", "list", "pgl_list"), ("PostGraphile", "one by id", "pgl_one")]
    with open(path) as f:
        for line in f:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) != 5 or not re.match(r"[\d.]+$", cells[1]):
                continue
            key = next((k for a, b, k in names if a in cells[0] and b in cells[0]), None)
            if key is None:
                continue
            print("\t".join(["peers", key, cells[0], cells[1], str(ms(cells[2])), str(ms(cells[3])),
                             "", cells[4], "", "", "", ""]))


# (label, ours, peer or None, kind, target): kind "ratio" is ours/peer req/s >= target; the
# others are described where they are checked.
TARGETS = [
    ("list of 50 by country", "list_country", "baseline_list", "ratio", 0.8, "hand-written list"),
    ("get-one", "get_one", "baseline_one", "ratio", 0.5, "hand-written get-one"),
    ("GraphQL list of 50", "gql_list", "pgl_list", "ratio", 2.0, "PostGraphile list"),
    ("GraphQL list of 50 with partners' organisations", "gql_list_partners", "pgl_list", "ratio",
     1.0, "PostGraphile list"),
]


def by_key(rows):
    return {(r["backend"], r["key"]): r for r in rows}


def verdict(ok):
    return "**met**" if ok else "**not met**"


def target_lines(rows, backend, writers):
    idx = by_key(rows)
    out = []
    for label, ours, peer, _, target, peer_name in TARGETS:
        a, b = idx.get((backend, ours)), idx.get(("peers", peer))
        if not a or a["rps"] is None:
            out.append(f"- {label}: not measured")
        elif not b or not b["rps"]:
            out.append(f"- {label}: {fmt(a['rps'])} req/s; no {peer_name} figure in this run "
                       f"(target ≥ {target:g}×)")
        else:
            r = a["rps"] / b["rps"]
            out.append(f"- {label}: {r:.2f}× {peer_name} ({fmt(a['rps'])} vs {fmt(b['rps'])} req/s; "
                       f"target ≥ {target:g}×): {verdict(r >= target)}")
    m = idx.get((backend, "mixed_writes"))
    w = writers.get(f"{backend}-mixed_writes")
    if m and m["rps"] is not None:
        problems = []
        if m["rps"] < 2000:
            problems.append(f"{2000 / m['rps']:.1f}× short of 2,000 req/s" if m["rps"] else "no answers")
        if m["p99"] is None or m["p99"] > 100:
            problems.append(f"p99 {fmt_ms(m['p99'])} > 100 ms")
        if m["timeouts"]:
            problems.append(f"{m['timeouts']} read timeouts")
        if m["non2xx"]:
            problems.append(f"{m['non2xx']} non-2xx reads")
        if not w:
            problems.append("no writer report")
        else:
            if w["non_2xx"] or w["timeouts"] or w["connection_errors"]:
                problems.append(f"writes not all 2xx ({w['non_2xx']} non-2xx, {w['timeouts']} "
                                f"timeouts, {w['connection_errors']} connection errors)")
            if w["rate_per_s"] < 9.5:
                problems.append(f"writer reached only {w['rate_per_s']} writes/s")
        writes = (f"; writes {w['ok_2xx']}/{w['writes']} 2xx at {w['rate_per_s']}/s"
                  if w else "")
        out.append(f"- mixed traffic with 10 writes/s: {fmt(m['rps'])} req/s, p99 {fmt_ms(m['p99'])}, "
                   f"{m['timeouts']} timeouts{writes} (target ≥ 2,000 req/s, p99 ≤ 100 ms, no "
                   f"timeouts, every write 2xx): "
                   + (verdict(True) if not problems else verdict(False) + ": " + "; ".join(problems)))
    else:
        out.append("- mixed traffic with 10 writes/s: not measured")
    s, sw = idx.get((backend, "search_words")), idx.get((backend, "search_words_writes"))
    if s and s["rps"] is not None:
        problems = []
        if s["rps"] < 1500:
            problems.append(f"{1500 / s['rps']:.1f}× short of 1,500 req/s" if s["rps"] else "no answers")
        if s["p99"] is None or s["p99"] > 50:
            problems.append(f"p99 {fmt_ms(s['p99'])} > 50 ms")
        if s["timeouts"]:
            problems.append(f"{s['timeouts']} timeouts")
        if s["non2xx"]:
            problems.append(f"{s['non2xx']} non-2xx")
        beside = (f"; with the writer beside: {fmt(sw['rps'])} req/s, p99 {fmt_ms(sw['p99'])}"
                  if sw and sw["rps"] is not None else "")
        out.append(f"- search of issue 14 (1-3 random words in six languages, random filters, 20 a page): "
                   f"{fmt(s['rps'])} req/s, p99 {fmt_ms(s['p99'])}{beside} (target ≥ 1,500 req/s, "
                   f"p99 ≤ 50 ms): " + (verdict(True) if not problems else verdict(False) + ": " + "; ".join(problems)))
    else:
        out.append("- search of issue 14: not measured")
    p1, deep = idx.get((backend, "page_1")), idx.get((backend, "page_deep"))
    if p1 and deep and p1["rps"] and deep["rps"]:
        r = p1["rps"] / deep["rps"]
        by_cursor = "by cursor" in deep["label"]
        how = "by cursor" if by_cursor else "by OFFSET: this build's list has no cursors"
        out.append(f"- deep page (page 1,000 {how}): {r:.2f}× page 1's time per request "
                   f"({fmt(deep['rps'])} vs {fmt(p1['rps'])} req/s; p50 {fmt_ms(deep['p50'])} vs "
                   f"{fmt_ms(p1['p50'])}; target within 1.2× by cursor): "
                   + (verdict(r <= 1.2) if by_cursor else "**not met** (no cursor to page by)"))
    else:
        out.append("- deep page: not measured")
    for ours, large, label in (("list_country", "large_list_country", "list"),
                               ("get_one", "large_get_one", "get-one")):
        a, b = idx.get((backend, ours)), idx.get((backend, large))
        if b and a and a["rps"] and b["rps"]:
            r = a["rps"] / b["rps"]
            out.append(f"- {label} at {b['label'].split(' initiatives')[0].split(', ')[-1]} "
                       f"initiatives: the 100,000 figure is {r:.2f}× it ({fmt(a['rps'])} vs "
                       f"{fmt(b['rps'])} req/s; target within 1.5×): {verdict(r <= 1.5)}")
    rss = [r["rss"] for r in rows if r["backend"] == backend and r["rss"] is not None]
    hwm = writers.get(f"{backend}-hwm")
    peak = max(rss + ([hwm] if hwm else [])) if rss or hwm else None
    if peak is not None:
        out.append(f"- server RSS under all of it: at most {peak:.0f} MB (target ≤ 150 MB): "
                   f"{verdict(peak <= 150)}")
    return out


def table(rows, backend):
    lines = ["| scenario | req/s | p50 | p99 | timeouts | non-2xx | statuses | max RSS | statements/request |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if r["backend"] != backend:
            continue
        lines.append("| " + " | ".join([
            r["label"], fmt(r["rps"], digits=0), fmt_ms(r["p50"]), fmt_ms(r["p99"]),
            "–" if r["timeouts"] is None else str(r["timeouts"]),
            "–" if r["non2xx"] is None else str(r["non2xx"]),
            r["statuses"] or "–", fmt(r["rss"], " MB"),
            fmt(r["stmts"], digits=1) if r["stmts"] is not None else "–"]) + " |")
    return lines


def render(work, out):
    rows = load(os.path.join(work, "results.tsv"))
    writers = {}
    for name in sorted(os.listdir(work)):
        if name.startswith("writer-") and name.endswith(".json"):
            with open(os.path.join(work, name)) as f:
                try:
                    writers[name[len("writer-"):-len(".json")]] = json.load(f)
                except json.JSONDecodeError:
                    pass
        if name.startswith("hwm-"):
            with open(os.path.join(work, name)) as f:
                values = [float(v) for v in f.read().split()]
            if values:
                writers[name[len("hwm-"):] + "-hwm"] = max(values)
    text = []
    with open(os.path.join(work, "header.md")) as f:
        text.append(f.read().rstrip())
    backends = []
    for r in rows:
        if r["backend"] != "peers" and r["backend"] not in backends:
            backends.append(r["backend"])
    for b in backends:
        text += ["", f"## Targets of issue 12 on {b} (cache off)", ""] + target_lines(rows, b, writers)
    text += ["", "## Peers (`../shared/peers/compare.sh`, PostgreSQL, 100,000 rows)", ""]
    if any(r["backend"] == "peers" for r in rows):
        text += table(rows, "peers")
    peer_notes = os.path.join(work, "notes-peers.md")
    if os.path.exists(peer_notes):
        with open(peer_notes) as f:
            text += ["", f.read().rstrip()]
    for b in backends:
        text += ["", f"## {b}", ""]
        notes = os.path.join(work, f"notes-{b}.md")
        head = os.path.join(work, f"head-{b}.md")
        if os.path.exists(head):
            with open(head) as f:
                text += [f.read().rstrip(), ""]
        text += table(rows, b)
        for key, w in sorted(writers.items()):
            if key.startswith(b + "-") and isinstance(w, dict):
                text.append("")
                text.append(f"Writer beside `{key[len(b) + 1:]}`: {w['writes']} writes started "
                            f"({w['rate_per_s']}/s), {w['ok_2xx']} 2xx, {w['non_2xx']} non-2xx"
                            f"{' ' + json.dumps(w['non_2xx_by_status']) if w['non_2xx_by_status'] else ''}, "
                            f"{w['retried_412']} retried after 412, "
                            f"{w['timeouts']} timeouts (> 2 s), {w['connection_errors']} connection "
                            f"errors; write (GET + PATCH) p50 {fmt_ms(w['p50_ms'])}, p99 "
                            f"{fmt_ms(w['p99_ms'])}; fell at most {w['max_schedule_lag_s']} s "
                            f"behind schedule.")
        if os.path.exists(notes):
            with open(notes) as f:
                text += ["", f.read().rstrip()]
    with open(out, "w") as f:
        f.write("\n".join(text) + "\n")


if __name__ == "__main__":
    cmd, *args = sys.argv[1:] or ["help"]
    if cmd == "wrk" and len(args) == 1:
        with open(args[0]) as f:
            w = parse_wrk(f.read())
        print("\t".join(str(w[k]) for k in ("rps", "p50", "p99", "timeouts", "non2xx", "requests",
                                            "statuses")))
    elif cmd == "peers" and len(args) == 1:
        peers(args[0])
    elif cmd == "render" and len(args) == 2:
        render(*args)
    else:
        sys.exit(__doc__)
