"""Form fields shared by the AMI's forms."""

from __future__ import annotations

from decimal import Decimal

from wtforms import DecimalField
from wtforms.validators import NumberRange, Optional

from ami.rules import cents_to_euros, euros_to_cents
from app.i18n import _l


class EuroField(DecimalField):
    """An amount in euros (two decimals, not negative), stored as cents."""

    def __init__(self, label=None, validators=None, **kwargs):
        validators = list(validators or [Optional()])
        validators.append(
            NumberRange(
                min=0, max=Decimal("99999999.99"), message=_l("Indiquez un montant positif.")
            )
        )
        kwargs.setdefault("places", 2)
        super().__init__(label, validators, **kwargs)

    @property
    def cents(self) -> int | None:
        return euros_to_cents(self.data)

    def set_cents(self, cents: int | None) -> None:
        self.data = cents_to_euros(cents)
