"""Password hashing with Argon2id (argon2-cffi), the length rule and the common-password list."""

from __future__ import annotations

import string
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
#: characters stripped from both ends before looking a password up: "dragon2026!" is "dragon"
_DECORATION = string.digits + string.punctuation + " "


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of the leaked-password corpus zxcvbn ships."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    """A well-known password, a common one dressed with digits or symbols, or one repeated
    character or pattern ("aaaaaaaaaaaa", "abcabcabcabc")."""
    lowered = password.lower()
    core = lowered.strip(_DECORATION)
    if lowered in common_passwords() or (core and core in common_passwords()):
        return True
    if len(set(lowered)) < 4:
        return True
    return any(lowered == lowered[:n] * (len(lowered) // n) for n in range(1, 5))


def password_problem(password: str) -> str | None:
    """Why this password is refused ("too_short", "too_common"), or None."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    if is_common(password):
        return "too_common"
    return None


_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# A hash to verify against when the e-mail is unknown, so timing does not tell.
DUMMY_HASH = hash_password("not-a-real-password")
