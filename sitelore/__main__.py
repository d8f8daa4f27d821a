from sitelore.cli import entry_point

entry_point()
