"""Page figures kept in memory until the warehouse changes.

The views read stage tables that change only when a command writes the warehouse, so a
figure computed once for a viewer is good until then. The key is the view, its
arguments, the viewer's role and partner (suppression differs by viewer), and a stamp of
the warehouse: the DuckDB file's (and its write-ahead log's) size and modification time,
and place.toml's. On another engine there is no cheap stamp, so nothing is cached. One
lock per key: fifty visitors arriving together compute a page once, not fifty times.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from totalplace.web.access import Viewer
from totalplace.workspace import Workspace

__all__ = ["cached", "warehouse_stamp"]

T = TypeVar("T")
_LIMIT = 512
_found: OrderedDict[Hashable, Any] = OrderedDict()
_locks: dict[Hashable, threading.Lock] = {}
_guard = threading.Lock()


def warehouse_stamp(ws: Workspace) -> tuple[Any, ...] | None:
    """Return what changes when the workspace's figures may have changed (None: not knowable cheaply)."""
    from totalplace.workspace import engine_url

    try:
        if engine_url.parse(ws.warehouse_url).engine != "duckdb":
            return None
    except ValueError:
        return None
    stamp: list[Any] = []
    for path in (
        ws.warehouse_path,
        ws.warehouse_path.with_name(ws.warehouse_path.name + ".wal"),
        ws.root / "place.toml",
    ):
        try:
            info = path.stat()
            stamp.append((info.st_size, info.st_mtime_ns))
        except OSError:
            stamp.append(None)
    return tuple(stamp)


def cached(
    ws: Workspace, viewer: Viewer | None, name: str, args: tuple[Any, ...], compute: Callable[[], T]
) -> T:
    """Return ``compute()``, kept for this view, arguments and viewer until the warehouse changes."""
    stamp = warehouse_stamp(ws)
    if stamp is None:
        return compute()
    who = (viewer.role, viewer.partner) if viewer is not None else None
    key = (str(ws.root), name, args, who, stamp)
    with _guard:
        if key in _found:
            _found.move_to_end(key)
            return _found[key]
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        with _guard:
            if key in _found:
                return _found[key]
        value = compute()
        with _guard:
            _found[key] = value
            while len(_found) > _LIMIT:
                old, _ = _found.popitem(last=False)
                _locks.pop(old, None)
            _locks.pop(key, None)
    return value
