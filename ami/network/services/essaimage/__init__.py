"""The essaimage day ("le temps de l'essaimage"): the yearly meeting of the associations funded
in the year. The EPCI creates the day and invites the funded associations (leads and partners
of joint applications) and others of its choice; each association registers or declines until
registration closes; the speed-meeting plan seats the registered associations round by round
(ami.network.rules.speed_meeting_plan), preferring matched and suggested pairs and avoiding
those who already work together.

One module per subject: days (the day and its checks), invitations (inviting, withdrawing,
answering), plan (the pairs' preferences, building and storing the plan, reading it back), mail
(the e-mails and the .ics) and errors (the refused actions' messages). The public names are
re-exported here: `from ami.network.services import essaimage as services`.
"""

from ami.network.services.essaimage import errors  # noqa: F401  (registers the messages)
from ami.network.services.essaimage.days import (
    DayCounts,
    DayData,
    create_day,
    day_in,
    days_of,
    meetings_end,
    registration_closes,
    round_starts,
    schedule_problems,
    update_day,
)
from ami.network.services.essaimage.invitations import (
    MAX_ATTENDEES,
    funded_associations,
    invitation_of,
    invitations_for,
    invitations_of,
    invite_chosen,
    invite_funded,
    is_registered,
    others_to_invite,
    registered_invitations,
    respond,
    uninvite,
)
from ami.network.services.essaimage.plan import (
    PREFER_MATCHED,
    PREFER_NONE,
    PREFER_STRONG,
    PREFER_SUGGESTED,
    STRONG_SCORE,
    Figures,
    StoredPlan,
    build_plan,
    figures_of,
    ics_for,
    preferences,
    stored_plan,
)

__all__ = [
    "MAX_ATTENDEES",
    "PREFER_MATCHED",
    "PREFER_NONE",
    "PREFER_STRONG",
    "PREFER_SUGGESTED",
    "STRONG_SCORE",
    "DayCounts",
    "DayData",
    "Figures",
    "StoredPlan",
    "build_plan",
    "create_day",
    "day_in",
    "days_of",
    "figures_of",
    "funded_associations",
    "ics_for",
    "invitation_of",
    "invitations_for",
    "invitations_of",
    "invite_chosen",
    "invite_funded",
    "is_registered",
    "meetings_end",
    "others_to_invite",
    "preferences",
    "registered_invitations",
    "registration_closes",
    "respond",
    "round_starts",
    "schedule_problems",
    "stored_plan",
    "uninvite",
    "update_day",
]
