"""French text banks for the demo contracts: titles, intros, objectives and sentence templates.

Several phrasings per theme so that no single template sentence identifies a theme. No text here names
an organisation or scheme of the lexicons: names only enter through mentions, so the gold stays exact.
In templates, `{E}` marks where the naming of an entity goes and `{action}` an action of the theme.
"""

from __future__ import annotations

THEMES = [
    "emploi",
    "education_jeunesse",
    "sante",
    "acces_droits",
    "cadre_vie",
    "securite",
    "culture",
    "transitions",
    "egalite_fh",
    "discriminations",
]

THEME_LABELS = {
    "gouvernance": "Gouvernance",
    "participation": "Participation citoyenne",
    "emploi": "Emploi et développement économique",
    "sante": "Santé",
    "culture": "Culture",
    "education_jeunesse": "Éducation et jeunesse",
    "acces_droits": "Accès aux droits",
    "cadre_vie": "Cadre de vie et habitat",
    "securite": "Tranquillité publique et prévention de la délinquance",
    "transitions": "Transitions",
    "egalite_fh": "Égalité femmes-hommes",
    "discriminations": "Lutte contre les discriminations",
    "evaluation": "Évaluation",
}

AXIS_TITLES = {
    "emploi": [
        "Favoriser l'insertion professionnelle et l'activité économique",
        "Un quartier qui travaille : emploi, formation, entrepreneuriat",
        "Lever les freins à l'emploi et soutenir la création d'activité",
        "Développement économique et accès à l'emploi",
    ],
    "education_jeunesse": [
        "Réussite éducative et accompagnement de la jeunesse",
        "Grandir dans le quartier : éducation, parentalité, jeunesse",
        "Une ambition éducative pour chaque enfant",
        "Éducation, jeunesse et soutien à la parentalité",
    ],
    "sante": [
        "Promouvoir la santé et l'accès aux soins",
        "Santé, bien-être et santé mentale",
        "Réduire les inégalités sociales de santé",
        "Prendre soin des habitants : santé et prévention",
    ],
    "acces_droits": [
        "Accès aux droits et lien social",
        "Garantir l'accès aux droits et aux services publics",
        "Lutter contre le non-recours et l'isolement",
        "Des droits effectifs pour tous",
    ],
    "cadre_vie": [
        "Améliorer le cadre de vie et l'habitat",
        "Habiter le quartier : logement, espaces publics, mobilité",
        "Un cadre de vie apaisé et de qualité",
        "Renouvellement urbain et gestion de proximité",
    ],
    "securite": [
        "Tranquillité publique et prévention de la délinquance",
        "Vivre en sécurité dans son quartier",
        "Prévenir la délinquance et apaiser l'espace public",
        "Sécurité du quotidien et médiation",
    ],
    "culture": [
        "Culture, patrimoine et pratiques artistiques",
        "L'accès de tous à la culture",
        "Faire vivre la culture au cœur des quartiers",
        "Culture et expression des habitants",
    ],
    "transitions": [
        "Transitions écologique et énergétique",
        "Un quartier résilient face au changement climatique",
        "Accompagner les transitions dans les quartiers",
        "Écologie du quotidien et sobriété",
    ],
    "egalite_fh": [
        "Égalité entre les femmes et les hommes",
        "Place des femmes dans l'espace public et l'emploi",
        "Promouvoir l'égalité femmes-hommes",
        "Droits des femmes et lutte contre les violences",
    ],
    "discriminations": [
        "Lutte contre les discriminations",
        "Prévenir toutes les formes de discrimination",
        "Égalité de traitement et lutte contre le racisme",
        "Agir contre les discriminations",
    ],
}

