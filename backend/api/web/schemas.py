"""Bodies of the SPA's account routes. Unknown fields are ignored (the SPA may send extras such as
`email` on setup); lengths are capped so no input reaches argon2 or the database unbounded."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

Username = Field(min_length=1, max_length=64)
Password = Field(min_length=1, max_length=256)
Code = Field(min_length=1, max_length=12)


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)


class SetupBody(_Body):
    username: str = Username
    password: str = Password


class LoginBody(_Body):
    username: str = Username
    password: str = Password
    totp_code: str | None = Field(default=None, max_length=12)


class TotpCodeBody(_Body):
    code: str = Code


class ResetPasswordBody(_Body):
    username: str = Username
    totp_code: str = Code
    new_password: str = Password


class ChangePasswordBody(_Body):
    current_password: str = Password
    new_password: str = Password


class NewUserBody(_Body):
    username: str = Username
    password: str = Password
    is_admin: bool = False


class AdminPasswordBody(_Body):
    new_password: str = Password


class UserActiveBody(_Body):
    active: bool


class IpBanBody(_Body):
    ip: str = Field(min_length=2, max_length=64)
    reason: str = Field(default="", max_length=200)
    duration_seconds: int | None = Field(default=None, ge=60, le=10 * 365 * 86400,
                                         description="Empty: permanent.")
