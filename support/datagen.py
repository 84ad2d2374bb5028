"""Deterministic generator of realistic synthetic Graphe data (benchmarks and tests).

    python -m support.datagen --practices 1000 --out /tmp/gen.ttl [--seed 7] [--words 300:800]

Cities in several countries, practice sheets with French text (accents, elisions), themes from the seeds,
adaptations between practices, charters with criteria and cross-framework mappings, adoptions, AI projects
with assessments. IRIs are relative (`<id/…>`), resolved against the base IRI at load, like the seeds. The
output validates against the shapes together with the seeds (it reuses their themes and sources).
"""
from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIXES = """@prefix gr: <https://graphe.aimf.asso.fr/def#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix cv: <http://data.europa.eu/m8g/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix airo: <https://w3id.org/airo#> .
@prefix eu-aiact: <https://w3id.org/dpv/legal/eu/aiact#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
"""
COUNTRIES = ["FR", "MA", "SN", "CM", "CH", "CA", "BE", "TN", "CI", "BF", "ML", "HT", "LB", "BJ", "NE", "MG"]
CITY_NAMES = ["Lyon", "Rennes", "Bordeaux", "Lille", "Grenoble", "Marrakech", "Fès", "Rabat", "Tanger", "Saint-Louis",
              "Thiès", "Ziguinchor", "Yaoundé", "Douala", "Bafoussam", "Lausanne", "Neuchâtel", "Fribourg",
              "Sherbrooke", "Gatineau", "Trois-Rivières", "Liège", "Namur", "Charleroi", "Sfax", "Sousse",
              "Abidjan", "Bouaké", "Ouagadougou", "Bobo-Dioulasso", "Bamako", "Port-au-Prince", "Beyrouth",
              "Cotonou", "Niamey", "Antananarivo", "Mons", "Besançon", "Nancy", "Brest", "Orléans", "Tours"]
STATUSES = ["Idea", "Pilot", "InProduction", "Discontinued"]
VERDICTS = ["Met", "PartlyMet", "NotMet", "NotApplicable"]
RISKS = ["RiskLevelMinimal", "RiskLevelTransparencyRequired", "RiskLevelHigh"]
DIMENSIONS = ["SocialImpact", "EnvironmentalImpact", "EthicalImpact", "LegalImpact"]
SUBJECTS = ["la ville", "la métropole", "l'équipe numérique", "le service des mobilités", "la direction de l'énergie",
            "les habitants", "les agents", "l'observatoire des données", "le conseil citoyen", "la mairie"]
VERBS = ["a déployé", "expérimente", "a mis en place", "évalue", "partage", "ouvre", "améliore", "coordonne",
         "accompagne", "documente"]
OBJECTS = ["une plateforme de données ouvertes", "un outil d'intelligence artificielle", "des capteurs d'énergie",
           "un service de mobilité partagée", "une charte éthique de la donnée", "des ateliers participatifs",
           "un tableau de bord environnemental", "un algorithme d'aide à la décision", "des données de qualité",
           "un guichet numérique accessible", "une démarche de sobriété énergétique", "des formations aux agents"]
CLAUSES = ["afin de réduire l'empreinte carbone", "pour améliorer l'accès aux services publics",
           "en associant les citoyens à chaque étape", "dans le respect de la protection des données personnelles",
           "avec une évaluation indépendante des impacts sociaux", "grâce à l'expertise d'intelligence collective",
           "pour lutter contre la fracture numérique", "en garantissant la transparence des décisions",
           "dans une logique d'économie circulaire", "en lien avec les mobilités douces du territoire"]
TITLE_HEADS = ["Plateforme", "Budget participatif", "Observatoire", "Assistant", "Capteurs", "Atelier", "Charte",
               "Portail", "Cartographie", "Tableau de bord", "Laboratoire", "Programme"]
TITLE_TAILS = ["des données de l'énergie", "de la mobilité partagée", "d'intelligence artificielle responsable",
               "citoyen du numérique", "de l'eau potable", "des déchets ménagers", "de la qualité de l'air",
               "d'inclusion numérique", "de la santé publique", "des transports en commun", "du patrimoine culturel"]


def seed_themes(seeds: Path = ROOT / "seeds") -> list[str]:
    text = (seeds / "10-themes.ttl").read_text(encoding="utf-8")
    return sorted(set(re.findall(r"^theme:([a-z0-9-]+) a skos:Concept", text, flags=re.M)))


def _lit(text: str, lang: str = "fr") -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + f'"@{lang}'


def _sentence(rng: random.Random) -> str:
    s = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(CLAUSES)}."
    return s[0].upper() + s[1:]


def _text(rng: random.Random, words: int) -> str:
    out, count = [], 0
    while count < words:
        sentence = _sentence(rng)
        out.append(sentence)
        count += len(sentence.split())
    return " ".join(out)


