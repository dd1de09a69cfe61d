#!/usr/bin/env python3
"""Tests of the ctxtrace command line.  Usage: test-cli.py CASE

Each case works in a fresh temp dir with traces written by ctx-gen-trace, runs the
ctxtrace binary and checks its output against what the trace file holds (read back with
Python's sqlite3, independently of our C code).  Exit 0 pass, 1 fail, 77 skipped.
"""
import collections
import http.server
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading

CTXTRACE = os.environ.get("CTXTRACE", "ctxtrace")
GEN = os.environ.get("CTX_GEN_TRACE", "ctx-gen-trace")
HERE = os.environ.get("CTX_CLI_TESTS", os.path.dirname(os.path.abspath(__file__)))
SKIP = 77


class Skip(Exception):
    pass


def run(*args, code=0, stdin=None, timeout=120):
    p = subprocess.run([CTXTRACE, *args], input=stdin, capture_output=True, timeout=timeout)
    if code is not None and p.returncode != code:
        raise AssertionError(f"ctxtrace {' '.join(args)}: exit {p.returncode}, wanted {code}\n"
                             f"stdout: {p.stdout[:2000]!r}\nstderr: {p.stderr[:2000]!r}")
    return p


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def gen(path, *extra):
    subprocess.run([GEN, path, *extra], check=True)
    return path


def rows(db, sql, *params):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def span_records(db):
    """Every span as comparable data: thread (tid), name, start, dur, status, attrs,
    parent's name and depth; sorted."""
    out = rows(db, """
        SELECT t.tid, n.value, s.start_ns, s.dur_ns, s.status, s.attrs, pn.value, s.depth
        FROM span s JOIN string n ON n.id = s.name_id JOIN thread t ON t.id = s.thread_id
        LEFT JOIN span p ON p.id = s.parent_id LEFT JOIN string pn ON pn.id = p.name_id""")
    return sorted((tid, name, start, dur, status,
                   json.dumps(json.loads(attrs), sort_keys=True) if attrs else None,
                   pname, depth)
                  for tid, name, start, dur, status, attrs, pname, depth in out)


def event_records(db):
    out = rows(db, """
        SELECT t.tid, n.value, e.ts_ns, e.attrs, sn.value
        FROM event e JOIN string n ON n.id = e.name_id JOIN thread t ON t.id = e.thread_id
        LEFT JOIN span s ON s.id = e.span_id LEFT JOIN string sn ON sn.id = s.name_id""")
    return sorted((tid, name, ts, json.dumps(json.loads(a), sort_keys=True) if a else None, sn)
                  for tid, name, ts, a, sn in out)


def normalize_attrs(db):
    """Our generator writes '{}' for some spans; an import gives NULL (no attributes)."""
    return [r[:5] + (None if r[5] == "{}" else r[5],) + r[6:] for r in span_records(db)]


# ---- cases ---------------------------------------------------------------------------


def case_help(tmp):
    p = run("--help")
    for cmd in ("info", "stats", "tree", "export", "import", "merge", "record"):
        check(cmd.encode() in p.stdout, f"--help lists {cmd}")
        q = run(cmd, "--help")
        check(b"Usage:" in q.stdout and cmd.encode() in q.stdout, f"{cmd} --help")
    run(code=2)
    p = run("frobnicate", code=2)
    check(b"unknown command" in p.stderr, "unknown command message")
    run("info", code=2)
    run("export", "x.db", code=2)                 # no --format
    run("export", "-f", "svg", "x.db", code=2)   # unknown format
    run("import", "x.json", code=2)              # no -o
    run("merge", "-o", "x.db", code=2)           # no inputs
    run("record", "-o", "x.db", code=2)          # no program
    run("stats", "--sort", "bogus", "x.db", code=2)
    run("tree", "--depth", "notanumber", "x.db", code=2)
    check(run("--version").stdout.startswith(b"ctxtrace "), "--version")


def case_info(tmp):
    db = gen(f"{tmp}/t.db", "--spans", "3000", "--threads", "4", "--processes", "2")
    out = run("info", db).stdout.decode()
    n, n_open = rows(db, "SELECT count(*), count(*) - count(dur_ns) FROM span")[0]
    check(f"spans: {n} ({n_open} still open)" in out, f"span count in {out}")
    check(f"events: {rows(db, 'SELECT count(*) FROM event')[0][0]}" in out, "event count")
    for pid, name, dropped in rows(db, "SELECT pid, name, dropped_spans FROM process"):
        check(f"process {pid} {name}" in out, f"process {pid} listed")
    for tid, name, count in rows(db, "SELECT tid, name, (SELECT count(*) FROM span WHERE "
                                     "thread_id = thread.id) FROM thread"):
        check(f"thread {tid} {name}: {count} spans" in out, f"thread {tid} line")
    check("drops: 1 spans" in out, "drop counter shown")
    check("schema version: 1" in out, "schema version")


def case_tree(tmp):
    db = gen(f"{tmp}/t.db", "--spans", "500", "--threads", "2", "--processes", "1")
    out = run("tree", db).stdout.decode().splitlines()
    span_lines = [l for l in out if "#" in l and not l.startswith("thread ")]
    check(len(span_lines) == rows(db, "SELECT count(*) FROM span")[0][0], "one line per span")
    # Indentation equals depth + 1 (roots under their thread header).
    by_id = {int(l.rsplit("#", 1)[1]): l for l in span_lines}
    for sid, depth in rows(db, "SELECT id, depth FROM span"):
        line = by_id[sid]
        check(len(line) - len(line.lstrip(" ")) == 2 * (depth + 1), f"indent of span {sid}")
    # --span ID --depth 1: the span and exactly its children, in start order.
    parent = rows(db, "SELECT parent_id FROM span WHERE parent_id IS NOT NULL "
                      "GROUP BY parent_id HAVING count(*) >= 2 LIMIT 1")[0][0]
    sub = run("tree", db, "--span", str(parent), "--depth", "1").stdout.decode().splitlines()
    kids = [r[0] for r in rows(db, "SELECT id FROM span WHERE parent_id = ? ORDER BY start_ns",
                               parent)]
    check([int(l.rsplit("#", 1)[1]) for l in sub] == [parent] + kids, f"subtree {sub}")
    p = run("tree", db, "--span", "999999", code=1)
    check(b"no span with id 999999" in p.stderr, "unknown span id message")


