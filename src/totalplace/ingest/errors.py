"""Errors an import reports to the user: what was wrong and what to do about it."""

from __future__ import annotations

from totalplace.errors import BadInputError


class ImportProblem(BadInputError):
    """A file that cannot be imported; the message says what is wrong and what to do."""

    def __init__(self, file: str, problem: str, advice: str) -> None:
        self.file = file
        self.problem = problem
        self.advice = advice
        super().__init__(f"{file}: {problem}. {advice}")
