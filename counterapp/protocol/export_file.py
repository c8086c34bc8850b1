"""The outbox on a USB stick: a counter that can no longer reach the server (its PC is being taken away)
exports its unsent ops to a signed JSON file; IT feeds it to ``counterapp-server import FILE``, which runs
it through the same idempotent push, so importing twice — or after the counter did reach the server —
changes nothing.

The signature is HMAC-SHA256 over the canonical JSON of the body, keyed with the SHA-256 of the device's
credential, which the server keeps (and the counter can compute): the file cannot be altered or passed
off as another device's. Pure functions: both sides import this module.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from counterapp.protocol.canonical import canonical_json

FORMAT = "counterapp-outbox/1"


class InvalidExport(ValueError):
    pass


def credential_key(credential: str) -> str:
    """What the server stores of a device credential, and the export's signing key."""
    return hashlib.sha256(credential.encode()).hexdigest()


def sign(body: dict[str, Any], key: str) -> str:
    return hmac.new(key.encode(), canonical_json(body), hashlib.sha256).hexdigest()


def signed(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {"format": FORMAT, "body": body, "signature": sign(body, key)}


def verified_body(document: Any, key_of: Any) -> dict[str, Any]:
    """The body of an export whose signature checks out with ``key_of(device_id)``; ``InvalidExport`` else."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InvalidExport("not a counterapp outbox export")
    body, signature = document.get("body"), document.get("signature")
    if not isinstance(body, dict) or not isinstance(signature, str) or not isinstance(body.get("device_id"), str):
        raise InvalidExport("the export is incomplete")
    key = key_of(body["device_id"])
    if key is None or not hmac.compare_digest(sign(body, key), signature):
        raise InvalidExport("the signature does not match this device: the file was altered or is not its own")
    if not isinstance(body.get("ops"), list):
        raise InvalidExport("the export holds no ops")
    return body
