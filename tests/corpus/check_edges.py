#!/usr/bin/env python3
"""Check `readyinstall graph --format json` of the corpus against the expected
edges of tests/corpus/expected-edges.tsv (format: see the TSV's header).

  check_edges.py --bin RI_BIN --corpus DIR --expected TSV [--file NAME ...]
  check_edges.py GRAPH_JSON_DIR EXPECTED_TSV [--file NAME ...]

The first form runs `RI_BIN graph --format json [-n NS] DIR/FILE` for every
corpus FILE the TSV names; the second reads GRAPH_JSON_DIR/FILE.json (or the
name with .yaml replaced by .json). Prints TAP: per positive line one test
that the edge exists and one that the render order puts FROM first (or both
are in one cycle); per negative line one test that the edge is absent; per
`none` line a skipped test. Exit 0 when every test passed, 1 when one failed,
2 for a usage error or a malformed TSV. Python 3 standard library only.
"""
import argparse
import json
import os
import subprocess
import sys

REASONS = {"crd", "namespace", "webhook", "conversion", "apiservice",
           "ca-injection", "issuer", "certificate-secret",
           "externalsecret-secret", "reference", "explicit", "service"}
GRAPH_TIMEOUT = 300  # seconds per corpus file


class TsvError(Exception):
    pass


class Line:
    """One expectation of the TSV."""

    def __init__(self, lineno, file, src, dst, reason, note):
        self.lineno, self.file, self.src, self.dst = lineno, file, src, dst
        self.note = note
        self.negative = reason.startswith("!")
        self.none = reason == "none"
        self.reason = reason[1:] if self.negative else reason
        self.reasons = set(self.reason.split("|"))


def parse_ref(text):
    """Kind/ns/name, Kind/name (cluster-scoped), optional @apiVersion.
    Returns (kind, ns, name, apiVersion or None); ns "" = cluster, "*" any."""
    api = None
    if "@" in text:
        text, api = text.split("@", 1)
    parts = text.split("/")
    if len(parts) == 2 and all(parts):
        return parts[0], "", parts[1], api
    if len(parts) == 3 and parts[0] and parts[2]:
        return parts[0], parts[1], parts[2], api
    raise TsvError("bad object reference %r (Kind/ns/name or Kind/name)" % text)


def read_tsv(path):
    """Returns (lines, {file: namespace})."""
    lines, namespaces = [], {}
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            text = raw.rstrip("\n")
            where = "%s:%d" % (path, lineno)
            if text.startswith("#@namespace"):
                cols = text.split("\t")
                if len(cols) != 3:
                    raise TsvError(where + ": #@namespace<TAB>FILE<TAB>NS expected")
                namespaces[cols[1]] = cols[2]
                continue
            if not text.strip() or text.startswith("#"):
                continue
            cols = text.split("\t")
            if len(cols) != 5:
                raise TsvError("%s: %d fields, 5 expected" % (where, len(cols)))
            file, src, dst, reason, note = cols
            line = Line(lineno, file, src, dst, reason, note)
            if line.none:
                if src != "-" or dst != "-":
                    raise TsvError(where + ": a none line has FROM and TO '-'")
            else:
                bad = line.reasons - REASONS
                if bad or not line.reason:
                    raise TsvError("%s: unknown reason %r" % (where, reason))
                try:
                    parse_ref(src)
                    parse_ref(dst)
                except TsvError as e:
                    raise TsvError("%s: %s" % (where, e))
            if not note.strip():
                raise TsvError(where + ": empty NOTE")
            lines.append(line)
    return lines, namespaces


class Graph:
    def __init__(self, doc):
        self.nodes = {}
        self.by_key = {}
        for n in doc.get("nodes", []):
            self.nodes[n["id"]] = n
            if "kind" not in n:  # a virtual group node
                continue
            key = (n["kind"], n.get("namespace", ""), n["name"])
            self.by_key.setdefault(key, []).append(n)
        self.edges = {}
        for e in doc.get("edges", []):
            self.edges.setdefault((e["from"], e["to"]), []).append(e)
        self.pos = {nid: i for i, nid in enumerate(doc.get("order", []))}
        self.cycle_of = {}
        for i, members in enumerate(doc.get("cycles", [])):
            for m in members:
                self.cycle_of[m] = i

    def resolve(self, text):
        """Node ids for a reference, and a note when only a scope-blind
        match was found."""
        kind, ns, name, api = parse_ref(text)

        def pick(cands):
            if api is not None:
                cands = [n for n in cands if n.get("apiVersion") == api]
            return [n["id"] for n in cands]

        if ns == "*":
            ids = pick([n for (k, _, nm), lst in self.by_key.items()
                        if k == kind and nm == name for n in lst])
            return ids, None
        ids = pick(self.by_key.get((kind, ns, name), []))
        if ids or ns:
            return ids, None
        # Kind/name: a cluster-scoped object the graph put in a namespace
        # (its CRD is not in the stream, so its scope is unknown there).
        loose = [n for (k, _, nm), lst in self.by_key.items()
                 if k == kind and nm == name for n in lst]
        ids = pick(loose)
        if ids:
            spaces = sorted({self.nodes[i].get("namespace", "") for i in ids})
            return ids, "%s is cluster-scoped; the graph has namespace %s" % (
                text, ", ".join(repr(s) for s in spaces))
        return [], None

    def name(self, nid):
        n = self.nodes.get(nid, {})
        if "kind" not in n:
            return "node %s" % nid
        ns = n.get("namespace", "")
        base = "%s/%s/%s" % (n["kind"], ns, n["name"]) if ns else \
            "%s/%s" % (n["kind"], n["name"])
        return "%s (id %d, %s)" % (base, nid, n.get("apiVersion", "?"))


