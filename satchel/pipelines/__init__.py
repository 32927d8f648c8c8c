"""Pipelines: tools run one after another, each step's output feeding the next."""
