"""A counter's connection to the server survives a quiet minute: a call-next after some seconds of silence
does not pay for a new connection (the server keeps an idle connection 75 s, the counter 60 s; both
defaults were 5 s). Against the real server process."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx2
import pytest

from counterapp.protocol.client import KEEPALIVE_S, ServerClient
from tests.liveserver import Counter

QUIET_S = 6.5  # longer than uvicorn's and httpx's default keep-alive (5 s)


def local_port(response: httpx2.Response) -> int:
    """This side's port of the TCP connection the response came on: the same port, the same connection."""
    address = response.extensions["network_stream"].get_extra_info("client_addr")
    return int(address[1])


@pytest.mark.slow
def test_a_quiet_connection_is_used_again(counter: Counter, client_of: Callable[[Counter], ServerClient]):
    client = client_of(counter)
    first = client._request("GET", "/healthz")
    port = local_port(first)  # now: a closed connection has no address to ask for
    time.sleep(QUIET_S)
    again = client._request("GET", "/healthz")
    assert again.status_code == first.status_code == 200
    assert local_port(again) == port
    assert QUIET_S < KEEPALIVE_S
