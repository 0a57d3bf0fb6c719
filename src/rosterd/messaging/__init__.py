"""Messaging providers, kept minimally: what a target's `providerId` can name.

rosterd sends no messages, so a provider keeps its id, name, kind and type only; the
credentials a create call carries are not stored.
"""
