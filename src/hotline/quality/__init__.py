"""Quality: surveys (IVR and link), forced reviews of unhappy ratings (docs/quality.md).

Public surface (pure): `SurveyDefinition`, `Question`, `QuestionKind`, `DEFAULT_SURVEY`,
`is_low`, `is_satisfied`, `keyed_rating`; `Review`, `ReviewState`, `RootCause`, `ReviewAction`;
the events in `hotline.quality.events`; errors in `hotline.quality.errors`. The follower
(`hotline.quality.follower`), the services (`service`, `links`), the job (`jobs`) and the mail
sender (`mail`) are imported from their modules by the edges.
"""

from hotline.quality.reviews import Review, ReviewAction, ReviewState, RootCause
from hotline.quality.surveys import (
    CSAT_KINDS,
    DEFAULT_SURVEY,
    Question,
    QuestionKind,
    SurveyDefinition,
    is_low,
    is_satisfied,
    keyed_rating,
)

__all__ = [
    "CSAT_KINDS",
    "DEFAULT_SURVEY",
    "Question",
    "QuestionKind",
    "Review",
    "ReviewAction",
    "ReviewState",
    "RootCause",
    "SurveyDefinition",
    "is_low",
    "is_satisfied",
    "keyed_rating",
]
