"""The outbox on a USB stick: a counter that can no longer reach the server (its PC is being taken away)
exports its unsent ops to a signed JSON file; IT feeds it to ``counterapp-server import FILE``, which runs
it through the same idempotent push, so importing twice — or after the counter did reach the server —
changes nothing.

The signature is Ed25519 over the canonical JSON of the body, made with the counter's own private key
(``device_key``), which never leaves the counter; the server verifies it with the public key the counter
registered. The file cannot be altered or passed off as another device's, and nothing the server stores
can sign one (format 1 was keyed with the credential digest the server keeps: anyone who could read the
devices table could forge it, so it is refused). Pure functions: both sides import this module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from counterapp.protocol import device_key
from counterapp.protocol.canonical import canonical_json

FORMAT = "counterapp-outbox/2"
OLD_FORMATS = frozenset({"counterapp-outbox/1"})


class InvalidExport(ValueError):
    pass


def sign(body: dict[str, Any], private_key: str) -> str:
    return device_key.sign(canonical_json(body), private_key)


def signed(body: dict[str, Any], private_key: str) -> dict[str, Any]:
    """The export document of ``body``, signed with the counter's private key."""
    return {"format": FORMAT, "body": body, "signature": sign(body, private_key)}


def device_of(document: Any) -> str:
    """The device id an export claims to be from (not yet verified); ``InvalidExport`` if it names none."""
    if not isinstance(document, dict) or document.get("format") not in {FORMAT, *OLD_FORMATS}:
        raise InvalidExport("not a counterapp outbox export")
    if document["format"] in OLD_FORMATS:
        raise InvalidExport(
            "the export is in the old format 1, signed with a key the server holds (it could be forged): "
            "export again with this release of the counter app"
        )
    body, signature = document.get("body"), document.get("signature")
    if not isinstance(body, dict) or not isinstance(signature, str) or not isinstance(body.get("device_id"), str):
        raise InvalidExport("the export is incomplete")
    device_id: str = body["device_id"]
    return device_id


def verified_body(document: Any, public_key_of: Callable[[str], str | None]) -> dict[str, Any]:
    """The body of an export whose signature checks out with ``public_key_of(device_id)``; ``InvalidExport``
    otherwise (``public_key_of`` itself may raise it, e.g. for a device the server does not know)."""
    device_id = device_of(document)
    body: dict[str, Any] = document["body"]
    signature: str = document["signature"]
    try:
        message = canonical_json(body)
    except ValueError as exc:  # NaN, a lone surrogate: nothing a counter could have signed
        raise InvalidExport(f"the export's body has no canonical form ({exc})") from None
    public_key = public_key_of(device_id)
    if public_key is None or not device_key.verify(message, signature, public_key):
        raise InvalidExport("the signature does not match this device: the file was altered or is not its own")
    if not isinstance(body.get("ops"), list):
        raise InvalidExport("the export holds no ops")
    return body
