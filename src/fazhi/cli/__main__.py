"""``python -m fazhi.cli …`` runs the ``fazhi`` command."""

from fazhi.cli import main

main()
