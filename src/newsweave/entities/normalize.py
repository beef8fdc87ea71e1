"""Language-independent keys for entity names: one key for Lawrow, Lavrov and Лавров.

Three steps, each for a reason no library covers on its own:
1. transliterate to ASCII (`anyascii`): Лавров → Lavrov, Москва → Moskva;
2. fold the spelling conventions that transliterations into different languages differ by
   (German w/v, z/s, j/i, dsch/j, tsch/ch; English kh/h; doubled letters): Lawrow and
   Lavrov, Sergej and Sergei, Tadschikistan and Tajikistan, Rahmon and Rakhmon meet;
3. acronyms and names of international bodies that no spelling rule relates (CSTO = OVKS =
   ОДКБ, IS = ISIL = Daesh) come from a small alias table (data: Wikidata would scale it).
Inflected forms (Lawrows, Afghanistans) are merged by `strip_inflection` against keys that
exist, because a name's dictionary form is unknown to any lemmatiser.
"""

from __future__ import annotations

from collections.abc import Container

import regex
from anyascii import anyascii

# Order matters: longer German clusters before their parts.
_FOLDS: tuple[tuple[str, str], ...] = (
    ("dsch", "j"), ("tsch", "ch"), ("sch", "sh"), ("dzh", "j"), ("zh", "j"), ("kh", "h"),
    ("ck", "k"), ("ph", "f"), ("th", "t"), ("ou", "u"), ("ew", "ev"), ("w", "v"), ("z", "s"),
    ("y", "i"), ("j", "i"), ("x", "ks"), ("q", "k"), ("c", "k"),
)
_NOT_ALNUM = regex.compile(r"[^a-z0-9]+")
_DOUBLE = regex.compile(r"(.)\1+")

# International bodies by their names and acronyms in our languages → one canonical key.
ALIASES: dict[str, tuple[str, ...]] = {
    "NATO": ("NATO", "Nato", "OTAN", "НАТО", "北约", "北大西洋公约组织", "الناتو", "حلف الناتو",
             "North Atlantic Treaty Organization", "Nordatlantikpakt", "Kuzey Atlantik Antlaşması Örgütü"),
    "CSTO": ("CSTO", "OVKS", "ODKB", "ОДКБ", "OTSC", "KGAÖ", "集安组织",
             "Collective Security Treaty Organization", "Collective Security Treaty Organisation",
             "Organisation des Vertrags über kollektive Sicherheit", "Организация Договора о коллективной безопасности",
             "Organización del Tratado de Seguridad Colectiva", "Organizzazione del Trattato di Sicurezza Collettiva"),
    "UN": ("UN", "UNO", "ONU", "ООН", "BM", "ONZ", "Vereinte Nationen", "United Nations", "Nations unies",
           "Naciones Unidas", "Nazioni Unite", "Организация Объединённых Наций", "Birleşmiş Milletler",
           "联合国", "الأمم المتحدة"),
    "EU": ("EU", "UE", "ЕС", "AB", "Europäische Union", "European Union", "Union européenne", "Unión Europea",
           "Unione europea", "Unia Europejska", "Европейский союз", "Avrupa Birliği", "欧盟", "الاتحاد الأوروبي"),
    "IS": ("IS", "ISIS", "ISIL", "Isis", "Isil", "Daesh", "Daesch", "DAEŞ", "ИГИЛ", "داعش", "伊斯兰国",
           "Islamic State", "Islamic State group", "IS-Miliz", "Terrormiliz IS", "Islamischer Staat", "Islamischen Staat", "Islamischen Staates", "État islamique",
           "Estado Islámico", "Stato Islamico", "Państwo Islamskie", "Исламское государство", "İslam Devleti",
           "الدولة الإسلامية"),
    "SCO": ("SCO", "SOZ", "OCS", "ШОС", "ŞİÖ", "上合组织", "Shanghai Cooperation Organisation",
            "Shanghai Cooperation Organization", "Schanghaier Organisation für Zusammenarbeit"),
    "OSCE": ("OSCE", "OSZE", "ОБСЕ", "AGİT", "OBWE", "欧安组织", "Organization for Security and Co-operation in Europe"),
    "WHO": ("WHO", "OMS", "ВОЗ", "DSÖ", "WHO", "世卫组织", "世界卫生组织", "منظمة الصحة العالمية",
            "World Health Organization", "Weltgesundheitsorganisation", "Organisation mondiale de la santé"),
    "IMF": ("IMF", "IWF", "FMI", "МВФ", "MFW", "国际货币基金组织", "صندوق النقد الدولي", "International Monetary Fund",
            "Internationaler Währungsfonds", "Fonds monétaire international", "Fondo Monetario Internacional"),
    "OPEC": ("OPEC", "OPEP", "ОПЕК", "欧佩克", "أوبك"),
    "Taliban": ("Taliban", "Taliban-Bewegung", "Талибан", "Талибы", "طالبان", "塔利班", "Talibán", "Talibanes", "Talibani"),
}


