"""The partnership web service: one set of numbers for every partner, the board and residents.

``create_app(Settings(workspace=...))`` gives the FastAPI application; ``totalplace serve``
runs it. Design note: ``docs/decisions/0021-web-service.md``.
"""

from totalplace.web.app import create_app
from totalplace.web.settings import Settings

__all__ = ["Settings", "create_app"]
