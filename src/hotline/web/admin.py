"""Admin pages: one descriptor per entity drives the generic list + form (static/js/admin.js).

Labels are English message ids, translated when the page is rendered.
"""

from __future__ import annotations

from typing import Any

from hotline.auth.roles import Permission
from hotline.routing import Strategy

__all__ = ["AUDITED", "ENTITIES", "audit_field_labels", "translate_descriptor"]

STRATEGY_LABELS = {
    Strategy.LONGEST_IDLE: "Longest idle",
    Strategy.FEWEST_HANDLED: "Fewest handled today",
    Strategy.ROUND_ROBIN: "Round robin",
    Strategy.RANDOM: "Random",
    Strategy.RING_ALL: "Ring all",
    Strategy.MOST_SKILLED: "Most skilled",
    Strategy.WEIGHTED: "Weighted score",
}
"""The admin form's names for the router's strategies (the router defines which exist)."""

_CAPACITY = [
    {
        "name": "voice_capacity",
        "label": "Voice capacity",
        "type": "number",
        "min": 0,
        "max": 1,
        "default": 1,
    },
    {
        "name": "chat_capacity",
        "label": "Chat capacity",
        "type": "number",
        "min": 0,
        "max": 20,
        "default": 3,
    },
    {
        "name": "email_capacity",
        "label": "Email capacity",
        "type": "number",
        "min": 0,
        "max": 50,
        "default": 5,
    },
    {"name": "text_during_call", "label": "Chats may arrive during a call", "type": "checkbox"},
    {"name": "call_during_text", "label": "Calls may arrive during chats", "type": "checkbox"},
]

_WEEKDAY_OPTIONS = [
    ["mon", "Monday"],
    ["tue", "Tuesday"],
    ["wed", "Wednesday"],
    ["thu", "Thursday"],
    ["fri", "Friday"],
    ["sat", "Saturday"],
    ["sun", "Sunday"],
]

