"""What the first-start wizard says for each outcome of ``counterapp.sync.firstrun``: one plain sentence per
failure code, each saying what to check, for IT staff who are not developers (Vietnamese by the catalogue)."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from counterapp.gui.i18n import arg

__all__ = ["failure_text", "install_config_text", "warning_text"]

CONTEXT = "EnrollTexts"

_FAILURES: dict[str, str] = {
    "connect.address": str(QT_TRANSLATE_NOOP("EnrollTexts", "Type the server's full address, starting with http:// or "
                                              "https://, for example https://hcc.example or http://192.168.1.10:8765.")),
    "connect.dns": str(QT_TRANSLATE_NOOP("EnrollTexts", "The server's name is not known on this network (DNS). Check "
                                         "the address, or type the server's IP address instead.")),
    "connect.refused": str(QT_TRANSLATE_NOOP("EnrollTexts", "The server's computer answered, but nothing listens on "
                                             "that port. Check the port in the address and that the counterapp "
                                             "server is running.")),
    "connect.no_route": str(QT_TRANSLATE_NOOP("EnrollTexts", "There is no route to the server. Check the network "
                                              "cable or Wi-Fi, the VPN, and that this PC is on the centre's network.")),
    "connect.timeout": str(QT_TRANSLATE_NOOP("EnrollTexts", "The server did not answer in time. A firewall may block "
                                             "the port, or the server is overloaded. Try again.")),
    "connect.tls": str(QT_TRANSLATE_NOOP("EnrollTexts", "The secure connection failed: this PC does not trust the "
                                         "server's certificate, or it does not match the address (or the address "
                                         "says https:// for a server without TLS). Install the centre's "
                                         "certificate on this PC, or check the address.")),
    "connect.failed": str(QT_TRANSLATE_NOOP("EnrollTexts", "The connection to the server failed. Check the address "
                                            "and the network.")),
    "connect.not_counterapp": str(QT_TRANSLATE_NOOP("EnrollTexts", "Something answers at this address, but it is "
                                                    "not the counterapp server. Check the port and the path.")),
    "connect.unhealthy": str(QT_TRANSLATE_NOOP("EnrollTexts", "The server answers, but its database does not. Ask "
                                               "the server's administrator.")),
    "enrollment.code_invalid": str(QT_TRANSLATE_NOOP("EnrollTexts", "This code is wrong. Check it against the code "
                                                     "the administrator gave (letters and digits, like "
                                                     "K7QX-M2PD-9HTC).")),
    "enrollment.code_expired": str(QT_TRANSLATE_NOOP("EnrollTexts", "This code has expired. Ask the administrator "
                                                     "for a new code for this counter.")),
    "enrollment.code_used": str(QT_TRANSLATE_NOOP("EnrollTexts", "This code was already used: a code enrolls one PC, "
                                                  "once. Ask the administrator for a new code.")),
    "auth.throttled": str(QT_TRANSLATE_NOOP("EnrollTexts", "Too many wrong codes from this PC. Try again in %1 "
                                            "seconds.")),
    "auth.device_revoked": str(QT_TRANSLATE_NOOP("EnrollTexts", "The counter this code was made for has been "
                                                 "removed on the server. Ask the administrator for a new code.")),
    "sync.not_a_counter": str(QT_TRANSLATE_NOOP("EnrollTexts", "This code is for a display screen or a kiosk, not a "
                                                "counter. Ask the administrator for a counter's code.")),
    "sync.already_enrolled": str(QT_TRANSLATE_NOOP("EnrollTexts", "This PC's data directory is enrolled already.")),
    "sync.agency_mismatch": str(QT_TRANSLATE_NOOP("EnrollTexts", "The data on this PC belong to another centre. "
                                                  "Call IT before enrolling it here.")),
}  # fmt: skip

_WARNINGS: dict[str, str] = {
    "protocol.server_too_old": str(QT_TRANSLATE_NOOP("EnrollTexts", "The server is older than this app and cannot "
                                                     "sync with it. Update the server; until then this counter "
                                                     "works offline.")),
    "protocol.server_too_new": str(QT_TRANSLATE_NOOP("EnrollTexts", "The server is newer than this app and cannot "
                                                     "sync with it. Install the app's new version on this PC; until "
                                                     "then this counter works offline.")),
    "protocol.not_checked": str(QT_TRANSLATE_NOOP("EnrollTexts", "The server did not answer after the enrollment; "
                                                  "the first sync will check the connection again.")),
    "install.counter_mismatch": str(QT_TRANSLATE_NOOP("EnrollTexts", "The installer's settings name counter %1, but "
                                                      "the code made this PC counter %2. Check with the "
                                                      "administrator which one is right.")),
}  # fmt: skip


def failure_text(exc: BaseException) -> str:
    code = str(getattr(exc, "code", "") or "")
    text = _FAILURES.get(code)
    if text is None:
        return arg(QCoreApplication.translate("EnrollTexts", "The enrollment failed (%1)."), code or type(exc).__name__)
    translated = QCoreApplication.translate(CONTEXT, text)
    if code == "auth.throttled":
        return arg(translated, getattr(exc, "params", {}).get("seconds", "?"))
    return translated


def warning_text(code: str, *, expected_counter: str = "", counter: str = "") -> str:
    text = _WARNINGS.get(code)
    if text is None:
        return code
    return arg(QCoreApplication.translate(CONTEXT, text), expected_counter, counter)


def install_config_text(exc: BaseException) -> str:
    """The installer's config is broken: say which file and key, and that the values can be typed."""
    params = getattr(exc, "params", {})
    text = QCoreApplication.translate(
        "EnrollTexts",
        "The installer’s settings file %1 has a wrong value for “%2”. "
        "Type the values here, and ask IT to fix the file.",
    )
    return arg(text, params.get("path", "?"), params.get("key", "?"))