AXIS_INTROS = {
    "emploi": [
        "Le taux de chômage des habitants des quartiers prioritaires reste nettement supérieur à celui de "
        "l'agglomération, en particulier chez les jeunes et les femmes.",
        "Les acteurs de l'insertion constatent un éloignement durable d'une partie des habitants du marché du "
        "travail, lié à la mobilité, à la garde d'enfants et à la maîtrise de la langue.",
        "L'emploi est relié à l'insertion socio-professionnelle : il s'agit de construire des parcours sans rupture, "
        "du repérage jusqu'à l'emploi durable.",
    ],
    "education_jeunesse": [
        "La part des moins de 25 ans est élevée dans les quartiers et les écarts de réussite scolaire persistent dès "
        "l'école élémentaire.",
        "Le décrochage scolaire, la fragilité de certaines familles et le manque de lieux pour les adolescents sont "
        "revenus dans toutes les réunions publiques.",
        "L'ambition éducative du territoire repose sur la continuité entre les temps scolaire, périscolaire "
        "et familial.",
    ],
    "sante": [
        "L'offre de soins de premier recours est fragile et plusieurs médecins généralistes partent à la retraite "
        "sans successeur.",
        "Les habitants déclarent plus souvent renoncer à des soins, et la santé mentale des jeunes est une "
        "préoccupation partagée.",
        "La santé est abordée de manière transversale, en lien avec l'alimentation, le logement et "
        "l'activité physique.",
    ],
    "acces_droits": [
        "Le non-recours aux prestations reste important, notamment chez les personnes âgées isolées et les familles "
        "monoparentales.",
        "La dématérialisation des démarches éloigne une partie des habitants de leurs droits : l'inclusion numérique "
        "est une priorité.",
        "L'accès aux droits passe par l'aller-vers, la médiation sociale et une meilleure coordination des guichets.",
    ],
    "cadre_vie": [
        "Le parc de logements sociaux est ancien et une partie des copropriétés privées se dégrade.",
        "Les habitants demandent des espaces publics plus propres, plus verts et mieux éclairés.",
        "La mobilité reste un frein majeur : desserte en transports en commun limitée le soir et le week-end.",
    ],
    "securite": [
        "Les troubles à la tranquillité publique se concentrent autour de quelques points de regroupement.",
        "Le sentiment d'insécurité exprimé par les habitants dépasse souvent les faits constatés.",
        "La prévention de la délinquance repose sur la présence humaine, la médiation et le travail avec les familles.",
    ],
    "culture": [
        "L'offre culturelle est concentrée en centre-ville et peu fréquentée par les habitants des quartiers.",
        "Les pratiques artistiques amateurs sont nombreuses mais peu visibles et peu soutenues.",
        "La culture est pensée comme un levier d'émancipation, d'ouverture et de fierté pour les quartiers.",
    ],
    "transitions": [
        "Les quartiers sont exposés aux îlots de chaleur et à la précarité énergétique.",
        "La transition écologique doit bénéficier en premier lieu aux ménages modestes.",
        "Jardins partagés, réemploi et sobriété énergétique sont autant de leviers pour le quotidien.",
    ],
    "egalite_fh": [
        "Les femmes des quartiers sont plus souvent à temps partiel subi et à la tête de familles monoparentales.",
        "L'occupation de l'espace public reste très inégale entre les femmes et les hommes.",
        "L'égalité femmes-hommes est un enjeu transversal qui doit irriguer chacun des axes du contrat.",
    ],
    "gouvernance": [
        "Le partenaire participe aux instances de pilotage et à la programmation annuelle du contrat.",
        "Son engagement porte sur la coordination des financements et la mobilisation du droit commun.",
        "Il contribue au suivi des actions et à la préparation de l'évaluation à mi-parcours.",
    ],
    "discriminations": [
        "Les habitants font état de discriminations liées à l'adresse, à l'origine ou au nom, en particulier à "
        "l'embauche.",
        "La lutte contre les discriminations suppose de former les professionnels et de faciliter le recours au droit.",
        "Le contrat réaffirme l'égalité de traitement comme principe de toutes les actions financées.",
    ],
}

