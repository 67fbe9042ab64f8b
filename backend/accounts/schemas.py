"""Input shapes of the account forms."""

from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from backend.organisations.models import OrgKind


def _email(value: str) -> str:
    value = value.strip().lower()
    local, _, domain = value.partition("@")
    if not local or "." not in domain or " " in value or len(value) > 254:
        raise ValueError("enter an e-mail address such as name@example.cn")
    return value


class LoginIn(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=200)
    next: str | None = None

    @field_validator("email")
    @classmethod
    def _normal(cls, v: str) -> str:
        # One spelling per account, so " A@B.cn" and "a@b.cn" share one failed-sign-in budget.
        return v.strip().lower()


class NewPasswordIn(BaseModel):
    password: str = Field(max_length=200)
    password_again: str = Field(max_length=200)

    @model_validator(mode="after")
    def _same(self) -> "NewPasswordIn":
        if self.password != self.password_again:
            raise ValueError("the two passwords differ")
        return self



class RegistrationIn(NewPasswordIn):
    email: str = Field(max_length=254)
    full_name: str = Field(min_length=1, max_length=120)
    org_kind: OrgKind
    org_name: str | None = Field(default=None, max_length=200)
    org_name_en: str | None = Field(default=None, max_length=200)
    region: str = Field(max_length=12)
    chains: list[str] = Field(default_factory=list, max_length=12)
    locale: Literal["zh_CN", "en"] = "zh_CN"

    _check_email = field_validator("email")(classmethod(lambda cls, v: _email(v)))

    @field_validator("full_name", "org_name", "org_name_en")
    @classmethod
    def _strip(cls, v: str | None) -> str | None:
        return " ".join(v.split()) if v else v

    @model_validator(mode="after")
    def _names(self) -> "RegistrationIn":
        if not (self.org_name or self.org_name_en):
            raise ValueError("give the organisation's name in Chinese, in English, or both")
        return self


class PasswordChangeIn(NewPasswordIn):
    current_password: str = Field(max_length=200)


class TokenIn(BaseModel):
    name: str = Field(max_length=100)