class Tap:
    def __init__(self, out):
        self.out, self.n, self.failed = out, 0, 0

    @staticmethod
    def clean(text):
        return text.replace("\\", "\\\\").replace("#", "\\#").replace("\n", " ")

    def result(self, ok, desc, directive=None, diag=()):
        self.n += 1
        if not ok:
            self.failed += 1
        line = "%s %d - %s" % ("ok" if ok else "not ok", self.n, self.clean(desc))
        if directive:
            line += " # " + directive
        self.out.write(line + "\n")
        for d in diag:
            self.out.write("#   %s\n" % d)

    def comment(self, text):
        self.out.write("# %s\n" % text)

    def bail(self, text):
        self.out.write("Bail out! %s\n" % text)


def run_graph(ri_bin, path, namespace):
    argv = [ri_bin, "graph", "--format", "json", "--compact"]
    if namespace:
        argv += ["-n", namespace]
    argv.append(path)
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=GRAPH_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, "%s: %s" % (" ".join(argv), e)
    if p.returncode != 0:
        err = p.stderr.decode("utf-8", "replace").strip().splitlines()[:20]
        return None, "%s: exit %d%s" % (" ".join(argv), p.returncode,
                                         "".join("\n" + x for x in err))
    try:
        return json.loads(p.stdout.decode("utf-8")), None
    except ValueError as e:
        return None, "%s: output is not JSON: %s" % (" ".join(argv), e)


def read_json(directory, file):
    base = file[:-5] if file.endswith(".yaml") else file
    for cand in (os.path.join(directory, file + ".json"),
                 os.path.join(directory, base + ".json")):
        if os.path.exists(cand):
            try:
                with open(cand, encoding="utf-8") as f:
                    return json.load(f), None
            except (OSError, ValueError) as e:
                return None, "%s: %s" % (cand, e)
    return None, "no %s.json in %s" % (base, directory)


def edge_desc(line):
    mark = "!" if line.negative else ""
    return "%s: %s -> %s [%s%s]" % (line.file, line.src, line.dst, mark, line.reason)


def pairs(src_ids, dst_ids):
    return [(a, b) for a in src_ids for b in dst_ids if a != b]