def case_stats(tmp):
    db = gen(f"{tmp}/t.db", "--spans", "2000")
    out = run("stats", db, "--sort", "count").stdout.decode().splitlines()
    truth = dict(rows(db, "SELECT n.value, count(*) FROM span s JOIN string n ON "
                          "n.id = s.name_id GROUP BY n.value"))
    got = {}
    for line in out[1:]:
        parts = line.split(None, 1)
        count, rest = int(parts[0]), parts[1]
        name = rest.split("  ")[-1].strip()
        got[name] = count
    check(got == truth, f"stats counts {got} vs {truth}")
    counts = [int(l.split()[0]) for l in out[1:]]
    check(counts == sorted(counts, reverse=True), "sorted by count")
    check(len(run("stats", db, "--limit", "3").stdout.decode().splitlines()) == 4, "--limit")
    # Total and self time against the SQL of docs/schema.md (no open spans in --plain).
    plain = gen(f"{tmp}/plain.db", "--spans", "2000", "--plain")
    truth = {name: (total, self_) for name, total, self_ in rows(plain, """
        WITH child AS (SELECT parent_id, sum(dur_ns) AS d FROM span GROUP BY parent_id)
        SELECT n.value, sum(s.dur_ns), sum(s.dur_ns - coalesce(c.d, 0))
        FROM span s JOIN string n ON n.id = s.name_id
        LEFT JOIN child c ON c.parent_id = s.id GROUP BY s.name_id""")}
    unit = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}
    lines = run("stats", plain, "--sort", "self").stdout.decode().splitlines()[1:]
    selfs = []
    for line in lines:
        f = line.split()
        total, self_ = float(f[1]) * unit[f[2]], float(f[3]) * unit[f[4]]
        want = truth[line.rsplit("  ", 1)[1].strip()]
        check(abs(total - want[0]) <= 1e-3 * want[0] + 1 and abs(self_ - want[1]) <= 1e-3 * want[1] + 1,
              f"{line} vs {want}")
        selfs.append(self_)
    check(len(lines) == len(truth) and selfs == sorted(selfs, reverse=True), "sorted by self")


def case_export_chrome_roundtrip(tmp):
    db = gen(f"{tmp}/t.db", "--spans", "4000", "--threads", "3", "--processes", "2")
    run("export", "--format", "chrome", db, "-o", f"{tmp}/t.json")
    doc = json.load(open(f"{tmp}/t.json"))
    n_spans = rows(db, "SELECT count(*) FROM span")[0][0]
    check(len([e for e in doc["traceEvents"] if e["ph"] == "X"]) == n_spans, "X event count")
    run("import", f"{tmp}/t.json", "-o", f"{tmp}/back.db")
    a, b = normalize_attrs(db), span_records(f"{tmp}/back.db")
    check(len(a) == len(b), f"span count {len(a)} vs {len(b)}")
    for x, y in zip(a, b):
        check(x == y, f"span differs after round trip:\n {x}\n {y}")
    check(event_records(db) == event_records(f"{tmp}/back.db"), "events differ")
    names = rows(f"{tmp}/back.db", "SELECT tid, name FROM thread ORDER BY tid")
    check(names == rows(db, "SELECT tid, name FROM thread ORDER BY tid"), "thread names")
    procs = rows(f"{tmp}/back.db", "SELECT pid, name FROM process ORDER BY pid")
    check(procs == rows(db, "SELECT pid, name FROM process ORDER BY pid"), "process names")
    # stdout export is byte-identical to the file export.
    check(run("export", "-f", "chrome", db).stdout == open(f"{tmp}/t.json", "rb").read(), "-")


def case_export_speedscope(tmp):
    db = gen(f"{tmp}/t.db", "--spans", "3000", "--threads", "3", "--processes", "2")
    doc = json.loads(run("export", "-f", "speedscope", db).stdout)
    frames = [f["name"] for f in doc["shared"]["frames"]]
    check(len(doc["profiles"]) == 3, "one profile per thread")
    opened = 0
    for prof in doc["profiles"]:
        stack, last = [], prof["startValue"]
        for ev in prof["events"]:
            check(ev["at"] >= last, "events in time order")
            last = ev["at"]
            if ev["type"] == "O":
                stack.append(ev["frame"])
                opened += 1
            else:
                check(stack and stack.pop() == ev["frame"], "close matches open")
        check(not stack, "all frames closed")
        check(prof["endValue"] >= last, "endValue covers events")
    check(opened == rows(db, "SELECT count(*) FROM span")[0][0], "every span opened")
    names = {r[0] for r in rows(db, "SELECT value FROM string")}
    check(names <= set(frames), "every name is a frame")


