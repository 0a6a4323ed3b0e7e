"""Clients the sources fetch through: the live OpenAlex API and its offline replay."""
