"""Plain-text boilerplate: site furniture that survives flattening a page to text.

Line-level rules in many languages (en, de, es, fr, it, pl, ru, tr, ar, zh): navigation,
comment forms, share and newsletter prompts, cookie notices, "see also"/"read more" links,
credits, trust and disclaimer lines, copyright; photo captions are kept apart as captions.
Rules look at the shape of a line (its opening words, its length, a credit at its end),
never at a particular site. Every dropped line is recorded with its reason.
"""

from __future__ import annotations

import re

import numpy as np
import regex

from ..document import Document, Removed
from ..embed import Embedder
from .lineclass import LineClassifier

_I = regex.IGNORECASE | regex.VERSION1


def _alternatives(*phrases: str) -> str:
    return "|".join(phrases)


# Whole-line furniture: the line *is* the prompt (anchored at start, short lines only).
_NAVIGATION = _alternatives(
    r"skip to (main )?(content|navigation)", r"jump to (main )?content", r"zum inhalt( springen)?",
    r"direkt zum inhalt", r"aller au contenu( principal)?", r"passer au contenu",
    r"ir al contenido( principal)?", r"saltar al contenido", r"vai al contenuto( principale)?",
    r"salta al contenuto", r"przejdź do (treści|zawartości)", r"перейти к (содержанию|контенту)",
    r"içeriğe (geç|atla)", r"跳到主要内容", r"跳转到内容", r"انتقل إلى المحتوى",
    r"(main )?menu", r"home", r"startseite", r"accueil", r"inicio", r"navigation",
)
_COMMENTS = _alternatives(
    r"comments? (are|is) closed\b.*", r"leave a (reply|comment)\b.*", r"post a comment\b.*",
    r"your email address will not be published\b.*", r"required fields are marked\b.*",
    r"\d+ comments?", r"add (a )?comment\b.*", r"schreibe?n? (einen|einen neuen) kommentar\b.*",
    r"(deine|ihre) e-?mail-adresse wird nicht veröffentlicht\b.*", r"erforderliche felder sind\b.*",
    r"kommentare (sind )?geschlossen\b.*", r"kommentar (schreiben|verfassen)\b.*",
    r"laisser un commentaire\b.*", r"votre adresse (e-?mail|de messagerie) ne sera pas publiée\b.*",
    r"les champs obligatoires sont indiqués\b.*", r"deja un comentario\b.*",
    r"tu dirección de correo electrónico no será publicada\b.*", r"los campos obligatorios\b.*",
    r"lascia un commento\b.*", r"il tuo indirizzo email non sarà pubblicato\b.*",
    r"i campi obbligatori sono\b.*", r"dodaj komentarz\b.*", r"(twój )?adres e-?mail nie zostanie opublikowany\b.*",
    r"добавить комментарий\b.*", r"ваш (адрес )?e-?mail не будет опубликован\b.*",
    r"комментарии закрыты\b.*", r"yorum (yap|yaz|ekle)\b.*", r"e-?posta (adresiniz|hesabınız) yayınlanmayacak\b.*",
    r"发表评论\b.*", r"您的(电子)?邮箱地址不会被公开\b.*", r"评论已关闭\b.*", r"أضف تعليقا?\b.*",
    r"لن يتم نشر عنوان بريدك الإلكتروني\b.*",
)
_SHARE = _alternatives(
    r"share (this|on|via)\b.*", r"(share|tweet|email|print)( this)?( article| story)?",
    r"(artikel )?teilen", r"(auf|bei) (facebook|twitter|x|whatsapp) teilen", r"partager( sur)?\b.*",
    r"compartir( en)?\b.*", r"condividi( su)?\b.*", r"udostępnij\b.*", r"поделиться\b.*",
    r"paylaş\b.*", r"分享(到)?\b.*", r"شارك\b.*", r"follow us on\b.*", r"folgen sie uns\b.*",
)
_NEWSLETTER = _alternatives(
    r"(subscribe|sign up)( now)?( to| for)? (our|the) newsletter\b.*", r"subscribe\b.*",
    r"newsletter abonnieren\b.*", r"jetzt abonnieren\b.*", r"abonnez-vous\b.*",
    r"inscrivez-vous à (notre|la) newsletter\b.*", r"suscríbete\b.*", r"iscriviti\b.*",
    r"zapisz się\b.*", r"подпишитесь\b.*", r"abone ol\b.*", r"订阅\b.*", r"اشترك\b.*",
)
_COOKIES = _alternatives(
    r"(this (web)?site|we) uses? cookies\b.*", r"(diese (web)?seite|wir) (verwendet|verwenden|nutzt|nutzen) cookies\b.*",
    r"(ce site|nous) utilis(e|ons) des cookies\b.*", r"(este sitio|utilizamos) (web )?(utiliza )?cookies\b.*",
    r"(questo sito|utilizziamo) (utilizza )?(i )?cookie\b.*", r"(ta strona|używamy) (używa |plików )?cookies?\b.*",
    r"(этот сайт|мы) использу(ет|ем) (файлы )?cookies?\b.*", r"(bu site|sitemizde) çerez\b.*",
    r"本网站使用cookies?\b.*", r"accept( all)? cookies", r"cookie(-| )(settings|policy|einstellungen)",
)
_SEE_ALSO = _alternatives(
    r"see also\b.*", r"read more\b.*", r"related( stories| articles| news)?\s*:.*", r"also read\b.*",
    r"more (on|about) this( story| topic)?\b.*", r"siehe auch\b.*", r"lesen sie (auch|mehr)\b.*",
    r"weiterlesen\b.*", r"mehr zum thema\b.*", r"voir aussi\b.*", r"(à )?lire aussi\b.*",
    r"ver también\b.*", r"lee también\b.*", r"leer más\b.*", r"vedi anche\b.*", r"leggi anche\b.*",
    r"zobacz (też|także)\b.*", r"czytaj (też|także|więcej)\b.*", r"читайте также\b.*",
    r"см\. также\b.*", r"подробнее\b.*", r"ayrıca (bakınız|okuyun)\b.*", r"devamını oku\b.*",
    r"ilgili haber(ler)?\b.*", r"相关(阅读|新闻)\b.*", r"延伸阅读\b.*", r"اقرأ (أيضا|أيضاً|المزيد)\b.*",
    r"انظر أيضا\b.*",
)
# A rights phrase anywhere in the line ("Photos: ACME. All rights reserved."). One `.*` before
# the alternation matches the same lines as a `.*` opening each phrase did, without making
# the regex engine re-scan the line once per phrase (which was most of the rules' time).
# Rights phrases in words (matched as whole words) and in scripts without word breaks.
_RIGHTS_WORDS = (
    "all rights reserved", "alle rechte vorbehalten", "tous droits réservés", "todos los derechos reservados",
    "tutti i diritti riservati", "wszelkie prawa zastrzeżone", "все права защищены", "tüm hakları saklıdır",
)
_RIGHTS_MARKS = ("版权所有", "جميع الحقوق محفوظة")
_RIGHTS_PHRASES = _alternatives(*(rf"\b{phrase}\b" for phrase in _RIGHTS_WORDS), *_RIGHTS_MARKS)
_COPYRIGHT = _alternatives(r"(©|\(c\)|copyright)\b.*", rf".*(?:{_RIGHTS_PHRASES}).*")
_DISCLAIMER_PHRASES = _alternatives(
    r"\btrust[- ]?(principles|prinzipien|grundsätze)\b",
    r"\b(do|does) not (necessarily )?(reflect|represent|express) the (views?|opinions?|point of view)\b",
    r"\bexpress(es)? the point of view of\b",
    r"\b(automatically|automatisch) (translated|übersetzt|generated|erstellt)\b",
)
_DISCLAIMER = _alternatives(
    r"(our|unsere) (standards|kriterien|richtlinien)\s*:.*", r"not all news on the site\b.*",
    r"disclaimer\s*:.*", r"haftungsausschluss\s*:?.*", rf".*(?:{_DISCLAIMER_PHRASES}).*",
)
# Credits: "(Reporting by …; Editing by …)", also as machine-translated into German.
_CREDITS = _alternatives(
    r"\(?(additional )?(reporting|writing|editing|compiled) by\b.*",
    r"\(?(berichterstattung|bericht|redaktion|bearbeitung|zusätzliche berichterstattung|deckung)\b\)?.*\b(von|by)\b.*",
    r"\(?(reportage|rédaction|édité) par\b.*", r"\(?(información|redacción|edición) (de|por)\b.*",
    r"\(?(a cura di|redazione)\b.*", r"\(?(opracowanie|redakcja)\s*:.*",
    r"\(?(подготовил[аи]?|редактор)\b.*",
)

