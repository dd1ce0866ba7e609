#!/usr/bin/env python3
"""check_json_schema.py BIN SOURCE_DIR: the JSON Schema that `topsim schema --json` offers
to editors accepts every shipped scenario and drill (a drill is an overlay: its required
keys come from the file it includes) and, like topsim, refuses field-level mistakes:
an unknown key, a wrong type, a quantity without its unit, a value outside an enum,
in a whole scenario and in an overlay. Validator: python3-jsonschema (Debian)."""
import copy
import glob
import json
import os
import subprocess
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed (scripts/setup installs it)")
    sys.exit(77)

binary, src = sys.argv[1], sys.argv[2]
schema = json.loads(subprocess.run([binary, "schema", "--json"], check=True,
                                   capture_output=True, text=True).stdout)
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)

failures = 0
files = sorted(glob.glob(os.path.join(src, "scenarios", "*.json")) +
               glob.glob(os.path.join(src, "scenarios", "drills", "*.json")))
if len(files) < 10:
    print(f"FAIL: only {len(files)} shipped scenarios found under {src}/scenarios")
    sys.exit(1)
for path in files:
    with open(path) as f:
        doc = json.load(f)
    errors = list(validator.iter_errors(doc))
    # topsim itself accepts it (the schema must not be stricter than topsim)
    rc = subprocess.run([binary, "validate", path], cwd=src, capture_output=True).returncode
    if rc != 0:
        print(f"FAIL: topsim validate {path} exits {rc}")
        failures += 1
    for e in errors[:3]:
        print(f"FAIL: {os.path.relpath(path, src)}: {'/'.join(map(str, e.absolute_path))}: "
              f"{e.message[:200]}")
        failures += 1

with open(os.path.join(src, "scenarios", "production.json")) as f:
    whole = json.load(f)
with open(os.path.join(src, "scenarios", "drills", "az-1a-outage.json")) as f:
    overlay = json.load(f)


def refused(name, doc):
    global failures
    if validator.is_valid(doc):
        print(f"FAIL: the schema accepts {name}")
        failures += 1


for base_name, base in (("scenario", whole), ("overlay", overlay)):
    d = copy.deepcopy(base); d["no_such_key"] = 1
    refused(f"{base_name} with an unknown key", d)
    d = copy.deepcopy(base); d["replications"] = "five"
    refused(f"{base_name} with a string for an integer", d)
    d = copy.deepcopy(base); d["duration"] = "12"
    refused(f"{base_name} with a duration without unit", d)
    d = copy.deepcopy(base); d["replications"] = 0
    refused(f"{base_name} with replications below its minimum", d)
d = copy.deepcopy(whole); d["mirrors"][0]["no_such_key"] = True
refused("a mirror with an unknown key", d)
d = copy.deepcopy(whole); d["faults"] = [{"kind": "no_such_fault", "target": "x", "at": "1m"}]
refused("a fault of an unknown kind", d)
d = copy.deepcopy(whole); del d["name"]
refused("a whole scenario without its required name", d)
d = copy.deepcopy(overlay); d["faults"][0]["for"] = 5
refused("an overlay with a number for a duration", d)

if failures:
    sys.exit(1)
print(f"ok: {len(files)} shipped scenarios valid against the JSON Schema, 11 mistakes refused")
