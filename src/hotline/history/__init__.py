"""The history side of the interaction core (ADR 0061, 0065, 0066): everything that reads the
event log's contact projections — the contacts list and a contact's page (queue visits, agent
segments with their own wrap-ups and CSAT, timeline, recordings), the screen pop, and the
worklist of missed contacts with its claims and call backs.

Services take repositories through the protocols in `ports`; `store/contacts_repo.py` implements
them on the database; route handlers in `api/` only translate HTTP.
"""

from hotline.history.contacts import ContactService
from hotline.history.errors import (
    ContactNotFound,
    DispositionUnknown,
    NoNumberToCall,
    NotAnAgent,
    RecordingForbidden,
    RecordingGone,
    RecordingNotFound,
    WorklistAlreadyDone,
    WorklistClaimed,
    WorklistItemNotFound,
    WorklistNotYours,
)
from hotline.history.model import ContactQuery, Scope, WorklistQuery, contact_scope, worklist_scope
from hotline.history.ports import LiveDesk
from hotline.history.screenpop import ScreenPopService
from hotline.history.worklist import WorklistService

__all__ = [
    "ContactNotFound",
    "ContactQuery",
    "ContactService",
    "DispositionUnknown",
    "LiveDesk",
    "NoNumberToCall",
    "NotAnAgent",
    "RecordingForbidden",
    "RecordingGone",
    "RecordingNotFound",
    "Scope",
    "ScreenPopService",
    "WorklistAlreadyDone",
    "WorklistClaimed",
    "WorklistItemNotFound",
    "WorklistNotYours",
    "WorklistQuery",
    "WorklistService",
    "contact_scope",
    "worklist_scope",
]