OBJECTIVES = {
    "emploi": [
        "Repérer et mobiliser les publics invisibles",
        "Lever les freins périphériques à l'emploi",
        "Soutenir la création d'activité et l'entrepreneuriat",
        "Mobiliser les entreprises du territoire",
        "Développer l'offre de formation qualifiante",
    ],
    "education_jeunesse": [
        "Prévenir le décrochage scolaire",
        "Soutenir les parents dans leur rôle éducatif",
        "Diversifier l'offre de loisirs éducatifs",
        "Favoriser l'orientation et l'ouverture",
    ],
    "sante": [
        "Faciliter l'accès aux soins de premier recours",
        "Développer la prévention et la promotion de la santé",
        "Agir sur la santé mentale des jeunes",
        "Promouvoir une alimentation saine et l'activité physique",
    ],
    "acces_droits": [
        "Réduire le non-recours aux droits",
        "Accompagner les habitants vers le numérique",
        "Renforcer la médiation sociale",
        "Rompre l'isolement des personnes âgées",
    ],
    "cadre_vie": [
        "Améliorer la qualité des logements",
        "Requalifier les espaces publics",
        "Renforcer la propreté et l'entretien",
        "Faciliter la mobilité des habitants",
    ],
    "securite": [
        "Prévenir la délinquance des mineurs",
        "Apaiser l'espace public",
        "Accompagner les victimes",
        "Renforcer la présence humaine de proximité",
    ],
    "culture": [
        "Développer l'éducation artistique et culturelle",
        "Soutenir les pratiques amateurs",
        "Valoriser le patrimoine et la mémoire des quartiers",
    ],
    "transitions": [
        "Lutter contre la précarité énergétique",
        "Végétaliser les quartiers",
        "Développer l'économie circulaire et le réemploi",
    ],
    "egalite_fh": [
        "Favoriser l'accès des femmes à l'emploi",
        "Lutter contre les violences faites aux femmes",
        "Rendre l'espace public plus mixte",
    ],
    "gouvernance": [
        "Participer aux instances de pilotage",
        "Mobiliser les crédits de droit commun",
        "Contribuer au suivi annuel du contrat",
    ],
    "discriminations": [
        "Former les acteurs à la non-discrimination",
        "Faciliter le signalement des discriminations",
        "Lutter contre les discriminations à l'embauche",
    ],
}

ACTIONS = {
    "emploi": [
        "accompagner les demandeurs d'emploi des quartiers vers une formation qualifiante",
        "renforcer l'aller-vers auprès des jeunes sans solution",
        "soutenir les porteurs de projets",
        "développer les clauses d'insertion dans les marchés publics",
        "faciliter le recrutement local",
    ],
    "education_jeunesse": [
        "prévenir le décrochage scolaire des collégiens",
        "soutenir la parentalité",
        "développer l'accompagnement à la scolarité",
        "ouvrir les jeunes à l'orientation",
    ],
    "sante": [
        "améliorer l'accès aux soins des habitants",
        "développer des actions de prévention santé",
        "renforcer le repérage des troubles de santé mentale",
        "lutter contre le renoncement aux soins",
    ],
    "acces_droits": [
        "réduire le non-recours aux prestations",
        "accompagner les démarches en ligne",
        "coordonner les lieux d'accueil du public",
        "développer la médiation sociale",
    ],
    "cadre_vie": [
        "améliorer la qualité du bâti et des logements",
        "renforcer la gestion de proximité",
        "requalifier les espaces extérieurs",
        "lutter contre l'habitat indigne",
    ],
    "securite": [
        "prévenir la récidive",
        "renforcer la prévention de la délinquance des jeunes",
        "apaiser les tensions dans l'espace public",
        "accompagner les victimes de violences",
    ],
    "culture": [
        "développer l'éducation artistique et culturelle",
        "accueillir des artistes en résidence",
        "favoriser la fréquentation des équipements culturels",
    ],
    "transitions": [
        "réduire la précarité énergétique des ménages",
        "végétaliser les cours et les places",
        "sensibiliser les habitants à la sobriété",
    ],
    "egalite_fh": [
        "favoriser l'insertion professionnelle des femmes",
        "prévenir les violences intrafamiliales",
        "sensibiliser les jeunes à l'égalité",
    ],
    "discriminations": [
        "former les recruteurs à la non-discrimination",
        "recueillir les signalements",
        "sensibiliser les jeunes aux préjugés",
    ],
    "gouvernance": ["suivre la mise en œuvre du contrat", "coordonner les financements"],
    "participation": ["associer les habitants aux décisions", "animer les instances participatives"],
}

