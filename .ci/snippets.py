#!/usr/bin/env python3
"""Keeps every fenced code block of the READMEs tied to something a test runs.

    python3 .ci/snippets.py           # rewrite each sourced block from its source
    python3 .ci/snippets.py --check   # fail when a block differs from its source, or has no marker
    python3 .ci/snippets.py --list    # every block and how it is covered
    python3 .ci/snippets.py --self-test   # the checker on a throw-away tree (make check-snippets)

Each fenced block of the READMEs below carries a marker, an HTML comment on the line above the
fence (other comment lines, such as `<!-- needs: redis -->`, may sit between the two):

    <!-- snippet: examples/node/fetch_handler.mjs#handler -->
        the block is the region `handler` of that file (relative to the repository root): the
        lines between the comment lines holding `snippet:start handler` and `snippet:end handler`
        (any comment syntax: `//`, `#`, `<!-- -->`), less their common indentation. A region may
        come in several pieces (a Go import, then a function's body), joined in order, each
        dedented. Lines holding another region's start or end, or `snippet:hide` (a line the test
        needs and the reader does not, such as a stand-in's URL), are left out. Without
        `#region`, the whole file. The file must be one that a test runs.
    <!-- snippet: runs bindings-python/tests/test_readme.py -->
        the block is run where it stands by the test named (which must exist and read a README):
        the core's README is its crate documentation (doc tests), the Python README's blocks are
        run by its test.
    <!-- snippet: none (the reason) -->
        a block that cannot run: a registry's install line, a command that needs a real Qonto
        account, console output. The reason is required.

A block with no marker fails the check.
"""

from __future__ import annotations

import difflib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

READMES = [
    "README.md",
    "core/README.md",
    "bindings-python/README.md",
    "bindings-node/README.md",
    "bindings-c/README.md",
    "bindings-go/README.md",
    "cli/README.md",
    "subscriptions/README.md",
]

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>```+|~~~+)(?P<info>.*)$")
COMMENT = re.compile(r"^\s*<!--.*-->\s*$")
MARKER = re.compile(r"^\s*<!--\s*snippet:\s*(?P<spec>.*?)\s*-->\s*$")
HEADING = re.compile(r"^(#{1,6})\s+(?P<title>.*?)\s*#*\s*$")


@dataclass
class Block:
    readme: str
    heading: str
    open_line: int  # 0-based index of the opening fence
    close_line: int  # 0-based index of the closing fence
    indent: str
    info: str
    marker: str | None  # the marker's spec, or None
    body: list[str]


def readmes() -> list[str]:
    found = [r for r in READMES if (ROOT / r).exists()]
    found += sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("examples/*/README.md"))
    return found


def blocks(readme: str, lines: list[str]) -> list[Block]:
    out: list[Block] = []
    heading = ""
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        h = HEADING.match(lines[i])
        if h and not m:
            heading = h.group("title").strip("` ")
        if not m:
            i += 1
            continue
        fence, indent = m.group("fence"), m.group("indent")
        j = i + 1
        while j < len(lines):
            c = FENCE.match(lines[j])
            if (
                c
                and c.group("fence").startswith(fence[0] * len(fence))
                and not c.group("info").strip()
            ):
                break
            j += 1
        if j == len(lines):
            raise SystemExit(f"{readme}:{i + 1}: a code block that never closes")
        marker = None
        k = i - 1
        while k >= 0 and COMMENT.match(lines[k]):
            mm = MARKER.match(lines[k])
            if mm:
                marker = mm.group("spec")
                break
            k -= 1
        body = [
            ln[len(indent) :] if ln.startswith(indent) else ln.lstrip() for ln in lines[i + 1 : j]
        ]
        out.append(Block(readme, heading, i, j, indent, m.group("info").strip(), marker, body))
        i = j + 1
    return out


def region(path: str, name: str | None) -> list[str]:
    file = ROOT / path
    if not file.is_file():
        raise ValueError(f"no file {path}")
    lines = file.read_text().splitlines()
    if name is None:
        pieces = [lines]
    else:
        start = re.compile(rf"snippet:start\s+{re.escape(name)}(\s|$)")
        end = re.compile(rf"snippet:end\s+{re.escape(name)}(\s|$)")
        pieces, opened = [], None
        for n, ln in enumerate(lines):
            if start.search(ln):
                if opened is not None:
                    raise ValueError(f"{path}:{n + 1}: region {name!r} opens again before it ends")
                opened = n
            elif end.search(ln):
                if opened is None:
                    raise ValueError(f"{path}:{n + 1}: region {name!r} ends before it starts")
                pieces.append(lines[opened + 1 : n])
                opened = None
        if opened is not None or not pieces:
            raise ValueError(
                f"{path}: region {name!r} needs a snippet:start and a snippet:end after it"
            )
    picked = []
    for piece in pieces:  # a region in several pieces (an import, then a body): each dedented
        kept = [ln for ln in piece if not re.search(r"snippet:(start|end)\s|snippet:hide", ln)]
        indents = [len(ln) - len(ln.lstrip()) for ln in kept if ln.strip()]
        picked += [ln[min(indents, default=0) :] if ln.strip() else "" for ln in kept]
    while picked and not picked[0].strip():
        picked.pop(0)
    while picked and not picked[-1].strip():
        picked.pop()
    if not picked:
        raise ValueError(f"{path}#{name}: empty")
    return picked


