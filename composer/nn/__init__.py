"""Model definitions and checkpoints (safetensors + JSON card). Uses torch, never Qt."""
