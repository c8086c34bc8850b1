"""The sync protocol (SYNC.md §4), device credential only: a counter syncs before anyone logs in.

POST /v1/sync/hello  (device)  HelloRequest → HelloResponse (+ counter_epoch)

``client_id`` must be the device's own id (403 ``sync.client_mismatch``); a protocol outside the server's
range is 426 ``sync.protocol_unsupported`` with ``protocol_min``/``protocol_max`` in the problem body.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import Field

from counterapp.domain.errors import DomainError
from counterapp.server.auth import CurrentDevice, http_error, utcnow
from counterapp.server.db import SessionDep
from counterapp.server.errors import PROBLEM_JSON, ApiError, problem
from counterapp.server.routes import ROUTERS
from counterapp.server.services import sync
from counterapp.sync.protocol import PROTOCOL_MAX, PROTOCOL_MIN, HelloRequest, HelloResponse

log = logging.getLogger(__name__)
router = APIRouter(tags=["sync"])

HELLO_ERRORS: dict[int | str, dict[str, Any]] = {
    401: problem("No or wrong device credential"),
    403: problem("Device revoked (auth.device_revoked), or client_id is not this device (sync.client_mismatch)"),
    426: problem("Protocol not supported (sync.protocol_unsupported): protocol_min/protocol_max in the body"),
}


class HelloOut(HelloResponse):
    """``HelloResponse`` plus the device's counter assignment epoch: above the ``applied_epoch`` the counter
    sent, a reassignment is waiting to be pulled."""

    counter_epoch: Annotated[int | None, Field(ge=0, examples=[3])] = None


@router.post("/sync/hello", response_model=HelloOut, responses=HELLO_ERRORS)
def hello(body: HelloRequest, session: SessionDep, device: CurrentDevice) -> HelloOut | JSONResponse:
    """Say hello: record the device's app version, applied assignment epoch and last contact; answer with
    the server's clock (``server_time``, for the counter's offset), epoch, protocol range and limits."""
    try:
        result = sync.hello(session, device, body, utcnow())
    except sync.ProtocolUnsupported as exc:
        session.rollback()
        detail = f"This server speaks sync protocol {PROTOCOL_MIN} to {PROTOCOL_MAX}; update the app."
        content = {
            "type": "about:blank",
            "title": "Protocol not supported",
            "status": 426,
            "code": exc.code,
            "detail": detail,
            "protocol_min": PROTOCOL_MIN,
            "protocol_max": PROTOCOL_MAX,
        }
        return JSONResponse(content, status_code=426, media_type=PROBLEM_JSON)
    except sync.ClientMismatch as exc:
        session.rollback()
        raise ApiError(403, exc.code, "Wrong client", "client_id is not the authenticated device's id.") from None
    except DomainError as exc:
        session.rollback()
        raise http_error(exc) from None
    out = HelloOut(
        server_time=result.server_time,
        server_epoch=sync.SERVER_EPOCH,
        protocol_min=PROTOCOL_MIN,
        protocol_max=PROTOCOL_MAX,
        min_app_version=sync.MIN_APP_VERSION,
        retention_days=sync.RETENTION_DAYS,
        counter_epoch=result.counter_epoch,
    )
    log.info("device %s said hello (app %s, epoch %s)", device.id, device.app_version, device.applied_epoch)
    session.commit()
    return out


ROUTERS.append(router)
