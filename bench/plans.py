#!/usr/bin/env python3
"""The query plans of the service's own statements, one request at a time (PostgreSQL).

    plans.py LOG OFFSET    reads PostgreSQL's server log from byte OFFSET and prints, in markdown,
                           each labelled request's statements with the plan PostgreSQL ran them by

The benchmark turns `auto_explain` on for its database (`log_min_duration = 0`, so every
statement's plan is logged, with the generic plans the service's connections use), then sends one
request per label, each preceded by a marker statement `SELECT 'bench-plan: LABEL'`. This script
cuts the log at the markers. Standard library only.
"""

import re
import sys

ENTRY = re.compile(r"^\S+ \S+ \S+ \[\d+\] (?:\S+@\S+ )?LOG:\s+duration: ([\d.]+) ms\s+plan:")
MARKER = re.compile(r"bench-plan: ([^']+)'")
# What the service runs around its statements, not worth a plan, and the background work of
# the server (the access log's follower, the webhook worker) that the log interleaves.
NOISE = re.compile(
    r"^\s*(BEGIN|COMMIT|ROLLBACK|SET |SHOW |SELECT 1\b)|\"(access_change|webhook_delivery)\"", re.I
)


def entries(lines):
    """(duration, text lines) for each auto_explain entry; continuation lines start with a tab."""
    current = None
    for line in lines:
        m = ENTRY.match(line)
        if m:
            if current:
                yield current
            current = (float(m.group(1)), [])
        elif current and line.startswith("\t"):
            current[1].append(line[1:].rstrip("\n"))
        elif current:
            yield current
            current = None
    if current:
        yield current


def main():
    log, offset = sys.argv[1], int(sys.argv[2])
    with open(log, encoding="utf-8", errors="replace") as f:
        f.seek(offset)
        lines = f.readlines()
    label, plans = None, {}
    order = []
    for duration, text in entries(lines):
        query = " ".join(t.strip() for t in text if t.startswith("Query Text:"))
        m = MARKER.search(query)
        if m:
            label = m.group(1)
            order.append(label)
            plans[label] = []
            continue
        body = [t for t in text if not t.startswith("Query Text:")]
        sql = query.removeprefix("Query Text:").strip()
        if label is None or NOISE.search(sql):
            continue
        plans[label].append((duration, sql, body))
    for label in order:
        print(f"-- {label}: {len(plans[label])} statements")
        for duration, sql, body in plans[label]:
            print(f"   {sql[:220]}{'…' if len(sql) > 220 else ''}  ({duration:.3f} ms)")
            for b in body:
                print(f"     {b}")
        print()


if __name__ == "__main__":
    main()
