"""The clean stage on its own: decoding, mojibake, paragraphs, boilerplate, metadata."""

from __future__ import annotations

import datetime as dt

import pytest

from newsweave.clean.boilerplate import filter_boilerplate, furniture_reason, is_caption, trim_glued_furniture
from newsweave.clean.encoding import BadContent, decode
from newsweave.clean.metadata import extract_text_metadata, parse_date_line
from newsweave.clean.mojibake import repair
from newsweave.clean.paragraphs import split_paragraphs
from newsweave.document import Document, Paragraph
from newsweave.language import LanguageIdentifier

TEXTS = {
    "de": "Die Bundesregierung hat am Mittwoch beschlossen, dass die Grenzkontrollen verlängert werden. "
    "Außenministerin Baerbock äußerte sich besorgt über die Lage in Österreich. „Wir müssen handeln“, sagte sie.",
    "pt": "O governo anunciou nesta quarta-feira em São Paulo um novo pacote de medidas econômicas. As informações "
    "foram divulgadas após a reunião, e as eleições não serão adiadas. A população está preocupada.",
    "es": "El Gobierno español anunció el miércoles una reforma de las pensiones. Según el ministro, la decisión "
    "se tomó tras meses de negociación. «No habrá más retrasos», aseguró el portavoz en Madrid.",
    "fr": "Le gouvernement français a annoncé mercredi une réforme des retraites. Les syndicats ont réagi très "
    "vivement à cette décision prise sans concertation préalable. « Nous allons manifester », a déclaré un élu.",
    "pl": "Rząd przyjął w środę projekt ustawy o zmianie przepisów dotyczących ochrony środowiska. Minister "
    "powiedział, że źródła energii odnawialnej będą kluczowe. Żadne decyzje nie zapadły w sprawie Śląska.",
    "cs": "Vláda ve středu schválila návrh zákona o změně předpisů. Ministr řekl, že obnovitelné zdroje energie "
    "budou klíčové. Žádná rozhodnutí zatím nepadla ohledně uhelných elektráren v Ostravě.",
    "tr": "Hükümet çarşamba günü yeni ekonomi paketini açıkladı. Bakan, düzenlemelerin önümüzdeki ay yürürlüğe "
    "gireceğini söyledi. Muhalefet partileri ise kararı eleştirdi ve değişiklik talep etti.",
    "ru": "Правительство России в среду одобрило законопроект об изменении налогового кодекса. Министр финансов "
    "заявил, что новые правила вступят в силу с начала следующего года.",
}


@pytest.fixture(scope="module")
def guess():
    identifier = LanguageIdentifier()
    return lambda text: identifier.identify(text)[0]


@pytest.mark.parametrize(
    ("language", "encoding"),
    [("de", "cp1252"), ("pt", "cp1252"), ("es", "cp1252"), ("fr", "latin-1"), ("pl", "cp1250"),
     ("cs", "cp1250"), ("pl", "iso8859_2"), ("tr", "cp1254"), ("ru", "cp1251"), ("ru", "koi8_r")],
)
def test_legacy_code_pages_decode_to_the_original_text(guess, language, encoding):
    text = TEXTS[language] if encoding != "latin-1" else TEXTS[language].replace("’", "'")
    assert decode(text.encode(encoding), guess_language=guess)[0] == text


@pytest.mark.parametrize("bom_encoding", ["utf-8-sig", "utf-16", "utf-32"])
def test_byte_order_marks_are_honoured(bom_encoding):
    text, _ = decode(TEXTS["de"].encode(bom_encoding))
    assert text == TEXTS["de"]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("language", ["de", "ru"])
def test_utf16_without_a_byte_order_mark_is_recognised(codec, language):
    assert decode(TEXTS[language].encode(codec))[0] == TEXTS[language]


def test_declared_charset_is_used_when_bytes_are_not_utf8():
    text, encoding = decode(TEXTS["cs"].encode("cp1250"), declared="windows-1250")
    assert text == TEXTS["cs"] and encoding == "cp1250"


def test_wrong_declaration_falls_back_to_detection(guess):
    text, _ = decode(TEXTS["pl"].encode("cp1250"), declared="shift_jis", guess_language=guess)
    assert text == TEXTS["pl"]


