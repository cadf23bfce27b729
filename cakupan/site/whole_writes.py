"""uvicorn's HTTP protocol with the writes of one event-loop turn sent as one.

uvicorn writes a response's status line and headers to the socket as soon as the app sends
`http.response.start`, and its body with the next message: two writes. Between them the
process can be descheduled (two cores shared by the proxy, the replicas and their readers), and
a replica killed there has sent a head without its body. The proxy has by then passed the head
on to the reader, so it can no longer hand the request to another replica: the reader gets a
200 with no body (tests/test_deploy.py's replica kill under load saw it about once in three
runs). The site's response cache sends the head and the whole body of a page back to back, in
one turn of the loop; joined into one write, a kill comes before the response or after it,
never inside it. Streamed downloads still go out a chunk per turn.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.h11_impl import H11Protocol


class TurnWriter:
    """A transport whose writes are held until the end of the current turn of the event loop,
    then written as one; everything else is the transport's own."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop):
        self._transport, self._loop = transport, loop
        self._held: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not self._held:
            self._loop.call_soon(self.flush)
        self._held.append(bytes(data))

    def flush(self) -> None:
        if self._held:
            data, self._held = b"".join(self._held), []
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name):
        return getattr(self._transport, name)


class WholeWritesProtocol(H11Protocol):
    """uvicorn's h11 protocol (the one it picks without httptools) writing through TurnWriter."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(TurnWriter(transport, asyncio.get_running_loop()))
