#!/usr/bin/env python3
"""Checks that the README's C++ examples are the compiled ones.

Every ```cpp block whose first line is `// example: <file>` must equal examples/readme/<file>
byte for byte (the file starts with the same marker line), and every file in
examples/readme/ that carries a marker must be shown by at least one document. Documents are
README.md and docs/*.md under --root, those that exist.

    check_readme_examples.py --root .
"""
import argparse
import difflib
import pathlib
import re
import sys

BLOCK = re.compile(r"^```cpp[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
MARKER = re.compile(r"// example: (\S+)\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=pathlib.Path, required=True)
    args = parser.parse_args()
    examples = args.root / "examples" / "readme"
    documents = [args.root / "README.md"] + sorted((args.root / "docs").glob("*.md"))
    problems = []
    shown = set()
    for document in documents:
        if not document.is_file():
            continue
        text = document.read_text(encoding="utf-8")
        for block in BLOCK.finditer(text):
            marker = MARKER.match(block.group(1))
            if not marker:
                continue
            line = text.count("\n", 0, block.start()) + 1
            name = marker.group(1)
            source = examples / name
            if not source.is_file():
                problems.append(f"{document}:{line}: shows {name}, which is not in {examples}")
                continue
            shown.add(name)
            wanted = source.read_text(encoding="utf-8")
            if block.group(1) != wanted:
                diff = difflib.unified_diff(wanted.splitlines(True), block.group(1).splitlines(True),
                                            str(source), f"{document}:{line}")
                problems.append(f"{document}:{line}: differs from {source}:\n{''.join(diff)}")
    for source in sorted(examples.glob("*.cpp")):
        if MARKER.match(source.read_text(encoding="utf-8")) and source.name not in shown:
            problems.append(f"{source}: an example no document shows")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"check_readme_examples: {len(shown)} examples shown, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
