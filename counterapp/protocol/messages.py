"""The sync protocol's messages (SYNC.md §4), shared by the counter and the server: pure, no I/O.

Requests are strict (``extra="forbid"``, no coercion of numbers or flags, every field one of the checked
types of ``counterapp.protocol.fields``) because they protect the server; responses ignore unknown fields,
so a newer server can add some without breaking old counters.

A pushed op is read in two steps. :class:`Op`, the envelope, checks only what places the op in its
device's sequence (``op_id``, ``client_seq``); every other field is taken as any JSON value. The server
then reads each op on its own as a :class:`CheckedOp` (every field checked) and its payload with its
kind's model (``counterapp.protocol.payloads.decode_payload``). Why not check everything up front: a
request that fails validation is refused whole (422), and a counter whose outbox holds one bad op (a NUL
typed into a note, a clock set to year 1, an op written by a buggy release) would send that same batch
again forever, so nothing queued behind it would ever reach the server. Read per op, the bad op is
quarantined with its reason, the watermark moves past it and the rest of the batch applies (SYNC.md
§2(g); ``counterapp.server.services.quarantine``). ``op_id`` and ``client_seq`` are the exception: the
counter makes them itself (a UUIDv7 and a gap-free count), no typing or clock can spoil them, and an op
without them could not be placed in the sequence at all.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema, model_validator
from pydantic_core import PydanticSerializationError

from counterapp.protocol import ops
from counterapp.protocol.canonical import canonical_hash as canonical_hash  # re-exported: the mirror check
from counterapp.protocol.canonical import canonical_json as canonical_json
from counterapp.protocol.fields import INT32_MAX, Int32, Line, line
from counterapp.protocol.fields import Moment as Moment  # re-exported: the protocol's time type
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
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq <= INT32_MAX:
        raise InvalidCursor("invalid cursor: its seq is not an integer from 0 to 2**31 - 1")
    return seq


START_CURSOR = encode_cursor(0)  # a space never pulled


def _cursor(text: str) -> str:
    decode_cursor(text)
    return text


Cursor = Annotated[str, AfterValidator(_cursor), Field(examples=[START_CURSOR, encode_cursor(4182)])]


# --- shared field types ---------------------------------------------------------------------------


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _uuid(text: str) -> str:
    if _CANONICAL_UUID.fullmatch(text):  # as the counter writes them: no need to parse and print it again
        return text
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise ValueError("expected a UUID such as '0195f3a2-7c4e-7b21-9d3a-4f1c2b8e6a10'") from None


UuidText = Annotated[
    str,
    StringConstraints(strict=True, max_length=45),
    AfterValidator(_uuid),
    Field(examples=["0195f3a2-7c4e-7b21-9d3a-4f1c2b8e6a10"]),
]
Seq = Annotated[Int32, Field(ge=1)]
Reason = Annotated[str, Field(min_length=1, max_length=500)]
Endpoint = Annotated[str, Field(pattern=r"^https?://\S+$", max_length=200, examples=["https://sync.example.vn/v1"])]
KIND_PATTERN = r"^[a-z_]+(\.[a-z_]+)+$"


class Request(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Response(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


# --- hello ----------------------------------------------------------------------------------------


class HelloRequest(Request):
    client_id: UuidText
    app_version: Annotated[
        Line, Field(max_length=20, pattern=r"^[0-9]+(\.[0-9]+){1,3}([-+.][0-9A-Za-z.+-]+)?$", examples=["0.1.0"])
    ]
    protocol: Annotated[Int32, Field(ge=1, examples=[PROTOCOL_MAX])]
    schema_version: Annotated[Line, Field(min_length=1, max_length=40, examples=["0003"])]
    applied_epoch: Annotated[Int32, Field(ge=0, examples=[3])]


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


class CheckedOp(Request):
    """One outbox row with every field checked: what the server may store and apply. The server reads
    each :class:`Op` of a push as one of these on its own (:meth:`Op.checked`). ``kind``/``v``/``payload``
    are checked for shape only: the kind's payload model decides per op (``decode_payload``)."""

    op_id: UuidText
    client_seq: Seq
    kind: Annotated[
        str, StringConstraints(strict=True, max_length=40, pattern=KIND_PATTERN), Field(examples=["ticket.call"])
    ]
    v: Annotated[Int32, Field(ge=1, examples=[1])]
    payload: dict[str, Any]
    user_id: Annotated[str, line(60), Field(examples=["demo.clerk"])] | None = None
    wall_time: Moment
    corrected_time: Moment
    hlc: Annotated[str, line(64)] | None = None
    epoch: Annotated[Int32, Field(ge=0, examples=[3])] = 0


