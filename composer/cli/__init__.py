"""The ``composer`` command: subcommands for the core, and the window when called
with no subcommand."""
