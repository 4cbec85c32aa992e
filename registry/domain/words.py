"""Small pieces of English for messages: "an organisation", "a category"."""


def a(noun: str) -> str:
    """``noun`` with its indefinite article: a(\"organisation\") -> \"an organisation\"."""
    noun = noun.replace("_", " ")
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun
