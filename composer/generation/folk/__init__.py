"""The folk model kind: its codec (ABC text), the bar tracker that constrains it and the sampler."""
