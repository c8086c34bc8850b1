"""Administrative procedures (thủ tục hành chính) as the counter needs them (DOMAIN.md §7)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from functools import lru_cache
from typing import Any

from counterapp.domain.duedate import Duration
from counterapp.domain.errors import DomainError, FieldError, ValidationFailed
from counterapp.domain.office_hours import parse_hhmm
from counterapp.domain.text import clean, search_key

_CODE = re.compile(r"\d\.\d{6}(\.[0-9A-Z.]+)?")


class ReturnOption(StrEnum):
    COUNTER = "counter"  # the citizen collects the result at the counter
    POSTAL = "postal"  # Qua dịch vụ bưu chính công ích


class DocumentForm(StrEnum):
    ORIGINAL = "original"  # bản chính
    CERTIFIED_COPY = "certified_copy"  # bản sao chứng thực
    PHOTOCOPY = "photocopy"  # bản photo / bản chụp


class ProcedureNotFound(DomainError):
    code = "procedure.not_found"


@dataclass(frozen=True, slots=True)
class Component:
    """One document of the dossier (thành phần hồ sơ) and how many of each form are expected."""

    code: str
    name: str
    required: bool
    originals: int = 0
    certified_copies: int = 0
    photocopies: int = 0

    def expected(self, form: DocumentForm) -> int:
        return {
            DocumentForm.ORIGINAL: self.originals,
            DocumentForm.CERTIFIED_COPY: self.certified_copies,
            DocumentForm.PHOTOCOPY: self.photocopies,
        }[form]


@dataclass(frozen=True, slots=True)
class Procedure:
    code: str
    name: str
    sector_code: str
    sector: str
    agency: str
    level: str
    duration: Duration
    cutoff: time | None
    duration_text: str
    components: tuple[Component, ...]
    fee_text: str
    return_options: tuple[ReturnOption, ...]
    legal_basis: str = ""
    valid_from: date | None = None
    valid_to: date | None = None

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    @property
    def search_text(self) -> str:
        return search_key(f"{self.code} {self.name} {self.sector}")


@dataclass(frozen=True, slots=True)
class Catalogue:
    version: str
    demo: bool
    procedures: tuple[Procedure, ...]

    def get(self, code: str) -> Procedure:
        wanted = code.strip()
        for procedure in self.procedures:
            if procedure.code == wanted:
                return procedure
        raise ProcedureNotFound(f"no procedure {wanted!r} in catalogue {self.version}", code_value=wanted)

    def search(self, query: str, *, on: date | None = None, limit: int = 50) -> list[Procedure]:
        """Procedures whose code, name or sector contain every word of ``query``, ignoring
        diacritics and case (``"dang ky khai sinh"`` finds ``"Đăng ký khai sinh"``), best match first
        (see :func:`rank_procedures`)."""
        valid = (p for p in self.procedures if on is None or p.is_valid_on(on))
        return rank_procedures(valid, query)[:limit]


# --- finding a procedure as the clerk types -------------------------------------------------------

_WORD = re.compile(r"\w+")


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    """The search-key words of ``text`` without punctuation: "Đăng ký khai sinh, kết hôn" → dang ky khai sinh
    ket hon. Cached: the picker ranks the same few hundred names on every keystroke."""
    return tuple(_WORD.findall(search_key(text)))


def _phrase_at(name: tuple[str, ...], query: tuple[str, ...], start: int) -> bool:
    """The query's words at ``start`` in the name, the last one possibly still being typed (a prefix)."""
    if start + len(query) > len(name):
        return False
    *whole, last = query
    return name[start : start + len(whole)] == tuple(whole) and name[start + len(whole)].startswith(last)


def _tier(procedure: Procedure, query_key: str, query: tuple[str, ...]) -> int:
    name = _words(procedure.name)
    if query_key == search_key(procedure.code):
        return 0  # the exact code
    if name == query:
        return 1  # the exact name
    if _phrase_at(name, query, 0):
        return 2  # the name starts with the query
    if any(_phrase_at(name, query, start) for start in range(1, len(name))):
        return 3  # the query's words, in order and together, inside the name
    return 4


def rank_procedures(procedures: Iterable[Procedure], query: str) -> list[Procedure]:
    """The procedures matching every word of ``query`` (in code, name or sector; diacritics and case
    ignored, as :attr:`Procedure.search_text`), best first, so the clerk's Enter picks what was typed:
    the exact code, then the exact name ("khai sinh" → "Đăng ký khai sinh" before "Đăng ký khai sinh kết
    hợp …"), a name starting with the query, the query as a phrase inside the name, any other match; within
    each, shorter names first, then the given (catalogue) order. Deterministic; an empty query keeps every
    procedure in the given order."""
    query_key = search_key(query)
    filter_words = query_key.split()
    listed = list(procedures)
    if not filter_words:
        return listed
    phrase = _words(query) or tuple(filter_words)
    ranked = sorted(
        (
            (_tier(p, query_key, phrase), len(p.name), index, p)
            for index, p in enumerate(listed)
            if all(word in p.search_text for word in filter_words)
        ),
        key=lambda item: item[:3],
    )
    return [item[-1] for item in ranked]