# {E} = the entity's naming (capitalised when first), {action} = an action of the theme.
PARTNER_TEMPLATES = [
    ("{E} s'engage à {action}.", ""),
    ("En lien avec {E}, les signataires veilleront à {action}.", "avec"),
    ("Le partenariat {E} permettra de {action}.", "avec"),
    ("{E} apportera son expertise afin de {action}.", ""),
    ("Une convention sera conclue {E} afin de {action}.", "avec"),
    ("Les équipes {E} seront mobilisées pour {action}.", "de"),
    ("Au titre de ses compétences, {E} contribuera à {action}.", ""),
    ("Les moyens de droit commun {E} seront fléchés vers les quartiers afin de {action}.", "de"),
    ("Sous l'impulsion {E}, un groupe de travail aura pour mission de {action}.", "de"),
    ("Le concours {E} est sollicité pour {action}.", "de"),
    ("{E} participera à la commission thématique et aidera à {action}.", ""),
    ("Il est prévu de renforcer la coopération {E} pour {action}.", "avec"),
]

DISPOSITIF_TEMPLATES = [
    ("Le contrat de ville s'articule {E} pour {action}.", "avec"),
    ("Les actions de cet axe s'inscrivent en cohérence {E}.", "avec"),
    ("{E} constitue un levier essentiel pour {action}.", ""),
    ("L'articulation {E} sera recherchée afin de {action}.", "avec"),
    ("Les objectifs rejoignent ceux {E}, dont le plan d'actions prévoit de {action}.", "de"),
    ("Dans le cadre {E}, les partenaires entendent {action}.", "de"),
    ("La mobilisation {E} permettra de {action}.", "de"),
    ("{E} sera mobilisé en complémentarité des crédits spécifiques pour {action}.", ""),
]

CONTRASTIVE_TEMPLATES = [
    ("{E}, qui n'est pas signataire du présent contrat, participera aux travaux de la commission « {label} ».", ""),
    ("Bien que non signataire, {E} sera associé aux instances techniques sur le volet « {label} ».", ""),
    ("{E}, non signataire, sera consultée en tant que de besoin sur le volet « {label} ».", ""),
]

SENSE_SENTENCES = {
    "cls_sante": [
        "{E}, qui fixe la feuille de route santé du territoire, prévoit un volet dédié à l'accès aux "
        "soins des habitants des quartiers.",
        "Les actions de prévention santé seront articulées avec {E}, notamment sur la santé mentale et les addictions.",
    ],
    "cls_securite": [
        "{E} définit les priorités en matière de tranquillité publique et de lutte contre la "
        "délinquance dans les quartiers.",
        "Les patrouilles et la vidéoprotection prévues par {E} seront coordonnées avec la médiation.",
    ],
    "cej_jeune": [
        "{E} permettra d'accompagner les jeunes de 16 à 25 ans vers l'emploi ou la formation, avec "
        "une allocation mensuelle.",
        "Les jeunes éloignés de l'emploi seront orientés vers {E} et son accompagnement intensif.",
    ],
    "cej_enfance": [
        "{E}, qui finançait les accueils de la petite enfance et les accueils de loisirs, arrive à "
        "son terme et laisse place à de nouvelles modalités de financement.",
        "Les places d'accueil du jeune enfant autrefois financées par {E} seront maintenues.",
    ],
}

# The body the preamble's footnote cites: an organisation outside the lexicons that the gold accepts as a candidate
# name without requiring it (`acceptable_candidates`), as the real-prose golds list the bodies named in passing.
FOOTNOTE_BODY = "Comité interministériel des villes"

