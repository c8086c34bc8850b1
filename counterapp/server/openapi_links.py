"""OpenAPI links (3.0 ``links``) between the API's operations: which answer feeds which next request — the
ticket a kiosk issued is the one a counter calls, recalls, starts, finishes or a lead moves; the counters
listed are the ones a lead opens, pauses or reassigns; a number taken online is the one voided; a pull's
cursors are the next pull's. Generated clients and readers of ``/openapi.json`` see how the calls chain,
and schemathesis follows the links in its stateful run (``tests/server/test_schemathesis.py``, ``make
fuzz``), so a route is tried with a real ticket or counter, not only with made-up ones (issue 15).

Added to FastAPI's document after it is built (the routes stay free of it): ``LINKS`` maps an operation id
and status to the links of that answer. ``check_links`` says which would not resolve (a renamed route).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

Link = dict[str, Any]


def _number(target: str, source: str = "$response.body#/number") -> Link:
    return {"operationId": target, "parameters": {"number": source}}


def _ticket_steps(*targets: str) -> dict[str, Link]:
    names = {"queue-call_ticket": "Call", "queue-recall": "Recall", "queue-start": "Start",
             "queue-finish": "Finish", "lead-move_ticket": "Move"}  # fmt: skip
    return {names[target]: _number(target) for target in targets}


LINKS: dict[tuple[str, str], dict[str, Link]] = {
    ("queue-issue", "201"): _ticket_steps("queue-call_ticket", "lead-move_ticket"),
    ("queue-call_next", "200"): _ticket_steps("queue-recall", "queue-start", "queue-finish"),
    ("queue-call_ticket", "200"): _ticket_steps("queue-recall", "queue-start", "queue-finish"),
    ("queue-recall", "200"): _ticket_steps("queue-start"),
    ("queue-start", "200"): _ticket_steps("queue-finish"),
    ("lead-move_ticket", "200"): _ticket_steps("queue-call_ticket"),
    ("queue-waiting", "200"): {
        "CallFirst": _number("queue-call_ticket", "$response.body#/0/number"),
        "MoveFirst": _number("lead-move_ticket", "$response.body#/0/number"),
    },
    ("queue-deal_hand", "200"): {"CallDealt": _number("queue-call_ticket", "$response.body#/tickets/0/number")},
    ("auth-list_counters", "200"): {
        "Open": _number("lead-open_counter", "$response.body#/0/number"),
        "Close": _number("lead-close_counter", "$response.body#/0/number"),
        "Pause": _number("lead-pause_counter", "$response.body#/0/number"),
        "Reassign": _number("auth-reassign", "$response.body#/0/number"),
    },
    **{
        (f"lead-{status}_counter", "200"): {
            "Reassign": _number("auth-reassign"),
            **{name: _number(f"lead-{other}_counter") for name, other in (("Open", "open"), ("Pause", "pause"))},
        }
        for status in ("open", "close", "pause")
    },
    ("codes-next_code", "200"): {
        "Void": {
            "operationId": "codes-voids",
            "requestBody": {
                "kind": "$response.body#/kind",
                "scope": "$response.body#/scope",
                "day": "$response.body#/day",
                "numbers": ["$response.body#/number"],
                "reason": "not printed",
            },
        },
    },
    ("codes-lease", "201"): {
        "Leases": {"operationId": "codes-my_leases", "parameters": {"since": "$response.body#/day"}}
    },
    ("sync-pull", "200"): {
        "PullOn": {
            "operationId": "sync-pull",
            "requestBody": {"client_id": "$request.body#/client_id", "cursors": "$response.body#/cursors"},
        },
    },
    ("sync-snapshot", "200"): {
        "NextPage": {
            "operationId": "sync-snapshot",
            "parameters": {"space": "$response.body#/space", "page": "$response.body#/next_page"},
        },
    },
}


def _operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        operation["operationId"]: operation
        for item in document.get("paths", {}).values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }


def check_links(document: dict[str, Any], links: dict[tuple[str, str], dict[str, Link]] = LINKS) -> list[str]:
    """What in ``links`` would not resolve in ``document``: a missing source, answer or target, or a
    parameter the target does not take. Empty when every link holds."""
    operations = _operations(document)
    problems: list[str] = []
    for (source, status), named in links.items():
        if status not in operations.get(source, {}).get("responses", {}):
            problems.append(f"{source} has no {status} answer")
        for name, link in named.items():
            target = operations.get(link["operationId"])
            if target is None:
                problems.append(f"{source} {name}: no operation {link['operationId']}")
                continue
            taken = {parameter["name"] for parameter in target.get("parameters", [])}
            problems += [
                f"{source} {name}: {link['operationId']} takes no {p}"
                for p in link.get("parameters", {})
                if p not in taken
            ]
            if "requestBody" in link and "requestBody" not in target:
                problems.append(f"{source} {name}: {link['operationId']} takes no body")
    return problems


def add_links(document: dict[str, Any]) -> None:
    """Put ``LINKS`` into ``document`` (FastAPI's, in place); links that would not resolve are left out."""
    operations = _operations(document)
    broken = set(check_links(document))
    for (source, status), named in LINKS.items():
        answer = operations.get(source, {}).get("responses", {}).get(status)
        if answer is None:
            continue
        kept = {
            name: link for name, link in named.items() if not any(p.startswith(f"{source} {name}:") for p in broken)
        }
        if kept:
            answer.setdefault("links", {}).update(kept)


def document_links(app: FastAPI) -> None:
    """Serve ``app``'s OpenAPI document with ``LINKS`` added (once: FastAPI caches the document)."""
    build = app.openapi
    done = False

    def openapi() -> dict[str, Any]:
        nonlocal done
        document = build()
        if not done:
            add_links(document)
            done = True
        return document

    app.openapi = openapi  # type: ignore[method-assign]
