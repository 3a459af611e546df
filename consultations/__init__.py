"""Concertation of the communes: saisines, bodies and meetings, the mayors' mailbox."""

from consultations.bodies import demo as _body_demo  # noqa: F401
from consultations.bodies import home as _body_home  # noqa: F401
from consultations.bodies import kind as _body_kind  # noqa: F401
from consultations.bodies import member_home as _body_member_home  # noqa: F401
from consultations.bodies import permissions as _body_permissions  # noqa: F401
from consultations.bodies import services as _body_services  # noqa: F401
from consultations.bodies.routes import manage_bp as bodies_bp
from consultations.bodies.routes import member_bp as bodies_member_bp
from consultations.mailbox import home as _mailbox_home  # noqa: F401
from consultations.mailbox import permissions as _mailbox_permissions  # noqa: F401
from consultations.mailbox.routes import bp as mailbox_bp
from consultations.saisines import demo as _saisine_demo  # noqa: F401
from consultations.saisines import home as _saisine_home  # noqa: F401
from consultations.saisines import kind as _saisine_kind  # noqa: F401
from consultations.saisines import permissions as _saisine_permissions  # noqa: F401
from consultations.saisines.routes import commune_bp as saisines_commune_bp
from consultations.saisines.routes import manage_bp as saisines_bp

blueprints = (saisines_bp, saisines_commune_bp, bodies_bp, bodies_member_bp, mailbox_bp)
