"""The read side of captured mail: queries behind the API and the inbox page, and the search language."""
