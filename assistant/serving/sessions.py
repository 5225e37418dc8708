"""The help-desk session: a cookie signed with itsdangerous, valid for a few hours.

The signing key joins the deployment's secret with a digest of the help-desk password, so changing the
password ends every open session. Replicas share sessions when they share `SENTRA_SESSION_SECRET`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner

COOKIE = "sentra_helpdesk"
COOKIE_PATH = "/helpdesk"


class HelpdeskSessions:
    def __init__(self, password: str, secret: str, max_age_s: float):
        if not password:
            raise ValueError("the help desk needs a password")
        if max_age_s <= 0:
            raise ValueError("a session must last some time")
        self.password = password
        self.max_age_s = max_age_s
        password_digest = hashlib.sha256(password.encode()).hexdigest()
        self.signer = TimestampSigner(f"{secret}|{password_digest}", salt="sentra-helpdesk-session")

    def password_ok(self, given: str | None) -> bool:
        return hmac.compare_digest((given or "").encode(), self.password.encode())

    def issue(self) -> str:
        return self.signer.sign(secrets.token_urlsafe(16)).decode()

    def valid(self, cookie: str | None) -> bool:
        if not cookie:
            return False
        try:
            self.signer.unsign(cookie, max_age=self.max_age_s)
        except (BadSignature, SignatureExpired):
            return False
        return True
