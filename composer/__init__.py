"""Composer: write music together with a neural network.

Packages, in the direction imports may go (checked by ``lint-imports``):
``cli -> ui -> training -> generation | audio -> nn -> music``.
"""

__version__ = "0.1.0"
