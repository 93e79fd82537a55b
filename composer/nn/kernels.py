"""Which CPU kernels torch uses for recurrent layers.

oneDNN's LSTM/GRU kernels read a whole sequence about twice as fast as torch's own
(measured on the 3 x 512 folk model: 1,000 characters in 83 ms against 220 ms), but
are slower for the single steps of sampling, so
:func:`composer.generation.sampling.configure_torch` turns them off and the code that
reads sequences (priming a prompt, the model's eye) turns them on around that read.
The switch is process-wide; another thread stepping meanwhile only runs a little
slower, never differently.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch


@contextlib.contextmanager
def sequence_kernels() -> Iterator[None]:
    """oneDNN on for the ``with`` block, then back as it was."""
    was = torch.backends.mkldnn.enabled
    torch.backends.mkldnn.enabled = True
    try:
        yield
    finally:
        torch.backends.mkldnn.enabled = was
