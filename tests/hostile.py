"""Hostile values for settings fields: the issue's cases and a Hypothesis strategy around them."""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["FRAGMENTS", "ISSUE_CASES", "hostile_text", "hostile_url_tail"]

ISSUE_CASES = {
    "attr_list on emphasis": "*the school*{ onmouseover=alert(2) } internet service",
    "attr_list after a line break": "the main room\n{: onclick=alert(3) }",
    "attr_list braces": "Ann Jones { onclick=alert(4) }",
    "heading after blank line": "school\n\n# Injected heading",
    "admonition after blank line": "opening times\n\n!!! danger\n    Please call 0900 123 456",
    "jinja-looking dunder": "{{ ''.__class__ }}",
    "html comment": "step outside <!-- hidden --> first",
    "link syntax": "[Tapestry](javascript:alert(5))",
    "script tag": "<script>alert(6)</script> & Co",
    "heading at line start": "# Halstead <Nursery> & *Co*",
    "list at line start": "1. the Manager",
    "table bar": "0123 | injected cell",
    "entity": "the &amp; Manager &#42;",
}
"""The issue's "Script and content injection" values, and the other Markdown they stand for."""

ISSUE_URLS = {
    "attr_list after a parenthesis": "https://example.org/?a){href=javascript:alert(document.domain)}",
    "parenthesis in the path": "https://example.org/wiki/Nursery_(school)",
}

FRAGMENTS = [
    "*", "**", "_", "__", "`", "```", "[", "]", "(", ")", "{", "}", "{:", "{: #x .danger }",
    "{ onclick=alert(1) }", "<", ">", "&", "&amp;", "&#42;", "&lt;b&gt;", "<!--", "-->",
    "<script>alert(1)</script>", "<b>", "<a href='javascript:alert(1)'>", "\n", "\n\n",
    "# ", "## ", "- ", "+ ", "* ", "1. ", "2) ", "> ", "!!! danger ", "??? note ", ": ",
    "|", "| --- |", "    ", "\t", "\\", "{{ name }}", "{% if x %}", "__class__",
    "![x](y.png)", "[x](javascript:alert(1))", "<https://evil.example>", "https://evil.example",
    "javascript:alert(1)", '"', "'", "=", "===", "---", "~~", "^^", "==", "++", "--8<--",
    "[TOC]", "*[HTML]: x", "[^1]", "&nbsp;", "\u2028", "\u00a0", "é", "ß", "\u0131", "😀", "  ",
]  # fmt: skip
"""Pieces of Markdown, HTML and Jinja syntax that a value might carry."""

_CHARACTERS = st.characters(exclude_categories=("Cc", "Cs", "Co", "Cn"), include_characters="\n\t")


def hostile_text(max_pieces: int = 8) -> st.SearchStrategy[str]:
    """Short strings mixing syntax fragments and arbitrary characters; never blank."""
    piece = st.one_of(st.sampled_from(FRAGMENTS), st.text(_CHARACTERS, min_size=1, max_size=6))
    return (
        st.lists(piece, min_size=1, max_size=max_pieces)
        .map("".join)
        .filter(lambda text: text.strip() and len(text) <= 100)
    )


def hostile_url_tail() -> st.SearchStrategy[str]:
    """What may follow 'https://example.org/' in an address: paths, queries and fragments."""
    alphabet = st.sampled_from([*"abc/?#=&%()[]{}<>'\"*_`\\| ~^!$,;:@+", "%29", "){"])
    return st.lists(alphabet, max_size=20).map("".join)
