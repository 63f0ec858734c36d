from . import access


def navigation(request):
    user = getattr(request, "user", None)
    return {"nav_memberships": access.memberships(user) if user is not None else []}
