"""The eligibility check form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from app.forms import strip
from app.i18n import _l

_CHOOSE = _l("Choisissez une réponse.")


def _yes_no(label, description=None) -> RadioField:
    return RadioField(
        label,
        choices=[SelectChoice("yes", _l("Oui")), SelectChoice("no", _l("Non"))],
        validators=[InputRequired(_CHOOSE)],
        description=description,
    )


class EligibilityForm(FlaskForm):
    complete = _yes_no(
        _l("Le dossier est-il complet ?"),
        _l("Tous les champs attendus pour son parcours sont remplis."),
    )
    association_valid = _yes_no(
        _l("L'association est-elle valide ?"),
        _l("Numéro RNA ou SIRET correct, association connue."),
    )
    theme_in_call = _yes_no(_l("La thématique fait-elle partie de l'appel ?"))
    decision = RadioField(
        _l("Décision"),
        choices=[
            SelectChoice("eligible", _l("Recevable")),
            SelectChoice("ineligible", _l("Non recevable")),
        ],
        validators=[InputRequired(_CHOOSE)],
    )
    reason = TextAreaField(
        _l("Motif communiqué à l'association"),
        filters=[strip],
        validators=[Length(max=2000)],
        description=_l("Obligatoire quand la candidature n'est pas recevable."),
        render_kw={"rows": 4},
    )
    submit = SubmitField(_l("Enregistrer et informer l'association"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.decision.data == "ineligible" and not (self.reason.data or "").strip():
            self.reason.errors = [*self.reason.errors, _l("Indiquez le motif de la décision.")]
            ok = False
        return ok

    def fill(self, application) -> None:
        """Prefill from a previous check."""

        def yes_no(value):
            return None if value is None else ("yes" if value else "no")

        self.complete.data = yes_no(application.complete)
        self.association_valid.data = yes_no(application.association_valid)
        self.theme_in_call.data = yes_no(application.theme_in_call)
        if application.status == "eligible":
            self.decision.data = "eligible"
        elif application.status == "ineligible":
            self.decision.data = "ineligible"
        self.reason.data = application.eligibility_reason