_WHOLE_LINE_RULES: tuple[tuple[str, regex.Pattern], ...] = tuple(
    (reason, regex.compile(rf"^\W*(?:{pattern})\W*$", _I))
    for reason, pattern in (
        ("navigation", _NAVIGATION),
        ("comment form", _COMMENTS),
        ("share prompt", _SHARE),
        ("newsletter prompt", _NEWSLETTER),
        ("cookie notice", _COOKIES),
        ("link to another story", _SEE_ALSO),
        ("copyright", _COPYRIGHT),
        ("disclaimer", _DISCLAIMER),
        ("credits", _CREDITS),
    )
)
# Prompts longer than this are article text that happens to start with the same words.
_MAX_FURNITURE_WORDS = 40

# "… geflohen waren. Weiterlesen" / "… said. Read more": a link label glued to a paragraph.
# A copyright notice glued after the last sentence: "… 想想看。版权所有 2020 CREATORS.COM".
# Both are written "closing mark, then \K": the search skips ahead to a closing mark, where
# a lookbehind ran at every position of the tail (2-3× slower, same matches on pairs.csv,
# the benchmark pages and the seeds); `match.start()` is where the cut begins.
_TRAILING_COPYRIGHT = regex.compile(
    rf"[.!?。！？\"”»'’]\s*\K(?:©|\(c\)|copyright\b|{_alternatives(*_RIGHTS_MARKS, *_RIGHTS_WORDS)}).{{0,160}}$",
    _I,
)
_TRAILING_LINK = regex.compile(
    r"[.!?\"”»'’]\K\s*(?:read more|weiterlesen|mehr lesen|lire la suite|leer más|leggi tutto"
    r"|czytaj więcej|читать далее|devamını oku|阅读更多|اقرأ المزيد)\W*$",
    _I,
)
# A site name glued after a closing quote or full stop with no space: `in.”Brinkwire News”.`
_GLUED_SITE_NAME = regex.compile(
    r"(?<=\p{Ll}[.!?][\"”»'’]?)(?P<name>\p{Lu}[\p{L}\p{N}&'-]{2,}(?:\s+\p{Lu}[\p{L}\p{N}&'.-]*){0,4})"
    r"[\"”»'’]?\.?\s*$"
)
# Stray punctuation left where a scraper removed a link: "… a challenge. ."
_STRAY_STOPS = regex.compile(r"(?<=[.!?])(?:\s+[.,;])+\s*$")

