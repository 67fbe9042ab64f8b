"""Matchmaker: firm–university matchmaking platform."""
