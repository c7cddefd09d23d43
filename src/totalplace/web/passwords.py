"""Passwords: argon2 hashes (pwdlib's recommended parameters), verified in constant time."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash

__all__ = ["MIN_LENGTH", "hash_password", "password_problem", "verify_password"]

MIN_LENGTH = 12


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()  # argon2id


def hash_password(password: str) -> str:
    """Return the argon2 hash of ``password`` (salted; never store the password)."""
    return _hasher().hash(password)


def verify_password(password: str, hashed: str) -> bool:
    """Return whether ``password`` matches ``hashed``."""
    try:
        return bool(_hasher().verify(password, hashed))
    except Exception:  # a malformed stored hash is a failed sign-in, not a crash
        return False


def password_problem(password: str) -> str | None:
    """Return what is wrong with a new password (NCSC: length over complexity), or None."""
    if len(password) < MIN_LENGTH:
        return f"Enter a password of at least {MIN_LENGTH} characters"
    if len(password) > 256:
        return "Enter a password of at most 256 characters"
    return None
