"""French and English analysis, the same for both engines: what meets what."""
from __future__ import annotations

import pytest

from graphe.search import analysis
from graphe.search.stemmer import french_light


@pytest.mark.parametrize("group", [
    ["données", "Données", "donnée", "DONNEES", "donnees", "DONNÉE"],
    ["mobilité", "mobilités", "mobilite", "MOBILITES"],
    ["cybersécurité", "cybersecurite"],
    ["collectivités", "collectivite"],
    ["cœur", "coeur", "CŒUR"],
    ["œuvre", "oeuvre", "Œuvres"],
    ["territorial", "territoriaux", "territoriale", "territoriales"],
    ["local", "locaux", "locale"],
    ["l'éclairage", "éclairage", "d’éclairage", "eclairages"],
    ["vitæ", "vitae"],
    ["Genève", "geneve"],
])
def test_forms_a_french_speaker_takes_for_one_word_meet(group: list[str]) -> None:
    assert len({tuple(analysis.analyse(word, "fr")) for word in group}) == 1, \
        {word: analysis.analyse(word, "fr") for word in group}
    assert analysis.analyse(group[0], "fr")


@pytest.mark.parametrize("apart", [("mobile", "mobilité"), ("plan", "planète"), ("action", "actif")])
def test_different_words_stay_apart(apart: tuple[str, str]) -> None:
    assert analysis.analyse(apart[0], "fr") != analysis.analyse(apart[1], "fr")


def test_stop_words_and_elisions_leave_no_term() -> None:
    assert analysis.analyse("la le les de des du l' d' qu'il jusqu'à", "fr") == []
    assert analysis.analyse("mise en œuvre", "fr") == ["mise", "oeuvr"]
    assert analysis.analyse("plan d'action", "fr") == ["plan", "action"]
    assert analysis.analyse("AI", "fr") == ["ai"]  # an acronym, not « j'ai »


def test_compounds() -> None:
    assert analysis.analyse("e-administration", "fr") == analysis.analyse("e administration", "fr")
    assert analysis.analyse("aujourd'hui", "fr") == analysis.analyse("aujourdhui", "fr") == ["aujourdhui"]
    assert analysis.analyse("2,5 millions", "fr")[0] == "2,5"


def test_english_is_analysed_as_english() -> None:
    assert analysis.analyse("cities", "en") == analysis.analyse("city's", "en") == ["citi"]
    assert analysis.analyse("the dashboards", "en") == ["dashboard"]


def test_spans_point_at_the_word_after_its_elision() -> None:
    text = "Mesure de l'énergie"
    spans = list(analysis.spans(text, "fr"))
    assert [(t, text[s:e]) for t, s, e in spans] == [("mesur", "Mesure"), ("energ", "énergie")]


def test_names_compare_whole_and_folded() -> None:
    assert analysis.name_key("Ville de Québec") == analysis.name_key("ville de quebec") == "ville de quebec"
    assert analysis.fold("مراكش") == "مراكش"  # other scripts kept


@pytest.mark.parametrize("word,stem", [("donnees", "done"), ("territoriaux", "teritorial"),
                                       ("animatrice", "anim"), ("directrice", "direct"),
                                       ("rapidement", "rapid"), ("communication", "comunic")])
def test_light_stemmer(word: str, stem: str) -> None:
    assert french_light(word) == stem
