"""totalplace: count every pound of public money spent in a place.

The names a notebook needs, loaded only when first used (so ``import totalplace``
stays cheap and the command line starts fast)::

    import totalplace as tp
    place = tp.open_place("my-place")    # or tp.init_place("my-place", "E07000120")
    place.import_files()                 # every partner's sources
    place.classify(); place.count(); place.link()
    place.coverage(); place.compare(theme="Older people"); place.opportunities()
    place.table("count_by_partner_theme_year").to_pandas()

The stage verbs are methods of :class:`~totalplace.api.Place` because
``totalplace.count`` and its like name the stage packages.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# name -> module that defines it
_PUBLIC = {
    "open_place": "totalplace.api",
    "init_place": "totalplace.api",
    "Place": "totalplace.api",
    "import_files": "totalplace.api",
    "table": "totalplace.api",
    "tables": "totalplace.api",
    "TotalplaceError": "totalplace.errors",
    "WorkspaceError": "totalplace.workspace",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    """Return a public name, importing its module on first use (PEP 562)."""
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'totalplace' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})
