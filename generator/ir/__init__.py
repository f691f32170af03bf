"""The intermediate representation: its tree, how it is built, and the names in it."""