def coverage(b: Block) -> tuple[str, str]:
    """(kind, detail): kind is source, runs, none or missing; raises ValueError when the marker is
    malformed or names something that does not exist."""
    if b.marker is None:
        return "missing", ""
    spec = b.marker
    m = re.fullmatch(r"none\s*\((?P<why>.+)\)", spec)
    if m:
        return "none", m.group("why")
    if spec.startswith("none"):
        raise ValueError("`none` needs a reason in parentheses: <!-- snippet: none (why) -->")
    m = re.fullmatch(r"runs\s+(?P<path>\S+)(\s+\((?P<why>.+)\))?", spec)
    if m:
        runner = ROOT / m.group("path")
        if not runner.is_file():
            raise ValueError(f"no file {m.group('path')}")
        if "README" not in runner.read_text():
            raise ValueError(f"{m.group('path')} does not read a README")
        return "runs", m.group("path")
    m = re.fullmatch(r"(?P<path>[^\s#]+)(#(?P<name>[\w.-]+))?", spec)
    if not m:
        raise ValueError(f"unreadable marker {spec!r}")
    return "source", spec


def main(argv: list[str]) -> int:
    check = "--check" in argv
    listing = "--list" in argv
    errors: list[str] = []
    changed: list[str] = []
    for readme in readmes():
        path = ROOT / readme
        text = path.read_text()
        lines = text.split("\n")
        found = blocks(readme, lines)
        counts: dict[str, int] = {}
        listed: list[str] = []
        # Rewrite from the last block up, so that earlier line numbers hold.
        for b in reversed(found):
            where = f"{readme}:{b.open_line + 1}"
            try:
                kind, detail = coverage(b)
            except ValueError as e:
                errors.append(f"{where}: {e}")
                continue
            counts[kind] = counts.get(kind, 0) + 1
            if listing:
                listed.append(f"{where} [{b.info or '-'}] {b.heading}: {kind} {detail}".rstrip())
            if kind == "missing":
                errors.append(
                    f"{where}: a ```{b.info} block with no <!-- snippet: ... --> marker"
                    " (a tested source, `runs <test>`, or `none (reason)`)"
                )
            if kind != "source":
                continue
            spec = detail
            src, _, name = spec.partition("#")
            try:
                want = region(src, name or None)
            except ValueError as e:
                errors.append(f"{where}: {e}")
                continue
            if want == b.body:
                continue
            if check:
                diff = difflib.unified_diff(
                    b.body, want, f"{readme} (block at line {b.open_line + 1})", spec, lineterm=""
                )
                errors.append(f"{where}: differs from {spec}:\n" + "\n".join(diff))
            else:
                lines[b.open_line + 1 : b.close_line] = [b.indent + ln if ln else ln for ln in want]
                changed.append(f"{where} from {spec}")
        if not check and changed and "\n".join(lines) != text:
            tmp = path.with_name(path.name + ".snippets.tmp")
            tmp.write_text("\n".join(lines))
            tmp.replace(path)
        for line in reversed(listed):
            print(line)
        summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        print(f"{readme}: {len(found)} blocks ({summary or 'none'})")
    for c in changed:
        print(f"rewrote {c}")
    for message in errors:
        print(f"error: {message}", file=sys.stderr)
    if errors:
        print(
            "README blocks out of step: run `python3 .ci/snippets.py` to rewrite the sourced blocks,"
            " and mark every other block",
            file=sys.stderr,
        )
        return 1
    return 0


def self_test() -> int:
    """The checker on a throw-away tree: it must pass an exact copy, fail a drifted block, an
    unmarked block, a reason-less `none`, a missing region, and rewrite a drifted block."""
    import contextlib
    import io
    import tempfile

    global ROOT
    saved = ROOT
    source = (
        'package x\n\n// snippet:start r (an import)\nimport y "z"\n// snippet:end r\n\n'
        "func f() {\n\t// snippet:start r\n\n\ta := 1 // snippet:hide\n\tb := 2\n\tif b > 0 {\n"
        "\t\tg()\n\t}\n\t// snippet:end r\n}\n"
    )
    good = 'import y "z"\n\nb := 2\nif b > 0 {\n\tg()\n}'
    readme = "# T\n\n<!-- snippet: src/x.go#r -->\n```go\n{body}\n```\n\n{tail}"
    cases = {
        "exact": (readme.format(body=good, tail=""), 0),
        "drifted": (readme.format(body=good.replace("2", "3"), tail=""), 1),
        "unmarked": (readme.format(body=good, tail="```sh\nls\n```\n"), 1),
        "no reason": (readme.format(body=good, tail="<!-- snippet: none -->\n```sh\nls\n```\n"), 1),
        "reason": (
            readme.format(body=good, tail="<!-- snippet: none (a listing) -->\n```sh\nls\n```\n"),
            0,
        ),
        "no region": (
            readme.format(body=good, tail="<!-- snippet: src/x.go#q -->\n```go\nx\n```\n"),
            1,
        ),
    }
    failures = []
    try:
        for name, (text, want) in cases.items():
            with tempfile.TemporaryDirectory() as tmp:
                ROOT = Path(tmp)
                (ROOT / "src").mkdir()
                (ROOT / "src/x.go").write_text(source)
                (ROOT / "README.md").write_text(text)
                with (
                    contextlib.redirect_stdout(io.StringIO()),
                    contextlib.redirect_stderr(io.StringIO()),
                ):
                    got = main(["--check"])
                    if name == "drifted":  # the rewrite repairs it
                        main([])
                        if (ROOT / "README.md").read_text() != readme.format(body=good, tail=""):
                            failures.append(
                                "drifted: the rewrite did not restore the source's text"
                            )
                if got != want:
                    failures.append(f"{name}: --check returned {got}, expected {want}")
    finally:
        ROOT = saved
    for f in failures:
        print(f"snippets self-test: {f}", file=sys.stderr)
    print(f"snippets self-test: {len(cases)} cases, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    if "--self-test" in sys.argv[1:]:
        sys.exit(self_test())
    sys.exit(main(sys.argv[1:]))
