"""What `darcha serve` prints last, once the server, the task worker and the scheduler have started:
the address to open and whatever the apps add (the demo's logins), where it is not scrolled away.

Apps add their lines from `AppConfig.ready()` (core knows no app):

    from darcha.core.serve_banner import register_section
    register_section("demo.logins", demo_login_lines)

A section is a callable returning lines (none: nothing shown). Sections are read before the server
starts (they may use the database), and printed after it has.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)
RULE = "─" * 72
_sections: dict[str, Callable[[], list[str]]] = {}


def register_section(name: str, lines: Callable[[], list[str]]) -> None:
    _sections[name] = lines


def sections() -> list[list[str]]:
    """Each registered section's lines, those with any, in the order registered. A section that fails
    (a database not migrated yet, say) is left out and logged: the banner never stops the server."""
    found = []
    for name, section in _sections.items():
        try:
            lines = section()
        except Exception:
            log.warning("serve banner: section %s left out", name, exc_info=True)
            continue
        if lines:
            found.append(list(lines))
    return found


def url(host: str, port: int, path: str = "/") -> str:
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    return f"http://{shown}:{port}{path}"


def banner(
    *, host: str, port: int, database: str, worker: bool, scheduler: bool, seconds: float, extra=()
) -> list[str]:
    """The lines of the banner: the address first and alone on its line, then the rest."""
    lines = [
        "",
        RULE,
        f"  Darcha is ready (started in {seconds:.0f} s). Open:",
        "",
        f"      {url(host, port)}",
        "",
        f"  admin {url(host, port, '/admin/')}   API docs {url(host, port, '/api/docs/')}",
        f"  database: {database}   task worker: {'running' if worker else 'off'}"
        f"   scheduler: {'running' if scheduler else 'off'}   (Ctrl-C stops them all)",
    ]
    for section in extra:
        lines += ["", *(f"  {line}" if line else "" for line in section)]
    lines += [RULE, ""]
    return lines
