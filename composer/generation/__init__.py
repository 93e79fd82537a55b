"""Generation: codecs (Score <-> tokens), sampling, the continuation engine, the model registry."""
