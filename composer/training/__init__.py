"""Training: datasets, the trainer with callbacks, evaluation."""
