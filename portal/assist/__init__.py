"""Help for translators: the translation memory, the glossary, machine suggestions, exchange."""
