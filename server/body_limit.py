"""Refuse a request body past the limit before any of it is parsed or spooled to disk."""

import json
from typing import Optional

from coding.limits import megabytes


class BodyLimit:
    """ASGI middleware: 413 for a declared Content-Length over `limit`; a chunked body is cut off at the limit.

    `larger` gives paths ending in a suffix (recordings) a limit of their own."""

    def __init__(self, app, limit: int, larger: Optional[dict[str, int]] = None) -> None:
        self.app, self.default, self.larger = app, limit, larger or {}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = next((size for suffix, size in self.larger.items() if scope["path"].endswith(suffix)), self.default)
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            body = json.dumps({"detail": f"the request is {megabytes(int(length))}, over the limit of "
                                         f"{megabytes(limit)} for one request"}).encode()
            await send({"type": "http.response.start", "status": 413,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return None
        received = 0

        async def bounded():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    return {"type": "http.disconnect"}
            return message

        return await self.app(scope, bounded, send)