def case_export_otlp(tmp):
    db = gen(f"{tmp}/t.db", "--spans", "2000", "--threads", "3", "--processes", "2")
    doc = json.loads(run("export", "-f", "otlp", db).stdout)
    spans = [s for rs in doc["resourceSpans"] for ss in rs["scopeSpans"] for s in ss["spans"]]
    check(len(spans) == rows(db, "SELECT count(*) FROM span")[0][0], "span count")
    by_id = {int(s["spanId"], 16): s for s in spans}
    for sid, parent, start, dur, status, attrs in rows(
            db, "SELECT id, parent_id, start_ns, dur_ns, status, attrs FROM span"):
        s = by_id[sid]
        check(s["traceId"] == "4bf92f3577b34da6a3ce929d0e0e4736", "trace id")
        check(s.get("parentSpanId") == (f"{parent:016x}" if parent else None), "parent")
        check(s["startTimeUnixNano"] == str(start), "start as string")
        if dur is not None:
            check(s["endTimeUnixNano"] == str(start + dur), "end")
        check(s.get("status", {}).get("code", 0) == status, "status code")
        keys = {kv["key"] for kv in s["attributes"]}
        if attrs:
            check(set(json.loads(attrs)) <= keys, "attributes kept")
        if status == 2:
            check("full" in s["status"]["message"], "error message")
    n_events = sum(len(s.get("events", [])) for s in spans)
    check(n_events == rows(db, "SELECT count(*) FROM event")[0][0], "events nested in spans")
    n_links = sum(len(s.get("links", [])) for s in spans)
    check(n_links == rows(db, "SELECT count(*) FROM link")[0][0], "links")
    res = doc["resourceSpans"][0]["resource"]["attributes"]
    check({"service.name", "process.pid", "host.name"} <= {a["key"] for a in res}, "resource")


def child_maxrss_mb():
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def case_export_streams(tmp):
    """300k spans export in far less memory than the output's size."""
    db = gen(f"{tmp}/big.db", "--spans", "300000", "--threads", "2", "--processes", "1")
    for fmt in ("chrome", "otlp"):
        out = f"{tmp}/big.{fmt}"
        before = child_maxrss_mb()
        p = subprocess.run([CTXTRACE, "export", "-f", fmt, db, "-o", out])
        check(p.returncode == 0, f"export {fmt}")
        size_mb = os.path.getsize(out) / 1e6
        rss = child_maxrss_mb()
        check(size_mb > 30, f"{fmt} export is {size_mb} MB")
        # Peak RSS of any child so far (the generator's included): the export must not
        # grow with its output.  ASan's shadow memory makes RSS meaningless there.
        if os.environ.get("CTX_SANITIZE", "none") == "none":
            check(rss < 60 or rss <= before, f"{fmt} export used {rss:.0f} MB for {size_mb:.0f} MB")
    # Names come from a cache across dozens of buffer flushes: all still right.
    per_name = {}
    for e in json.load(open(f"{tmp}/big.chrome"))["traceEvents"]:
        if e["ph"] == "X":
            per_name[e["name"]] = per_name.get(e["name"], 0) + 1
    check(per_name == dict(rows(db, "SELECT n.value, count(*) FROM span s JOIN string n "
                                    "ON n.id = s.name_id GROUP BY n.value")), "names per span")


def import_json(tmp, text, *extra, code=0):
    path = f"{tmp}/in.json"
    with open(path, "w" if isinstance(text, str) else "wb") as f:
        f.write(text)
    out = f"{tmp}/out.db"
    if os.path.exists(out):
        os.unlink(out)
    p = run("import", path, "-o", out, *extra, code=code)
    return out, p.stderr.decode()


def case_import_forms(tmp):
    events = [
        {"ph": "M", "name": "process_name", "pid": 7, "args": {"name": "proc"}},
        {"ph": "M", "name": "thread_name", "pid": 7, "tid": 8, "args": {"name": "worker"}},
        {"ph": "B", "name": "outer", "ts": 10, "pid": 7, "tid": 8, "args": {"x": 1}},
        {"ph": "X", "name": "inner", "ts": 11.5, "dur": 2.25, "pid": 7, "tid": 8,
         "args": {"s": "v", "nested": {"a": [1, 2]}}},
        {"ph": "i", "name": "mark", "ts": 12, "pid": 7, "tid": 8, "s": "t"},
        {"ph": "E", "ts": 20, "pid": 7, "tid": 8},
        {"ph": "B", "name": "never-ends", "ts": 30, "pid": 7, "tid": 8},
        {"ph": "I", "name": "global", "ts": 5, "pid": 7, "tid": 9, "s": "g"},
        {"ph": "C", "name": "counter", "ts": 5, "pid": 7, "args": {"v": 3}},
    ]
    # Object form as Chrome and Perfetto write it: other top-level keys are skipped.
    chrome_doc = {"traceEvents": events, "otherData": {"traceEvents": "not this one"},
                  "displayTimeUnit": "ms", "systemTraceEvents": "# tracer: nop\n",
                  "metadata": {"clock-domain": "LINUX_CLOCK_MONOTONIC", "highres-ticks": True},
                  "stackFrames": {"1": {"name": "f", "parent": "0"}}, "samples": [{"ts": 1}]}
    for text in (json.dumps(events), json.dumps(chrome_doc)):
        db, err = import_json(tmp, text, "--force")
        spans = sorted(span_records(db), key=lambda s: s[2])
        check([s[1] for s in spans] == ["outer", "inner", "never-ends"], f"spans {spans}")
        outer, inner, open_ = spans
        check(outer[2:4] == (10000, 10000) and inner[2:4] == (11500, 2250), "times in ns")
        check(inner[6] == "outer" and inner[7] == 1, "inner nested in outer")
        check(open_[3] is None, "B without E stays open")
        check(json.loads(inner[5]) == {"s": "v", "nested": {"a": [1, 2]}}, "args kept")
        check(json.loads(outer[5]) == {"x": 1}, "B args kept")
        ev = event_records(db)
        check(ev == sorted([(8, "mark", 12000, None, "inner"), (9, "global", 5000, None, None)]),
              f"instants {ev}")
        check(rows(db, "SELECT name FROM thread WHERE tid = 8") == [("worker",)], "thread name")
        check(rows(db, "SELECT pid, name FROM process") == [(7, "proc")], "process name")
        check(rows(db, "SELECT tid FROM thread ORDER BY tid") == [(8,), (9,)], "no extra threads")
        check("skipped 1 events (1 of unsupported phases" in err, f"summary {err}")
    # Truncated array form (allowed by the format): complete events are kept.
    text = json.dumps(events[:6])
    db, err = import_json(tmp, text[:-1] + ",", "--force")
    check(len(span_records(db)) == 2 and "ends early" in err, f"truncated array: {err}")
    db, err = import_json(tmp, text[: text.index('"E"') + 5], "--force")
    check("ends early" in err and "1 invalid" in err, f"truncated mid-event: {err}")
    # stdin
    p = run("import", "-", "-o", f"{tmp}/stdin.db", stdin=json.dumps(events).encode())
    check(len(span_records(f"{tmp}/stdin.db")) == 3, "import from stdin")
    # Existing output needs --force and is left alone without it.
    before = open(f"{tmp}/stdin.db", "rb").read()
    p = run("import", f"{tmp}/in.json", "-o", f"{tmp}/stdin.db", code=1)
    check(b"exists" in p.stderr and open(f"{tmp}/stdin.db", "rb").read() == before, "no clobber")