# Apostrophes that glue grammar to a name: Rusya'nın, Russia's (suffix); l'Ukraine (article).
_APOSTROPHE_SUFFIX = regex.compile(r"(?<=\p{L})['’]\p{Ll}{1,4}\b")
_APOSTROPHE_ARTICLE = regex.compile(r"\b(?:[ldjmnst]|qu)['’](?=\p{L})", regex.IGNORECASE)


def fold(text: str) -> str:
    """A spelling-independent skeleton of a name: 'Sergej Lawrow' → 'sergei lavrov'."""
    text = _APOSTROPHE_ARTICLE.sub("", _APOSTROPHE_SUFFIX.sub("", text))
    ascii_text = anyascii(text).lower()
    words = []
    for word in _NOT_ALNUM.split(ascii_text):
        if not word:
            continue
        for old, new in _FOLDS:
            word = word.replace(old, new)
        words.append(_DOUBLE.sub(r"\1", word))
    return " ".join(words)


_ALIAS_KEYS: dict[str, str] = {}
for _canonical, _names in ALIASES.items():
    for _name in _names:
        _ALIAS_KEYS[_name.casefold()] = _canonical
        _ALIAS_KEYS.setdefault(fold(_name), _canonical)


def alias_of(text: str) -> str | None:
    """The canonical name of an international body named by `text` ("OVKS" → "CSTO")."""
    stripped = text.strip(" .,;:'\"«»„“”")
    # Acronyms are case-sensitive ("IS" the group vs "is"); full names match folded. A short
    # name is refused only when it starts lower-case: scripts without case (联合国, داعش) pass.
    if stripped.isupper() or len(stripped) <= 5:
        return None if stripped[:1].islower() else _ALIAS_KEYS.get(stripped.casefold())
    return _ALIAS_KEYS.get(stripped.casefold()) or _ALIAS_KEYS.get(fold(stripped))


# Case and genitive endings that attach to names, by language (longest first).
INFLECTIONS: dict[str, tuple[str, ...]] = {
    "de": ("s", "es"),
    "en": ("s",),
    "ru": ("ого", "ому", "ым", "ом", "ой", "ою", "ы", "а", "у", "е", "ю", "я", "и"),
    "pl": ("ego", "emu", "owi", "em", "ie", "a", "u", "y", "ą"),
    "tr": ("nın", "nin", "nun", "nün", "ın", "in", "un", "ün", "da", "de", "ta", "te", "ya", "ye", "a", "e"),
    "cs": ("ovi", "em", "a", "u", "y"),
}


def strip_inflection(key: str, language: str | None, known: Container[str]) -> str:
    """The known key this inflected key reduces to ("lavrovs" → "lavrov"), else the key."""
    if key in known:
        return key
    for suffix in INFLECTIONS.get(language or "", ()):
        folded = fold(suffix)
        if key.endswith(folded) and key[: -len(folded)] in known:
            return key[: -len(folded)]
    return key
