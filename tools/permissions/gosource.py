"""Just enough Go parsing (regex and brace matching, no Go toolchain) to read terraform-provider-aws.

A package is every non-test `.go` file of one directory. For each file we keep a masked copy of its
text (comments blanked; braces and parentheses inside string literals blanked, so brace matching is
exact) with the same offsets, its imports, and every function and method with its parameter list and
body span. Only what the permission generator asks is answered: functions by name, methods by
receiver type and name, embedded struct types, and `if` blocks around an offset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_FUNC = re.compile(r"^func\s+(?:\(\s*(\w+)?\s*\*?\s*(\w+)(?:\[[^\]]*\])?\s*\)\s*)?(\w+)\s*(?:\[[^\]]*\])?\s*\(", re.MULTILINE)
_IMPORT_BLOCK = re.compile(r"^import\s*\((.*?)^\)", re.MULTILINE | re.DOTALL)
_IMPORT_LINE = re.compile(r'^\s*(?:(\w+|\.|_)\s+)?"([^"]+)"', re.MULTILINE)
_IMPORT_SINGLE = re.compile(r'^import\s+(?:(\w+|\.|_)\s+)?"([^"]+)"', re.MULTILINE)
_STRUCT = re.compile(r"^type\s+(\w+)(?:\[[^\]]*\])?\s+struct\s*\{", re.MULTILINE)


def mask(text: str) -> str:
    """Return the text with comments blanked and brackets inside string and rune literals blanked (same length)."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "/" and i + 1 < n and text[i + 1] == "/":
            end = text.find("\n", i)
            end = n if end < 0 else end
            out[i:end] = " " * (end - i)
            i = end
        elif c == "/" and i + 1 < n and text[i + 1] == "*":
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out[i:end] = [ch if ch == "\n" else " " for ch in text[i:end]]
            i = end
        elif c in "\"'`":
            j = i + 1
            while j < n and text[j] != c:
                if c != "`" and text[j] == "\\":
                    j += 1
                elif c != "`" and text[j] == "\n":
                    break
                j += 1
            for k in range(i + 1, min(j, n)):
                if text[k] in "{}()[]":
                    out[k] = "_"
            i = j + 1
        else:
            i += 1
    return "".join(out)


def match_bracket(text: str, start: int) -> int:
    """Return the offset just past the bracket closing the one at `start` (masked text)."""
    opening = text[start]
    closing = {"{": "}", "(": ")", "[": "]"}[opening]
    depth = 0
    for i in range(start, len(text)):
        if text[i] == opening:
            depth += 1
        elif text[i] == closing:
            depth -= 1
            if depth == 0:
                return i + 1
    return len(text)


@dataclass
class GoFunc:
    """One function or method: where it is and its text (masked)."""

    package: str
    file: str  # path relative to the provider's root
    name: str
    receiver: str  # receiver type, "" for a function
    params: str  # the parameter list's text
    body: str  # the body's masked text, braces included
    raw_body: str  # the body's original text (string literals intact)


@dataclass
class GoPackage:
    """Every function, method, import and struct of one Go package (one directory)."""

    name: str
    directory: Path
    functions: dict[str, GoFunc] = field(default_factory=dict)
    methods: dict[str, dict[str, GoFunc]] = field(default_factory=dict)  # method name -> receiver type -> func
    imports: dict[str, dict[str, str]] = field(default_factory=dict)  # file -> alias -> import path
    embedded: dict[str, list[str]] = field(default_factory=dict)  # struct type -> embedded types of this package
    texts: dict[str, str] = field(default_factory=dict)  # file -> original text

    def method(self, receiver: str, name: str) -> GoFunc | None:
        """Return the method `name` of a type or, failing that, of a type it embeds (depth-first)."""
        seen: set[str] = set()
        stack = [receiver]
        while stack:
            current = stack.pop(0)
            if current in seen:
                continue
            seen.add(current)
            found = self.methods.get(name, {}).get(current)
            if found is not None:
                return found
            stack.extend(self.embedded.get(current, ()))
        return None

    def type_family(self, receiver: str) -> set[str]:
        """Return a type and every type of this package it embeds, transitively."""
        family: set[str] = set()
        stack = [receiver]
        while stack:
            current = stack.pop()
            if current not in family:
                family.add(current)
                stack.extend(self.embedded.get(current, ()))
        return family


def _imports(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    blocks = [m.group(1) for m in _IMPORT_BLOCK.finditer(text)]
    pairs = [(m.group(1), m.group(2)) for b in blocks for m in _IMPORT_LINE.finditer(b)]
    pairs += [(m.group(1), m.group(2)) for m in _IMPORT_SINGLE.finditer(text)]
    for alias, path in pairs:
        found[alias or path.rsplit("/", 1)[-1]] = path
    return found


def _body_start(masked: str, after_params: int) -> int:
    """Return the offset of the `{` opening a function body, skipping `interface{}`/`struct{...}` in results."""
    i = after_params
    while i < len(masked):
        c = masked[i]
        if c == "(":
            i = match_bracket(masked, i)
            continue
        if c == "{":
            before = masked[max(0, i - 10) : i].rstrip()
            if before.endswith(("interface", "struct")):
                i = match_bracket(masked, i)
                continue
            return i
        if c == "\n" and masked[i + 1 : i + 2] == "}":
            return -1
        i += 1
    return -1


def load_package(directory: Path, root: Path) -> GoPackage:
    """Parse every non-test `.go` file of a directory."""
    package = GoPackage(directory.name, directory)
    for path in sorted(directory.glob("*.go")):
        if path.name.endswith("_test.go"):
            continue
        text = path.read_text(errors="replace")
        masked = mask(text)
        rel = str(path.relative_to(root))
        package.texts[rel] = text
        package.imports[rel] = _imports(text)
        for m in _FUNC.finditer(masked):
            params_open = m.end() - 1
            params_close = match_bracket(masked, params_open)
            start = _body_start(masked, params_close)
            if start < 0:
                continue
            end = match_bracket(masked, start)
            func = GoFunc(
                directory.name, rel, m.group(3), m.group(2) or "", masked[params_open:params_close], masked[start:end], text[start:end]
            )
            if func.receiver:
                package.methods.setdefault(func.name, {})[func.receiver] = func
            else:
                package.functions.setdefault(func.name, func)
        for m in _STRUCT.finditer(masked):
            body = masked[m.end() - 1 : match_bracket(masked, m.end() - 1)]
            embedded = re.findall(r"^\s*\*?(\w+)\s*$", body[1:-1], re.MULTILINE)
            package.embedded[m.group(1)] = embedded
    return package


def enclosing_conditions(body: str, offset: int) -> list[str]:
    """Return the conditions (text between `if` and `{`) of every `if` block of `body` containing `offset`, outermost first."""
    conditions = []
    for m in re.finditer(r"\bif\s", body[:offset]):
        open_brace = _condition_end(body, m.end())
        if open_brace < 0 or open_brace > offset:
            continue
        if match_bracket(body, open_brace) > offset:
            conditions.append(body[m.end() : open_brace])
    return conditions


def _condition_end(body: str, start: int) -> int:
    # Go requires composite literals in an if-condition to be parenthesised, so the first `{` outside
    # brackets opens the block (a `func(...) {...}` literal in a condition is the one exception, skipped).
    i = start
    while i < len(body):
        c = body[i]
        if c in "([":
            i = match_bracket(body, i)
            continue
        if c == "{":
            if re.search(r"\bfunc\s*\([^{]*$", body[start:i]):
                i = match_bracket(body, i)
                continue
            return i
        i += 1
    return -1
