"""The network's pages, one module per part, all on the AMI's blueprint."""

from ami.network.routes import (  # noqa: F401
    cooperation,
    directory,
    essaimage,
    essaimage_manage,
    home,
    interests,
    settings,
)
