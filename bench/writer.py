#!/usr/bin/env python3
"""A steady writer beside the mixed read load: RATE If-Match PATCHes a second, for SECONDS.

    writer.py BASE TOKEN IDS_FILE SECONDS [RATE]     (RATE defaults to 10)

Each write reads a random initiative (GET, for its ETag) and PATCHes its summary with
`If-Match: <ETag>`. A 412 (someone changed it in between) is retried with a fresh read, up to
three times, and counted apart. Writes start on a fixed schedule (open loop: a slow answer does not
delay the next write), each on its own thread from a pool, over keep-alive connections. Prints one
JSON object: writes started, 2xx, non-2xx by status, 412 retries, timeouts (no answer within
TIMEOUT, 2 s like wrk's), connection errors, the write latency (GET + PATCH) p50/p99 in ms, the
rate achieved and how far behind schedule it fell. Standard library only.
"""

import http.client
import json
import os
import random
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

TIMEOUT = float(os.environ.get("WRITER_TIMEOUT", "2"))
RETRIES = 3


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.started = self.ok = self.retries_412 = self.timeouts = self.errors = 0
        self.statuses = {}
        self.latencies = []
        self.max_lag = 0.0

    def add(self, **kw):
        with self.lock:
            for k, v in kw.items():
                setattr(self, k, getattr(self, k) + v)


local = threading.local()


def connection(host, port):
    if getattr(local, "conn", None) is None:
        local.conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    return local.conn


def request(host, port, method, path, headers, body=None):
    """One request on this thread's keep-alive connection; once more on a new connection when
    the server had closed the idle one."""
    for fresh in (getattr(local, "conn", None) is None, True):
        conn = connection(host, port)
        try:
            conn.request(method, path, body=body, headers=headers)
            res = conn.getresponse()
            return res.status, res.headers, res.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            conn.close()
            local.conn = None
            if fresh:
                raise
        except BaseException:
            conn.close()
            local.conn = None
            raise


def write_once(host, port, prefix, token, ids, stats, n):
    iid = random.choice(ids)
    auth = {"Authorization": "Bearer " + token}
    t0 = time.monotonic()
    try:
        for attempt in range(RETRIES + 1):
            status, headers, _ = request(host, port, "GET", f"{prefix}/initiatives/{iid}", auth)
            if status != 200:
                break
            body = json.dumps({"summary": f"bench write {n}.{attempt} at {time.time():.3f}"})
            status, _, _ = request(
                host, port, "PATCH", f"{prefix}/initiatives/{iid}",
                {**auth, "If-Match": headers.get("ETag", ""), "Content-Type": "application/json"},
                body,
            )
            if status != 412 or attempt == RETRIES:
                break
            stats.add(retries_412=1)
        with stats.lock:
            stats.statuses[status] = stats.statuses.get(status, 0) + 1
            if 200 <= status < 300:
                stats.ok += 1
                stats.latencies.append((time.monotonic() - t0) * 1000)
    except TimeoutError:
        stats.add(timeouts=1)
    except (OSError, http.client.HTTPException):
        stats.add(errors=1)


def percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * p))], 2)


def main():
    if len(sys.argv) not in (5, 6):
        sys.exit(__doc__)
    base, token, ids_file, seconds = sys.argv[1:5]
    rate = float(sys.argv[5]) if len(sys.argv) == 6 else 10.0
    parts = urllib.parse.urlsplit(base)
    host, port, prefix = parts.hostname, parts.port or 80, parts.path.rstrip("/")
    with open(ids_file) as f:
        ids = [line.split("\t", 1)[1].strip() for line in f if line.startswith("id\t")]
    if not ids:
        sys.exit("writer: no ids in " + ids_file)
    stats = Stats()
    interval, total = 1.0 / rate, int(float(seconds) * rate)
    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=32) as pool:
        for n in range(total):
            due = began + n * interval
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            else:
                stats.max_lag = max(stats.max_lag, -delay)
            stats.add(started=1)
            pool.submit(write_once, host, port, prefix, token, ids, stats, n)
        elapsed = max(time.monotonic() - began, interval * total)
    non_2xx = {str(k): v for k, v in sorted(stats.statuses.items()) if not 200 <= k < 300}
    print(json.dumps({
        "writes": stats.started,
        "ok_2xx": stats.ok,
        "non_2xx": sum(non_2xx.values()),
        "non_2xx_by_status": non_2xx,
        "retried_412": stats.retries_412,
        "timeouts": stats.timeouts,
        "connection_errors": stats.errors,
        "rate_per_s": round(stats.started / elapsed, 2),
        "max_schedule_lag_s": round(stats.max_lag, 3),
        "p50_ms": percentile(stats.latencies, 0.5),
        "p99_ms": percentile(stats.latencies, 0.99),
    }))


if __name__ == "__main__":
    main()
