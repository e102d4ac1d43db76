#!/usr/bin/env python3
"""Runs one integration route of docs/integration.md exactly as written there.

A fenced block directly under `<!-- test: ROUTE... -->` is a shell step of each ROUTE named;
under `<!-- test: ROUTE... file=PATH -->` it is a file the reader writes. Steps run with
bash -euo pipefail in a fresh directory that holds a copy of the svcid tree as `svcid/`
(its tracked files, committed into a new repository, as a fresh clone would be), in
document order. CXX and CXXFLAGS come from the environment, as a user's would.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

MARKER = re.compile(r"<!--\s*test:\s*(.*?)\s*-->")


def blocks(doc):
    lines = open(doc, encoding="utf-8").read().splitlines()
    i = 0
    while i < len(lines):
        m = MARKER.fullmatch(lines[i].strip())
        if m and i + 1 < len(lines) and lines[i + 1].startswith("```"):
            words = m.group(1).split()
            path = next((w[5:] for w in words if w.startswith("file=")), None)
            routes = [w for w in words if not w.startswith("file=")]
            j = i + 2
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            yield routes, path, "\n".join(lines[i + 2:j]) + "\n", i + 1
            i = j
        i += 1


def copy_tree(source, dest):
    files = subprocess.run(["git", "-C", source, "ls-files", "-z"], check=True,
                           capture_output=True).stdout.decode().split("\0")
    for f in filter(None, files):
        src = os.path.join(source, f)
        if os.path.isfile(src):
            os.makedirs(os.path.dirname(os.path.join(dest, f)), exist_ok=True)
            shutil.copy2(src, os.path.join(dest, f))
    git = ["git", "-C", dest, "-c", "user.name=svcid", "-c", "user.email=svcid@example.invalid"]
    subprocess.run(["git", "init", "-q", dest], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "copy"], check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--doc", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--route", required=True)
    args = ap.parse_args()

    steps = [b for b in blocks(args.doc) if args.route in b[0]]
    if not any(path is None for _, path, _, _ in steps):
        sys.exit(f"{args.doc} documents no commands for route {args.route}")
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    copy_tree(args.source, os.path.join(args.work, "svcid"))
    for _, path, text, line in steps:
        if path is not None:
            target = os.path.join(args.work, path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8") as f:
                f.write(text)
            print(f"--- {args.doc}:{line}: wrote {path}", flush=True)
            continue
        print(f"--- {args.doc}:{line}:\n{text}", flush=True)
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", text], cwd=args.work)
        if done.returncode != 0:
            sys.exit(f"route {args.route}: the commands at {args.doc}:{line} failed (exit {done.returncode})")
    print(f"route {args.route}: every documented step worked")


if __name__ == "__main__":
    main()
