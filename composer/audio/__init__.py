"""Audio: FluidSynth synth, SoundFont discovery, a player with a pluggable clock, offline render."""