def _loose(schema: dict[str, Any]) -> WithJsonSchema:
    """The schema documented for a field the envelope takes as any JSON value (what a valid op holds)."""
    note = "Checked per op: an op whose field breaks this is quarantined with the reason, not the batch refused."
    return WithJsonSchema({**schema, "description": note})


class Op(Request):
    """One outbox row on the wire, the push's envelope: ``op_id`` and ``client_seq`` are checked here, the
    other fields are any JSON value, read per op by the server as a :class:`CheckedOp` (see the module
    docstring: one bad op must not get the whole batch refused)."""

    op_id: UuidText
    client_seq: Seq
    kind: Annotated[Any, _loose({"type": "string", "pattern": KIND_PATTERN, "maxLength": 40})]
    v: Annotated[Any, _loose({"type": "integer", "minimum": 1, "maximum": INT32_MAX})]
    payload: Annotated[Any, _loose({"type": "object", "additionalProperties": True})]
    user_id: Annotated[Any, _loose({"anyOf": [{"type": "string", "maxLength": 60}, {"type": "null"}]})] = None
    wall_time: Annotated[Any, _loose({"type": "string", "format": "date-time"})]
    corrected_time: Annotated[Any, _loose({"type": "string", "format": "date-time"})]
    hlc: Annotated[Any, _loose({"anyOf": [{"type": "string", "maxLength": 64}, {"type": "null"}]})] = None
    epoch: Annotated[Any, _loose({"type": "integer", "minimum": 0, "maximum": INT32_MAX})] = 0

    def checked(self) -> CheckedOp:
        """This op with every field checked; ``pydantic.ValidationError`` names what is wrong."""
        return CheckedOp.model_validate(
            {name: getattr(self, name) for name in type(self).model_fields}  # no copy of the payload
        )


def _wire_size(op: Op) -> int:
    """``op``'s size as JSON; what pydantic cannot write as UTF-8 (a lone surrogate in a key) is measured
    escaped, as the counter sends it, rather than refusing the whole batch."""
    try:
        return len(op.model_dump_json().encode("utf-8"))
    except (PydanticSerializationError, UnicodeEncodeError):
        return len(json.dumps(op.model_dump(), ensure_ascii=True, default=str))


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
        size = sum(_wire_size(op) + 1 for op in self.ops) + 1
        if size > MAX_PUSH_BYTES:
            raise ValueError(f"the batch is {size} bytes of ops, over the {MAX_PUSH_BYTES}-byte limit: send fewer")
        return self


def push_body(request: PushRequest) -> str:
    """``request`` as the JSON text the counter sends. What pydantic cannot write as UTF-8 (a lone surrogate
    in a payload key, from an op an older release let into the outbox) is sent escaped instead: the server
    then quarantines that op, rather than the counter failing to send the batch at all, again and again."""
    try:
        return request.model_dump_json()
    except PydanticSerializationError:
        return json.dumps(request.model_dump(), ensure_ascii=True, default=_iso)


def _iso(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime | date) else str(value)


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


def classify(op: Op | CheckedOp | str) -> OpClass:
    """How the server treats a conflict: a *fact* is never rejected (only flagged), a *claim* is
    compare-and-set and may be rejected, an *edit* applies on its base version and merges by field."""
    kind = op if isinstance(op, str) else op.kind
    known = ops.ALL.get(kind) if isinstance(kind, str) else None
    if known is None or not isinstance(kind, str):
        raise UndecodableOp(f"unknown op kind {str(kind)[:60]!r}", kind=kind if isinstance(kind, str) else None)
    if kind in EDITS:
        return "edit"
    return "fact" if known.fact else "claim"
