#!/usr/bin/env python3
"""Copies the README's Swift snippets from Examples/MyEstimator, so they are code that CI compiles.

A region `// README-SNIPPET: <name>` … `// README-SNIPPET-END` in any Swift file under Examples/ (dedented)
replaces the fenced block that follows `<!-- snippet: <name> -->` in README.md. `--check` only compares
and exits 1 on a difference (FrontPageTests does the same comparison in `make test`).
"""
import pathlib, re, sys, textwrap

root = pathlib.Path(__file__).resolve().parent.parent
regions = {}
for path in sorted((root / "Examples").rglob("*.swift")):
    if ".build" in path.parts:
        continue
    for m in re.finditer(r"^[ \t]*// README-SNIPPET: (\S+)\n(.*?)^[ \t]*// README-SNIPPET-END\n", path.read_text(), re.S | re.M):
        regions[m.group(1)] = textwrap.dedent(m.group(2)).rstrip("\n")
readme = (root / "README.md").read_text()
def replace(m):
    name = m.group(1)
    if name not in regions:
        sys.exit(f"README.md asks for snippet '{name}', which no Examples/ file defines")
    return f"<!-- snippet: {name} -->\n```swift\n{regions[name]}\n```"
updated = re.sub(r"<!-- snippet: (\S+) -->\n```swift\n(?:.*?\n)?```", replace, readme, flags=re.S)
if "--check" in sys.argv:
    sys.exit(0 if updated == readme else "README.md's snippets differ from Examples/: run scripts/readme-snippets.py")
(root / "README.md").write_text(updated)
