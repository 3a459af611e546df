"""The AMI cohésion sociale: calls, associations, applications, hearings, jury, decisions."""

from ami import demo as _demo  # noqa: F401
from ami import home as _home  # noqa: F401
from ami import permissions as _permissions  # noqa: F401
from ami.network import demo as _network_demo  # noqa: F401
from ami.network import home as _network_home  # noqa: F401
from ami.network import permissions as _network_permissions  # noqa: F401
from ami.routes import bp

blueprints = (bp,)
