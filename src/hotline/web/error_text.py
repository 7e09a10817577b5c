"""Error messages in the user's language (ADR 0122): the API's `{code, message, details}` turned
into a sentence from the UI catalog, naming the field as the forms name it.

The domain raises errors with a stable code, an English message and details (`field`, `value`,
pydantic's `errors[]` with their `type` and limits). Here, one table per kind of error says how
to say it: validation errors by pydantic's error type, duplicates by their `*.taken` code,
known codes by name, and anything else by its HTTP status — so a zh-CN user never reads an
English sentence or a raw code. The field's name comes from the admin descriptors' labels
(the same words the form shows), with its index for list items: `phones[1]` → 电话（第 2 项）.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hotline.imports.reasons import reason
from hotline.web.admin import ENTITIES
from hotline.web.i18n import LANGUAGES, Catalogs

__all__ = ["MESSAGES", "ErrorText"]

# pydantic's error types → what is wrong with the field (one sentence after its name).
_VALIDATION = {
    "missing": "is required",
    "string_too_short": "is too short (at least %(min_length)s characters)",
    "string_too_long": "is too long (at most %(max_length)s characters)",
    "too_short": "needs at least %(min_length)s items",
    "too_long": "takes at most %(max_length)s items",
    "string_pattern_mismatch": "does not have the expected form",
    "string_type": "must be text",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be yes or no",
    "bool_type": "must be yes or no",
    "greater_than": "must be more than %(gt)s",
    "greater_than_equal": "must be at least %(ge)s",
    "less_than": "must be less than %(lt)s",
    "less_than_equal": "must be at most %(le)s",
    "enum": "is not one of the allowed values",
    "literal_error": "is not one of the allowed values",
    "date_from_datetime_parsing": "is not a date",
    "date_parsing": "is not a date",
    "datetime_parsing": "is not a date and time",
    "datetime_from_date_parsing": "is not a date and time",
    "time_parsing": "is not a time of day",
    "json_invalid": "is not valid JSON",
    "extra_forbidden": "is not expected here",
    "list_type": "must be a list",
    "dict_type": "must be an object",
    "value_error": "is not valid",
}

# Error types that say everything in one sentence (a rule across fields, raised as
# `PydanticCustomError(type, …)` by a schema's validator): no field name in front.
_SENTENCES = {
    "time_off_incomplete": "Time off needs a start and an end.",
    "time_off_reversed": "The end must be after the start.",
    "time_off_zones_mixed": (
        "Give the start and the end both in the center's time, or both with a time zone."
    ),
    "swap_incomplete": "A swap needs my shift, a colleague and the colleague's day.",
    "break_reversed": "A break's latest start is before its earliest.",
    "break_outside_shift": "A break does not fit in the shift.",
    "start_window_reversed": "The latest start is before the earliest start.",
    "transfer_number_invalid": "The number to transfer to is not a phone number.",
    "article_language_incomplete": "A language of the article needs both its title and its text.",
    "article_no_text": "An article needs its title and text in Chinese or in English.",
    "survey_keys_duplicate": "Two questions of the survey have the same key.",
    "scorecard_keys_duplicate": "Two sections or two questions have the same key.",
    "scorecard_critical_yes_no": "A critical item must be a yes/no question.",
    # the web chat settings (hotline.channels.chat.settings)
    "chat_origin_invalid": (
        "Allowed sites: “%(value)s” is not a site address like https://shop.example.cn"
    ),
    "chat_file_type_invalid": "File types: “%(value)s” is not a media type like image/png",
    "chat_secret_short": "The identity secret needs at least %(min)s characters.",
}

# Fields of the forms outside the admin pages (workforce, my schedule, the desk) → the label
# the form shows; the admin descriptors' labels come first.
_FORM_LABELS = {
    "week_start": "Week starting",
    "day": "Day",
    "starts_at": "From",
    "ends_at": "To",
    "shift_id": "My shift",
    "other_agent_id": "Colleague",
    "other_day": "Colleague's day",
    "minutes": "Length (minutes)",
    "earliest_start": "Earliest start",
    "latest_start": "Latest start",
    "earliest": "Earliest start",
    "latest": "Latest start",
    "breaks": "Breaks",
    "queue_id": "Queue",
    "team_id": "Team",
    "plan_id": "Saved plans",
    "reason": "Reason",
    "disposition": "Disposition",
    "callback_at": "Call back at",
    "callback_local": "Call back at",
    "subject": "Subject",
    "department": "Department",
    "due_date": "Due date",
    "target": "Transfer to",
    "current_password": "Current password",
    "password": "New password",
    # the reports' counting rules and targets (the report settings screen)
    "short_abandon_s": "Short-abandon threshold (seconds)",
    "fcr_window_days": "FCR window (days)",
    "vip_sl_threshold_s": "VIP service-level threshold (seconds)",
    "csat_satisfied_from": "Lowest satisfied rating (1–5)",
    "answer_rate": "Answer rate target",
    "asa_s": "ASA target (seconds)",
    "fcr": "FCR target",
    "csat": "CSAT target",
    "service_level": "Service-level target",
    "vip_service_level": "VIP service-level target",
    "at": "Send at",
    "to": "Recipients",
    "message": "Announcement",
    "dids": "Numbers of the flow",  # a flow document's numbers (routed at publish, ADR 0200)
    # a survey definition (the surveys screen)
    "title_zh": "Title (Chinese)",
    "title_en": "Title (English)",
    "questions": "Questions",
    "key": "Key",
    "kind": "Kind",
    "questions.text_zh": "Question (Chinese)",  # by its path: "text_zh" is a descriptor's
    "questions.text_en": "Question (English)",
    "scale": "Scale",
    # a campaign's answering-machine handling (the campaigns screen, ADR 0197)
    "retry.machine.action": "Answering machines",
    "retry.machine.message": "Answering machines",
    "retry.machine.message.zh-CN": "Message for machines (Chinese)",
    "retry.machine.message.en": "Message for machines (English)",
    "review_at_most": "Review at or below",
    # a scorecard (the scorecards screen)
    "sections.items.text_zh": "Question (Chinese)",
    "sections.items.text_en": "Question (English)",
    "sections.items.key": "Key",
    "sections.key": "Key",
    "sections": "Section",
    "items": "Questions",
    "weight": "Weight",
    # a trunk's values (the trunks page, hotline.trunks)
    "host": "Host",
    "port": "Port",
    "transport": "Transport",
    "from_domain": "Domain",
    "register": "Register with the carrier",
    "register_expires": "Registration interval (seconds)",
    "codecs": "Codecs",
    "inbound_sources": "Inbound addresses",
    "did_from": "Number taken from",
    "enabled": "Enabled",
    # the web chat settings screen
    "allowed_origins": "Allowed sites",
    "prechat_name": "Name on the pre-chat form",
    "prechat_phone": "Mobile on the pre-chat form",
    "prechat_email": "E-mail on the pre-chat form",
    "greeting_zh": "Greeting (Chinese)",
    "greeting_en": "Greeting (English)",
    "file_max_mb": "Largest file (MB)",
    "file_types": "File types",
    "offline_department": "Department for offline messages",
    "identity_secret": "Identity secret",
    "survey": "End-of-chat survey",
    # a campaign's settings (the campaigns screen, hotline.dialer.edit)
    "mode": "Mode",
    "flow_id": "Flow",
    "abandon_cap": "Abandon cap (percent)",
    "abandon_window_s": "Abandon-rate window",
    "ring_timeout_s": "Ring timeout (seconds)",
    "max_lines_per_agent": "Calls per staffed agent (at most)",
    "caller_ids": "Caller ids (one a line)",
    "caller_id_daily_cap": "Daily calls per caller id (0: no cap)",
    "window": "Calling window",
    "retry": "Retries",
    "interval_s": "Minutes between calls",
    "max_attempts": "Attempts at most",
    "dispositions": "Dispositions",
    "label_zh": "Name (Chinese)",
    "label_en": "Name (English)",
    "right_party": "Right-party contact",
    "conversion": "Conversion",
    "then": "What happens next",
    "lists": "Call lists",
    "list_id": "Call list",
    "script": "Script",
}

_REASON_OFF = "%(field)s: not among the center's active reasons; it may be turned off."
# Codes with a sentence of their own (details fill the %(…)s).
_CODES = {
    "customer.phone.invalid": "%(field)s: “%(value)s” is not a phone number",
    "customer.email.invalid": "%(field)s: “%(value)s” is not an e-mail address",
    "config.reason.unknown": _REASON_OFF,
    "number.flow.unknown": "%(field)s: no published flow is called “%(value)s”",
    "number.not_ours": "%(field)s: “%(value)s” is not one of the center's numbers",
    "flow.in_use": "Flow “%(name)s” answers %(numbers)s: route those numbers elsewhere first.",
    "not_found": "Not found.",
    # the outbound dialer (docs/dialer.md)
    "dialer.campaign.not_found": "No such campaign.",
    "dialer.campaign.state": "The campaign's status does not allow this; reload and try again.",
    "dialer.list.not_found": "No such call list.",
    "dialer.list.attached": "The call list is already in the campaign.",
    "dialer.record.not_found": "No such call record.",
    "dialer.number.invalid": "%(field)s: “%(value)s” is not a phone number",
    "auth.forbidden": "You may not do this.",
    "auth.required": "Please log in again.",
    "auth.csrf": "The page is out of date: reload it and try again.",
}

_BY_STATUS = {
    400: "The request could not be read.",
    401: "Please log in again.",
    403: "You may not do this.",
    404: "Not found.",
    409: "This clashes with the current state; reload and try again.",
    413: "This is larger than the server accepts.",
    422: "Some fields are not valid.",
    429: "Too many attempts; try again later.",
    503: "The service is unavailable; try again in a moment.",
}
# Fields of screens that are not admin forms (the ticket screens), by the label they show.
_SCREEN_LABELS = {
    "address": "Customer's e-mail",  # the survey link (quality)
    "cause": "Root cause",  # closing a review (quality)
    "note": "Review notes",
    "body": "Comment",
    "assignee_id": "Assignee",
    "category": "Category",
    "interaction_id": "Contact",
    "customer_id": "Customer",
}


_TAKEN = "%(field)s “%(value)s” is already taken"
_FIELD_INVALID = "%(field)s is not valid"
_FIELD_SAYS = "%(field)s %(problem)s"
_ITEM = "%(field)s (item %(n)s)"
_FAILED = "The action failed."
_FIELD_PROBLEM = "%(field)s: %(problem)s"
# A value the domain refused with a reason of its own (`details.reason`, a code of
# `hotline.imports.reasons`, which says it in both languages).
_FIELD_REASON = "%(field)s “%(value)s”: %(reason)s"

MESSAGES = (
    *_VALIDATION.values(),
    *_SENTENCES.values(),
    *_FORM_LABELS.values(),
    *_CODES.values(),
    *_BY_STATUS.values(),
    _TAKEN,
    _FIELD_INVALID,
    _FIELD_SAYS,
    _ITEM,
    _FAILED,
    _FIELD_REASON,
    _FIELD_PROBLEM,
    *_SCREEN_LABELS.values(),
)
"""Every message id this module may send: the zh-CN catalog must have each."""

_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def _labels() -> dict[str, str]:
    """Field name → the label its form shows (English message id), from the descriptors."""
    out: dict[str, str] = dict(_SCREEN_LABELS)
    for descriptor in ENTITIES.values():
        for field in descriptor["fields"]:
            out.setdefault(field["name"], field["label"])
        for name, label in descriptor["columns"]:
            out.setdefault(name, label)
    for name, label in _FORM_LABELS.items():
        out.setdefault(name, label)
    return out


def _own(errors: list[Any]) -> list[Any]:
    """The errors worth saying: pydantic follows a list whose items failed with "needs at least
    N items" for the list itself (they failed, so none counted), which would only confuse."""
    fields = [str(e.get("field", "")) for e in errors if isinstance(e, dict)]
    return [
        e
        for e in errors
        if not (
            isinstance(e, dict)
            and e.get("type") == "too_short"
            and any(f.startswith(f"{e.get('field')}[") for f in fields)
        )
    ]


