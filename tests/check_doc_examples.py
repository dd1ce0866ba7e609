#!/usr/bin/env python3
"""check_doc_examples.py BIN SOURCE_DIR [--update] [DOC...]: every console example of
README.md and docs/*.md still prints what the document says.

A console example is a fenced block whose lines start "$ COMMAND" followed by the output of
that command (stdout and stderr together, as a terminal shows them); a command continues
on the next line after a trailing backslash, or on lines that start "> " (the shell's
continuation prompt, for a quoted text over several lines). The examples of one document run in order in
one scratch directory, where `topsim` and `build/topsim` are BIN, `scenarios/` is the
source tree's and every
fenced block of the document preceded by the line `<!-- file: NAME -->` has been written to
NAME before the first example runs (so a document's own example files are what its
examples read). `$?` is the previous command's
exit code; a command that exits non-zero with no output shown fails its example unless
the next command is `echo $?`. A command that writes `-o docs/img/NAME` must draw exactly the committed
docs/img/NAME (the picture the document shows). Before comparing, volatile parts are masked on both sides: wall time, events per
second and simulation speed, progress lines, dates, the scratch directory. An output line
"..." stands for any number of lines. A block preceded by `<!-- no-run -->` is not run.

--update rewrites the outputs in the documents with what the commands print now (keeping a
"..." line and the lines around it) and the pictures in docs/img, for a commit that says
why they changed. Exit 0 when
every example matches, 1 when one differs (a unified diff of each), 2 on usage errors.
"""
import concurrent.futures
import difflib
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^```(\S*)\s*$")
FILE_MARK = re.compile(r"^<!-- file: (\S+) -->\s*$")
NO_RUN = "<!-- no-run -->"
MASKS = [
    (re.compile(r"in [0-9.]+ s wall: [0-9]+ events/s, simulated/wall time [0-9.]+x"),
     "in <wall> s wall: <rate> events/s, simulated/wall time <speed>x"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?Z?"), "<date>"),
    (re.compile(r"\b[0-9.]+ s wall\b"), "<wall> s wall"),
    (re.compile(r"(replications?, seed \d+, )[0-9.]+ s$"), r"\1<wall> s"),
    (re.compile(r"time=\"[0-9.]+\""), 'time="<wall>"'),
    (re.compile(r"\"wall_s\": [0-9.e+-]+"), '"wall_s": <wall>'),
]


def mask(line, workdir):
    line = line.replace(workdir, "<dir>")
    for pattern, repl in MASKS:
        line = pattern.sub(repl, line)
    return line.rstrip()


class Example:
    def __init__(self, doc, line, command):
        self.doc, self.line, self.command = doc, line, command
        self.expected = []           # output lines as written in the document
        self.out_start = self.out_end = 0  # their line range in the document (0-based)


def open_quote(command):
    """command ends inside a quoted text (so a "> " line continues it)."""
    quote = None
    for c in command:
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
    return quote is not None


def parse(doc_path):
    """The document's files (name -> text) and examples, in order."""
    lines = open(doc_path, encoding="utf-8").read().split("\n")
    items = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or not m.group(1) and i > 0 and lines[i - 1].startswith("    "):
            i += 1
            continue
        start = i + 1
        end = start
        while end < len(lines) and lines[end] != "```":
            end += 1
        before = lines[i - 1] if i > 0 else ""
        body = lines[start:end]
        fm = FILE_MARK.match(before)
        if fm:
            items.append(("file", fm.group(1), "\n".join(body) + "\n"))
        elif before.strip() != NO_RUN and body and body[0].startswith("$ "):
            k = start
            current = None
            while k < end:
                text = lines[k]
                if text.startswith("$ "):
                    cmd_line = k
                    command = text[2:]
                    while k + 1 < end and (command.endswith("\\") or
                                           open_quote(command) and
                                           lines[k + 1].startswith("> ")):
                        k += 1
                        nxt = lines[k]
                        command += "\n" + (nxt[2:] if nxt.startswith("> ") else nxt)
                    current = Example(doc_path, cmd_line + 1, command)
                    current.out_start = k + 1
                    current.out_end = k + 1
                    items.append(("example", current))
                else:
                    current.expected.append(text)
                    current.out_end = k + 1
                k += 1
        i = end + 1
    return lines, items


def matches(expected, actual):
    """expected (with "..." lines for any number of lines) against actual."""
    parts = [[]]
    for e in expected:
        if e == "...":
            parts.append([])
        else:
            parts[-1].append(e)
    if len(parts) == 1:
        return expected == actual
    head, tail = parts[0], parts[-1]
    if actual[:len(head)] != head or len(actual) < len(head) + len(tail):
        return False
    if tail and actual[len(actual) - len(tail):] != tail:
        return False
    pos, stop = len(head), len(actual) - len(tail)
    for part in parts[1:-1]:
        found = False
        while pos + len(part) <= stop:
            if actual[pos:pos + len(part)] == part:
                pos += len(part)
                found = True
                break
            pos += 1
        if not found:
            return False
    return True


