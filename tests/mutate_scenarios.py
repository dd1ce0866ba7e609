#!/usr/bin/env python3
"""mutate_scenarios.py: structured mutants of the shipped scenarios through `topsim validate`.

    mutate_scenarios.py TOPSIM_BINARY SOURCE_DIR [--max N] [--jobs J] [--seed S] [--keep DIR]

Every shipped scenario (scenarios/*.json, scenarios/drills/*.json) is mutated at every JSON
path: its value swapped for every other JSON type, extreme numbers, extreme durations and
quantities by the kind of value found there, removed, duplicated (array elements); at the
top, include tricks (devices, paths leaving the tree, self-includes, diamonds, non-JSON)
and --set overrides that wrap indexes or break syntax. Each mutant is validated in its own
process and must end with exit 0 (and "ok" on stdout) or exit 2 with at least one
"error:" message on stderr and nothing on stdout; a signal, another exit code, a sanitizer
report or a hang (30 s) fails it.

The mutants are enumerated deterministically; when there are more than --max (default
1000), a deterministic sample (--seed) is run, so the CI time stays bounded. Failing mutants
are written to --keep DIR (default: a directory named in the output) to reproduce them.
Prints one line of figures; exits 1 if any mutant failed, 2 on a usage error.
"""
import argparse
import concurrent.futures
import copy
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

DURATION = re.compile(r'^[0-9.eE+-]+(ns|us|ms|s|m|min|h|d)$')
QUANTITY = re.compile(r'^[0-9.eE+-]+\s*([A-Za-z%/]+.*)$')

TYPE_SWAPS = [0, -1, 1.5, 1e308, -1e308, 4294967297, 9223372036854775808, "", "x", None,
              True, [], {}, [1], {"a": 1}, ["x", None]]
DURATIONS = ["0s", "-1s", "1ns", "365d", "366d", "9999999999d", "1e308s", "1e-30s",
             "NaNs", "infs", "1h30", "s", "5sec", "0x10s", "1e19ns"]
QUANTITY_NUMBERS = ["0", "-1", "1e308", "1e-308", "NaN", "inf", "4294967297", ""]
INCLUDES = ["/dev/zero", "/dev/urandom", "../../../../../../../../etc/passwd", "/etc/shadow",
            "no-such-file.json", ".", "", 123, [1], None, {"a": 1}, "notjson.txt"]
SETS = ["hosts[0]=1", "hosts[4294967297].name=x", "hosts[18446744073709551617].az=x",
        "hosts[-1].name=x", "hosts[].name=x", "regions[0].azs[0]=5", "regions[0]=null",
        "duration=400d", "warmup=365d", "mirror.qos_timeout=1e308s", "=", "a..b=1",
        "hosts[0].volumes[0]=[]", "faults=[1,2,3]", "workload.operations[0]=\"x\"",
        "mirrors[0].asyncs=[null]", "load_balancers[0]={}", "dns=[[]]"]


def paths(node, prefix=()):
    """Every path into node, as tuples of keys and indexes, the root first."""
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths(v, prefix + (i,))


def get(doc, path):
    for p in path:
        doc = doc[p]
    return doc


def replaced(doc, path, value):
    out = copy.deepcopy(doc)
    if not path:
        return value
    get(out, path[:-1])[path[-1]] = value
    return out


def removed(doc, path):
    out = copy.deepcopy(doc)
    parent = get(out, path[:-1])
    del parent[path[-1]]
    return out


def duplicated(doc, path):
    out = copy.deepcopy(doc)
    parent = get(out, path[:-1])
    parent.insert(path[-1], copy.deepcopy(parent[path[-1]]))
    return out


def value_variants(value):
    """Extreme values of the kind found at a path, besides the type swaps."""
    if isinstance(value, str):
        if DURATION.match(value):
            return DURATIONS
        m = QUANTITY.match(value)
        if m:
            return [n + m.group(1) for n in QUANTITY_NUMBERS]
        return ["", "x" * 300, "a/b", "us-east-1", "\u00e9\u4e2d", "null"]
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [0, -1, 0.5, 2 ** 63, 2 ** 64 + 1, 1e308, -1e308, 9007199254740993]
    return []


