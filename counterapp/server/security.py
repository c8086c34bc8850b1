"""Secrets: argon2id password hashes, random tokens stored as SHA-256 digests, and the human-typable
one-time enrollment codes. Nothing here logs or keeps a plain secret."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()  # argon2id with argon2-cffi's current recommended parameters

# Upper-case letters and digits without look-alikes (0/O, 1/I/L, U/V): 30 symbols, 12 of them ≈ 59 bits.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS = 3
CODE_GROUP_LENGTH = 4


def _nfc(password: str) -> str:
    """The same Vietnamese password typed by different input methods (NFC or NFD) must match."""
    return unicodedata.normalize("NFC", password)


def hash_password(password: str) -> str:
    return _HASHER.hash(_nfc(password))


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, _nfc(password))
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with older parameters; rehash after a successful verify."""
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


_DUMMY_HASH = hash_password("not a real password, only for timing")


def burn_verify(password: str) -> None:
    """Spend the time of one verification, so an unknown username answers as slowly as a wrong password."""
    verify_password(_DUMMY_HASH, password)


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def digest(token: str) -> str:
    """SHA-256 hex of a high-entropy random token (a slow hash adds nothing to 256 random bits)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def new_enrollment_code() -> str:
    """A one-time code an installer types, e.g. ``K7QX-M2PD-9HTC``."""
    groups = ("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH)) for _ in range(CODE_GROUPS))
    return "-".join(groups)


def normalise_enrollment_code(text: str) -> str | None:
    """The canonical form (``K7QX-M2PD-9HTC``) of what was typed: case, spaces and dashes are forgiven;
    ``None`` when it cannot be a code."""
    raw = "".join(ch for ch in text.upper() if ch not in " -\t")
    if len(raw) != CODE_GROUPS * CODE_GROUP_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        return None
    return "-".join(raw[i : i + CODE_GROUP_LENGTH] for i in range(0, len(raw), CODE_GROUP_LENGTH))