def run_doc(binary, src, doc, update):
    lines, items = parse(doc)
    examples = [it[1] for it in items if it[0] == "example"]
    if not examples:
        return 0, [], None
    work = tempfile.mkdtemp(prefix="topsim-doc-")
    try:
        os.symlink(os.path.join(src, "scenarios"), os.path.join(work, "scenarios"))
        os.makedirs(os.path.join(work, "docs", "img"))
        bindir = os.path.join(work, ".bin")
        os.makedirs(bindir)
        os.symlink(os.path.abspath(binary), os.path.join(bindir, "topsim"))
        os.makedirs(os.path.join(work, "build"))
        os.symlink(os.path.abspath(binary), os.path.join(work, "build", "topsim"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("TOPSIM_")}
        env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
        env["LC_ALL"] = "C.UTF-8"
        env["TZ"] = "UTC"
        failures, report, rc = 0, [], 0
        replacements = []
        for it in items:
            if it[0] == "file":
                with open(os.path.join(work, it[1]), "w", encoding="utf-8") as f:
                    f.write(it[2])
        examples = [it[1] for it in items if it[0] == "example"]
        for n, ex in enumerate(examples):
            proc = subprocess.run(["bash", "-c", f"(exit {rc}); {ex.command}"], cwd=work,
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  timeout=900)
            rc = proc.returncode
            raw = proc.stdout.decode("utf-8", "replace").split("\n")
            if raw and raw[-1] == "":
                raw.pop()
            raw = [l for l in raw if "\r" not in l]  # progress lines redraw with \r
            actual = [mask(l, work) for l in raw]
            expected = [mask(l, work) for l in ex.expected]
            where = f"{os.path.relpath(ex.doc, src)}:{ex.line}"
            shown = n + 1 < len(examples) and examples[n + 1].command.strip() == "echo $?"
            silent = not [l for l in ex.expected if l.strip() and l != "..."]
            if rc != 0 and silent and not shown:
                failures += 1
                report.append(f"FAIL: {where}: $ {ex.command}\nexit {rc} (an example that "
                              "fails shows its error or `$ echo $?` next)\n" +
                              "\n".join(raw[-10:]))
                continue
            # A picture the document shows is the one the command draws now.
            for m in re.finditer(r"-o (docs/img/\S+\.(?:png|svg))", ex.command):
                made = os.path.join(work, m.group(1))
                committed = os.path.join(src, m.group(1))
                if update and os.path.exists(made):
                    shutil.copyfile(made, committed)
                elif not os.path.exists(committed) or not os.path.exists(made) or \
                        open(made, "rb").read() != open(committed, "rb").read():
                    failures += 1
                    report.append(f"FAIL: {where}: {m.group(1)} is not what "
                                  f"`{ex.command}` draws now")
            if matches(expected, actual):
                continue
            failures += 1
            diff = "\n".join(difflib.unified_diff(expected, actual, "documented", "now",
                                                  lineterm="", n=2))
            report.append(f"FAIL: {where}: $ {ex.command}\n{diff}")
            if update:
                new = [l.rstrip().replace(work, ".") for l in raw]
                if ex.expected.count("...") == 1:
                    k = ex.expected.index("...")
                    tail = len(ex.expected) - k - 1
                    if len(new) > k + tail:
                        new = new[:k] + ["..."] + (new[len(new) - tail:] if tail else [])
                replacements.append((ex.out_start, ex.out_end, new))
        new_text = None
        if update and replacements:
            for start, end, new in sorted(replacements, reverse=True):
                lines[start:end] = new
            new_text = "\n".join(lines)
        return failures, report, new_text
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    args = [a for a in sys.argv[1:] if a != "--update"]
    update = "--update" in sys.argv[1:]
    if len(args) < 2:
        print(__doc__.split("\n\n")[0], file=sys.stderr)
        return 2
    binary, src = os.path.abspath(args[0]), os.path.abspath(args[1])
    docs = [os.path.abspath(d) for d in args[2:]] or \
        [os.path.join(src, "README.md")] + sorted(glob.glob(os.path.join(src, "docs", "*.md")))
    total = sum(1 for d in docs for it in parse(d)[1] if it[0] == "example")
    failures = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda d: (d, run_doc(binary, src, d, update)), docs))
    for doc, (f, report, new_text) in results:
        failures += f
        for r in report:
            print(r)
        if new_text is not None:
            with open(doc, "w", encoding="utf-8") as out:
                out.write(new_text)
            print(f"updated {os.path.relpath(doc, src)}")
    if failures:
        print(f"{failures} of {total} documented examples differ"
              + (" (documents updated)" if update else
                 "; rerun with --update to rewrite them (and say why in the commit)"))
        return 1
    print(f"ok: {total} documented examples in {len(docs)} documents print what they show")
    return 0


if __name__ == "__main__":
    sys.exit(main())