_AGENCY_WORDS = (
    r"REUTERS|Reuters|AFP|AP|dpa|DPA|EPA|TASS|ТАСС|Getty Images|Getty|AAP|ANSA|EFE|PAP|Xinhua|"
    r"Sputnik|RIA Novosti|РИА Новости|Anadolu|Imago|IMAGO|picture alliance|Keystone|Shutterstock|"
    r"Pool|Handout|HANDOUT|Bloomberg|NurPhoto|SOPA Images|Zuma|ZUMA|Kremlin"
)
# A photo credit closing a line: "… Kazan City Hall. **Yegor Aleyev / TASS**",
# "… teil. Pavel Golovkin/Pool über REUTERS", "(AP Photo/Jane Doe)", "Foto: dpa".
_PHOTO_CREDIT = regex.compile(
    r"(?:"
    r"\p{Lu}[\p{L}.'-]+(?:\s+\p{Lu}[\p{L}.'-]+){0,3}\s*/\s*(?:[\p{L}\s]{0,25}?\s)?(?:" + _AGENCY_WORDS + r")"
    r"|\((?:AP|AFP|Reuters|EPA)\s+Photo/[^)]+\)"
    r"|(?:Photo|Foto|Bild|Image|Picture|Фото|Fotoğraf|Zdjęcie|图|صورة)\s*(?:credit)?\s*[:：]\s*[^.]{2,60}"
    r"|(?:Photo|Foto)\s+(?:by|von|de|di)\s+[^.]{2,60}"
    r")\**\s*\)?\s*$",
    regex.VERSION1,
)
_MAX_CAPTION_WORDS = 80
# Rules anchored at the end of a line look at its last characters only: their matches are
# far shorter than this, and a long paragraph is not scanned from its first letter.
_TAIL_CHARS = 200
# A closing line this short with no sentence punctuation is furniture ("ABC News", "Home").
_MAX_FOOTER_WORDS = 5
_SENTENCE_PUNCT = regex.compile(r"[.!?。！？؟:]")


