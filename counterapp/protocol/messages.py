"""The sync protocol's messages (SYNC.md §4), shared by the counter and the server: pure, no I/O.

Requests are strict (``extra="forbid"``, no coercion of numbers or flags) because they protect the
server; responses ignore unknown fields, so a newer server can add some without breaking old counters.
An op's ``kind``, ``v`` and ``payload`` are deliberately *not* checked here: the server must take any op
it can store and decide per op (``counterapp.protocol.payloads.decode_payload``), quarantining what it
cannot read rather than refusing the whole batch (SYNC.md §2(g)).
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import re
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, Strict, model_validator

from counterapp.protocol import ops
from counterapp.protocol.canonical import canonical_hash as canonical_hash  # re-exported: the mirror check
from counterapp.protocol.canonical import canonical_json as canonical_json
from counterapp.protocol.upcast import UndecodableOp

PROTOCOL_MIN = 1
PROTOCOL_MAX = 1
MAX_PUSH_OPS = 200
MAX_PUSH_BYTES = 1024 * 1024  # the batch's ops, serialised as JSON
MAX_PULL_LIMIT = 500
GAP_CODE = "sync.gap"
CLIENT_REGRESSED_CODE = "sync.client_regressed"
EDITS = frozenset({ops.DOSSIER_AMEND.name})  # compare-and-set on base_version, merged by field

OpClass = Literal["fact", "claim", "edit"]


# --- spaces ---------------------------------------------------------------------------------------

_SPACE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class InvalidSpace(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Space:
    """A partition of the change feed: ``centre:<id>``, ``city`` or ``device:<id>``."""

    kind: Literal["centre", "city", "device"]
    id: str | None = None

    def __str__(self) -> str:
        return self.kind if self.id is None else f"{self.kind}:{self.id}"


CITY = Space("city")


def parse_space(text: str) -> Space:
    """``"centre:12"`` → ``Space("centre", "12")``; anything else than the three forms is refused."""
    kind, colon, ident = text.partition(":")
    if kind == "city" and not colon:
        return CITY
    if kind in ("centre", "device") and colon and _SPACE_ID.fullmatch(ident):
        return Space("centre" if kind == "centre" else "device", ident)
    raise InvalidSpace(f"invalid space {text[:80]!r}: expected 'centre:<id>', 'city' or 'device:<id>'")


def _space(text: str) -> str:
    return str(parse_space(text))


SpaceName = Annotated[str, AfterValidator(_space), Field(examples=["centre:12", "city", "device:7"])]


# --- cursors --------------------------------------------------------------------------------------

_CURSOR_TEXT = re.compile(r"[A-Za-z0-9_-]{1,200}={0,2}")


class InvalidCursor(ValueError):
    pass


def encode_cursor(seq: int) -> str:
    """The opaque text a client keeps for a space: URL-safe base64 of ``{"v":1,"seq":N}``."""
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise InvalidCursor(f"a cursor's seq is an integer ≥ 0, not {seq!r}")
    return base64.urlsafe_b64encode(json.dumps({"v": 1, "seq": seq}, separators=(",", ":")).encode()).decode()


def decode_cursor(text: str) -> int:
    """The seq in a cursor made by :func:`encode_cursor`; anything else raises :class:`InvalidCursor`."""
    if not isinstance(text, str) or not _CURSOR_TEXT.fullmatch(text):
        raise InvalidCursor("invalid cursor: not a cursor given by this server")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        data = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError) as exc:
        raise InvalidCursor("invalid cursor: not a cursor given by this server") from exc
    if not isinstance(data, dict) or set(data) != {"v", "seq"} or data["v"] != 1:
        raise InvalidCursor("invalid cursor: unknown cursor format")
    seq = data["seq"]
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise InvalidCursor("invalid cursor: its seq is not an integer ≥ 0")
    return seq


START_CURSOR = encode_cursor(0)  # a space never pulled


def _cursor(text: str) -> str:
    decode_cursor(text)
    return text


Cursor = Annotated[str, AfterValidator(_cursor), Field(examples=[START_CURSOR, encode_cursor(4182)])]


# --- shared field types ---------------------------------------------------------------------------


def _uuid(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise ValueError("expected a UUID such as '0195f3a2-7c4e-7b21-9d3a-4f1c2b8e6a10'") from None


UuidText = Annotated[str, AfterValidator(_uuid), Field(examples=["0195f3a2-7c4e-7b21-9d3a-4f1c2b8e6a10"])]
Moment = Annotated[AwareDatetime, Strict(False), Field(examples=["2026-03-16T09:00:00+07:00"])]
Seq = Annotated[int, Field(ge=1)]
Reason = Annotated[str, Field(min_length=1, max_length=500)]
Endpoint = Annotated[str, Field(pattern=r"^https?://\S+$", max_length=200, examples=["https://sync.example.vn/v1"])]


class Request(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Response(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


# --- hello ----------------------------------------------------------------------------------------


class HelloRequest(Request):
    client_id: UuidText
    app_version: Annotated[str, Field(pattern=r"^\d+(\.\d+){1,3}([-+.][0-9A-Za-z.+-]+)?$", examples=["0.1.0"])]
    protocol: Annotated[int, Field(ge=1, examples=[PROTOCOL_MAX])]
    schema_version: Annotated[str, Field(min_length=1, max_length=40, examples=["0003"])]
    applied_epoch: Annotated[int, Field(ge=0, examples=[3])]


class HelloResponse(Response):
    server_time: Moment
    server_epoch: Annotated[int, Field(ge=0, examples=[1])]
    protocol_min: Annotated[int, Field(ge=1, examples=[PROTOCOL_MIN])]
    protocol_max: Annotated[int, Field(ge=1, examples=[PROTOCOL_MAX])]
    min_app_version: Annotated[str, Field(min_length=1, examples=["0.1.0"])]
    retention_days: Annotated[int, Field(ge=1, examples=[60])]
    new_endpoint: Endpoint | None = None  # move to this server (a centre or server move, like Anki's 308)

    @model_validator(mode="after")
    def _window(self) -> Self:
        if self.protocol_min > self.protocol_max:
            raise ValueError("protocol_min is above protocol_max")
        return self


# --- push -----------------------------------------------------------------------------------------


class Op(Request):
    """One outbox row on the wire. ``kind``/``v``/``payload`` are read per op by the server."""

    op_id: UuidText
    client_seq: Seq
    kind: Annotated[str, Field(pattern=r"^[a-z_]+(\.[a-z_]+)+$", max_length=40, examples=["ticket.call"])]
    v: Annotated[int, Field(ge=1, examples=[1])]
    payload: dict[str, Any]
    user_id: Annotated[str | None, Field(max_length=60, examples=["demo.clerk"])] = None
    wall_time: Moment
    corrected_time: Moment
    hlc: Annotated[str | None, Field(max_length=64)] = None
    epoch: Annotated[int, Field(ge=0, examples=[3])] = 0


class PushRequest(Request):
    client_id: UuidText
    ops: Annotated[list[Op], Field(min_length=1, max_length=MAX_PUSH_OPS)]

    @model_validator(mode="after")
    def _batch(self) -> Self:
        seqs = [op.client_seq for op in self.ops]
        if any(a >= b for a, b in itertools.pairwise(seqs)):
            raise ValueError("ops must be in strictly ascending client_seq order")
        if len({op.op_id for op in self.ops}) != len(self.ops):
            raise ValueError("an op_id appears twice in the batch")
        size = sum(len(op.model_dump_json().encode("utf-8")) + 1 for op in self.ops) + 1
        if size > MAX_PUSH_BYTES:
            raise ValueError(f"the batch is {size} bytes of ops, over the {MAX_PUSH_BYTES}-byte limit: send fewer")
        return self


class OpResult(Response):
    client_seq: Seq
    op_id: UuidText
    status: Literal["applied", "duplicate", "rejected", "conflict"]
    server_seq: Seq | None = None
    reason: Reason | None = None
    canonical: dict[str, Any] | None = None  # the server's version of the entity, when it differs

    @model_validator(mode="after")
    def _reasoned(self) -> Self:
        if self.status in ("rejected", "conflict") and self.reason is None:
            raise ValueError(f"a {self.status} op needs a reason the counter can show")
        return self


class PushResponse(Response):
    last_client_seq: Annotated[int, Field(ge=0)]
    results: list[OpResult]
    server_time: Moment


class GapProblem(Response):
    """409 body: the batch does not start right after the server's watermark."""

    code: Literal["sync.gap"] = "sync.gap"
    status: Literal[409] = 409
    expected_seq: Seq
    detail: str = ""


