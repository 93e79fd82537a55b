"""The piano LSTM model kind: note/chord event tokens of piano music (events) and the
codec that continues them bar-exact."""
