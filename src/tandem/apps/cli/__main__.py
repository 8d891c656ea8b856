"""``python -m tandem.apps.cli``: the tandem command."""

from tandem.apps.cli import main

main()