def test_utf8_wins_over_a_wrong_declaration():
    assert decode(TEXTS["ru"].encode("utf-8"), declared="latin-1")[0] == TEXTS["ru"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"   \n\t", "empty"), (b"%PDF-1.7\n...", "PDF"), (b"\xff\xd8\xff\xe0JFIF", "JPEG"), (b"\x00\x01\x02" * 50, "binary")],
)
def test_non_text_is_refused_with_a_reason(data, reason):
    with pytest.raises(BadContent, match=reason):
        decode(data)


def test_twice_damaged_mojibake_of_seed_004_is_repaired():
    damaged = "Russia wants to \u2020actively operate in Kabul,â€TM claiming"
    fixed, repairs = repair(damaged)
    assert fixed == "Russia wants to ‘actively operate in Kabul,’ claiming"
    assert repairs


def test_turkish_mojibake_with_folded_fractions_is_repaired():
    assert repair("gÃ1⁄4nlÃ1⁄4k haberler")[0] == "günlük haberler"


@pytest.mark.parametrize(
    "clean",
    ["Er starb † 2021 in Berlin.", "„Wir werden handeln“, sagte er.", "Price: 1⁄4 off, TM pending",
     "São Paulo, Łódź, Привет, 北京"],
)
def test_clean_text_is_left_alone(clean):
    assert repair(clean) == (clean, [])


def test_broken_lines_are_mended_and_blank_lines_separate_paragraphs():
    text = "The Taliban seized control, imposing their strict\n\ninterpretation of Sharia law.\n\nNext one.\nAnd another."
    assert split_paragraphs(text) == [
        "The Taliban seized control, imposing their strict interpretation of Sharia law.",
        "Next one.",
        "And another.",
    ]


@pytest.mark.parametrize(
    "line",
    ["Skip to content", "Zum Inhalt springen", "Aller au contenu", "Ir al contenido principal",
     "Przejdź do treści", "Перейти к содержанию", "İçeriğe geç", "Leave a Reply", "Comments are closed.",
     "Lascia un commento", "Dodaj komentarz", "Добавить комментарий", "发表评论", "أضف تعليقا",
     "Share on Facebook", "Subscribe to our newsletter", "We use cookies to improve your experience.",
     "Read more: Kremlin says talks went well", "Lesen Sie auch: Die Lage in Kabul", "Voir aussi : la crise",
     "Читайте также: переговоры в Казани", "(Reporting by Jane Doe; Editing by John Roe)",
     "Our Standards: The Thomson Reuters Trust Principles.", "© 2023 Example News. All rights reserved.",
     "Tüm hakları saklıdır.", "版权所有"],
)
def test_furniture_lines_in_many_languages_are_recognised(line):
    assert furniture_reason(line)


@pytest.mark.parametrize(
    "line",
    ["Russia hosted Taliban leaders for talks on regional security Friday.",
     "Die Taliban übernahmen kurz nach dem Abzug der US-Truppen die Kontrolle über Afghanistan.",
     "Share prices fell sharply on Monday after the central bank raised interest rates again.",
     "Home ministers from 12 countries met in Brussels to discuss the migration pact."],
)
def test_article_sentences_are_not_furniture(line):
    assert furniture_reason(line) is None and not is_caption(line)


def test_captions_with_photo_credits_are_recognised():
    assert is_caption("Amir Khan Muttaki takes part in the talks at Kazan City Hall. **Yegor Aleyev / TASS**")
    assert is_caption("Lawrow nimmt am 2. Juli 2021 an einem Treffen teil. Pavel Golovkin/Pool über REUTERS")
    assert is_caption("Protesters gather in Kabul. (AP Photo/Rahmat Gul)")


def test_glued_site_name_and_read_more_are_trimmed():
    assert trim_glued_furniture("would inspire some actions in.”Brinkwire Summary News”.")[0] == "would inspire some actions in.”"
    assert trim_glued_furniture("über die Grenze geflohen waren. Weiterlesen")[0] == "über die Grenze geflohen waren."
    assert trim_glued_furniture("Talks with the U.S.")[0] == "Talks with the U.S."


def test_trailing_site_name_line_is_dropped_as_footer():
    doc = Document("d", "s", "h", paragraphs=[Paragraph("A long first paragraph of the article, with a full stop."),
                                              Paragraph("Another real paragraph of text here."), Paragraph("ABC News")])
    assert [p.text for p in filter_boilerplate(doc).paragraphs][-1].startswith("Another")


TODAY = dt.date(2026, 11, 23)


def text_doc(*lines: str) -> Document:
    return Document("d", "s", "h", paragraphs=[Paragraph(line) for line in lines])


