from .selectors import user_memberships


def navigation(request):
    user = getattr(request, "user", None)
    memberships = user_memberships(user) if user is not None else []
    return {"nav_memberships": memberships}
