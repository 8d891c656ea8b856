"""``python -m tandem``: the tandem command."""

from tandem.apps.cli import main

main()