def test_headline_byline_and_date_lines_become_metadata():
    doc = extract_text_metadata(
        text_doc("Kremlin Hosts Talks on Afghan Security", "By Jane Doe and AFP", "September 29, 2023",
                 "MOSCOW (Reuters) - Russia hosted talks on Friday with delegations from ten countries."),
        TODAY,
    )
    assert doc.title == "Kremlin Hosts Talks on Afghan Security"
    assert doc.authors == ["Jane Doe"] and doc.agency == "AFP"
    assert doc.published == "2023-09-29" and doc.dateline == "Moscow"
    assert [p.text for p in doc.paragraphs] == ["MOSCOW (Reuters) - Russia hosted talks on Friday with delegations from ten countries."]


def test_a_future_date_is_never_the_publication_date():
    assert parse_date_line("September 29, 2031", TODAY) is None
    assert parse_date_line("29.09.2023", TODAY) == "2023-09-29"


def test_a_date_inside_the_body_is_not_the_publication_date():
    doc = extract_text_metadata(
        text_doc("Lawrow trifft Amtskollegen", "Lawrow nahm am 2. Juli 2021 in Moskau an einem Treffen mit dem Außenminister teil, hieß es.",
                 "Die Gespräche dauerten mehrere Stunden und endeten ohne Einigung."),
        TODAY,
    )
    assert doc.published is None


def test_url_footer_broken_by_a_space_is_mended():
    doc = extract_text_metadata(text_doc("Body text of the article goes here, a sentence.", "Original url:",
                                         "https://example.org/2023/09/29/some-story -a82611"), TODAY)
    assert doc.url == "https://example.org/2023/09/29/some-story-a82611"
    assert doc.published == "2023-09-29"  # from the URL, when the text has no date line


def test_a_copyright_notice_glued_to_the_last_sentence_is_cut_not_the_paragraph():
    chinese = "出于安全考虑，海地领导人纪念独立日。莫伊斯的政府被指控腐败，他在太子港国家宫发表演讲时谴责贪污腐败。版权所有 2020 美联社。"
    assert furniture_reason(chinese) is None  # ideographs count as words: this is prose
    assert trim_glued_furniture(chinese)[0] == "出于安全考虑，海地领导人纪念独立日。莫伊斯的政府被指控腐败，他在太子港国家宫发表演讲时谴责贪污腐败。"
    assert trim_glued_furniture("He said it was fine. © 2023 Reuters. All rights reserved.")[0] == "He said it was fine."
    assert trim_glued_furniture("The copyright law changed in 2020.")[0] == "The copyright law changed in 2020."


def test_an_update_line_is_the_update_not_the_publication():
    doc = extract_text_metadata(
        text_doc("Kabul ringt um Hilfe", "Aktualisiert am 06.07.2021", "05.07.2021",
                 "KABUL (dpa) - Die Taliban haben am Montag weitere Bezirke im Norden Afghanistans erobert."),
        TODAY, "de",
    )
    assert (doc.published, doc.updated) == ("2021-07-05", "2021-07-06")
    assert {r.reason for r in doc.removed} == {"title", "update line", "date line"}


@pytest.mark.parametrize(("line", "language", "date"), [
    ("05.07.2021", "de", "2021-07-05"), ("05.07.2021", "en", "2021-07-05"),  # dotted: day first
    ("07/05/2021", "en", "2021-07-05"), ("07/05/2021", "fr", "2021-05-07"),  # slashed: by language
    ("Updated: July 6, 2021", "en", None),  # an update line is not a date line
])
def test_all_number_dates_read_day_first_outside_english(line, language, date):
    assert parse_date_line(line, TODAY, language) == date


def test_a_doubled_block_and_a_doubled_headline_go_but_recurring_questions_stay():
    from newsweave.clean.repeats import drop_repeated_paragraphs

    block = [f"Paragraph {n} of the article says something long enough to count as prose." for n in range(4)]
    question = "What inspired you to start writing about food in the first place?"
    lines = ["A headline printed twice by the scraper", "A headline printed twice by the scraper", *block,
             question, "My grandmother's kitchen in Tbilisi, every summer.", question,
             "A cookbook I found at a flea market when I was nineteen.", *block[1:]]
    doc = drop_repeated_paragraphs(text_doc(*lines))
    assert [p.text for p in doc.paragraphs] == lines[1:6] + lines[6:10]
    assert [r.text for r in doc.removed] == [lines[0], *block[1:]]
