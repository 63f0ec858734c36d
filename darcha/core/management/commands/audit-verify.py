"""`darcha audit-verify`: the spelling the operations guide uses; same as `audit_verify`."""

from .audit_verify import Command  # noqa: F401
