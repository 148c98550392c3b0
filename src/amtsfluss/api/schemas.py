"""Shared input types, references, error bodies and pagination of the API.

Input types reject what the database cannot hold before any query runs: control characters
(NUL breaks PostgreSQL text), ids outside BIGINT, and moments a time zone conversion would push
outside the calendar. Such input is a 422, never a 500.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Annotated, Any

from django.db.models import Model, QuerySet
from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime

#: Largest primary key (BIGINT); larger numbers are invalid input, not a database error.
MAX_ID = 2**63 - 1
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def _single_line(value: str) -> str:
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in value):
        raise ValueError("control characters are not allowed")
    return value


def _storable_moment(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("date out of range") from None
    if not EARLIEST <= utc < LATEST:
        raise ValueError("date must lie between 1900 and 9000")
    return utc


#: One line of text without control characters.
Line = Annotated[str, AfterValidator(_single_line)]
#: A moment with an explicit time zone (naive times are ambiguous), kept in UTC.
Moment = Annotated[AwareDatetime, AfterValidator(_storable_moment)]
#: A primary key in a request body or query.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class ErrorOut(Schema):
    """Every error answer: a message for people (translated), optionally a machine code."""

    detail: str
    code: str | None = None


class ValidationErrorOut(Schema):
    """422: the request does not match the operation's declared input."""

    detail: list[dict[str, Any]]


#: Responses every authenticated operation may give besides its success.
AUTH_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 422: ValidationErrorOut}
#: ... plus "not found" for anything that does not exist or is not the caller's to see.
OBJECT_ERRORS: dict[int, type[Schema]] = {**AUTH_ERRORS, 404: ErrorOut}
#: ... plus refused input (400) and refused action or failed CSRF check (403) for writes.
WRITE_ERRORS: dict[int, type[Schema]] = {**OBJECT_ERRORS, 400: ErrorOut, 403: ErrorOut}


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=200, description="Rows per page (at most 200).")
    offset: int = Field(0, ge=0, le=2**31 - 1, description="Rows to skip.")


class Page(Schema):
    """A page of a list: ``count`` is the total number of rows the caller may see."""

    count: int
    limit: int
    offset: int


def paginate[M: Model](rows: QuerySet[M], page: PageParams) -> dict[str, Any]:
    """Two queries whatever the size: the count and the page (``rows`` carries its joins)."""
    return {
        "count": rows.count(),
        "limit": page.limit,
        "offset": page.offset,
        "items": list(rows[page.offset : page.offset + page.limit]),
    }


class UserRef(Schema):
    id: int
    username: str
    display_name: str


class UnitRef(Schema):
    id: int
    code: str
    name: str
