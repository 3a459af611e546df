"""Business actions on saisines. They flush, never commit; e-mails go through the outbox."""

from consultations.saisines.services.common import SaisineError, saisine_org
from consultations.saisines.services.epci import *  # noqa: F403
from consultations.saisines.services.questionnaire import *  # noqa: F403
from consultations.saisines.services.responses import *  # noqa: F403

__all__ = ["SaisineError", "saisine_org"]
