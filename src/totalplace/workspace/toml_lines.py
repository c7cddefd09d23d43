"""Line numbers of the table headers and keys of a TOML text, for messages about place.toml.

tomllib gives no positions, so lines are found by scanning the text for table headers
and keys (right for the usual layouts; omitted when unsure).
"""

from __future__ import annotations

import re

#: Where a value sits in place.toml: ('partners', 1, 'sector').
KeyPath = tuple[str | int, ...]

_BARE = r"[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'"
_DOTTED = rf"(?:{_BARE})(?:\s*\.\s*(?:{_BARE}))*"
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(rf"^\s*({_DOTTED})\s*=")
_PART = re.compile(_BARE)


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(p.strip("\"'") for p in _PART.findall(dotted))


class TomlLines:
    """Line numbers of the table headers and keys of a TOML text, by path ('partners', 1, 'sector')."""

    def __init__(self, text: str) -> None:
        self.at: dict[KeyPath, int] = {}
        arrays: dict[str, int] = {}  # [[name]] blocks seen so far
        nested: dict[KeyPath, int] = {}  # [[partners.profiles]] blocks seen, per partner
        current: KeyPath = ()
        open_quote: str | None = None
        for number, line in enumerate(text.splitlines(), 1):
            if open_quote is not None:  # inside a multi-line string
                if line.count(open_quote) % 2 == 1:
                    open_quote = None
                continue
            if header := _HEADER.match(line):
                parts = _parts(header.group(2))
                if header.group(1) == "[[" and len(parts) > 1 and parts[0] in arrays:
                    # [[partners.profiles]]: an array inside the last [[partners]] block
                    outer: KeyPath = (parts[0], arrays[parts[0]] - 1, *parts[1:])
                    count = nested.get(outer, 0)
                    nested[outer] = count + 1
                    current = (*outer, count)
                    self.at.setdefault(outer, number)
                elif header.group(1) == "[[":
                    arrays[parts[0]] = arrays.get(parts[0], 0) + 1
                    current = (parts[0], arrays[parts[0]] - 1, *parts[1:])
                    self.at.setdefault(parts, number)  # the array as a whole: its first block
                elif parts[0] in arrays:  # [partners.columns] belongs to the last [[partners]]
                    current = (parts[0], arrays[parts[0]] - 1, *parts[1:])
                    inner = current[: len(current) - 1]
                    if len(parts) > 2 and inner in nested:  # [partners.profiles.columns]
                        current = (*inner, nested[inner] - 1, parts[-1])
                else:
                    current = parts
                self.at.setdefault(current, number)
                continue
            if key := _KEY.match(line):
                self.at.setdefault((*current, *_parts(key.group(1))), number)
                rest = line[key.end() :]
                for quote in ('"""', "'''"):
                    if rest.count(quote) % 2 == 1:
                        open_quote = quote

    def line(self, path: KeyPath) -> int | None:
        """Return the line of a key, else of its nearest enclosing table or key, else None."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.at:
                return self.at[path[:end]]
        return None
