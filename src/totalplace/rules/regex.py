"""Rule patterns: the one regular-expression subset every warehouse engine reads alike.

A rule's pattern runs inside the engine: DuckDB (RE2), PostgreSQL (POSIX "advanced"
regular expressions, ``~``) and Spark (Java ``java.util.regex``, ``RLIKE``). The three
agree on plain regular expressions and differ on the rest: ``\\b`` is a word boundary
in RE2 and Java but a backspace in PostgreSQL (which writes ``\\y``); ``\\w``, ``\\d``
and ``\\s`` follow the locale in PostgreSQL and not in RE2; look-arounds and
back-references exist in Java and PostgreSQL but not RE2; ``[[:alpha:]]`` is a class in
RE2 and PostgreSQL but a union of ``[``, ``:`` ... in Java; ``(?i)`` works in
PostgreSQL only at the very start. So a pattern is read here, once, token by token:
only the common subset is accepted (anything else is refused with what to write
instead), and it is written out for each engine -- ``\\b`` as ``\\y`` for PostgreSQL,
``\\d``/``\\w``/``\\s`` as explicit ASCII classes everywhere, case ignored with a
leading ``(?i)``.
"""

from __future__ import annotations

import re

from totalplace.errors import WorkspaceStateError

ENGINES: tuple[str, ...] = ("duckdb", "postgres", "spark")

_DIGIT = "0-9"
_WORD = "0-9A-Za-z_"
#: White space as RE2's ``\s`` has it (Java's adds \v, PostgreSQL's follows the locale).
_SPACE = r" \t\n\f\r"
_SHORTHANDS = {"d": _DIGIT, "w": _WORD, "s": _SPACE}
_LITERAL_ESCAPES = {"t": "\\t", "n": "\\n", "r": "\\r", "f": "\\f"}
_BOUNDARY = {
    ("b", "postgres"): "\\y",
    ("B", "postgres"): "\\Y",
}
_QUANTIFIER = re.compile(r"\{(\d+)(,(\d*))?\}")

#: Said in every refusal: what the common subset is.
SUBSET = (
    "Patterns use the regular expressions DuckDB, PostgreSQL and Spark read alike: "
    "literal text, . ^ $ | ( ) (?: ), * + ? {n,m} (and their lazy ?), [classes], "
    "\\d \\w \\s \\D \\W \\S, \\b \\B and backslash before punctuation"
)


class PatternError(WorkspaceStateError, ValueError):
    """A pattern outside the common subset; the message says which construct and what to write."""


