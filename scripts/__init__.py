"""Repository scripts (not part of the installed product): corpus generation and set-up helpers."""
