"""Queue screens, one module each: kiosk (tickets, live position), console (operators), board
(display board, its event stream and voice), manager (live board and statistics), appointments."""
