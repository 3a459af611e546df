"""Names and texts of the AMI's demo: the CA de Lens-Liévin's 2021 call and the current one."""

from __future__ import annotations

CALL_2021_TITLE = "AMI cohésion sociale 2021"
CO_FUNDER = "Conseil Régional Hauts-de-France"
SPECIFICATION = (
    "<p>L'agglomération de Lens-Liévin soutient les initiatives associatives qui renforcent la "
    "cohésion sociale dans les quartiers prioritaires de la politique de la ville.</p>"
    "<ul><li>Répondre aux besoins sociaux non couverts par le contrat de ville ;</li>"
    "<li>promouvoir les démarches exemplaires et innovantes ;</li>"
    "<li>soutenir les opérateurs les plus proches du terrain.</li></ul>"
    "<p>La demande tient sur une page recto-verso. Les actions en direction des femmes et les "
    "projets portés par plusieurs associations sont financés à 80 %.</p>"
)

THEMES = ("Éducation", "Insertion professionnelle et sociale", "Santé", "Inclusion numérique")

CRITERIA = (
    ("Réponse à des besoins non couverts", 3),
    ("Innovation sociale", 2),
    ("Proximité avec les habitants", 2),
    ("Coopération entre associations", 2),
    ("Cohérence du budget", 1),
)

#: (name, national code, INSEE codes of its communes)
QPVS = (
    ("Cité 9 — Lens", "QN06201M", ("62498",)),
    ("Cité 12-14 — Lens", "QN06202M", ("62498",)),
    ("Résidence Sellier — Lens", "QN06203M", ("62498",)),
    ("Cité Saint-Albert — Liévin", "QN06204M", ("62510",)),
    ("Cité 2-5 de Calonne — Liévin", "QN06205M", ("62510",)),
    ("Cité 5 — Grenay / Loos-en-Gohelle", "QN06206M", ("62386", "62528")),
    ("Cité Pierard — Méricourt / Billy-Montigny", "QN06207M", ("62570", "62133")),
    ("Cité du 4 — Avion", "QN06208M", ("62065",)),
)

#: (name, RNA number, INSEE code of its commune)
ASSOCIATIONS = (
    ("Les Petits Débrouillards Hauts-de-France (antenne de Lens)", "W622001234", "62498"),
    ("Lire et faire lire en Gohelle", "W622001871", "62528"),
    ("Accompagnement scolaire de la Cité 9", "W622002403", "62498"),
    ("Parents d'élèves solidaires de Liévin", "W622003318", "62510"),
    ("Cap Réussite Avion", "W622004129", "62065"),
    ("Atelier des savoirs de Méricourt", "W622004780", "62570"),
    ("Centre social Vachala", "W622005512", "62498"),
    ("Initiatives pour l'emploi en Artois", "W622006245", "62510"),
    ("Chantier école des terrils", "W622006933", "62528"),
    ("Mobilité solidaire Lens-Liévin", "W622007614", "62498"),
    ("Femmes actives du bassin minier", "W622008302", "62386"),
    ("Jardins partagés de la Cité 12", "W622009027", "62498"),
    ("Boutique de gestion du Pas-de-Calais (Lens)", "W622009718", "62498"),
    ("Régie de quartier de Billy-Montigny", "W622010456", "62133"),
    ("Maison de santé associative de Sallaumines", "W622011183", "62771"),
    ("Sport santé Gohelle", "W622011870", "62528"),
    ("Écoute et prévention jeunes Liévin", "W622012544", "62510"),
    ("Nutrition et bien-être en familles", "W622013219", "62065"),
    ("Addictions Prévention Artois", "W622013907", "62498"),
    ("Bouger à Grenay", "W622014632", "62386"),
    ("Espace numérique de Calonne", "W622015308", "62510"),
    ("Connect'Seniors Avion", "W622016071", "62065"),
    ("Emmaüs Connect (permanence de Lens)", "W622016755", "62498"),
    ("Les Clés du numérique Méricourt", "W622017430", "62570"),
    ("Fab lab de la Base 11/19", "W622018116", "62528"),
    ("Radio Plus Quartiers", "W622018802", "62498"),
    ("Théâtre de l'Arrière-Cour", "W622019574", "62510"),
    ("Entraide des Cités d'Avion", "W622020261", "62065"),
    ("Collectif des habitants de la Cité Pierard", "W622020945", "62570"),
    ("Tremplin jeunes Billy-Montigny", "W622021633", "62133"),
)

#: the demo account's association (created by app/demo.py)
DEMO_ASSOCIATION = "Femmes et quartiers"
DEMO_ASSOCIATION_RNA = "W623004512"

