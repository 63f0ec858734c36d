"""What the intake pages share about a form's draft (services.drafts): who holds it, the files it keeps,
and keeping the files of a form sent back.

The holder is the signed-in user (an operator's draft follows them, not one browser tab), or for a
visitor a random secret kept in their session, never the session key itself (it changes when the
session is cycled, as on confirming the phone). A token sent from another session or account finds
nothing: the files are looked up by token and holder together.
"""

from __future__ import annotations

import secrets

from .. import selectors
from ..models import PendingUpload
from ..services import Draft, pending_uploads_discard

SESSION_HOLDER = "cases_draft_holder"
FIELD = "draft"  # the hidden field with the token
REMOVE = "kept_remove"  # a kept file's "remove" box: its id


def holder(request) -> str:
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    secret = request.session.get(SESSION_HOLDER)
    if not isinstance(secret, str) or not secret:
        secret = secrets.token_urlsafe(24)
        request.session[SESSION_HOLDER] = secret
    return f"session:{secret}"


def resume(request, actor) -> tuple[Draft, list[PendingUpload]]:
    """The posted form's draft and what it keeps, less the files whose "remove" box is ticked."""
    draft = Draft.resume(holder(request), request.POST.get(FIELD))
    removed = request.POST.getlist(REMOVE)
    if removed:
        pending_uploads_discard(actor=actor, draft=draft, ids=removed)
    # A row whose file is gone (removed by hand, say) is not offered: the job deletes it in its time.
    return draft, [k for k in selectors.pending_uploads(draft) if k.file and k.file.storage.exists(k.file.name)]