ENTITIES: dict[str, dict[str, Any]] = {
    "agents": {
        "title": "Agents",
        "api": "/api/v1/agents",
        "read": Permission.CONFIG_READ,
        "write": Permission.CONFIG_WRITE,
        "columns": [
            ["username", "User name"],
            ["display_name", "Name"],
            ["extension", "Extension"],
            ["phone_mode", "Phone"],
            ["skills", "Skills"],
            ["teams", "Teams"],
        ],
        "fields": [
            {
                "name": "username",
                "label": "User name",
                "type": "text",
                "required": True,
                "create_only": True,
            },
            {"name": "display_name", "label": "Name", "type": "text", "required": True},
            {"name": "password", "label": "Password", "type": "password", "create_required": True},
            {
                "name": "phone_mode",
                "label": "Phone",
                "type": "select",
                "options": [["browser", "Browser (WebRTC)"], ["sip", "SIP phone"]],
                "default": "browser",
            },
            {"name": "extension", "label": "Extension", "type": "text", "optional": True},
            {"name": "sip_password", "label": "SIP password", "type": "password"},
            {"name": "skills", "label": "Skills", "type": "skills", "source": "/api/v1/skills"},
            {
                "name": "team_ids",
                "label": "Teams",
                "type": "multiselect",
                "source": "/api/v1/teams",
            },
            *_CAPACITY,
        ],
    },
    "skills": {
        "title": "Skills",
        "api": "/api/v1/skills",
        "read": Permission.CONFIG_READ,
        "write": Permission.CONFIG_WRITE,
        "columns": [["name", "Name"], ["description", "Description"]],
        "fields": [
            {"name": "name", "label": "Name", "type": "text", "required": True},
            {"name": "description", "label": "Description", "type": "text"},
        ],
    },
    "teams": {
        "title": "Teams",
        "api": "/api/v1/teams",
        "read": Permission.CONFIG_READ,
        "write": Permission.CONFIG_WRITE,
        "columns": [["name", "Name"]],
        "fields": [
            {"name": "name", "label": "Name", "type": "text", "required": True},
            {
                "name": "supervisor_id",
                "label": "Supervisor",
                "type": "select",
                "source": "/api/v1/users",
                "source_label": "display_name",
                "optional": True,
            },
        ],
    },
    "queues": {
        "title": "Queues",
        "api": "/api/v1/queues",
        "read": Permission.CONFIG_READ,
        "write": Permission.CONFIG_WRITE,
        "columns": [
            ["name", "Code"],
            ["display_name", "Name"],
            ["strategy", "Strategy"],
            ["sl_target_pct", "Service level target %"],
            ["sl_threshold_s", "Answer within (s)"],
            ["skills", "Skills"],
        ],
        "fields": [
            {"name": "name", "label": "Code", "type": "text", "required": True},
            {"name": "display_name", "label": "Name", "type": "text", "required": True},
            {
                "name": "strategy",
                "label": "Strategy",
                "type": "select",
                "options": [[s.value, STRATEGY_LABELS[s]] for s in Strategy],
                "default": Strategy.LONGEST_IDLE.value,
            },
            {
                "name": "channel",
                "label": "Channel",
                "type": "select",
                "options": [
                    ["voice", "Voice"],
                    ["chat", "Web chat"],
                    ["sms", "SMS"],
                    ["email", "Email"],
                ],
                "default": "voice",
            },
            {
                "name": "sl_target_pct",
                "label": "Service level target %",
                "type": "number",
                "min": 1,
                "max": 100,
                "default": 80,
            },
            {
                "name": "sl_threshold_s",
                "label": "Answer within (s)",
                "type": "number",
                "min": 1,
                "default": 20,
            },
            {
                "name": "wrap_up_s",
                "label": "Wrap-up (s)",
                "type": "number",
                "min": 0,
                "default": 30,
            },
            {
                "name": "max_wait_s",
                "label": "Maximum wait (s)",
                "type": "number",
                "min": 1,
                "optional": True,
            },
            {
                "name": "max_length",
                "label": "Maximum waiting callers",
                "type": "number",
                "min": 1,
                "optional": True,
            },
            {"name": "disposition_required", "label": "Disposition required", "type": "checkbox"},
            {
                "name": "calendar_id",
                "label": "Business hours",
                "type": "select",
                "source": "/api/v1/calendars",
                "optional": True,
            },
            {
                "name": "skills",
                "label": "Skills",
                "type": "queue_skills",
                "source": "/api/v1/skills",
            },
        ],
    },
    "numbers": {
        "title": "Phone numbers",
        "api": "/api/v1/numbers",
        "read": Permission.CONFIG_READ,
        "write": Permission.CONFIG_WRITE,
        # Numbers are the platform operator's to give; the center routes each to one of its
        # published flows here, the one place the mapping lives (ADR 0200).
        "edit_only": True,
        "columns": [["number", "Number"], ["flow", "Flow"], ["description", "Description"]],
        "empty": {"flow": "Not routed"},
        "fields": [
            {
                "name": "number",
                "label": "Number",
                "type": "text",
                "required": True,
                "readonly": True,
            },
            {
                "name": "flow",
                "label": "Flow",
                "type": "select",
                "source": "/api/v1/flows",
                "source_value": "name",
                "source_label": "name",
                "optional": True,
            },
            {"name": "description", "label": "Description", "type": "text"},
        ],
    },
    "calendars": {
        "title": "Business hours",
        "api": "/api/v1/calendars",
        "read": Permission.CONFIG_READ,
        "write": Permission.CONFIG_WRITE,
        "columns": [
            ["name", "Name"],
            ["timezone", "Time zone"],
            ["weekly", "Opening hours"],
            ["holiday_calendar_ids", "Holiday calendars"],
        ],
        "fields": [
            {"name": "name", "label": "Name", "type": "text", "required": True},
            {"name": "timezone", "label": "Time zone", "type": "text", "default": "Asia/Shanghai"},
            {"name": "weekly", "label": "Opening hours", "type": "weekly", "default": {}},
            {
                "name": "holiday_calendar_ids",
                "label": "Holiday calendars",
                "type": "multiselect",
                "source": "/api/v1/holiday-calendars",
                "source_label": "name",
            },
            {
                "name": "makeup_day",
                "label": "Make-up workdays keep the hours of",
                "type": "select",
                "options": _WEEKDAY_OPTIONS,
                "default": "mon",
            },
            {"name": "holidays", "label": "Special days", "type": "entries", "default": []},
        ],
    },
    "holiday-calendars": {
        "title": "Holiday calendars",
        "api": "/api/v1/holiday-calendars",
        "read": Permission.CONFIG_READ,
        "write": Permission.CONFIG_WRITE,
        "imports": True,
        "columns": [["name", "Name"], ["source", "Source"], ["entries", "Days"]],
        "fields": [
            {"name": "name", "label": "Name", "type": "text", "required": True},
            {"name": "source", "label": "Source", "type": "text", "default": "manual"},
            {"name": "entries", "label": "Days", "type": "entries", "default": []},
        ],
    },
    "dispositions": {
        "title": "Disposition codes",
        "api": "/api/v1/dispositions",
        "read": Permission.CONFIG_READ,
        "write": Permission.CONFIG_WRITE,
        "columns": [
            ["code", "Code"],
            ["label_zh", "Chinese label"],
            ["label_en", "English label"],
            ["category", "Category"],
            ["active", "Active"],
        ],
        "fields": [
            {"name": "code", "label": "Code", "type": "text", "required": True},
            {"name": "label_zh", "label": "Chinese label", "type": "text", "required": True},
            {"name": "label_en", "label": "English label", "type": "text", "required": True},
            {
                "name": "category",
                "label": "Category",
                "type": "select",
                "options": [
                    ["resolved", "Resolved"],
                    ["unresolved", "Unresolved"],
                    ["sale", "Sale"],
                    ["no_sale", "No sale"],
                    ["callback", "Callback"],
                    ["other", "Other"],
                ],
                "default": "other",
            },
            {"name": "active", "label": "Active", "type": "checkbox", "default": True},
        ],
    },
    "not-ready-reasons": {
        "title": "Not-ready reasons",
        "api": "/api/v1/not-ready-reasons",
        "read": Permission.CONFIG_READ,
        "write": Permission.CONFIG_WRITE,
        "columns": [
            ["code", "Code"],
            ["label_zh", "Chinese label"],
            ["label_en", "English label"],
            ["active", "Active"],
        ],
        "fields": [
            {"name": "code", "label": "Code", "type": "text", "required": True},
            {"name": "label_zh", "label": "Chinese label", "type": "text", "required": True},
            {"name": "label_en", "label": "English label", "type": "text", "required": True},
            {"name": "active", "label": "Active", "type": "checkbox", "default": True},
        ],
    },
    "quick-replies": {
        "title": "Quick replies",
        "api": "/api/v1/quick-replies",
        "read": Permission.CONFIG_READ,
        "write": Permission.CONFIG_WRITE,
        "columns": [["title", "Title"], ["queue", "Queue"], ["text", "Text"]],
        "fields": [
            {"name": "title", "label": "Title", "type": "text", "required": True},
            {
                "name": "queue",
                "label": "Queue (code; empty: all)",
                "type": "text",
                "optional": True,
            },
            {"name": "text", "label": "Text", "type": "textarea", "required": True},
        ],
    },
    "users": {
        "title": "Users",
        "api": "/api/v1/users",
        "read": Permission.USERS_READ,
        "write": Permission.USERS_WRITE,
        "columns": [
            ["username", "User name"],
            ["display_name", "Name"],
            ["roles", "Roles"],
            ["active", "Active"],
        ],
        "fields": [
            {
                "name": "username",
                "label": "User name",
                "type": "text",
                "required": True,
                "create_only": True,
            },
            {"name": "display_name", "label": "Name", "type": "text", "required": True},
            {"name": "password", "label": "Password", "type": "password", "create_required": True},
            {
                "name": "roles",
                "label": "Roles",
                "type": "checkboxes",
                "options": [
                    ["admin", "Administrator"],
                    ["supervisor", "Supervisor"],
                    ["agent", "Agent"],
                    ["qa", "QA reviewer"],
                ],
                "default": ["agent"],
            },
            {
                "name": "language",
                "label": "Language",
                "type": "select",
                "options": [["zh-CN", "中文"], ["en", "English"]],
                "optional": True,
            },
            {"name": "active", "label": "Active", "type": "checkbox", "default": True},
        ],
    },
    "customers": {
        "title": "Customers",
        "api": "/api/v1/customers",
        "read": Permission.CUSTOMERS_READ,
        "row_link": "/customers/{id}",  # the name opens the customer's profile
        "write": Permission.CUSTOMERS_WRITE,
        "columns": [
            ["name", "Name"],
            ["phones", "Phones"],
            ["emails", "Emails"],
            ["vip_level", "VIP level"],
            ["tags", "Tags"],
        ],
        "fields": [
            {"name": "name", "label": "Name", "type": "text", "required": True},
            {"name": "phones", "label": "Phones", "type": "list"},
            {"name": "emails", "label": "Emails", "type": "list"},
            {
                "name": "vip_level",
                "label": "VIP level",
                "type": "number",
                "min": 0,
                "max": 9,
                "default": 0,
            },
            {"name": "tags", "label": "Tags", "type": "list"},
            {"name": "custom", "label": "Custom fields", "type": "json", "default": {}},
            {"name": "notes", "label": "Notes", "type": "textarea"},
        ],
    },
    "custom-fields": {
        "title": "Custom fields",
        "api": "/api/v1/custom-fields",
        "read": Permission.CONFIG_READ,
        "write": Permission.CONFIG_WRITE,
        "columns": [
            ["key", "Key"],
            ["label_zh", "Chinese label"],
            ["label_en", "English label"],
            ["type", "Type"],
            ["choices", "Choices"],
            ["required", "Required"],
        ],
        "fields": [
            {"name": "key", "label": "Key", "type": "text", "required": True},
            {"name": "label_zh", "label": "Chinese label", "type": "text", "required": True},
            {"name": "label_en", "label": "English label", "type": "text", "required": True},
            {
                "name": "type",
                "label": "Type",
                "type": "select",
                "options": [
                    ["text", "Text"],
                    ["number", "Number"],
                    ["integer", "Whole number"],
                    ["date", "Date"],
                    ["choice", "Choice"],
                    ["multi_choice", "Multiple choice"],
                    ["boolean", "Yes / no"],
                    ["phone", "Phone"],
                    ["email", "Email"],
                ],
                "default": "text",
            },
            {"name": "choices", "label": "Choices (value|alias)", "type": "list"},
            {"name": "required", "label": "Required", "type": "checkbox"},
            {"name": "position", "label": "Position", "type": "number", "min": 0, "default": 0},
        ],
    },
    "hint-rules": {
        "title": "Hints during service",
        "api": "/api/v1/hint-rules",
        "read": Permission.CONFIG_READ,
        "write": Permission.CONFIG_WRITE,
        "columns": [
            ["name", "Name"],
            ["condition", "Condition"],
            ["text_zh", "Chinese text"],
            ["active", "Active"],
        ],
        "fields": [
            {"name": "name", "label": "Name", "type": "text", "required": True},
            {
                "name": "condition",
                "label": "Condition (on the customer's fields and history)",
                "type": "text",
                "required": True,
            },
            {"name": "text_zh", "label": "Chinese text", "type": "textarea", "required": True},
            {"name": "text_en", "label": "English text", "type": "textarea", "required": True},
            {"name": "position", "label": "Position", "type": "number", "min": 0, "default": 0},
            {"name": "active", "label": "Active", "type": "checkbox", "default": True},
        ],
    },
    "tickets": {
        "title": "Tickets",
        "api": "/api/v1/tickets",
        "read": Permission.TICKETS_READ,
        "row_link": "/tickets/{id}",
        "write": Permission.TICKETS_WRITE,
        "create_only": True,
        "menu": False,  # the tickets screen (/tickets) is the menu's; this list stays for admins
        "columns": [
            ["number", "Ticket number"],
            ["subject", "Subject"],
            ["department", "Department"],
            ["priority", "Priority"],
            ["status", "Status"],
            ["due_date", "Due date"],
        ],
        "fields": [
            {"name": "subject", "label": "Subject", "type": "text", "required": True},
            {"name": "department", "label": "Department", "type": "text", "default": "客服部"},
            {
                "name": "priority",
                "label": "Priority",
                "type": "select",
                "options": [
                    ["low", "Low"],
                    ["normal", "Normal"],
                    ["high", "High"],
                    ["urgent", "Urgent"],
                ],
                "default": "normal",
            },
            {"name": "due_date", "label": "Due date", "type": "date", "optional": True},
            {"name": "description", "label": "Description", "type": "textarea"},
        ],
        "column_options": {
            "status": [
                ["new", "New"],
                ["open", "Being handled"],
                ["pending", "Pending on customer"],
                ["on_hold", "Waiting on others"],
                ["resolved", "Resolved"],
                ["closed", "Closed"],
            ],
        },
    },
    "jobs": {
        "title": "Jobs",
        "api": "/api/v1/jobs",
        "read": Permission.CONFIG_READ,
        "write": None,
        "act": Permission.CONFIG_WRITE,
        "refresh_s": 5,
        "columns": [
            ["kind", "Kind"],
            ["cron", "Repeats (cron)"],
            ["state", "State"],
            ["due_at", "Next run"],
            ["last_run_at", "Last run"],
            ["last_error", "Last error"],
            ["attempts", "Attempts"],
            ["progress", "Progress"],
        ],
        "column_options": {
            "kind": [
                ["recordings.purge", "Recording retention purge"],
                ["mail.send", "E-mail"],
                ["imports.run", "Spreadsheet import"],
                ["backups.run", "Backup"],
            ],
            "state": [
                ["pending", "Waiting to run"],
                ["running", "Running"],
                ["done", "Done"],
                ["failed", "Failed"],
                ["cancelled", "Cancelled"],
            ],
        },
        "row_actions": [["run", "Run now"], ["cancel", "Cancel"]],
        "fields": [],
    },
    "audit": {
        "title": "Audit log",
        "api": "/api/v1/audit",
        "read": Permission.AUDIT_READ,
        "write": None,
        "columns": [
            ["at", "Time"],
            ["actor_name", "User"],
            ["action", "Action"],
            ["entity", "Object"],
            ["entity_id", "ID"],
        ],
        # What the log stores as codes, shown in words (one language at a time).
        "column_options": {
            "action": [
                ["create", "Created"],
                ["update", "Changed"],
                ["delete", "Deleted"],
                ["listen", "Listened"],
                ["import", "Imported"],
                ["password", "Password changed"],
                ["totp.enable", "Authenticator app turned on"],
                ["totp.disable", "Authenticator app turned off"],
                ["totp.recovery_codes", "New recovery codes"],
                ["totp.reset", "Authenticator app reset"],
                ["publish", "Published"],
                ["rollback", "Rolled back"],
                ["monitor.listen", "Listen"],
                ["monitor.whisper", "Whisper"],
                ["monitor.barge", "Barge in"],
                ["monitor.stop", "Stopped monitoring"],
                ["force_state", "State set by the supervisor"],
                ["force_logout", "Logged out by the supervisor"],
                ["reassign", "Reassigned"],
                ["cancel", "Cancelled"],
            ],
            "entity": [
                ["user", "User"],
                ["agent", "Agent"],
                ["skill", "Skill"],
                ["team", "Team"],
                ["queue", "Queue"],
                ["calendar", "Business hours"],
                ["holiday_calendar", "Holiday calendar"],
                ["number", "Phone number"],
                ["did", "Phone number"],
                ["disposition", "Disposition code"],
                ["reason", "Not-ready reason"],
                ["quick_reply", "Quick reply"],
                ["custom_field", "Custom field"],
                ["customer", "Customer"],
                ["customers", "Customers"],
                ["flow", "Flow"],
                ["emergency", "Emergency switch"],
                ["sip_ban", "SIP ban"],
                ["recording", "Recording"],
                ["qa_task", "QA task"],
            ],
        },
        "fields": [],
    },
}


