"""Background work of the appeals app (django-tasks); each task calls the code that does the work.

    render_answer_letter(answer_id)   the approved answer's letter rendered and stored (queued on the commit
                                      of the approval or correction, letters.answer_letter_issue)

A task that cannot be queued is logged and never fails the change that asked for it: the letter is then
rendered when first needed (letters.letter_ensure)."""

from __future__ import annotations

from django_tasks import task


@task()
def render_answer_letter(answer_id: int) -> str:
    """Render and store the letter of an approved answer (nothing when it is stored already or gone)."""
    from .letters import letter_ensure
    from .models import Answer

    answer = Answer.objects.filter(pk=answer_id, approved_at__isnull=False).first()
    if answer is None:
        return "missing"
    stored = bool(answer.file)
    letter_ensure(answer)
    return "stored already" if stored else f"rendered {answer.sha256}"