#: action titles per theme (the 2021 call: 8 / 7 / 7 / 6 applications)
TITLES = {
    "Éducation": (
        "Les sciences en bas de chez toi",
        "Lire ensemble à la Cité 5",
        "Devoirs faits, parents rassurés",
        "Café des parents",
        "Stages de réussite pendant les vacances",
        "Ateliers philo pour les 8-12 ans",
        "École ouverte aux familles",
        "Égalité filles-garçons : une pièce à jouer ensemble",
    ),
    "Insertion professionnelle et sociale": (
        "Parcours vers l'emploi des jeunes des cités",
        "Chantier d'insertion sur les terrils",
        "Permis solidaire",
        "Femmes et entrepreneuriat",
        "Jardins partagés et remobilisation",
        "Créer son activité en quartier",
        "Régie de quartier : premiers pas vers l'emploi",
    ),
    "Santé": (
        "Bilans de santé de proximité",
        "Sport sur ordonnance en Gohelle",
        "Point écoute jeunes",
        "Cuisine et santé en familles",
        "Prévention des addictions au collège",
        "Marche nordique pour toutes",
        "Santé mentale : briser le silence",
    ),
    "Inclusion numérique": (
        "Démarches en ligne sans stress",
        "Tablettes pour nos aînés",
        "Recharge solidaire et accompagnement",
        "Le numérique en famille",
        "Fabriquer pour apprendre",
        "Une radio faite par les habitants",
    ),
}

#: ineligible applications: (theme index, position in theme) -> reason
INELIGIBLE = {
    (1, 6): "Le projet ne touche aucun quartier prioritaire de l'agglomération.",
    (3, 5): "Dossier incomplet : le budget de l'action n'a pas été fourni malgré la relance.",
}

#: funded applications: (theme index, position in theme) -> granted euros; the first is
#: co-funded by the Conseil Régional (7 000 €); the Éducation #7 one is the demo association's
#: "page blanche"
FUNDED = {
    (0, 0): 15_000,
    (1, 0): 14_500,
    (2, 0): 13_200,
    (3, 0): 12_800,
    (1, 3): 12_000,
    (2, 1): 11_491,
    (0, 2): 12_000,
    (3, 2): 10_500,
    (0, 7): 5_000,
}
CO_FUNDED = ((0, 0), 7_000)
#: funded actions that entered the contrat de ville in 2022
CITY_CONTRACT = ((0, 0), (1, 0), (2, 0), (3, 0), (1, 3))
#: eligible but not funded: (theme index, position) -> (outcome, note)
REDIRECTED = {
    (0, 4): "Le projet relève du programme de réussite éducative : contact pris avec la ville.",
    (1, 2): "Le permis solidaire peut être financé par le Fonds d'aide aux jeunes.",
    (2, 4): "Orientation vers l'appel à projets de l'Agence régionale de santé.",
    (3, 3): "Orientation vers le dispositif des conseillers numériques France Services.",
}
INTRODUCED = ((0, 5), (1, 4), (2, 5))

JURY = (
    ("jury", "Membre du jury AMI", "citizen_council"),
    ("jury.elu", "Bernard Lemaire (vice-président cohésion sociale)", "elected"),
    ("jury.equipe", "Nadia Boukhalfa (direction cohésion sociale)", "epci_staff"),
    ("jury.fondation", "Claire Vasseur (fondation territoriale)", "foundation"),
    ("jury.prefet", "Olivier Delcroix (délégué du préfet)", "state"),
    ("jury.irev", "Sandrine Hocquet (IREV)", "resource_centre"),
)
HEARING_PLACE = "Hôtel communautaire, 21 rue Marcel Sembat, Lens — salle du conseil"

PUBLICS = (
    "Enfants de 6 à 11 ans et leurs parents",
    "Jeunes de 16 à 25 ans sans emploi ni formation",
    "Femmes isolées des quartiers prioritaires",
    "Familles des cités minières",
    "Personnes âgées éloignées du numérique",
    "Habitants du quartier, tous âges",
)
OBJECTIVES = (
    "Lever les freins qui éloignent les habitants des quartiers des dispositifs existants, en "
    "allant vers eux là où ils vivent.",
    "Créer du lien entre habitants et associations, et donner à chacun les moyens d'agir.",
    "Répondre à un besoin repéré par les acteurs de terrain et peu couvert par le droit commun.",
)
ACTIONS = (
    "Ateliers hebdomadaires au pied des immeubles, permanences dans les centres sociaux et une "
    "restitution publique en fin d'année.",
    "Accompagnement individuel, sessions collectives de deux heures, sorties et rencontres avec "
    "des professionnels du territoire.",
    "Repérage avec les partenaires, cycle de dix séances, évaluation avec les participants.",
)
