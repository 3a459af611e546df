"""Who may hold API tokens: anyone with an account, for themselves."""

from app.access import rule


@rule("api_tokens.manage")
def can_manage_tokens(user, token=None) -> bool:
    return token is None or token.user_id == user.id
