"""Rate limits per client, on the `limits` package (moving windows; in-memory storage by default, or
any storage URI it supports, e.g. "redis://host:6379", so that replicas share their counts)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


def parse_limit(text: str) -> RateLimitItem | None:
    """"30/minute", "10 per 15 minutes", ...; an empty text means no limit."""
    return parse(text) if text.strip() else None


def client_of(request) -> str:
    """The client's address of a Starlette or Gradio request (behind a reverse proxy, uvicorn's proxy
    headers make it the real one)."""
    client = getattr(request, "client", None)
    return getattr(client, "host", None) or "tidak diketahui"


def minutes_text(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} menit"


class RateLimit:
    """At most `limit` requests per client in a moving window, for one named endpoint."""

    def __init__(self, name: str, limit: str, storage_uri: str = "memory://"):
        if not name:
            raise ValueError("a rate limit needs a name")
        self.name = name
        self.item = parse_limit(limit)
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def hit(self, client: str) -> float | None:
        """Count one request; None when it is allowed, else the seconds until the client may retry."""
        if self.item is None or self.limiter.hit(self.item, self.name, client):
            return None
        return self.retry_after(client)

    def retry_after(self, client: str) -> float:
        reset = self.limiter.get_window_stats(self.item, self.name, client).reset_time
        return max(1.0, reset - time.time())


@dataclass(frozen=True)
class LoginVerdict:
    """The outcome of one help-desk login attempt."""

    accepted: bool
    retry_after: float | None = None  # set while the client (or everyone) is locked out
    failures: int = 0  # failed attempts by this client in the current window


class LoginThrottle:
    """Failed help-desk logins counted per client and in total; past either limit, every attempt,
    the right password included, is refused until the window has room again. Nothing sleeps: a
    refused attempt costs the server no more than an accepted one."""

    def __init__(self, per_client: str, overall: str, storage_uri: str = "memory://"):
        self.per_client = parse_limit(per_client)
        self.overall = parse_limit(overall)
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def _locked_for(self, client: str) -> float | None:
        for item, keys in ((self.per_client, ("login", client)), (self.overall, ("login-all",))):
            if item is not None and not self.limiter.test(item, *keys):
                return max(1.0, self.limiter.get_window_stats(item, *keys).reset_time - time.time())
        return None

    def failures(self, client: str) -> int:
        if self.per_client is None:
            return 0
        return self.per_client.amount - self.limiter.get_window_stats(self.per_client, "login", client).remaining

    def attempt(self, client: str, password_ok: bool) -> LoginVerdict:
        """Judge one attempt whose password check came out `password_ok`."""
        locked = self._locked_for(client)
        if locked is not None:
            return LoginVerdict(False, retry_after=locked, failures=self.failures(client))
        if password_ok:
            if self.per_client is not None:
                self.limiter.clear(self.per_client, "login", client)
            return LoginVerdict(True)
        for item, keys in ((self.per_client, ("login", client)), (self.overall, ("login-all",))):
            if item is not None:
                self.limiter.hit(item, *keys)
        return LoginVerdict(False, failures=self.failures(client))
