"""What the first-start tests share: one-time codes of every kind from a live server, and stand-ins for the
network's failures that a real server cannot play (a TLS server with an untrusted certificate, a port that
accepts and never answers, a port nobody listens on)."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from counterapp.server.services import devices, org
from tests.liveserver import LiveServer
from tests.ports import free_port
from tests.server.authkit import CENTRE_A, now

NOWHERE = "http://counterapp-test.invalid:8765"  # .invalid never resolves (RFC 2606)


def make_code(server: LiveServer, *, number: str | None = "1", kind: str = "counter", expired: bool = False) -> str:
    """A one-time code for a new device of centre A (counter ``number``), already expired if asked."""
    ttl = dt.timedelta(seconds=-1) if expired else devices.ENROLLMENT_CODE_TTL
    with server.sessions.begin() as session:
        centre = org.centre_by_code(session, CENTRE_A)
        row = org.counter_by_number(session, centre.id, number) if number else None
        _device, code, _expires = devices.create_device(session, centre, kind=kind, counter=row, now=now(),
                                                        code_ttl=ttl)  # fmt: skip
    return code


def refused_url() -> str:
    """A loopback port nobody listens on: the connection is refused at once."""
    return f"http://127.0.0.1:{free_port()}"


@contextmanager
def silent_server() -> Iterator[str]:
    """A port that accepts connections and never answers: the request times out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hcc.invalid")])
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("hcc.invalid")]), critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))  # fmt: skip
    return cert_path, key_path


@contextmanager
def untrusted_tls_server(directory: Path) -> Iterator[str]:
    """An https server whose certificate is self-signed (what a centre gets when IT forgets to install its
    CA on the PC): the client's handshake fails verification."""
    cert_path, key_path = _self_signed(directory)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            try:
                connection.settimeout(2)
                with context.wrap_socket(connection, server_side=True):
                    pass
            except (OSError, ssl.SSLError):
                pass  # the client refuses the certificate: that is the point
            finally:
                connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        listener.close()
