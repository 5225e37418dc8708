"""uvicorn's h11 protocol with a deadline for each request to arrive whole.

uvicorn times out idle keep-alive connections but not a connection that sends a request slowly, or
opens and sends nothing: a hundred of those hold a hundred sockets for as long as the client likes
("slowloris"). h11 (not httptools) is used because it also caps the size of the request head.
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

REQUEST_DEADLINE_S = 10.0


class DeadlineH11Protocol(H11Protocol):
    """Closes a connection whose request (head and body) has not fully arrived `request_deadline_s`
    after it started: at connect, or at the first byte after an idle keep-alive."""

    request_deadline_s = REQUEST_DEADLINE_S

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._deadline: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._arm()

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.request_deadline_s, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.logger.info("closing a connection whose request did not arrive within %.0f s", self.request_deadline_s)
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self.cycle is None or self.cycle.response_complete:
            self._arm()  # a new request is starting
        super().data_received(data)
        if self.conn.their_state in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.SWITCHED_PROTOCOL):
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def protocol_with_deadline(seconds: float) -> type[DeadlineH11Protocol]:
    if seconds <= 0:
        raise ValueError("the request deadline must be positive")
    return type("ConfiguredDeadlineH11Protocol", (DeadlineH11Protocol,), {"request_deadline_s": seconds})