def case_import_clang(tmp):
    """The shape clang -ftime-trace writes: X events with args.detail, 'Total' events on
    other tids, process/thread names, beginningOfTime in epoch microseconds."""
    events = [
        {"pid": 4242, "tid": 4242, "ph": "X", "ts": 0, "dur": 52000, "name": "ExecuteCompiler"},
        {"pid": 4242, "tid": 4242, "ph": "X", "ts": 120, "dur": 30000, "name": "Frontend"},
        {"pid": 4242, "tid": 4242, "ph": "X", "ts": 150, "dur": 2000, "name": "Source",
         "args": {"detail": "/usr/include/stdio.h"}},
        {"pid": 4242, "tid": 4242, "ph": "X", "ts": 2400, "dur": 900, "name": "Source",
         "args": {"detail": "/usr/include/bits/types.h"}},
        {"pid": 4242, "tid": 4242, "ph": "X", "ts": 30200, "dur": 21000, "name": "Backend"},
        {"pid": 4242, "tid": 4243, "ph": "X", "ts": 0, "dur": 2900, "name": "Total Source",
         "args": {"count": 2, "avg ms": 1}},
        {"cat": "", "pid": 4242, "tid": 4242, "ts": 0, "ph": "M", "name": "process_name",
         "args": {"name": "clang-14"}},
        {"cat": "", "pid": 4242, "tid": 4242, "ts": 0, "ph": "M", "name": "thread_name",
         "args": {"name": "clang-14"}},
    ]
    text = json.dumps({"traceEvents": events, "beginningOfTime": 1700000000000000})
    if shutil.which("clang"):
        # The real thing, when clang is here.
        src = f"{tmp}/hello.c"
        open(src, "w").write("#include <stdio.h>\nint main(void){puts(\"hi\");return 0;}\n")
        subprocess.run(["clang", "-c", "-ftime-trace", "-o", f"{tmp}/hello.o", src],
                       check=True, cwd=tmp)
        real = f"{tmp}/hello.json"
        run("import", real, "-o", f"{tmp}/real.db")
        names = {r[0] for r in rows(f"{tmp}/real.db", "SELECT value FROM string")}
        check({"ExecuteCompiler", "Frontend", "Source"} <= names, f"real clang names {names}")
        start = rows(f"{tmp}/real.db", "SELECT min(start_ns) FROM span")[0][0]
        check(abs(start / 1e9 - os.path.getmtime(real)) < 600, "epoch time from clang")
    db, err = import_json(tmp, text)
    spans = span_records(db)
    check(len(spans) == 6, "six spans")
    src = [s for s in spans if s[1] == "Source"]
    check(all(s[6] == "Frontend" and s[7] == 2 for s in src), "Source under Frontend")
    check(json.loads(src[0][5]) == {"detail": "/usr/include/stdio.h"}, "detail kept")
    check(min(s[2] for s in spans) == 1700000000000000000, "beginningOfTime applied")
    check(rows(db, "SELECT name FROM process") == [("clang-14",)], "process name")