# A line that only contains a rights phrase is a notice if short, or if it opens with one.
_MAX_NOTICE_WORDS = 15
_STARTS_AS_NOTICE = regex.compile(r"^\W*(?:©|\(c\)|copyright\b|版权所有)", _I)
_IDEOGRAPHS = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")
# The blocks that hold every one of those characters (a test checks all of Unicode): a line
# with none of them, as most are, skips the slower Unicode-property scan.
_MAYBE_IDEOGRAPHS = re.compile(
    "[\u1100-\u11ff\u2e80-\u9fff\ua960-\ud7ff\uf900-\ufaff\uff66-\uffdc\U00016fe0-\U0003ffff]"
)


def word_count(line: str) -> int:
    """Words, counting two ideographs as one: Chinese and Japanese write no spaces."""
    words = len(line.split())
    if line.isascii() or not _MAYBE_IDEOGRAPHS.search(line):
        return words
    return words + len(_IDEOGRAPHS.findall(line)) // 2


def furniture_reason(line: str) -> str | None:
    """Why a whole line is site furniture, or None if it may be article text."""
    return _furniture_reason(line, word_count(line))


def _furniture_reason(line: str, words: int) -> str | None:
    if words > _MAX_FURNITURE_WORDS:
        return None
    for reason, rule in _WHOLE_LINE_RULES:
        if rule.match(line):
            if reason == "copyright" and words > _MAX_NOTICE_WORDS and not _STARTS_AS_NOTICE.match(line):
                continue  # prose that ends in a notice: trim_glued_furniture cuts the notice
            return reason
    return None


def is_caption(line: str) -> bool:
    """A photo caption: a short block that ends with a photo credit."""
    return _is_caption(line, word_count(line))


def _is_caption(line: str, words: int) -> bool:
    return words <= _MAX_CAPTION_WORDS and bool(_PHOTO_CREDIT.search(line, _tail(line)))


def trim_glued_furniture(line: str) -> tuple[str, list[Removed]]:
    """Cut link labels, site names and stray stops glued to the end of a paragraph.

    Returns the line left and what was cut from it, each piece with its reason."""
    cut: list[Removed] = []
    for rule, reason in (
        (_TRAILING_COPYRIGHT, "copyright"),
        (_TRAILING_LINK, "link to another story"),
        (_GLUED_SITE_NAME, "site name glued to the text"),
        (_STRAY_STOPS, "stray punctuation"),
    ):
        match = rule.search(line, _tail(line))
        if match and match.start() > 0:
            cut.append(Removed(match.group().strip(), reason))
            line = line[: match.start()].rstrip()
    return line, cut


def rule_flags(line: str) -> tuple[bool, bool, bool, bool]:
    """The rules' verdicts on one line, as the line classifier sees them.

    (whole-line furniture, photo caption, furniture glued to its end, footer shape).
    """
    return _rule_flags(line, word_count(line))


def _rule_flags(line: str, words: int) -> tuple[bool, bool, bool, bool]:
    return (
        _furniture_reason(line, words) is not None,
        _is_caption(line, words),
        trim_glued_furniture(line)[0] != line,
        _is_footer(line, words),
    )


