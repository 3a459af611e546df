"""Messages for refused uploads."""

from app.i18n import _


def upload_message(exc) -> str:
    if exc.code == "empty":
        return _("Le fichier est vide.")
    if exc.code == "too_large":
        return _("Le fichier dépasse %(max)d Mo.", max=exc.params.get("max_mb", 20))
    return _(
        "Ce type de fichier n'est pas accepté : envoyez un PDF, un document bureautique "
        "(Word, Excel, PowerPoint, LibreOffice) ou une image PNG ou JPEG."
    )
