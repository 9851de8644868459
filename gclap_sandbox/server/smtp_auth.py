"""SMTP AUTH PLAIN and LOGIN: username `apikey`, an API key as the password (as SendGrid does).

aiosmtpd calls its `authenticator` synchronously, but checking a key may need the database.
So the authenticator only passes the decoded credentials on (`collect_credentials`), and the
handler's own `auth_PLAIN` / `auth_LOGIN` (which aiosmtpd awaits) check them with the same
`auth.resolve` as the API, answering 535 with the reason when the key is unusable.
"""
from __future__ import annotations

from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from gclap_sandbox.accounts import auth
from gclap_sandbox.errors import Unauthorized
from gclap_sandbox.server.context import AppContext

USERNAME = b"apikey"
SEND_SCOPE = "emails:send"
MECHANISMS = ["PLAIN", "LOGIN"]


def collect_credentials(server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                        auth_data: Any) -> AuthResult:
    return AuthResult(success=True, auth_data=auth_data)


def _refuse(reason: str) -> AuthResult:
    return AuthResult(success=False, handled=False, message=f"535 5.7.8 {reason}")


class ApiKeyAuth:
    """Mixed into the SMTP handler when AUTH is on; a successful AUTH leaves the Principal in
    `session.auth_data`."""

    ctx: AppContext

    async def auth_PLAIN(self, server: SMTP, args: list[str]) -> AuthResult:
        return await self._verify(await SMTP.auth_PLAIN(server, server, args))

    async def auth_LOGIN(self, server: SMTP, args: list[str]) -> AuthResult:
        return await self._verify(await SMTP.auth_LOGIN(server, server, args))

    async def _verify(self, result: AuthResult) -> AuthResult:
        if not result.success or not isinstance(result.auth_data, LoginPassword):
            return result
        login, password = result.auth_data
        if login != USERNAME:
            return _refuse("Use the username `apikey` and an API key as the password.")
        try:
            principal = await auth.resolve(self.ctx, password.decode("utf-8"))
        except UnicodeDecodeError:
            return _refuse("Invalid API key.")
        except Unauthorized as error:
            return _refuse(error.detail)
        if not principal.allows(SEND_SCOPE):
            return _refuse(f"This API key lacks the `{SEND_SCOPE}` scope.")
        return AuthResult(success=True, auth_data=principal)
