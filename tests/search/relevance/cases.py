"""French search relevance suite: the queries, and what a French speaker expects them to find.

The documents are the seeds (seeds/*.ttl) plus the fictional sheets of tests/search/relevance/corpus.ttl.
IRIs are relative to the base IRI (https://graphe.aimf.asso.fr/).

CASES: (query as typed, expected IRIs, category).
    Every expected IRI is among the first 5 hits. An empty list means the query finds nothing at all.
ORDERED: (query, better IRI, worse IRI): both are found and the first ranks above the second.
"""
from __future__ import annotations

# The suite's sheets (tests/search/relevance/corpus.ttl).
ECLAIRAGE = "id/practice/rel-eclairage-public"  # Agadir: « Éclairage public … », lampadaires, « mise en œuvre »
PATRIMOINE = "id/practice/rel-eclairage-patrimoine"  # Québec: « l'éclairage » in the body only
CLIMAT = "id/practice/rel-plan-action-climat"  # Dakar: « plan d'action » as a phrase, « mise en œuvre »
CIRCULATION = "id/practice/rel-circulation-coeur-de-ville"  # Casablanca: « Plan … cœur de ville », « action » far
VELOS = "id/practice/rel-velos-libre-service"  # Genève: « libre-service », bike sharing
CYBER_AGENTS = "id/practice/rel-cybersecurite-agents"  # Dschang: « cybersécurité » in the title, territoriaux
CYBERATTAQUE = "id/practice/rel-continuite-cyberattaque"  # Montréal: « cybersécurité » in the body only
E_ADMIN = "id/practice/rel-e-administration-etat-civil"  # Dakar: « E-administration » in the title, aujourd'hui
MEDIATEURS = "id/practice/rel-mediateurs-numeriques"  # Agadir: « e-administration » in the body only
CV = "id/practice/rel-curriculum-vitae"  # Casablanca: « curriculum vitæ »
COMMERCES = "id/practice/rel-commerces-coeur-de-ville"  # Dschang: « commerces du cœur de ville »
OEUVRES = "id/practice/rel-oeuvres-art-public"  # Montréal: « Œuvres d'art »
CAMERAS = "id/practice/rel-video-protection"  # Casablanca: « vidéo-protection », caméras
ECOLES = "id/practice/rel-energie-ecoles"  # Genève: « Économies d'énergie »
FUITES = "id/practice/rel-fuites-eau-potable"  # Dschang: « réseau d'eau potable », leak detection
DECHETS = "id/practice/rel-collecte-dechets"  # Dakar: « déchets ménagers », « ordures ménagères »
BUDGET = "id/practice/rel-budget-participatif"  # Montréal: « budget participatif »
PORTAIL = "id/practice/rel-portail-donnees-ouvertes"  # Québec: « Portail de données ouvertes », « une donnée »
CHATBOT = "id/ai-project/rel-assistant-permis"  # Québec: an AI project (chatbot on building permits)

# Seed resources.
GENEVE, QUEBEC, MONTREAL = "id/city/geneve", "id/city/quebec", "id/city/montreal"
DSCHANG, CASABLANCA, DAKAR = "id/city/dschang", "id/city/casablanca", "id/city/dakar"
DECLARATION = "id/charter/declaration-de-montreal-ia-responsable"
CADRE = "id/charter/nantes-metropole-cadre-de-confiance-ia"
CHARTE_2019 = "id/charter/nantes-metropole-charte-donnee-2019"
SOBRIETE = "id/criterion/nantes-metropole-cadre-de-confiance-ia-5"  # « Sobriété énergétique »
REDEVABILITE = "id/criterion/nantes-metropole-cadre-de-confiance-ia-6"  # « Transparence et redevabilité »
BIEN_ETRE = "id/criterion/declaration-de-montreal-1"  # « Bien-être »
AUTONOMIE = "id/criterion/declaration-de-montreal-2"  # « Respect de l'autonomie »
EQUITE = "id/criterion/declaration-de-montreal-6"  # « Équité »
DIGITAL_WEEK = "id/event/nantes-digital-week-2024"
RENCONTRE = "id/event/commission-villes-innovantes-nantes-2024"
PLAN_AIMF = "id/plan/commission-villes-innovantes-ia-2024-2025"  # « Plan d'action de la Commission … »
INTERCONNECTES = "id/organisation/les-interconnectes"
GUIDE = "id/practice/guide-des-chartes-territoriales-de-la-donnee"  # « chartes territoriales », « collectivités »
CADRE_PRATIQUE = "id/practice/nantes-cadre-de-confiance-ia"  # mentions « sobriété énergétique » in its body
DEBAT = "id/practice/nantes-debat-de-l-ia"