class BoilerplateFilter:
    """The boilerplate stage: explicit rules first, then the learned line classifier.

    Rules drop what they can name (with that name as the reason) and set captions aside.
    For plain text that looks like a flattened page (not HTML, whose extractor saw the
    page's structure), the classifier (`lineclass.LineClassifier`, loaded on first use and
    cached here) drops the remaining lines it does not keep: those scored below its
    threshold, and body-like islands apart from the article's blocks (`LineClassifier.keep`;
    both chosen on training pages to keep article text, recall, first). `rules_only=True`
    runs the rules alone; `encoder` lends the classifier a USE-multilingual encoder
    already loaded.
    """

    def __init__(
        self, classifier: LineClassifier | None = None, rules_only: bool = False, encoder: Embedder | None = None
    ) -> None:
        self.classifier = None if rules_only else (classifier or LineClassifier(encoder=encoder))

    def __call__(self, doc: Document) -> Document:
        texts = [p.text for p in doc.paragraphs]
        words = [word_count(text) for text in texts]
        flags = [_rule_flags(text, n) for text, n in zip(texts, words, strict=True)]
        # The line model reads flattened pages; an HTML page's text was already cut from
        # its markup by an extractor that saw the structure (and knows better).
        body = None if doc.kind == "html" else self._body_scores(texts, flags, words)
        keep = None if body is None else self.classifier.keep(body)
        kept = []
        for i, paragraph in enumerate(doc.paragraphs):
            reason = _furniture_reason(paragraph.text, words[i]) if flags[i][0] else None
            if reason:
                doc.removed.append(Removed(paragraph.text, reason))
                continue
            if flags[i][1]:
                doc.captions.append(paragraph.text)
                continue
            if keep is not None and not keep[i]:
                doc.removed.append(Removed(paragraph.text, _model_reason(body[i], self.classifier.threshold)))
                continue
            text, cuts = trim_glued_furniture(paragraph.text) if flags[i][2] else (paragraph.text, [])
            doc.removed.extend(cuts)
            if not text:
                continue
            paragraph.text = text
            kept.append(paragraph)
        # Footer: short closing lines without sentence punctuation (a site name, a tag list).
        while len(kept) > 1 and _is_footer(kept[-1].text):
            doc.removed.append(Removed(kept.pop().text, "footer"))
        doc.paragraphs = kept
        return doc

    def _body_scores(
        self, texts: list[str], flags: list[tuple[bool, bool, bool, bool]], words: list[int]
    ) -> np.ndarray | None:
        if self.classifier is None or not texts or not _looks_like_page(texts, words):
            return None
        return self.classifier.score(texts, flags)


def _model_reason(score: float, threshold: float) -> str:
    if score < threshold:
        return f"boilerplate by its shape (p_body={score:.2f})"
    return f"boilerplate by its shape: apart from the article's text (p_body={score:.2f})"


def looks_like_page(texts: list[str]) -> bool:
    """A whole page flattened to text (menus, link lists), not an article already cut out.

    The classifier learnt from whole pages; on an article it can only remove text, and on
    pairs.csv it dropped real paragraphs (6.6% of them, some prose). So it runs only where
    many lines are short fragments, as menus and link lists make them.
    """
    return _looks_like_page(texts, [word_count(t) for t in texts])


def _looks_like_page(texts: list[str], words: list[int]) -> bool:
    if len(texts) < _PAGE_MIN_LINES:
        return False
    fragments = sum(1 for t, n in zip(texts, words, strict=True) if _is_footer(t, n))
    return fragments / len(texts) >= _PAGE_FRAGMENT_SHARE


# A page dump has menus: at least this many lines, this share of them short fragments.
_PAGE_MIN_LINES = 6
_PAGE_FRAGMENT_SHARE = 0.3

_DEFAULT_FILTER = BoilerplateFilter()  # holds no weights until its first call


def filter_boilerplate(doc: Document) -> Document:
    """Drop furniture lines, move captions aside, trim glued furniture and footers.

    Uses one shared `BoilerplateFilter`; a pipeline that wants its own (another model, or
    rules alone) holds a `BoilerplateFilter` and calls it instead.
    """
    return _DEFAULT_FILTER(doc)


def _tail(line: str) -> int:
    return max(0, len(line) - _TAIL_CHARS)


def _is_footer(line: str, words: int | None = None) -> bool:
    if words is None:
        words = word_count(line)
    return words <= _MAX_FOOTER_WORDS and not _SENTENCE_PUNCT.search(line)