def translate_descriptor(descriptor: dict[str, Any], gettext: Any) -> dict[str, Any]:
    """A copy of the descriptor with every label in the page's language."""
    out = {k: v for k, v in descriptor.items() if k not in {"read", "write", "act"}}
    if "column_options" in descriptor:
        out["column_options"] = {
            column: [[value, gettext(label)] for value, label in options]
            for column, options in descriptor["column_options"].items()
        }
    if "row_actions" in descriptor:
        out["row_actions"] = [[name, gettext(label)] for name, label in descriptor["row_actions"]]
    if "empty" in descriptor:
        out["empty"] = {column: gettext(text) for column, text in descriptor["empty"].items()}
    out["title"] = gettext(descriptor["title"])
    out["columns"] = [[name, gettext(label)] for name, label in descriptor["columns"]]
    fields = []
    for f in descriptor["fields"]:
        g = dict(f)
        g["label"] = gettext(f["label"])
        if "options" in f:
            g["options"] = [[value, gettext(label)] for value, label in f["options"]]
        fields.append(g)
    out["fields"] = fields
    return out


AUDITED = {
    "user": "users",
    "agent": "agents",
    "skill": "skills",
    "team": "teams",
    "queue": "queues",
    "calendar": "calendars",
    "holiday_calendar": "holiday-calendars",
    "did": "numbers",
    "number": "numbers",
    "disposition": "dispositions",
    "reason": "not-ready-reasons",
    "quick_reply": "quick-replies",
    "custom_field": "custom-fields",
    "customer": "customers",
    "hint_rule": "hint-rules",
}
"""The audit log's entity codes → the admin page whose form names their fields."""

