"""khronika: a source-cited chronicle of political dissent and repression from news streams."""

__version__ = "0.1.0"