def check_line(tap, g, line, failures):
    src_ids, src_note = g.resolve(line.src)
    dst_ids, dst_note = g.resolve(line.dst)
    notes = [x for x in (src_note, dst_note) if x]
    missing_obj = [r for r, ids in ((line.src, src_ids), (line.dst, dst_ids)) if not ids]
    if missing_obj:
        tap.result(False, edge_desc(line) + " - object not in the graph",
                   diag=["%s is not a node of the graph (a mistake in the TSV, "
                         "line %d?)" % (r, line.lineno) for r in missing_obj])
        failures.append((line, "object not in the graph: " + ", ".join(missing_obj)))
        return
    todo = pairs(src_ids, dst_ids)
    if not todo:
        tap.result(False, edge_desc(line) + " - FROM and TO are the same object",
                   diag=["TSV line %d" % line.lineno])
        failures.append((line, "FROM and TO are the same object"))
        return
    if line.negative:
        found = [e for a, b in todo for e in g.edges.get((a, b), [])
                 if e["reason"] in line.reasons]
        diag = ["present: %s" % e.get("detail", "") for e in found] + \
            ["note: " + n for n in notes]
        tap.result(not found, edge_desc(line) + (" present" if found else " absent"),
                   diag=diag)
        if found:
            failures.append((line, "present: " + found[0].get("detail", "")))
        return

    # The edge itself.
    absent, flags, diag = [], set(), []
    for a, b in todo:
        hits = [e for e in g.edges.get((a, b), []) if e["reason"] in line.reasons]
        if hits:
            for e in hits:
                flags.update(e.get("flags", []))
            continue
        absent.append((a, b))
        others = [e["reason"] for e in g.edges.get((a, b), [])]
        back = [e["reason"] for e in g.edges.get((b, a), [])]
        extra = ""
        if others:
            extra += "; has [%s] instead" % ", ".join(sorted(set(others)))
        if back:
            extra += "; has the reverse edge [%s]" % ", ".join(sorted(set(back)))
        diag.append("no edge %s -> %s%s" % (g.name(a), g.name(b), extra))
    desc = edge_desc(line)
    if flags and not absent:
        desc += " (flags: %s)" % ", ".join(sorted(flags))
    tap.result(not absent, desc + (" missing" if absent else ""),
               diag=diag + ["note: " + n for n in notes])
    if absent:
        failures.append((line, "edge missing"))

    # The render order.
    bad, in_cycle, diag = [], False, []
    for a, b in todo:
        pa, pb = g.pos.get(a), g.pos.get(b)
        if pa is None or pb is None:
            bad.append((a, b))
            diag.append("%s not in the order" % g.name(a if pa is None else b))
        elif pa < pb:
            continue
        elif a in g.cycle_of and g.cycle_of.get(a) == g.cycle_of.get(b):
            in_cycle = True
        else:
            bad.append((a, b))
            diag.append("%s is at position %d, after %s at %d" % (
                g.name(a), pa, g.name(b), pb))
    desc = "%s: order %s before %s" % (line.file, line.src, line.dst)
    tap.result(not bad, desc + ("" if not bad else " violated"),
               directive="in a cycle" if in_cycle and not bad else None, diag=diag)
    if bad:
        failures.append((line, "order violated"))


def main(argv):
    ap = argparse.ArgumentParser(
        description="Check readyinstall graph JSON of the corpus against "
                    "tests/corpus/expected-edges.tsv; prints TAP.")
    ap.add_argument("json_dir", nargs="?", help="directory of FILE.json graphs")
    ap.add_argument("tsv", nargs="?", help="expected-edges.tsv")
    ap.add_argument("--bin", help="the readyinstall binary: run its graph command")
    ap.add_argument("--corpus", help="the corpus directory (with --bin)")
    ap.add_argument("--expected", help="expected-edges.tsv")
    ap.add_argument("--file", action="append", default=[],
                    help="check only this corpus file (may repeat)")
    args = ap.parse_args(argv)

    tsv = args.expected or args.tsv
    if args.bin:
        if not args.corpus or not tsv or args.json_dir:
            ap.error("--bin needs --corpus and --expected")
    elif not (args.json_dir and tsv):
        ap.error("give --bin/--corpus/--expected or GRAPH_JSON_DIR EXPECTED_TSV")

    tap = Tap(sys.stdout)
    try:
        lines, namespaces = read_tsv(tsv)
    except (OSError, TsvError) as e:
        tap.bail(str(e))
        return 2
    files = []
    for line in lines:
        if line.file not in files:
            files.append(line.file)
    if args.file:
        unknown = [f for f in args.file if f not in files]
        if unknown:
            tap.bail("not in %s: %s" % (tsv, ", ".join(unknown)))
            return 2
        files = [f for f in files if f in args.file]
    if args.bin and not args.file:
        listed = sorted(x for x in os.listdir(args.corpus) if x.endswith(".yaml"))
        for x in listed:
            if x not in files:
                tap.comment("corpus file %s has no expectations in %s" % (x, tsv))

    failures = []
    for file in files:
        if args.bin:
            path = os.path.join(args.corpus, file)
            if not os.path.isfile(path):
                tap.result(False, "%s: corpus file exists" % file, diag=[path])
                failures.append((None, file + ": no such corpus file"))
                continue
            doc, err = run_graph(args.bin, path, namespaces.get(file))
        else:
            doc, err = read_json(args.json_dir, file)
        if doc is None:
            tap.result(False, "%s: graph --format json" % file,
                       diag=err.splitlines())
            failures.append((None, file + ": graph failed"))
            continue
        g = Graph(doc)
        tap.comment("%s: %d nodes, %d edges, %d cycles" % (
            file, len(g.nodes), sum(len(v) for v in g.edges.values()),
            len(doc.get("cycles", []))))
        for line in lines:
            if line.file != file:
                continue
            if line.none:
                tap.result(True, "%s: %s" % (file, line.note),
                           directive="SKIP not an edge between stream objects")
            else:
                check_line(tap, g, line, failures)

    tap.out.write("1..%d\n" % tap.n)
    if failures:
        tap.comment("%d of %d tests failed:" % (tap.failed, tap.n))
        for line, why in failures:
            if line is None:
                tap.comment("  " + why)
            else:
                tap.comment("  %s (TSV line %d): %s" % (edge_desc(line), line.lineno, why))
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