_AUDIT_EXTRA_FIELDS = [
    ["version", "Version"],
    ["active", "Active"],
    ["message", "Announcement"],
    ["state", "State"],
    ["reason", "Reason"],
    ["mode", "Mode"],
]


def audit_field_labels(gettext: Any) -> dict[str, dict[str, Any]]:
    """Per audited entity, its fields' labels as its form shows them and the words for their
    coded values (the audit screen names changes with them); "*" holds the words for fields of
    no form (a flow's version)."""
    extra = {name: gettext(label) for name, label in _AUDIT_EXTRA_FIELDS}
    out: dict[str, dict[str, Any]] = {"*": {"labels": extra, "options": {}}}
    for entity, slug in AUDITED.items():
        descriptor = ENTITIES[slug]
        labels = {f["name"]: gettext(f["label"]) for f in descriptor["fields"]}
        for name, label in descriptor["columns"]:
            labels.setdefault(name, gettext(label))
        options = {
            f["name"]: {value: gettext(label) for value, label in f["options"]}
            for f in descriptor["fields"]
            if "options" in f
        }
        for column, pairs in descriptor.get("column_options", {}).items():
            options.setdefault(column, {value: gettext(label) for value, label in pairs})
        out[entity] = {"labels": labels, "options": options}
    return out
