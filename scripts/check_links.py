#!/usr/bin/env python3
"""Fails when a relative link in README.md or docs/*.md points at nothing.

Markdown links and images, `[text](target)` and `![alt](target)`, whose target is not a URL
(scheme:...) or an anchor in the same page; the target is resolved from the linking file's
directory, without its #fragment. Fenced code blocks are skipped.

    check_links.py --root .
"""
import argparse
import pathlib
import re
import sys

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=pathlib.Path, required=True)
    args = parser.parse_args()
    documents = [args.root / "README.md"] + sorted((args.root / "docs").glob("*.md"))
    checked = 0
    broken = []
    for document in documents:
        if not document.is_file():
            continue
        text = FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), document.read_text(encoding="utf-8"))
        for match in LINK.finditer(text):
            target = match.group(1)
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith("#"):
                continue
            checked += 1
            path = target.split("#", 1)[0]
            if not (document.parent / path).exists():
                line = text.count("\n", 0, match.start()) + 1
                broken.append(f"{document.relative_to(args.root)}:{line}: {target} does not exist")
    for problem in broken:
        print(problem, file=sys.stderr)
    print(f"{checked} relative links checked, {len(broken)} broken")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
