"""The languages a transcript can be in, by BCP 47 tag, with the names people know them by.

The list holds the languages of peer support projects for refugees, migrants and Black and minority ethnic
communities (Side by Side evaluation report, Billsborough et al., 2017, ch. 7, L4165, L4190) and the UK's own;
any other well-formed tag is accepted and shown as written."""

import re

NAMES = {
    "en": "English", "ar": "Arabic", "am": "Amharic", "bn": "Bengali", "bfi": "British Sign Language",
    "zh": "Chinese", "fa": "Persian (Farsi)", "fr": "French", "gd": "Scottish Gaelic", "gu": "Gujarati",
    "ku": "Kurdish", "pa": "Punjabi", "pl": "Polish", "ps": "Pashto", "pt": "Portuguese", "ro": "Romanian",
    "so": "Somali", "es": "Spanish", "ti": "Tigrinya", "tr": "Turkish", "ur": "Urdu", "cy": "Welsh",
}
# how a transcript came to be in its language
MEDIATION = {"": "as spoken", "interpreted": "through an interpreter", "translated": "translated"}
TAG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}$")


def name(tag: str) -> str:
    """The language's name, or its tag when it is not in the list ("" for none)."""
    return NAMES.get(tag, tag)


def check_tag(tag: str) -> str:
    """A language tag as stored: lower-case language, trimmed; a ValueError for one that is not a tag."""
    tag = tag.strip()
    if not tag:
        return ""
    language, *rest = tag.split("-")
    tag = "-".join([language.lower(), *rest])
    if len(tag) > 35 or not TAG.match(tag):
        raise ValueError(f"'{tag[:40]}' is not a language tag such as en, ur or pt-BR")
    return tag