CASES: list[tuple[str, list[str], str]] = [
    # Accents missing, or in capitals.
    ("donnees ouvertes", [PORTAIL], "accents"),
    ("DONNÉES OUVERTES", [PORTAIL], "accents"),
    ("mobilite", [CIRCULATION, VELOS], "accents"),
    ("cybersecurite", [CYBER_AGENTS, CYBERATTAQUE], "accents"),
    ("collectivites territoriales", [CYBER_AGENTS, GUIDE], "accents"),  # the guide: « chartes territoriales »
    ("eclairage", [ECLAIRAGE, PATRIMOINE], "accents"),
    ("ENERGIE", [ECOLES, ECLAIRAGE], "accents"),  # ECLAIRAGE: « consommation d'énergie » and its theme
    ("equite", [EQUITE], "accents"),
    ("Geneve", [GENEVE], "accents"),
    ("Quebec", [QUEBEC], "accents"),
    ("MONTRÉAL", [MONTREAL], "accents"),

    # Ligatures, typed with or without them.
    ("coeur de ville", [CIRCULATION, COMMERCES], "ligatures"),
    ("cœur de ville", [CIRCULATION, COMMERCES], "ligatures"),
    ("mise en oeuvre", [ECLAIRAGE, CLIMAT], "ligatures"),
    ("mise en œuvre", [ECLAIRAGE, CLIMAT], "ligatures"),
    ("oeuvres d'art", [OEUVRES], "ligatures"),
    ("œuvre", [OEUVRES, ECLAIRAGE, CLIMAT], "ligatures"),  # the only three texts with « œuvre »
    ("curriculum vitae", [CV], "ligatures"),
    ("CURRICULUM VITÆ", [CV], "ligatures"),

    # Elisions.
    ("l'eclairage", [ECLAIRAGE, PATRIMOINE], "elisions"),
    ("L'ÉCLAIRAGE public", [ECLAIRAGE], "elisions"),
    ("d'eau potable", [FUITES], "elisions"),
    ("l'état civil", [E_ADMIN], "elisions"),  # also in the bodies of CYBER_AGENTS and CYBERATTAQUE
    ("d'énergie", [ECOLES, ECLAIRAGE], "elisions"),

    # Stop words in unquoted queries: never required.
    ("plan d'action", [CLIMAT, PLAN_AIMF], "stop words"),
    ("portail de données", [PORTAIL], "stop words"),
    ("la charte de la donnée", [CHARTE_2019, GUIDE], "stop words"),
    ("les déchets ménagers", [DECHETS], "stop words"),
    ("le budget des habitants", [BUDGET], "stop words"),

    # Singular and plural, masculine and feminine, -al/-aux.
    ("donnée ouverte", [PORTAIL], "inflection"),
    ("territoriaux", [CYBER_AGENTS, GUIDE], "inflection"),  # the guide: « territoriales »
    ("agent territorial", [CYBER_AGENTS], "inflection"),  # « agents territoriaux »
    ("lampadaire", [ECLAIRAGE], "inflection"),
    ("déchet", [DECHETS], "inflection"),
    ("participative", [BUDGET, CLIMAT], "inflection"),  # BUDGET: « budget participatif »
    ("médiatrice numérique", [MEDIATEURS], "inflection"),  # « Médiateurs numériques », « médiatrices »
    ("caméra", [CAMERAS], "inflection"),
    ("jeune diplômée", [CV], "inflection"),  # « jeunes diplômés », « diplômées »

    # Hyphenated and apostrophe compounds.
    ("e-administration", [E_ADMIN, MEDIATEURS], "hyphens"),
    ("e administration", [E_ADMIN, MEDIATEURS], "hyphens"),
    ("aujourd'hui", [E_ADMIN], "hyphens"),
    ("aujourdhui", [E_ADMIN], "hyphens"),  # typed without the apostrophe: the same word once folded
    ("vidéo-protection", [CAMERAS], "hyphens"),
    ("video protection", [CAMERAS], "hyphens"),
    ("libre service", [VELOS], "hyphens"),  # « libre-service »
    ("bien-être", [BIEN_ETRE], "hyphens"),

    # Quoted phrases: the words side by side.
    ('"plan d\'action"', [CLIMAT, PLAN_AIMF], "phrases"),
    ('"cœur de ville"', [CIRCULATION, COMMERCES], "phrases"),
    ('"budget participatif"', [BUDGET], "phrases"),
    ('"éclairage public"', [ECLAIRAGE], "phrases"),
    ('"eau potable" capteurs', [FUITES], "phrases"),

    # Exclusion with -word.
    ("éclairage -lampadaires", [PATRIMOINE], "exclusion"),
    ("cœur de ville -commerces", [CIRCULATION], "exclusion"),  # CIRCULATION has « commerçants », not « commerces »
    ("cybersécurité -agents", [CYBERATTAQUE], "exclusion"),
    ("e-administration -naissance", [MEDIATEURS], "exclusion"),

    # Names: cities, charter titles, criterion labels, events, organisations, seed practices.
    ("Genève", [GENEVE], "names"),
    ("québec", [QUEBEC], "names"),
    ("Montreal", [MONTREAL], "names"),
    ("Dschang", [DSCHANG], "names"),
    ("Dakar", [DAKAR], "names"),
    ("Déclaration de Montréal pour un développement responsable de l'intelligence artificielle",
     [DECLARATION], "names"),
    ("declaration de montreal", [DECLARATION], "names"),
    ("Charte de la donnée de Nantes Métropole (2019)", [CHARTE_2019], "names"),
    ("cadre de confiance pour le recours à l'intelligence artificielle dans les politiques publiques",
     [CADRE], "names"),
    ("Sobriété énergétique", [SOBRIETE], "names"),
    ("transparence et redevabilite", [REDEVABILITE], "names"),
    ("Respect de l'autonomie", [AUTONOMIE], "names"),
    ("Nantes Digital Week", [DIGITAL_WEEK], "names"),
    ("Rencontre de la Commission Villes innovantes de l'AIMF", [RENCONTRE], "names"),
    ("Les Interconnectés", [INTERCONNECTES], "names"),
    ("Nantes Débat de l'IA", [DEBAT], "names"),

    # English queries on English text.
    ("street lighting", [ECLAIRAGE], "english"),
    ("leak detection", [FUITES], "english"),
    ("household waste", [DECHETS], "english"),
    ("bike sharing", [VELOS], "english"),
    ("participatory budgeting", [BUDGET], "english"),
    ("open data portal", [PORTAIL], "english"),
    ("cybersecurity awareness", [CYBER_AGENTS], "english"),
    ("building permits chatbot", [CHATBOT], "english"),

    # Typos (one edit) on words of 5 letters or more.
    ("mobilitee", [CIRCULATION, VELOS], "typos"),  # a doubled final e
    ("energei", [ECOLES, ECLAIRAGE], "typos"),  # énergie, two letters swapped
    ("lampadiares", [ECLAIRAGE], "typos"),
    ("ecalirage", [ECLAIRAGE, PATRIMOINE], "typos"),  # éclairage, two letters swapped
    ("budjet participatif", [BUDGET], "typos"),
    ("Casablanka", [CASABLANCA], "typos"),
    ("detecton des fuites", [FUITES], "typos"),
    ("cybersecurtie", [CYBER_AGENTS, CYBERATTAQUE], "typos"),

    # Negatives: nothing at all.
    ("pizza", [], "negatives"),
    ("xylophone", [], "negatives"),
    ("pizza xylophone", [], "negatives"),
    ("trottinettes", [], "negatives"),
    ("vleo", [], "negatives"),  # « vélo » with a typo: 4 letters, no typo tolerance, and no such word
    ("plam", [], "negatives"),  # « plan » with a typo: 4 letters
    ('"climat éclairage"', [], "negatives"),  # both words exist, never side by side
    ("lampadaires -éclairage", [], "negatives"),  # the only sheet with « lampadaires » also has « éclairage »
    ("vitæ -curriculum", [], "negatives"),
]