# --- parsing the catalogue file (schema 1); errors name the procedure and the field -------------


def _opt_date(value: Any, field: str, errors: list[FieldError]) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.append(FieldError(field, "date.invalid"))
        return None


def _count(raw: Mapping[str, Any], key: str, field: str, errors: list[FieldError]) -> int:
    value = raw.get(key, 0)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        errors.append(FieldError(f"{field}.{key}", "component.count_invalid"))
        return 0
    return value


def component_from_mapping(raw: Mapping[str, Any], field: str, errors: list[FieldError]) -> Component:
    component = Component(
        code=clean(str(raw.get("code") or "")),
        name=clean(str(raw.get("name") or "")),
        required=bool(raw.get("required", True)),
        originals=_count(raw, "originals", field, errors),
        certified_copies=_count(raw, "certified_copies", field, errors),
        photocopies=_count(raw, "photocopies", field, errors),
    )
    if not component.name:
        errors.append(FieldError(f"{field}.name", "component.name_required"))
    if component.originals + component.certified_copies + component.photocopies == 0:
        errors.append(FieldError(field, "component.no_copies"))
    return component


def procedure_from_mapping(raw: Mapping[str, Any], field: str = "procedure") -> Procedure:
    errors: list[FieldError] = []
    code = clean(str(raw.get("code") or ""))
    if not _CODE.fullmatch(code):
        errors.append(FieldError(f"{field}.code", "procedure.code_invalid"))
    name = clean(str(raw.get("name") or ""))
    if not name:
        errors.append(FieldError(f"{field}.name", "procedure.name_required"))
    duration_raw = raw.get("duration") or {}
    duration: Duration | None = None
    try:
        duration = Duration.of(duration_raw.get("value", ""), str(duration_raw.get("unit", "")))
    except ValidationFailed as exc:
        errors.extend(e.prefixed(field) for e in exc.errors)
    cutoff = None
    if raw.get("cutoff"):
        try:
            cutoff = parse_hhmm(str(raw["cutoff"]), f"{field}.cutoff")
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    components = tuple(
        component_from_mapping(c, f"{field}.components[{i}]", errors) for i, c in enumerate(raw.get("components") or ())
    )
    if not components:
        errors.append(FieldError(f"{field}.components", "procedure.components_required"))
    options: list[ReturnOption] = []
    for option in raw.get("return_options") or ("counter",):
        try:
            options.append(ReturnOption(option))
        except ValueError:
            errors.append(FieldError(f"{field}.return_options", "procedure.return_option_invalid"))
    valid_from = _opt_date(raw.get("valid_from"), f"{field}.valid_from", errors)
    valid_to = _opt_date(raw.get("valid_to"), f"{field}.valid_to", errors)
    if errors or duration is None:
        raise ValidationFailed(errors)
    return Procedure(
        code=code,
        name=name,
        sector_code=clean(str(raw.get("sector_code") or "")),
        sector=clean(str(raw.get("sector") or "")),
        agency=clean(str(raw.get("agency") or "")),
        level=clean(str(raw.get("level") or "")),
        duration=duration,
        cutoff=cutoff,
        duration_text=clean(str(raw.get("duration_text") or "")),
        components=components,
        fee_text=clean(str(raw.get("fee_text") or "")),
        return_options=tuple(options),
        legal_basis=clean(str(raw.get("legal_basis") or "")),
        valid_from=valid_from,
        valid_to=valid_to,
    )


def catalogue_from_mapping(data: Mapping[str, Any]) -> Catalogue:
    if data.get("schema") != 1:
        raise ValidationFailed.single("catalogue.schema", "catalogue.schema_unsupported")
    procedures: list[Procedure] = []
    errors: list[FieldError] = []
    seen: set[str] = set()
    raw_list: Sequence[Mapping[str, Any]] = data.get("procedures") or ()
    for index, raw in enumerate(raw_list):
        try:
            procedure = procedure_from_mapping(raw, f"procedures[{index}]")
        except ValidationFailed as exc:
            errors.extend(exc.errors)
            continue
        if procedure.code in seen:
            errors.append(FieldError(f"procedures[{index}].code", "procedure.code_duplicate"))
        seen.add(procedure.code)
        procedures.append(procedure)
    if errors:
        raise ValidationFailed(errors)
    return Catalogue(str(data.get("version") or ""), bool(data.get("demo", False)), tuple(procedures))