def for_engine(pattern: str, engine: str) -> str:
    """Return the pattern as ``engine`` must be given it: case ignored, constructs translated.

    Raises PatternError for a pattern outside the common subset (see :data:`SUBSET`).
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; one of {', '.join(ENGINES)}")
    body = pattern[4:] if pattern.startswith("(?i)") else pattern
    return "(?i)" + _Translator(body, engine).run()


def check(pattern: object) -> str | None:
    """Return what is wrong with a pattern (None if every engine reads it alike)."""
    if not isinstance(pattern, str) or not pattern:
        return "must be a non-empty regular expression in quotes"
    try:
        written = for_engine(pattern, "duckdb")
        re.compile(written)
    except PatternError as exc:
        return str(exc)
    except re.error as exc:
        return f"is not a valid regular expression ({exc})"
    return None


class _Translator:
    """Walk one pattern and write it for one engine (PatternError on what is not shared)."""

    def __init__(self, pattern: str, engine: str) -> None:
        self.p = pattern
        self.engine = engine
        self.i = 0
        self.out: list[str] = []
        self.atom = False  # whether a quantifier may follow

    def run(self) -> str:
        while self.i < len(self.p):
            c = self.p[self.i]
            if c == "\\":
                self._escape()
            elif c == "[":
                self._bracket()
            elif c == "(":
                self._group()
            elif c in "*+?":
                self._repeat(c)
            elif c == "{":
                self._braces()
            else:
                if c == "}":
                    raise PatternError("has a '}' with no '{': write \\} for a literal brace")
                self.out.append(c)
                self.i += 1
                self.atom = c not in "|^$("
        return "".join(self.out)

    def _escape(self) -> None:
        if self.i + 1 >= len(self.p):
            raise PatternError("ends in a lone backslash")
        c = self.p[self.i + 1]
        self.i += 2
        self.atom = True
        if c in _SHORTHANDS:
            self.out.append(f"[{_SHORTHANDS[c]}]")
        elif c.lower() in _SHORTHANDS:
            self.out.append(f"[^{_SHORTHANDS[c.lower()]}]")
        elif c in "bB":
            self.out.append(_BOUNDARY.get((c, self.engine), "\\" + c))
            self.atom = False
        elif c in _LITERAL_ESCAPES:
            self.out.append(_LITERAL_ESCAPES[c])
        elif c.isascii() and not c.isalnum():
            self.out.append("\\" + c)
        else:
            raise PatternError(
                f"uses \\{c}, which the engines read differently (or not at all); {SUBSET}"
            )

    def _bracket(self) -> None:
        start = self.i
        self.i += 1
        parts = ["["]
        if self.p[self.i : self.i + 1] == "^":
            parts.append("^")
            self.i += 1
        first = True
        while True:
            if self.i >= len(self.p):
                raise PatternError(f"has a '[' at {start + 1} that is never closed")
            c = self.p[self.i]
            if c == "]" and not first:
                break
            if c == "]" or c == "[":
                raise PatternError(
                    f"has an unescaped {c!r} inside [...]: write \\{c} "
                    "([[:alpha:]] classes and nested sets mean different things in Java)"
                )
            if c == "&" and self.p[self.i + 1 : self.i + 2] == "&":
                raise PatternError("has && inside [...], a class intersection only Java has")
            if c == "\\":
                e = self.p[self.i + 1 : self.i + 2]
                if e in _SHORTHANDS:
                    parts.append(_SHORTHANDS[e])
                elif e in _LITERAL_ESCAPES:
                    parts.append(_LITERAL_ESCAPES[e])
                elif e and e.isascii() and not e.isalnum():
                    parts.append("\\" + e)
                else:
                    raise PatternError(
                        f"uses \\{e} inside [...], which the engines read differently; "
                        "inside a class use \\d \\w \\s or backslash before punctuation"
                    )
                self.i += 2
            else:
                parts.append(c)
                self.i += 1
            first = False
        self.i += 1
        parts.append("]")
        self.out.append("".join(parts))
        self.atom = True

    def _group(self) -> None:
        if self.p.startswith("(?:", self.i):
            self.out.append("(?:")
            self.i += 3
        elif self.p.startswith("(?", self.i):
            raise PatternError(
                "uses a (?...) group other than (?:...): look-arounds, named groups and "
                "inline flags are not read alike by the engines (case is always ignored, "
                "so (?i) is not needed)"
            )
        else:
            self.out.append("(")
            self.i += 1
        self.atom = False

    def _repeat(self, c: str) -> None:
        if not self.atom:
            raise PatternError(f"has {c!r} with nothing to repeat: write \\{c} for the character")
        self.out.append(c)
        self.i += 1
        self._lazy()

    def _braces(self) -> None:
        found = _QUANTIFIER.match(self.p, self.i)
        if not found or not self.atom:
            raise PatternError(
                "has a '{' that is not a repeat count {n}, {n,} or {n,m} after something to "
                "repeat: write \\{ for a literal brace"
            )
        low, high = int(found.group(1)), found.group(3)
        if high and int(high) < low:
            raise PatternError(f"repeats {found.group(0)}: the larger count must come second")
        self.out.append(found.group(0))
        self.i = found.end()
        self._lazy()

    def _lazy(self) -> None:
        nxt = self.p[self.i : self.i + 1]
        if nxt == "?":
            self.out.append("?")
            self.i += 1
        elif nxt == "+":
            raise PatternError("uses a possessive repeat (*+, ++, ?+), which only Java has")
        elif nxt and nxt in "*{":
            raise PatternError(f"repeats a repeat ({nxt!r} after a quantifier); group it first")
        self.atom = False