def case_import_chromium(tmp):
    """A real Chrome trace: Debian's chromium records its own startup as trace event JSON."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise Skip("skipped: chromium is not installed")
    trace = f"{tmp}/chromium.json"
    subprocess.run(["timeout", "60", chromium, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--no-first-run",
                    f"--user-data-dir={tmp}/profile", "--trace-startup=blink,v8,toplevel",
                    "--trace-startup-format=json", f"--trace-startup-file={trace}",
                    "--trace-startup-duration=2", "--dump-dom", "about:blank"],
                   capture_output=True, timeout=90)
    if not os.path.exists(trace):
        raise Skip("skipped: this chromium wrote no JSON trace")
    events = json.load(open(trace))["traceEvents"]
    count = lambda ph: sum(1 for e in events if e["ph"] == ph)
    n_spans = count("X") + count("B")
    err = run("import", trace, "-o", f"{tmp}/c.db").stderr.decode()
    other = sum(1 for e in events if e["ph"] not in "XBEiIM")
    check(f"{n_spans} spans ({count('B') - count('E')} still open), "
          f"{count('i') + count('I')} instant events" in err, err)
    check(other == 0 or f"skipped {other} events ({other} of unsupported phases" in err, err)
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
             if e["ph"] == "M" and e["name"] == "thread_name"}
    got = {(pid, tid): name for pid, tid, name in rows(
        f"{tmp}/c.db", "SELECT p.pid, t.tid, t.name FROM thread t JOIN process p "
                       "ON p.id = t.process_id WHERE t.name IS NOT NULL")}
    check(got == names, "thread names")
    # Each X event is a span with its name, start and duration (ts in µs).
    want = sorted((e["tid"], e["name"], round(e["ts"] * 1000), round(e["dur"] * 1000))
                  for e in events if e["ph"] == "X")
    have = sorted(r[:4] for r in span_records(f"{tmp}/c.db") if r[3] is not None)
    missing = collections.Counter(want) - collections.Counter(have)
    check(not missing and len(have) == count("X") + count("E"), f"X events as spans: {missing}")
    run("export", "-f", "chrome", f"{tmp}/c.db", "-o", f"{tmp}/again.json")
    run("import", f"{tmp}/again.json", "-o", f"{tmp}/again.db")
    check(span_records(f"{tmp}/again.db") == span_records(f"{tmp}/c.db"), "round trip")


def case_import_bad_input(tmp):
    bad = {
        "not json": ("hello", "invalid JSON"),
        "empty": ("", "empty input"),
        "scalar": ("42", "not a Chrome trace"),
        "no traceEvents": ('{"samples": []}', "not a Chrome trace"),
        "garbage after": ('[{"ph":"X","ts":1,"dur":1}] x', "invalid JSON"),
        "truncated object": ('{"traceEvents": [{"ph": "X", "ts": 1,', None),
        "invalid utf8": (b'[{"ph":"X","name":"\xff\xfe","ts":1,"dur":1}]', "invalid JSON"),
    }
    for what, (text, msg) in bad.items():
        out, err = import_json(tmp, text, code=None)
        if msg is None:
            continue
        check(msg in err and not os.path.exists(out), f"{what}: {err!r}")
        check(not [f for f in os.listdir(tmp) if ".tmp-" in f], f"{what}: temp file left")
    # Wrong types and unknown phases are skipped and counted; the rest is imported.
    events = [
        {"ph": "X", "name": "ok", "ts": 1, "dur": 1, "pid": 1, "tid": 1},
        {"ph": "X", "name": ["wrong"], "ts": 1, "dur": 1},
        {"ph": "X", "name": "x", "ts": "1", "dur": 1},
        {"ph": "X", "name": "x", "ts": 1, "dur": -5},
        {"ph": "X", "name": "x", "ts": None},
        {"ph": 5, "name": "x", "ts": 1},
        {"ph": "E", "ts": 3, "pid": 1, "tid": 1},
        {"ph": "Q", "name": "unknown", "ts": 1},
        {"ph": "X", "name": "x", "ts": 1e400, "dur": 1},
        [1, 2], "string", 7, None,
        {"ph": "X", "name": "ok2", "ts": 2, "dur": 1, "pid": "main", "tid": "io",
         "args": "not an object"},
    ]
    text = json.dumps(events).replace("Infinity", "1e400")
    db, err = import_json(tmp, text, "--force")
    check(sorted(s[1] for s in span_records(db)) == ["ok", "ok2"], "valid events kept")
    check("skipped 12 events (1 of unsupported phases, 11 invalid" in err, f"counts: {err}")


def case_import_huge(tmp):
    """Huge strings are cut, deep nesting is refused without recursion, huge counts load."""
    name = "n" * 5_000_000 + "é"
    deep = '{"ph":"X","name":"deep","ts":1,"dur":1,"args":{"a":' + "[" * 200000 \
        + "]" * 200000 + "}}"
    text = ('[{"ph":"X","name":"%s","ts":1,"dur":2},%s,{"ph":"X","name":"big","ts":2,"dur":1,'
            '"args":{"s":"%s"}},' % (name, deep, "x" * 100000)) + "[" * 300000 + "]" * 300000 \
        + ']'
    db, err = import_json(tmp, text)
    names = [r[0] for r in rows(db, "SELECT value FROM string")]
    check(max(len(n.encode()) for n in names) == 1024, "name cut at 1024 bytes")
    check(rows(db, "SELECT attrs FROM span s JOIN string n ON n.id = s.name_id "
                   "WHERE n.value IN ('deep', 'big')") == [(None,), (None,)], "args refused")
    check(rows(db, "SELECT sum(truncated_values), sum(rejected_attrs) FROM process") == [(1, 2)],
          "counted in the process row")
    check("1 names cut" in err and "2 args dropped" in err, err)
    # 200k events, array form without the closing bracket.
    evs = ",".join('{"ph":"X","name":"f%d","ts":%d,"dur":1,"pid":1,"tid":%d}' % (i % 50, i, i % 4)
                   for i in range(200000))
    db, err = import_json(tmp, "[" + evs, "--force")
    check(rows(db, "SELECT count(*), count(DISTINCT name_id) FROM span") == [(200000, 50)], err)


def case_merge(tmp):
    a = gen(f"{tmp}/a.db", "--spans", "1500", "--seed", "1")
    b = gen(f"{tmp}/b.db", "--spans", "1200", "--seed", "2", "--threads", "2")
    c = f"{tmp}/c.db"
    run("merge", a, b, "-o", c)
    count = lambda db, t: rows(db, f"SELECT count(*) FROM {t}")[0][0]
    for table in ("span", "event", "link", "thread", "process"):
        check(count(c, table) == count(a, table) + count(b, table), f"{table} rows")
    check(count(c, "string") == count(a, "string"), "names shared")
    check(count(c, "trace") == 1, "same W3C trace id merged")
    # Structure survives: each span's parent has the same name and thread as before.
    merged = span_records(c)
    check(merged == sorted(span_records(a) + span_records(b)), "spans and parents")
    check(rows(c, "SELECT count(*) FROM event e LEFT JOIN span s ON s.id = e.span_id "
                  "WHERE s.id IS NULL") == [(0,)], "event span ids remapped")
    check(sorted(event_records(c)) == sorted(event_records(a) + event_records(b)), "events")
    check(rows(c, "PRAGMA journal_mode") == [("wal",)], "WAL mode")
    run("info", c)
    # A bad input aborts the merge and leaves nothing behind.
    open(f"{tmp}/junk.db", "w").write("junk" * 1000)
    p = run("merge", a, f"{tmp}/junk.db", "-o", f"{tmp}/d.db", code=1)
    check(b"junk.db" in p.stderr and not os.path.exists(f"{tmp}/d.db"), p.stderr)


def case_bad_trace_files(tmp):
    gen(f"{tmp}/good.db", "--spans", "300")
    open(f"{tmp}/text.db", "w").write("this is not a database" * 100)
    open(f"{tmp}/empty.db", "w").close()
    sqlite3.connect(f"{tmp}/other.db").execute("CREATE TABLE x(a)").connection.commit()
    shutil.copy(f"{tmp}/good.db", f"{tmp}/newer.db")
    con = sqlite3.connect(f"{tmp}/newer.db")
    con.execute("PRAGMA user_version = 7")
    con.commit()
    con.close()
    data = open(f"{tmp}/good.db", "rb").read()
    open(f"{tmp}/truncated.db", "wb").write(data[: len(data) // 3])
    corrupt = bytearray(data)
    for i in range(4096, len(corrupt), 997):
        corrupt[i] ^= 0x5A
    open(f"{tmp}/corrupt.db", "wb").write(bytes(corrupt))
    os.mkdir(f"{tmp}/dir.db")
    expect = {
        "missing.db": "No such file", "dir.db": "not a regular file",
        "text.db": "not an SQLite database", "empty.db": "not a ctxtrace trace",
        "other.db": "not a ctxtrace trace", "newer.db": "newer ctxtrace (schema version 7",
        "truncated.db": "", "corrupt.db": "",
    }
    for name, msg in expect.items():
        for cmd in (["info"], ["export", "-f", "chrome"], ["export", "-f", "otlp"],
                    ["export", "-f", "speedscope"], ["tree"], ["stats"]):
            p = run(*cmd, f"{tmp}/{name}", code=None)
            check(p.returncode in (0, 1), f"{cmd} {name}: exit {p.returncode} {p.stderr}")
            # tree and stats read through the trace model, which words its own messages.
            if msg and cmd[0] in ("tree", "stats"):
                check(p.returncode == 1 and name.encode() in p.stderr, f"{cmd} {name}: {p.stderr}")
            elif msg:
                check(p.returncode == 1 and msg.encode() in p.stderr, f"{cmd} {name}: {p.stderr}")
            elif p.returncode == 1:
                check(p.stderr.startswith(b"ctxtrace "), f"{cmd} {name}: {p.stderr}")
    check(data == open(f"{tmp}/good.db", "rb").read(), "reading leaves the file alone")


def case_record(tmp):
    prog = f"{tmp}/prog.sh"
    with open(prog, "w") as f:
        f.write(f'#!/bin/sh\ntest -n "$CTXTRACE_DB" || exit 99\n'
                f'echo "filter=$CTXTRACE_FILTER"\n'
                f'"{GEN}" "$CTXTRACE_DB" --spans 100 || exit 98\nexit "$1"\n')
    os.chmod(prog, 0o755)
    out = f"{tmp}/rec.db"
    p = run("record", "-o", out, "--filter", "foo*", "--", prog, "3", code=3)
    check(p.stdout == b"filter=foo*\n", f"program output passes through: {p.stdout}")
    n = rows(out, "SELECT count(*) FROM span")[0][0]
    check(f"{n} spans from 2 processes".encode() in p.stderr and b"exited with status 3" in p.stderr,
          p.stderr)
    p = run("record", "-o", out, "--", prog, "0", code=1)
    check(b"exists" in p.stderr, "refuses to replace without --force")
    run("record", "--force", "-o", out, prog, "0", code=0)  # without "--" too
    p = run("record", "-o", f"{tmp}/x.db", "--", "/nonexistent/prog", code=127)
    check(b"/nonexistent/prog" in p.stderr, p.stderr)
    with open(f"{tmp}/killed.sh", "w") as f:
        f.write("#!/bin/sh\nkill -TERM $$\n")
    os.chmod(f"{tmp}/killed.sh", 0o755)
    p = run("record", "-o", f"{tmp}/k.db", "--", f"{tmp}/killed.sh", code=128 + signal.SIGTERM)
    check(b"no trace was written" in p.stderr, p.stderr)


def case_record_libctxtrace(tmp):
    """The real thing: a program linked with libctxtrace, recording through CTXTRACE_DB
    only, run by ctxtrace record; its trace then survives every export."""
    probe = os.environ["CTX_RECORD_PROBE"]
    out = f"{tmp}/probe.db"
    p = run("record", "-o", out, "--", probe, "5", code=5)
    check(p.stdout == b"probe done\n", f"program output: {p.stdout}")
    check(b"12 spans from 1 processes, 0 dropped" in p.stderr, p.stderr)
    spans = span_records(out)
    names = sorted({s[1] for s in spans})
    check(names == ["probe_leaf", "probe_main", "probe_worker"], f"names {names}")
    leaves = [s for s in spans if s[1] == "probe_leaf"]
    check(all(s[6] in ("probe_main", "probe_worker") and s[7] == 1 for s in leaves), "nesting")
    errors = [s for s in leaves if s[4] == 2]
    check(len(errors) == 2 and json.loads(errors[0][5])["exception.message"] == "leaf 3 failed",
          f"errors {errors}")
    check(len(event_records(out)) == 10, "events")
    check(rows(out, "SELECT count(*) FROM thread WHERE name = 'probe-worker'") == [(1,)],
          "thread name")
    run("export", "-f", "chrome", out, "-o", f"{tmp}/probe.json")
    run("import", f"{tmp}/probe.json", "-o", f"{tmp}/back.db")
    check(span_records(f"{tmp}/back.db") == spans, "chrome round trip of a real trace")
    check(event_records(f"{tmp}/back.db") == event_records(out), "events round trip")
    for fmt in ("speedscope", "otlp"):
        json.loads(run("export", "-f", fmt, out).stdout)
    check(b"probe_worker" in run("tree", out).stdout, "tree")


def case_record_filter(tmp):
    """ctxtrace record --filter on a program built with -finstrument-functions and not
    linked with libctxtrace (record preloads it): CTXTRACE_FILTER keeps a function and
    what it calls, !name leaves out a function and what it calls."""
    prog = os.environ["CTX_RECORD_INSTRUMENTED"]
    # Sanitizer builds: the preloaded library comes before the program's ASan runtime.
    asan = os.environ.get("ASAN_OPTIONS")
    os.environ["ASAN_OPTIONS"] = (asan + ":" if asan else "") + "verify_asan_link_order=0"

    def counts(db):
        return dict(rows(db, "SELECT n.value, count(*) FROM span s JOIN string n"
                             " ON n.id = s.name_id GROUP BY n.value"))

    out = f"{tmp}/kept.db"
    p = run("record", "-o", out, "--filter", "pp_work", "--", prog)
    check(p.stdout == b"preload-prog done\n", f"program output: {p.stdout}")
    got = counts(out)
    check(got == {"pp_work": 2, "pp_leaf": 20, "pp_skip": 2, "pp_under_skip": 2}, f"kept: {got}")
    check(rows(out, "SELECT count(*) FROM span c JOIN span p ON p.id = c.parent_id"
                    " JOIN string n ON n.id = p.name_id WHERE n.value = 'pp_work'"
                    " AND c.depth = p.depth + 1") == [(22,)], "callees nest under pp_work")
    out = f"{tmp}/excluded.db"
    run("record", "-o", out, "--filter", "pp_*, !pp_skip", "--", prog)
    got = counts(out)
    check(got == {"pp_work": 2, "pp_leaf": 20}, f"excluded: {got}")
    out = f"{tmp}/all.db"
    run("record", "-o", out, "--", prog)
    got = counts(out)
    check(got.get("main") == 1 and got.get("pp_under_skip") == 2, f"unfiltered: {got}")


def case_export_odd_rows(tmp):
    """Rows a buggy or hostile writer could leave: every export stays valid JSON."""
    db = gen(f"{tmp}/t.db", "--spans", "400", "--threads", "2", "--processes", "1")
    con = sqlite3.connect(db)
    con.executescript("""
        UPDATE span SET attrs = '{"broken": ' WHERE id = 2;
        UPDATE span SET attrs = '[1, 2, 3]' WHERE id = 3;
        UPDATE span SET attrs = '"just a string"' WHERE id = 4;
        UPDATE span SET dur_ns = -50 WHERE id = 5;
        UPDATE span SET parent_id = 999999 WHERE id = 6;
        UPDATE span SET thread_id = 77 WHERE id = 7;
        UPDATE span SET name_id = 4242 WHERE id = 8;
        UPDATE span SET trace_id = 55 WHERE id = 9;
        UPDATE span SET status = 9 WHERE id = 10;
        UPDATE span SET attrs = '{"deep": ' || replace(hex(zeroblob(500)), '00', '[')
                                || replace(hex(zeroblob(500)), '00', ']') || '}' WHERE id = 11;
        UPDATE string SET value = CAST(X'626164FFFE0A01225C' AS TEXT) WHERE id = 2;
        UPDATE thread SET name = NULL WHERE id = 1;
        UPDATE process SET name = NULL, hostname = NULL, cmdline = NULL;
        UPDATE trace SET hex = 'not-hex';
        INSERT INTO event(span_id, thread_id, ts_ns, name_id, attrs) VALUES
          (NULL, 1, 5, 1, '{'), (999999, 88, 6, 4343, NULL);
        INSERT INTO link VALUES (12, 888888, 1);
    """)
    con.commit()
    con.close()
    # Bad attrs: 3 spans and an event; OTLP leaves out events without a span, speedscope
    # has no attributes at all.
    for fmt, bad in (("chrome", b"4"), ("speedscope", None), ("otlp", b"3")):
        p = run("export", "-f", fmt, db)
        doc = json.loads(p.stdout.decode("utf-8"))  # strict UTF-8, strict JSON
        check(p.stderr == b"" if bad is None else
              bad + b" attribute values that were not JSON objects" in p.stderr, p.stderr)
        if fmt == "otlp":
            spans = [s for rs in doc["resourceSpans"] for ss in rs["scopeSpans"]
                     for s in ss["spans"]]
            for s in spans:
                int(s["traceId"], 16), int(s["spanId"], 16)
                check(len(s["traceId"]) == 32 and len(s["spanId"]) == 16, "id lengths")
                check(int(s["endTimeUnixNano"]) >= int(s["startTimeUnixNano"]), "end >= start")
        if fmt == "chrome":
            names = {e["name"] for e in doc["traceEvents"]}
            check("bad\ufffd\ufffd\n\x01\"\\" in names, f"invalid UTF-8 replaced: {names}")
            run("import", "-", "-o", f"{tmp}/back.db", stdin=p.stdout)
    for cmd in ("info", "tree", "stats"):
        run(cmd, db)


def case_output_errors(tmp):
    db = gen(f"{tmp}/t.db", "--spans", "2000")
    if os.path.exists("/dev/full"):
        p = run("export", "-f", "chrome", db, "-o", "/dev/full", code=1)
        check(b"No space left" in p.stderr, p.stderr)
    p = run("export", "-f", "chrome", db, "-o", f"{tmp}/no/such/dir.json", code=1)
    check(b"No such file" in p.stderr, p.stderr)
    before = open(db, "rb").read()
    p = run("export", "-f", "chrome", db, "-o", db, code=2)
    check(b"is the trace being exported" in p.stderr and open(db, "rb").read() == before,
          "export over its own input refused")
    p = run("import", f"{tmp}/missing.json", "-o", f"{tmp}/x.db", code=1)
    check(b"missing.json" in p.stderr, p.stderr)


# ---- real consumers (node) --------------------------------------------------------------


def node_modules():
    nm = os.path.join(HERE, "node_modules")
    if not os.path.isdir(nm) or not shutil.which("node"):
        raise Skip(f"skipped: {nm} is absent (run npm ci --prefix tests/cli)")
    return nm


def node(script, *args):
    p = subprocess.run(["node", os.path.join(HERE, script), *args], capture_output=True,
                       timeout=120, env={**os.environ, "NODE_PATH": node_modules()})
    check(p.returncode == 0, f"{script}: {p.stdout.decode()}\n{p.stderr.decode()}")
    return p.stdout.decode()


def case_consumer_speedscope_schema(tmp):
    node_modules()
    db = gen(f"{tmp}/t.db", "--spans", "2000")
    run("export", "-f", "speedscope", db, "-o", f"{tmp}/t.speedscope.json")
    print(node("validate-speedscope.js", f"{tmp}/t.speedscope.json"))


def case_consumer_otlp_protobuf(tmp):
    node_modules()
    db = gen(f"{tmp}/t.db", "--spans", "2000")
    run("export", "-f", "otlp", db, "-o", f"{tmp}/t.otlp.json")
    print(node("check-otlp.js", f"{tmp}/t.otlp.json"))


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(root):
    handler = lambda *a, **kw: QuietHandler(*a, directory=root, **kw)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def speedscope_dom(tmp, server, name):
    url = (f"http://127.0.0.1:{server.server_port}/speedscope/index.html"
           f"#profileURL=http%3A%2F%2F127.0.0.1%3A{server.server_port}%2F{name}"
           # The flame chart is a canvas; the sandwich view lists frame names in the DOM.
           "&view=sandwich")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    p = subprocess.run(["timeout", "60", chromium, "--headless", "--no-sandbox",
                        "--disable-gpu", "--disable-background-networking", "--no-first-run",
                        f"--user-data-dir={tmp}/chromium-{name}", "--virtual-time-budget=15000",
                        "--dump-dom", url], capture_output=True, timeout=90)
    check(p.returncode == 0, f"chromium exit {p.returncode} on {name}: {p.stderr[-2000:]}")
    return p.stdout.decode(errors="replace")


def case_consumer_speedscope_browser(tmp):
    nm = node_modules()
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        raise Skip("skipped: chromium is not installed")
    root = f"{tmp}/www"
    shutil.copytree(os.path.join(nm, "speedscope", "dist", "release"), f"{root}/speedscope")
    # Names only a real parse can show: the page knows nothing else about them.
    con = gen(f"{tmp}/t.db", "--spans", "300", "--threads", "1", "--processes", "1")
    db = sqlite3.connect(con)
    db.execute("UPDATE string SET value = 'ctxSpeedscopeProbe' || id WHERE id <= 3")
    db.commit()
    db.close()
    run("export", "-f", "speedscope", con, "-o", f"{root}/t.speedscope.json")
    run("export", "-f", "chrome", con, "-o", f"{root}/t.trace-events.json")
    server = serve(root)
    try:
        # Not "*.chrome.json": speedscope reads that suffix as a DevTools timeline.
        for name in ("t.speedscope.json", "t.trace-events.json"):
            # The sandwich table fills its rows on a later animation frame; on a loaded
            # machine headless chromium sometimes dumps the page just before (an empty,
            # already sized table body).  Such a dump is retried, twice at most.
            for attempt in range(3):
                dom = speedscope_dom(tmp, server, name)
                found = [n for n in ("ctxSpeedscopeProbe1", "ctxSpeedscopeProbe2",
                                     "ctxSpeedscopeProbe3") if n in dom]
                if found or "Symbol Name" not in dom:
                    break
            check(found, f"speedscope shows none of our frame names for {name}: "
                         f"{dom[-3000:]}")
            print(f"{name}: speedscope shows {found}")
    finally:
        server.shutdown()


def case_fuzz_import(tmp):
    fuzzer = os.environ["CTX_FUZZ_IMPORT"]
    secs = os.environ.get("CTX_FUZZ_SECONDS", "20")
    corpus = f"{tmp}/corpus"
    os.mkdir(corpus)
    p = subprocess.run([fuzzer, f"-max_total_time={secs}", "-max_len=16384", "-timeout=10",
                        "-rss_limit_mb=2048", f"-artifact_prefix={tmp}/", corpus,
                        os.environ["CTX_FUZZ_CORPUS"]], capture_output=True, timeout=300)
    tail = p.stderr.decode(errors="replace")[-3000:]
    check(p.returncode == 0, f"fuzzer found a problem:\n{tail}")
    print(tail.splitlines()[-1] if tail else "")


def main():
    name = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix=f"ctxtrace-cli-{name}-")
    try:
        globals()["case_" + name](tmp)
    except Skip as e:
        print(e)
        return SKIP
    except AssertionError as e:
        print(f"FAIL {name}: {e}")
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"ok {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
