"""The counter's Ed25519 key and the signed export (issue 15 §7), as pure functions: a signature verifies
with its public key only, for its body only; keys have one spelling; an export of the old format (keyed
with the credential digest the server keeps) is refused."""

from __future__ import annotations

import pytest

from counterapp.protocol import device_key
from counterapp.protocol.export_file import InvalidExport, signed, verified_body

BODY = {"device_id": "01935c1e-8c4a-7b1e-9f00-3a2b1c0d4e5f", "ops": [{"client_seq": 1, "kind": "dossier.create"}]}


def test_a_signature_verifies_with_its_public_key_and_for_its_message_only():
    private = device_key.new_private_key()
    public = device_key.public_key_of(private)
    assert len(private) == len(public) == device_key.KEY_TEXT_LENGTH
    signature = device_key.sign(b"message", private)
    assert device_key.verify(b"message", signature, public)
    assert not device_key.verify(b"messagE", signature, public)
    assert not device_key.verify(b"message", signature, device_key.public_key_of(device_key.new_private_key()))
    # another first character: its 6 bits are all signature bits (the last one's low 4 bits are padding, so
    # replacing the last two characters left the signature unchanged about one run in a few hundred)
    tampered = ("B" if signature[0] == "A" else "A") + signature[1:]
    assert not device_key.verify(b"message", tampered, public)
    assert not device_key.verify(b"message", "not base64 !", public)


@pytest.mark.parametrize("text", ["", "A" * 42, "A" * 44, "A" * 43 + "=", "é" * 43, "+" * 43, "A" * 42 + "\x00"])
def test_a_public_key_has_one_spelling(text: str):
    with pytest.raises(device_key.InvalidKey):
        device_key.valid_public_key(text)


def test_an_export_verifies_with_the_devices_public_key_and_not_once_altered():
    private = device_key.new_private_key()
    document = signed(BODY, private)
    assert verified_body(document, lambda _device: device_key.public_key_of(private)) == BODY
    altered = {**document, "body": {**BODY, "ops": []}}
    with pytest.raises(InvalidExport, match="signature does not match"):
        verified_body(altered, lambda _device: device_key.public_key_of(private))
    with pytest.raises(InvalidExport, match="signature does not match"):
        verified_body(document, lambda _device: None)


def test_an_export_of_the_old_format_is_refused_whatever_its_signature():
    with pytest.raises(InvalidExport, match="old format"):
        verified_body({"format": "counterapp-outbox/1", "body": BODY, "signature": "0" * 64}, lambda _d: "k")