class ErrorText:
    """Renders an error body's message in a language (see the module docstring)."""

    def __init__(self, catalogs: Catalogs, labels: Mapping[str, str] | None = None) -> None:
        self.catalogs = catalogs
        self.labels = dict(labels) if labels is not None else _labels()

    def _t(self, language: str, message: str, /, **params: Any) -> str:
        return str(self.catalogs.gettext(language, message, **params))

    def field(self, language: str, path: str) -> str:
        """`phones[1]` → "Phones (item 2)" in `language`; an unknown name stays as it is."""
        parts = _PART.findall(path)
        if not parts:
            return path
        name = next((word for word, _ in reversed(parts) if word), "")
        words = ".".join(word for word, _ in parts if word)  # "questions.text_zh": in context
        name = words if words in self.labels else name
        label = self._t(language, self.labels[name]) if name in self.labels else name
        # the innermost list's item: `sections[0].items[1].text_zh` is the second question
        index = next((int(i) for _, i in reversed(parts) if i), None)
        if index is not None:
            label = self._t(language, _ITEM, field=label, n=index + 1)
        return label

    def validation(self, language: str, error: Mapping[str, Any]) -> str:
        """One of pydantic's errors (`{field, type, ctx}`) as "<label> <what is wrong>", or the
        sentence of a rule across fields."""
        kind = str(error.get("type", ""))
        if kind in _SENTENCES:
            ctx = error.get("ctx") or {}
            values = {k: v for k, v in ctx.items() if isinstance(v, str | int | float)}
            return self._t(language, _SENTENCES[kind], **values)
        problem = _VALIDATION.get(str(error.get("type", "")), _VALIDATION["value_error"])
        ctx = {
            # a whole limit reads as one ("at least 0", not "0.0"): pydantic makes a float
            # field's limits floats
            k: int(v) if isinstance(v, float) and v.is_integer() else v
            for k, v in (error.get("ctx") or {}).items()
            if isinstance(v, str | int | float)
        }
        said = self._t(language, problem, **ctx)
        return self._t(
            language,
            _FIELD_SAYS,
            field=self.field(language, str(error.get("field", ""))),
            problem=said,
        )

    def said(self, language: str, template: str, params: Mapping[str, Any]) -> str:
        """A domain's message from its template (a message id) and values; in zh-CN, a template
        the catalog lacks reads "is not valid" rather than English."""
        values: dict[str, Any] = {}
        for key, value in params.items():
            if isinstance(value, Mapping) and isinstance(value.get("template"), str):
                # a reason inside the message (a parser's), said from its own template
                values[key] = self.said(language, value["template"], value.get("params") or {})
            elif isinstance(value, str) and key.endswith("_type"):
                # a word of the catalog ("a string", "an integer"): flows.errors.TYPE_WORDS
                values[key] = self._t(language, value)
            elif isinstance(value, str | int | float):
                values[key] = value
        if language == "en" or template in self.catalogs.translated(language):
            return self._t(language, template, **values) if values else self._t(language, template)
        return self._t(language, _VALIDATION["value_error"])

    def render(
        self, language: str, code: str, message: str, details: Mapping[str, Any], status: int
    ) -> str:
        template = details.get("template")
        labels = details.get("labels")  # the field's name in each language, from the domain
        own = labels.get(language) if isinstance(labels, Mapping) else None
        if isinstance(template, str) and template:
            said = self.said(language, template, details.get("params") or {})
            if field := details.get("field"):  # the form's field, named as the form names it
                label = f"“{own}”" if own else self.field(language, field)
                return self._t(language, _FIELD_PROBLEM, field=label, problem=said)
            return said
        if details.get("language") == language:
            return message  # the domain wrote it in this language already, naming its field
        errors = details.get("errors")
        if (code == "invalid_input" or status == 422) and isinstance(errors, list) and errors:
            separator = "；" if language.startswith("zh") else "; "
            return separator.join(
                self.validation(language, e) for e in _own(errors) if isinstance(e, dict)
            )
        field = details.get("field")
        label = self.field(language, str(field)) if field else ""
        if code.startswith("customer.phone.") and field and details.get("reason"):
            said = reason(str(details["reason"]), {}, language)
            return self._t(
                language, _FIELD_REASON, field=label, value=details.get("value", ""), reason=said
            )
        if code.endswith(".taken") and field:
            return self._t(language, _TAKEN, field=label, value=details.get("value", ""))
        if code in _CODES:
            params = {k: v for k, v in details.items() if isinstance(v, str | int | float)}
            params.update(field=label, value=details.get("value", ""))
            return self._t(language, _CODES[code], **params)
        translated = self.catalogs.gettext(language, message)
        if translated != message or message in self.catalogs.translated(LANGUAGES[0]):
            return str(translated)  # a sentence of the catalog (English: its id)
        if field and status == 422:
            # The domain's sentence names the field by its code ("disposition: no active
            # code …"): name it as the form does, in English too.
            return self._t(language, _FIELD_INVALID, field=label)
        if language == "en":
            return message  # English as the domain said it
        return self._t(language, _BY_STATUS.get(status, _FAILED))
