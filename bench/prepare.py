#!/usr/bin/env python3
"""Gathers what the benchmark's Lua scripts and the writer pick from, before any load.

    prepare.py gather BASE TOKEN OUT    ids, public ids, codes and words, one "kind<TAB>value" a line
    prepare.py deep BASE TOKEN PAGE     the URL of list page PAGE (50 a page), by cursor if the
                                        list has cursors, else by offset; prints "mode<TAB>url"

BASE is the API root (http://127.0.0.1:PORT/api/v1). Standard library only. It reads through the
public API, so it works whether the list pages by `page` or by cursor (`after`): it follows the
`Link` header's rel="next", or `next_cursor` in the body.
"""

import json
import re
import sys
import time
import urllib.parse
import urllib.request

LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?([a-z]+)"?')


def get(url, token=None, timeout=60):
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=timeout) as res:
        return json.load(res), res.headers.get("Link", "")


def absolute(base, ref):
    return urllib.parse.urljoin(base, ref)


def next_url(base, url, body, link):
    """The next page's URL and whether it is a cursor (`after=`) rather than an offset (`page=`)."""
    cursor = body.get("next_cursor") if isinstance(body, dict) else None
    for ref, rel in LINK.findall(link):
        if rel == "next":
            nxt = absolute(base, ref)
            return nxt, "after=" in urllib.parse.urlsplit(nxt).query
    if cursor:
        parts = urllib.parse.urlsplit(url)
        query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k not in ("after", "page")]
        query.append(("after", cursor))
        return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query))), True
    return None, False


def walk(base, url, token, pages):
    """Up to `pages` pages of a list, following its next links."""
    for _ in range(pages):
        body, link = get(url, token)
        yield body
        url, _ = next_url(base, url, body, link)
        if not url:
            return


def gather(base, token, out):
    root = base.rstrip("/") + "/"
    ids, public, words = [], [], set()
    codes = {"country": set(), "action_line": set(), "sdg": set()}

    def take(item, into):
        into.append(item["id"])
        codes["country"].update(item.get("countries") or [])
        codes["action_line"].update(item.get("action_lines") or [])
        codes["sdg"].update(str(g) for g in item.get("sdg_goals") or [])
        for w in re.findall(r"[a-z]{4,}", (item.get("title") or "").lower()):
            words.add(w)

    # Spread over the whole tenant: two sort orders, 20 pages of 100 each.
    for sort in ("title", "-updated_at"):
        for page in walk(root, f"{root}initiatives?per_page=100&sort={sort}", token, 20):
            for item in page.get("items", []):
                take(item, ids)
    for page in walk(root, f"{root}initiatives?per_page=100", None, 10):
        for item in page.get("items", []):
            take(item, public)
    ids = sorted(set(ids))
    public = sorted(set(public))
    if not ids or not public:
        sys.exit(f"prepare: no initiatives found at {base} (members {len(ids)}, public {len(public)})")
    words.add("school")
    with open(out, "w") as f:
        for i in ids:
            f.write(f"id\t{i}\n")
        for i in public:
            f.write(f"pid\t{i}\n")
        for kind, values in codes.items():
            for v in sorted(values):
                f.write(f"{kind}\t{urllib.parse.quote(v)}\n")
        for w in sorted(words):
            f.write(f"word\t{w}\n")
    counts = {k: len(v) for k, v in codes.items()}
    print(f"{len(ids)} ids, {len(public)} public ids, {counts}, {len(words)} words", file=sys.stderr)


def deep(base, token, page):
    """Prints `cursor<TAB>URL` (page reached by walking next links that carry `after=`), or
    `offset<TAB>URL` (page=N) when the list has no cursors."""
    root = base.rstrip("/") + "/"
    url = f"{root}initiatives?per_page=50"
    body, link = get(url, token)
    nxt, is_cursor = next_url(root, url, body, link)
    if not is_cursor:
        print(f"offset\t{root}initiatives?per_page=50&page={page}")
        return
    started = time.time()
    for n in range(2, page + 1):
        url = nxt
        body, link = get(url, token)
        if n < page:
            nxt, _ = next_url(root, url, body, link)
            if not nxt:
                sys.exit(f"prepare: the list ended at page {n}, before page {page}")
    print(f"walked {page - 1} next links in {time.time() - started:.1f} s", file=sys.stderr)
    print(f"cursor\t{url}")


if __name__ == "__main__":
    cmd, *args = sys.argv[1:] or ["help"]
    if cmd == "gather" and len(args) == 3:
        gather(*args)
    elif cmd == "deep" and len(args) == 3:
        deep(args[0], args[1], int(args[2]))
    else:
        sys.exit(__doc__)
