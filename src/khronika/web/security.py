"""Response headers, the review token and CSRF protection.

Reading is open. Review writes need the token the server was started with (``--token``
or ``KHRONIKA_REVIEW_TOKEN``), sent as ``Authorization: Bearer`` (API clients) or as the
``token`` form field (browser forms). Without a configured token, writes are refused.

Browser forms are also CSRF-checked: a random per-browser cookie (HttpOnly,
SameSite=Strict) plus a hidden form field holding HMAC(server secret, cookie), and the
Origin header, when present, must match the Host. A Bearer request carries no ambient
credentials, so it needs no CSRF check.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from fastapi import Request

CSRF_COOKIE = "khronika_csrf"

# No inline script anywhere, so none is allowed: an injected <script> or onerror= that
# somehow escaped autoescaping still cannot run.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class AuthError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Guard:
    """Holds the review token and the CSRF secret for one app instance."""

    def __init__(self, token: str | None) -> None:
        self.token = token or None
        self.secret = secrets.token_bytes(32)  # per process: restarting the server invalidates open forms

    @property
    def writes_enabled(self) -> bool:
        return self.token is not None

    # -- token ----------------------------------------------------------------------
    def bearer(self, request: Request) -> str | None:
        auth = request.headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        return value.strip() if scheme.lower() == "bearer" and value.strip() else None

    def check_token(self, supplied: str | None) -> None:
        if self.token is None:
            raise AuthError(403, "Review is disabled: the server was started without a review token "
                                 "(khronika serve --token, or KHRONIKA_REVIEW_TOKEN).")
        if not supplied:
            raise AuthError(401, "This change needs the review token.")
        if not hmac.compare_digest(supplied.encode(), self.token.encode()):
            raise AuthError(401, "Wrong review token.")

    # -- CSRF -----------------------------------------------------------------------
    def csrf_for(self, cookie: str) -> str:
        return hmac.new(self.secret, cookie.encode(), hashlib.sha256).hexdigest()

    def check_csrf(self, request: Request, form_value: str | None) -> None:
        origin = request.headers.get("origin")
        if origin is not None:
            host = request.headers.get("host", "")
            if origin == "null" or origin.split("://", 1)[-1] != host:
                raise AuthError(403, "Cross-site form submission refused (Origin does not match).")
        cookie = request.cookies.get(CSRF_COOKIE)
        if not cookie or not form_value or not hmac.compare_digest(self.csrf_for(cookie), form_value):
            raise AuthError(403, "This form has expired or was not sent from this site; reload the page and try again.")


def ensure_csrf_cookie(request: Request) -> tuple[str, bool]:
    """The browser's CSRF cookie value, and whether it has to be set on the response."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if cookie and len(cookie) == 43:
        return cookie, False
    return secrets.token_urlsafe(32), True


def set_csrf_cookie(response: Any, value: str, secure: bool) -> None:
    response.set_cookie(CSRF_COOKIE, value, httponly=True, samesite="strict", secure=secure, path="/")
