"""SIP trunks a center manages from its admin pages (issue 19): the stored trunk, the rules its
values follow, and the repository that keeps its password sealed. The SIP service reads these
trunks alongside the configured ones (ADR 0202) and follows their changes (ADR 0203)."""

from hotline.trunks.errors import TrunkError, TrunkInvalid, TrunkNameTaken, TrunkNotFound
from hotline.trunks.model import CODECS, StoredTrunk, TrunkValues, check_trunk

__all__ = [
    "CODECS",
    "StoredTrunk",
    "TrunkError",
    "TrunkInvalid",
    "TrunkNameTaken",
    "TrunkNotFound",
    "TrunkValues",
    "check_trunk",
]
