"""A counter's own Ed25519 key pair: it signs the outbox exports (``export_file``) with a private key that
never leaves the counter, and the server verifies them with the public key it was given at enrollment (or
at the first sync hello of a counter enrolled before keys existed).

Why not a key the server holds: whoever could read the server's devices table (a copied database, a
backup, a curious DBA) could then forge an export for any device. With a public key only, the table holds
nothing that signs.

Keys travel and are stored as unpadded base64url of their 32 raw bytes (43 characters). Pure functions:
both the counter and the server import this module.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

__all__ = ["InvalidKey", "new_private_key", "public_key_of", "sign", "valid_public_key", "verify"]

KEY_BYTES = 32
KEY_TEXT_LENGTH = 43  # base64url of 32 bytes, unpadded


class InvalidKey(ValueError):
    """Not a base64url Ed25519 key of 32 bytes."""


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode(text: str, size: int) -> bytes:
    if not isinstance(text, str) or not text.isascii():
        raise InvalidKey("not base64url text")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise InvalidKey("not base64url text") from None
    if len(raw) != size or _encode(raw) != text:  # one spelling per key: no padding, no stray characters
        raise InvalidKey(f"expected {size} bytes in base64url")
    return raw


def new_private_key() -> str:
    """A fresh private key (its 32-byte seed, base64url): keep it like the device credential."""
    raw = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return _encode(raw)


def _private(private_key: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_decode(private_key, KEY_BYTES))


def public_key_of(private_key: str) -> str:
    """The public key that goes with ``private_key`` (what the server stores)."""
    return _encode(_private(private_key).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def valid_public_key(text: str) -> str:
    """``text`` if it is an Ed25519 public key as this module spells them; ``InvalidKey`` otherwise."""
    try:
        Ed25519PublicKey.from_public_bytes(_decode(text, KEY_BYTES))
    except ValueError as exc:
        raise InvalidKey(str(exc) or "not an Ed25519 public key") from None
    return text


def sign(message: bytes, private_key: str) -> str:
    """The Ed25519 signature of ``message`` (64 bytes, base64url)."""
    return _encode(_private(private_key).sign(message))


def verify(message: bytes, signature: str, public_key: str) -> bool:
    """Whether ``signature`` is ``public_key``'s signature of ``message``; never raises for bad input."""
    try:
        key = Ed25519PublicKey.from_public_bytes(_decode(public_key, KEY_BYTES))
        key.verify(_decode(signature, 64), message)
    except (InvalidKey, InvalidSignature, ValueError):
        return False
    return True
