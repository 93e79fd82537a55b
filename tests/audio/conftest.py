"""Audio tests need libfluidsynth and a SoundFont; they are skipped (with the
reason) on machines without them. No test needs a sound device."""

from __future__ import annotations

import pytest


@pytest.fixture
def soundfont():
    """The SoundFont the tests render with (skips when audio is unavailable)."""
    from composer.audio.errors import AudioError
    from composer.audio.fluid import load_fluidsynth
    from composer.audio.soundfont import find_soundfont

    try:
        load_fluidsynth()
        return find_soundfont()
    except AudioError as e:
        pytest.skip(f"audio unavailable here: {e}")