ORDERED: list[tuple[str, str, str]] = [
    ("plan d'action", CLIMAT, CIRCULATION),  # the phrase (in the title) above « plan » … « action » far apart
    ("l'éclairage", ECLAIRAGE, PATRIMOINE),  # in the title above in the body
    ("e-administration", E_ADMIN, MEDIATEURS),  # in the title above in the body
    ("cybersécurité", CYBER_AGENTS, CYBERATTAQUE),  # in the title above in the body
    ("éclairage patrimoine", PATRIMOINE, ECLAIRAGE),  # all the words above some of them
    ("coeur de ville commerces", COMMERCES, CIRCULATION),  # all the words above some of them
    ("street lighting", ECLAIRAGE, PATRIMOINE),  # English: all the words above « lighting » alone
    ("Genève", GENEVE, VELOS),  # the city's own name above a practice of that city
    ("Québec", QUEBEC, PORTAIL),
    ("Dakar", DAKAR, CLIMAT),
    ("ordures", DECHETS, CIRCULATION),  # the exact word above a typo's match (« bordures »)
    ("Sobriété énergétique", SOBRIETE, CADRE_PRATIQUE),  # a criterion's label above a text quoting it
    ("Charte de la donnée de Nantes Métropole (2019)", CHARTE_2019, GUIDE),  # a charter's title first
]
