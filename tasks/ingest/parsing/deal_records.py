"""The curated sources' records as pydantic models (`Record`), whose fields use the types
below (`Date`, `Amount`, `Country`, ...): each type delegates to the one set of coding rules
in deal_rules.py, and `record()` turns a model's first error into one
`Invalid(field path, reason)`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from trendline.tasks.ingest.parsing.deal_rules import Invalid, Rules, load_rules

# Records -----------------------------------------------------------------------------
# One pydantic model per record shape; its fields are typed with the annotated types below,
# which apply the one set of rules above (passed as validation context, else the bundled
# rules). A missing field is validated like a blank one, so its message is the rule's own.

M = TypeVar("M", bound="Record")


class Record(BaseModel):
    """Base of the curated record models. A missing field is checked as blank (so it gets
    its rule's message, e.g. `missing date`, not a generic one); other keys are ignored."""

    model_config = ConfigDict(validate_default=True, extra="ignore", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _missing_is_blank(cls, item: Any) -> Any:
        if isinstance(item, dict):
            return {**dict.fromkeys(cls.model_fields), **item}
        return item


def record(model: type[M], item: Any, rules: Rules | None = None) -> M:
    """`item` as a `model`; Invalid(field path, reason) for its first bad field (the path in
    pydantic's form, e.g. `parties.1.country`; other bad fields are named in the reason)."""
    try:
        return model.model_validate(item, context={"rules": rules or load_rules()})
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        paths = [".".join(str(p) for p in e["loc"]) or "record" for e in errors]
        reason = errors[0]["msg"]
        others = [p for p in dict.fromkeys(paths[1:]) if p != paths[0]]
        if others:
            reason += f" (also wrong: {', '.join(others)})"
        raise Invalid(paths[0], reason) from None


def wrong(reason: str) -> PydanticCustomError:
    """A field error whose message is exactly `reason`."""
    return PydanticCustomError("invalid", "{reason}", {"reason": reason})


def as_text(value: Any) -> str:
    """A cell as stripped text; None is blank."""
    return "" if value is None else str(value).strip()


def rule(info: ValidationInfo, check, *args):
    """`check(rules, *args)` with the rules in the validation context; its Invalid reason
    becomes the field's error."""
    rules = (info.context or {}).get("rules") or load_rules()
    try:
        return check(rules, *args)
    except Invalid as exc:
        raise wrong(exc.reason) from None


def _rule(check):
    """A Rules check as a field validator on the field's text."""
    return BeforeValidator(lambda value, info: rule(info, check, as_text(value)))


def _required(reason: str, limit: int | None = None):
    def validate(value: Any) -> str:
        value = as_text(value)
        if not value or (limit is not None and len(value) > limit):
            raise wrong(reason)
        return value

    return BeforeValidator(validate)


def as_list(value: Any) -> list:
    """A list field: None is empty; one mapping or string is a list of one."""
    if value is None:
        return []
    return [value] if isinstance(value, str | dict) else value


Date = Annotated[dt.date, _rule(Rules.date)]
Amount = Annotated[float | None, _rule(Rules.amount)]  # None: undisclosed, never 0
Country = Annotated[str | None, _rule(Rules.country)]  # ISO-2; None: unknown
Id = Annotated[str, _required("missing or longer than 80 characters", 80)]
Text = Annotated[str, BeforeValidator(as_text)]
Tags = Annotated[list[str], BeforeValidator(lambda v: [str(s) for s in as_list(v)])]


def Required(reason: str):  # noqa: N802 (a type)
    """Non-blank text; blank or missing is an error saying `reason`."""
    return Annotated[str, _required(reason)]


def SourceUrl(what: str):  # noqa: N802 (a type)
    """An http(s) URL; anything else is `every <what> needs an http(s) source URL`."""

    def validate(value: Any) -> str:
        url = as_text(value)
        if not url.startswith(("http://", "https://")):
            raise wrong(f"every {what} needs an http(s) source URL")
        return url

    return Annotated[str, BeforeValidator(validate)]


class PartyRecord(Record):
    """A party to a deal or an event: a mapping, or just its name."""

    name: Required("a party without a name")
    country: Country = None

    @model_validator(mode="before")
    @classmethod
    def _named(cls, item: Any) -> Any:
        return item if isinstance(item, dict) else {"name": as_text(item)}
