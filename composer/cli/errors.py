"""Errors of the command line itself."""


class CliError(Exception):
    """A bad argument or condition found by a subcommand: printed as one line."""