def generate(practices: int, seed: int = 7, words: tuple[int, int] = (300, 800)) -> str:
    """Turtle for `practices` practice sheets and everything they point to; same input, same output."""
    rng = random.Random(seed)
    themes = seed_themes()
    n_cities = max(8, practices // 25)
    n_charters = max(2, practices // 500 + 2)
    out = [PREFIXES]
    for c in range(n_cities):
        base = CITY_NAMES[c % len(CITY_NAMES)]
        name = base if c < len(CITY_NAMES) else f"{base} {c // len(CITY_NAMES) + 1}"
        lat, lon = round(rng.uniform(-30, 55), 3), round(rng.uniform(-80, 50), 3)
        out.append(f"<id/city/gen-{c}> a schema:City ; schema:name {_lit(name)} ; "
                   f'schema:addressCountry "{COUNTRIES[c % len(COUNTRIES)]}" ; '
                   f'gr:population "{rng.randint(20_000, 3_000_000)}"^^xsd:integer ; gr:populationYear "2021"^^xsd:gYear ; '
                   + ("gr:populationApproximate true ; " if c % 3 == 1 else "") +
                   f'schema:latitude "{lat}"^^xsd:decimal ; schema:longitude "{lon}"^^xsd:decimal ; '
                   "dct:source <id/source/aimf-article-2024-nantes-ia> .")
    criteria: list[list[str]] = []
    for h in range(n_charters):
        out.append(f"<id/charter/gen-{h}> a gr:Charter ; dct:title {_lit(f'Charte de la donnée n° {h}')} ; "
                   f"gr:charterKind gr:{'AITrustFramework' if h % 2 else 'DataCharter'} ; "
                   "dct:publisher <id/organisation/aimf> ; dct:source <id/source/aimf-article-2024-nantes-ia> .")
        mine = []
        for k in range(rng.randint(5, 10)):
            iri = f"<id/criterion/gen-{h}-{k}>"
            mine.append(iri)
            match = ""
            if h > 0 and rng.random() < 0.5:
                match = f" ; skos:closeMatch {rng.choice(criteria[rng.randrange(h)])}"
            out.append(f"{iri} a gr:Criterion ; cv:isDerivedFrom <id/charter/gen-{h}> ; gr:identifier \"{k + 1}\" ; "
                       f"gr:order {k + 1} ; skos:prefLabel {_lit(f'Critère {k + 1} : ' + rng.choice(CLAUSES))} ; "
                       f"gr:impactDimension gr:{rng.choice(DIMENSIONS)} ; gr:criterionKind gr:EvaluationCriterion{match} ; "
                       "dct:source <id/source/aimf-article-2024-nantes-ia> .")
        criteria.append(mine)
        for c in rng.sample(range(n_cities), k=min(3, n_cities)):
            out.append(f"<id/adoption/gen-{h}-{c}> a gr:Adoption ; gr:charter <id/charter/gen-{h}> ; "
                       f'gr:adopter <id/city/gen-{c}> ; dct:date "2023-0{rng.randint(1, 9)}-15"^^xsd:date .')
    for p in range(practices):
        city = rng.randrange(n_cities)
        title = f"{rng.choice(TITLE_HEADS)} {rng.choice(TITLE_TAILS)} ({p})"
        summary = _sentence(rng) + " " + _sentence(rng)
        body = _text(rng, rng.randint(*words))
        subjects = ", ".join(f"<id/theme/{t}>" for t in rng.sample(themes, k=rng.randint(1, 3)))
        extra = []
        if p > 0 and rng.random() < 0.1:
            extra.append(f"gr:adaptedFrom <id/practice/gen-{rng.randrange(p)}>")
        if rng.random() < 0.3:
            extra.append(f"gr:appliesCharter <id/charter/gen-{rng.randrange(n_charters)}>")
        if rng.random() < 0.2:
            charter = rng.randrange(n_charters)
            extra.append(f"gr:describesProject <id/ai-project/gen-{p}>")
            out.append(f"<id/ai-project/gen-{p}> a gr:AIProject ; dct:title {_lit('Projet IA : ' + title)} ; "
                       f"gr:purposeDescription {_lit(_sentence(rng))} ; airo:isUsedWithinLocality <id/city/gen-{city}> ; "
                       f"eu-aiact:hasRiskLevel eu-aiact:{rng.choice(RISKS)} ; gr:status gr:{rng.choice(STATUSES)} ; "
                       "dct:source <id/source/aimf-article-2024-nantes-ia> .")
            for k, criterion in enumerate(criteria[charter][:3]):
                out.append(f"<id/assessment/gen-{p}-{k}> a gr:Assessment ; gr:assessedProject <id/ai-project/gen-{p}> ; "
                           f"gr:criterion {criterion} ; gr:verdict gr:{rng.choice(VERDICTS)} ; "
                           f"gr:justification {_lit(_sentence(rng))} ; gr:assessor <id/organisation/aimf> ; "
                           f'dct:date "2024-0{rng.randint(1, 9)}-01"^^xsd:date .')
        issued = f"20{rng.randint(18, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        out.append(f"<id/practice/gen-{p}> a gr:Practice ; dct:title {_lit(title)} ; dct:abstract {_lit(summary)} ; "
                   f"dct:description {_lit(body)} ; gr:city <id/city/gen-{city}> ; dct:subject {subjects} ; "
                   f'gr:status gr:{rng.choice(STATUSES)} ; dct:issued "{issued}"^^xsd:date ; '
                   f"dcat:keyword {_lit(rng.choice(TITLE_TAILS))} ; "
                   + "".join(f"{e} ; " for e in extra) + "dct:source <id/source/aimf-article-2024-nantes-ia> .")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Génère des données de synthèse déterministes pour Graphe.")
    parser.add_argument("--practices", type=int, default=1000, help="nombre de fiches (défaut 1000)")
    parser.add_argument("--seed", type=int, default=7, help="graine (défaut 7)")
    parser.add_argument("--words", default="300:800", help="mots par fiche, min:max (défaut 300:800)")
    parser.add_argument("--out", type=Path, required=True, help="fichier Turtle à écrire")
    args = parser.parse_args(argv)
    low, high = (int(x) for x in args.words.split(":"))
    args.out.write_text(generate(args.practices, args.seed, (low, high)), encoding="utf-8")
    print(f"écrit : {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