class ClientRegressedProblem(Response):
    """409 body: a ``client_seq`` the server already has, with another op_id (a restored client DB):
    the counter must register as a new client and re-send its pending ops (SYNC.md §2(f))."""

    code: Literal["sync.client_regressed"] = "sync.client_regressed"
    status: Literal[409] = 409
    last_client_seq: Annotated[int, Field(ge=0)]
    detail: str = ""


# --- pull -----------------------------------------------------------------------------------------


class PullRequest(Request):
    client_id: UuidText
    cursors: dict[SpaceName, Cursor]
    limit: Annotated[int, Field(ge=1, le=MAX_PULL_LIMIT)] = MAX_PULL_LIMIT


class Change(Response):
    space: SpaceName
    seq: Seq
    entity: Annotated[str, Field(min_length=1, max_length=40, examples=["ticket"])]
    id: Annotated[str, Field(min_length=1, max_length=80)]
    op: Literal["upsert", "delete"]
    version: Annotated[int, Field(ge=0)]
    data: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _has_data(self) -> Self:
        if self.op == "upsert" and self.data is None:
            raise ValueError("an upsert carries the entity's data")
        return self


class PullResponse(Response):
    changes: list[Change]
    cursors: dict[SpaceName, Cursor]
    has_more: bool
    reset_required: list[SpaceName] = Field(default_factory=list)


# --- conflict rules -------------------------------------------------------------------------------


def classify(op: Op | str) -> OpClass:
    """How the server treats a conflict: a *fact* is never rejected (only flagged), a *claim* is
    compare-and-set and may be rejected, an *edit* applies on its base version and merges by field."""
    kind = op if isinstance(op, str) else op.kind
    known = ops.ALL.get(kind)
    if known is None:
        raise UndecodableOp(f"unknown op kind {kind!r}", kind=kind)
    if kind in EDITS:
        return "edit"
    return "fact" if known.fact else "claim"
