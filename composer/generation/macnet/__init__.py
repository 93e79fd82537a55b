"""The MAC-Net model kind: beat-grid steps of melody and accompaniment (grid), their
vocabulary, and the codec that writes both tracks bar-exact."""