PREAMBLE = [
    "La politique de la ville est une politique de cohésion urbaine et de solidarité envers les quartiers "
    "défavorisés et leurs habitants.",
    "Le présent contrat de ville Engagements Quartiers 2030 succède au contrat 2015-2023, prolongé jusqu'au "
    "31 décembre 2023.",
    "Il traduit un projet de territoire partagé, élaboré à partir des évaluations du précédent contrat et d'une "
    "large concertation des habitants.",
    "Il s'inscrit dans le cadre fixé par la loi n° 2014-173 du 21 février 2014 de programmation pour la ville et "
    "la cohésion urbaine, modifiée par la loi n° 2024-1 et précisée par la circulaire du 31 août 2023.",
    "La géographie prioritaire a été actualisée par le décret n° 2023-1314 du 28 décembre 2023.",
    "Le contrat est conclu pour la période 2024-2030 ; il pourra faire l'objet d'avenants.",
]

PARTICIPATION = [
    "Les habitants ont été associés à l'élaboration du contrat au travers de balades urbaines, d'ateliers et de "
    "questionnaires diffusés dans les lieux de proximité.",
    "Plus de trois cents habitants ont répondu au questionnaire ; les jeunes représentaient près de la moitié des "
    "répondants.",
    "Une instance de concertation réunissant habitants, associations et commerçants sera réunie au moins deux fois "
    "par an.",
    "Des tables de quartier permettront aux habitants de suivre la mise en œuvre du contrat.",
    "Un budget participatif expérimental sera proposé dans l'un des quartiers.",
]

EVALUATION = [
    "L'évaluation sera conduite à mi-parcours, en 2027, puis au terme du contrat.",
    "Un tableau de bord annuel rassemblera les indicateurs de réalisation et de résultat de chaque axe.",
    "Les habitants seront associés à l'évaluation au travers d'ateliers de lecture partagée des données.",
    "Une observation continue, appuyée sur les données de l'Insee et des partenaires, alimentera les travaux.",
]

FICHE_TEXT = [
    "Cette action vise à {action} en s'appuyant sur les ressources existantes du quartier.",
    "Le public visé est constitué prioritairement des habitants des quartiers prioritaires, sans distinction d'âge.",
    "Les modalités de mise en œuvre seront précisées chaque année dans le cadre de l'appel à projets.",
    "Le suivi sera assuré par le chef de projet politique de la ville, en lien avec les porteurs associatifs.",
    "Une attention particulière sera portée à l'égalité entre les filles et les garçons dans l'accès à l'action.",
    "Les résultats seront présentés chaque année au comité technique.",
]

FIRST_NAMES_F = ["Claire", "Sophie", "Nathalie", "Fatima", "Isabelle", "Valérie", "Sandrine", "Amina", "Hélène"]
FIRST_NAMES_M = ["Jean", "Karim", "Olivier", "Pierre", "Mehdi", "Laurent", "Thierry", "Christophe", "Julien"]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Roux",
    "Fabre",
    "Benali",
    "Garcia",
    "Vidal",
    "Rouquette",
    "Mas",
    "Castel",
    "Ferrand",
    "Lacombe",
    "Sabatier",
    "Brunel",
    "Pujol",
    "Azéma",
    "Delmas",
    "Chabert",
]

OUT_OF_LEXICON = [
    ("company", "Transports {town} Mobilité"),
    ("company", "SARL Propreté du Midi"),
    ("company", "Garrigues Recyclage Services"),
    ("club", "Union sportive {town} Quartiers"),
    ("club", "Boxing Club des Quartiers"),
    ("club", "Rugby Club {town} Olympique"),
    ("foundation", "Fondation Soleil Partagé"),
    ("foundation", "Fondation Garonne Solidarités"),
    ("association", "Association Trait d'Union {town}"),
    ("company", "Boulangerie coopérative du Canal"),
]

OUT_OF_LEXICON_SENTENCES = [
    "{O} s'est engagé à accueillir des jeunes du quartier en stage et en apprentissage.",
    "Un partenariat avec {O} permettra d'ouvrir des créneaux gratuits aux enfants du quartier.",
    "{O} soutient depuis 2022 des projets d'habitants et poursuivra son engagement.",
]
