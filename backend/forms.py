"""HTML forms: parse a posted form into a pydantic model, and turn its errors into words next to fields."""

from typing import Annotated, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError

from backend.errors import AppError
from backend.i18n import _

M = TypeVar("M", bound=BaseModel)


class FormError(Exception):
    """The form is invalid; `errors` maps a field name to a message in the reader's language."""

    def __init__(self, errors: dict[str, str], values: dict):
        super().__init__("invalid form")
        self.errors = errors
        self.values = values


def message_for(error: dict) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in ("string_too_long", "too_long"):
        return _("Too long: at most %(n)s characters.", n=ctx.get("max_length", "?"))
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return _("Enter a whole number.")
    if kind in ("decimal_parsing", "float_parsing", "decimal_type"):
        return _("Enter a number.")
    if kind in ("greater_than_equal", "greater_than"):
        return _("Must be at least %(n)s.", n=ctx.get("ge", ctx.get("gt", "?")))
    if kind in ("less_than_equal", "less_than"):
        return _("Must be at most %(n)s.", n=ctx.get("le", ctx.get("lt", "?")))
    if kind in ("date_parsing", "date_from_datetime_parsing", "date_type"):
        return _("Enter a date as YYYY-MM-DD.")
    if kind in ("enum", "literal_error"):
        return _("Choose one of the offered options.")
    if kind in ("decimal_max_digits", "decimal_whole_digits", "decimal_max_places"):
        return _("This amount is too large or too precise.")
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    return message or _("This value is not valid.")


def errors_of(err: ValidationError) -> dict[str, str]:
    out: dict[str, str] = {}
    for e in err.errors():
        loc = [str(p) for p in e.get("loc", ()) if not isinstance(p, int)]
        field = loc[0] if loc else "__all__"
        out.setdefault(field, message_for(e))
    return out


async def values(request: Request) -> dict:
    """The posted form as a dict; repeated fields (checkboxes, multi-selects) become lists."""
    form = await request.form()
    data: dict = {}
    for key in form:
        if key == "csrf_token":
            continue
        items = [v for v in form.getlist(key) if isinstance(v, str)]
        data[key] = items if len(items) > 1 else (items[0] if items else "")
    return data


def parse(model: type[M], data: dict, *, lists: tuple[str, ...] = (), blank_is_none: bool = True,
          **extra: object) -> M:
    """Validate form `data` into `model`; blank fields count as absent; raise FormError with field messages."""
    clean: dict = {}
    for key, value in data.items():
        if key in lists:
            clean[key] = value if isinstance(value, list) else ([value] if value not in ("", None) else [])
        elif blank_is_none and isinstance(value, str) and value.strip() == "":
            continue
        else:
            clean[key] = value
    clean |= extra
    try:
        return model.model_validate(clean)
    except ValidationError as err:
        raise FormError(errors_of(err), data) from None


def app_error_to_form(err: AppError, data: dict) -> FormError:
    """A service's refusal shown on the form, next to the field it names."""
    return FormError({err.field or "__all__": err.message}, data)


FormData = Annotated[dict, Depends(values)]