def mutants_of(doc):
    """(description, a function building the mutated document, extra argv) for one scenario
    document; built lazily, since only a sample of them may run."""
    for path in paths(doc):
        where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
        value = get(doc, path)
        if path:
            for v in TYPE_SWAPS:
                if type(v) is not type(value) or v != value:
                    yield f"{where} = {json.dumps(v)}", (lambda p=path, v=v: replaced(doc, p, v)), []
            for v in value_variants(value):
                yield f"{where} = {json.dumps(v)}", (lambda p=path, v=v: replaced(doc, p, v)), []
            yield f"remove {where}", (lambda p=path: removed(doc, p)), []
            if isinstance(path[-1], int):
                yield f"duplicate {where}", (lambda p=path: duplicated(doc, p)), []
        if isinstance(value, list) and value:
            yield f"{where} = 200 copies", (lambda p=path, v=value: replaced(doc, p, v * 200)), []
        if isinstance(value, dict) and path:
            yield f"{where}.unknown_key", (lambda p=path, v=value: replaced(doc, p, {**v, "sise": 1})), []
    for inc in INCLUDES:
        yield f"include {json.dumps(inc)}", (lambda inc=inc: {**doc, "include": inc}), []
    own = doc.get("include")
    if isinstance(own, str):
        yield "include twice (diamond)", (lambda: {**doc, "include": [own, own]}), []
    yield "include itself", (lambda: {**doc, "include": "@SELF@"}), []
    yield "include itself twice", (lambda: {**doc, "include": ["@SELF@", "@SELF@"]}), []
    for s in SETS:
        yield f"--set {s}", (lambda: doc), ["--set", s]


def run_one(binary, workdir, index, scenario_rel, description, text, argv):
    """Write one mutant beside its original (so relative includes resolve) and validate."""
    name = f"mutant-{index}.json"
    rel = os.path.join(os.path.dirname(scenario_rel), name)
    with open(os.path.join(workdir, rel), "w") as f:
        f.write(text.replace("@SELF@", name))
    try:
        p = subprocess.run([binary, "validate", *argv, rel], cwd=workdir, capture_output=True,
                           timeout=30, text=True, errors="replace")
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        rc, out, err = "timeout", "", ""
    reason = None
    if rc == "timeout":
        reason = "hung (30 s)"
    elif rc < 0:
        reason = f"killed by signal {-rc}"
    elif "Sanitizer" in err or "runtime error:" in err:
        reason = "sanitizer report"
    elif rc == 0 and ": ok" not in out:
        reason = "exit 0 without ok"
    elif rc == 2 and ("error:" not in err or out):
        reason = "exit 2 without an error message (or with stdout)"
    elif rc not in (0, 2):
        reason = f"exit {rc}"
    if reason is None:
        os.unlink(os.path.join(workdir, rel))
    return rc, reason, rel, description, argv, err


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("source")
    ap.add_argument("--max", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep")
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    src = os.path.abspath(a.source)

    work = tempfile.mkdtemp(prefix="topsim-mutants.")
    try:
        # A copy of the scenarios tree: mutants sit beside their originals, and the include
        # root (the current directory) is this copy, never the real tree.
        shutil.copytree(os.path.join(src, "scenarios"), os.path.join(work, "scenarios"))
        for d in ("scenarios", "scenarios/drills"):
            with open(os.path.join(work, d, "notjson.txt"), "w") as f:
                f.write("root:$6$not-json:19000:0:99999:7:::\n")
        originals = sorted(
            os.path.relpath(os.path.join(dp, f), work)
            for dp, _, fs in os.walk(os.path.join(work, "scenarios"))
            for f in fs if f.endswith(".json") and "/catalog" not in dp + "/")
        jobs = []
        for rel in originals:
            with open(os.path.join(work, rel)) as f:
                doc = json.load(f)
            for description, build, argv in mutants_of(doc):
                jobs.append((rel, description, build, argv))
        total = len(jobs)
        if total > a.max:
            jobs = random.Random(a.seed).sample(jobs, a.max)
        counts = {0: 0, 2: 0}
        failures = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
            futures = [pool.submit(run_one, binary, work, i, rel, desc,
                                   json.dumps(build(), indent=1), argv)
                       for i, (rel, desc, build, argv) in enumerate(jobs)]
            for fut in concurrent.futures.as_completed(futures):
                rc, reason, rel, desc, argv, err = fut.result()
                if reason:
                    failures.append((rel, desc, argv, reason, err))
                else:
                    counts[rc] += 1
        print(f"mutants: {total} generated from {len(originals)} scenarios, {len(jobs)} run: "
              f"{counts[0]} valid (exit 0), {counts[2]} refused with a message (exit 2), "
              f"{len(failures)} failed")
        if failures:
            keep = a.keep or tempfile.mkdtemp(prefix="topsim-failed-mutants.")
            os.makedirs(keep, exist_ok=True)
            for rel, desc, argv, reason, err in failures[:50]:
                print(f"FAIL {rel} ({desc}) {' '.join(argv)}: {reason}")
                print("  | " + "\n  | ".join(err.splitlines()[-15:]))
                shutil.copy(os.path.join(work, rel), keep)
            print(f"failing mutants kept in {keep} (run them from a copy of scenarios/)")
            return 1
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
