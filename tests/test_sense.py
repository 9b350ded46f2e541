"""Mention senses: the committed mention model on real phrasings, features, and learning from reviewers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.classify import classify_document
from pipeline.lexicon import Lexicon
from pipeline.match import build_matcher, match_document
from pipeline.models import Models
from pipeline.review.store import DecisionStore, NewDecision
from pipeline.sense import (
    Mention,
    context_mention,
    entity_probabilities,
    excluded_by_format,
    fit_mention_model,
    head_before,
    head_class_of,
    mention_features,
    page_mention,
)
from pipeline.structure import analyse_structure
from pipeline.train import decision_examples
from pipeline.types import ExtractedDocument, Page
from pipeline.workspace import Workspace


def entities(lexicon: Lexicon, models: Models, text: str) -> set[str]:
    document = ExtractedDocument("c", "1" * 64, [Page(1, text)])
    hits = match_document(build_matcher(lexicon), document)
    detections = classify_document(document, hits, analyse_structure(document, lexicon, models), lexicon, models)
    return {d.entity_id for d in detections}


# Real phrasings of the real-prose tuning part (benchmarks/realprose/documents), one regression each.
@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        (  # rp01, loi du 21 février 2014, art. 6: collectivities in lower case and in the plural (a known regression
            # of the models trained from fresh53 to fresh98, « les régions » at P(entite) 0.6; 0.806 through fresh101)
            "Ces contrats sont signés par les départements et les régions.",
            {"conseil_departemental", "conseil_regional"},
            set(),
        ),
        (  # rp08, CGET: the collectivities in lower case among the contract's parties (« la région » closing the
            # list: P(entite) 0.819 through fresh113, 0.781 through fresh118, over 0.8 again through fresh122)
            "L'État et ses établissements publics, l'intercommunalité, les communes, le département et la région, "
            "ainsi que les autres acteurs institutionnels",
            {"conseil_departemental", "conseil_regional"},
            set(),
        ),
        (  # rp07, DREETS Centre-Val de Loire: the same words as territories
            "La région Centre-Val de Loire compte 19 contrats de ville, dont 5 dans le seul département du Loiret.",
            set(),
            {"conseil_departemental", "conseil_regional"},
        ),
        (  # rp17, Insee Analyses: the INSEE as a data source
            "Figure 1 – Population des quartiers prioritaires par département\n"
            "Sources : Insee, Recensement de la population 2018.",
            set(),
            {"insee", "conseil_departemental"},
        ),
        (  # a list of funders: the State without its article, a Region named by its name
            "avec le soutien des financeurs du contrat (État, Région Occitanie / Pyrénées-Méditerranée, "
            "Département de l'Aude, Caisse d'Allocations Familiales de l'Aude, Caisse des Dépôts).",
            {"etat", "conseil_regional", "conseil_departemental", "caf", "caisse_des_depots"},
            set(),
        ),
        pytest.param(  # rp25, Maire info: acronyms in mixed case, the national head of the CAF
            "la signature de ce contrat - qui les lie aux caisses d'allocations familiales (Caf) - est obligatoire, "
            "selon la convention adoptée en juillet 2018 par l'État et la Cnaf.",
            {"caf", "etat"},
            set(),
            marks=pytest.mark.xfail(
                strict=True,
                reason="known regression since the models trained through fresh113: « l'État » adopting a national "
                "convention gets P(entite) 0.768 (0.759 through fresh118), under the partners' acceptance "
                "threshold, chosen out of fold, which rose from 0.75 to 0.8",
            ),
        ),
        (  # rqb05 (Sarthe, CFA convention): a registration number between the word and the préfecture
            "Le CFA-MFR Les Forges, enregistré sous le n° 52 72 012 64 72 auprès de la Préfecture de la Sarthe, "
            "représenté par son directeur, accueille les apprentis.",
            set(),
            {"etat"},
        ),
        (  # rph13 (Paris, adultes-relais convention): where the association was registered, not a partner
            "L'association LE PETIT NEY, ayant son siège social [...] 75018 PARIS, régie par la loi du 1er juillet "
            "1901 et déclarée à la Préfecture le 10/10/1994, représentée par X. agissant en qualité de Président",
            set(),
            {"etat"},
        ),
    ],
)
def test_mentions_in_real_phrasings(
    lexicon: Lexicon, models: Models, text: str, present: set[str], absent: set[str]
) -> None:
    found = entities(lexicon, models, text)
    assert present <= found
    assert not (absent & found)


# Real phrasings of fresh45-53 (read after they were scored): formats that say the State is not a partner.
@pytest.mark.parametrize(
    ("text", "absent"),
    [
        (  # rqu20 (Pôle emploi and OFII convention): a country among others
            "aux étrangers non ressortissants de l'Union européenne, d'un autre Etat partie à l'Espace économique "
            "européen ou de la Confédération suisse",
            "etat",
        ),
        (  # rqt20 (Le Mans, crèche convention): where the association was declared
            'L\'Association ci-après dénommée "Les Farfouettes" (déclaration en Préfecture le 12 janvier 1990) '
            "représentée par sa présidente",
            "etat",
        ),
        (  # rqv03 (Lomme, model convention): a registration number given by the préfecture
            "L'association « NOM DE L'ASSOCIATION » (n° de déclaration de la préfecture : W 00000000) représentée par",
            "etat",
        ),
        (  # rqv13 (Saint-Paul, La Réunion): a company named for the territory it equips
            "au groupe Action Logement Immobilier et de la Société d'Équipement du Département de La Réunion (SEDRE).",
            "conseil_departemental",
        ),
        (  # rqz34 (Franche-Comté, FEDER): « d'État » without its article qualifies the funding
            "Les immeubles construits en 1958 n'ont jamais bénéficié des financements d'État accordés via l'ANRU.",
            "etat",
        ),
        (  # rqz13 (Paris, vœu 2011): the legality-control stamp written out
            "Délibération transmise au représentant de l'Etat le 1er mars 2011. Reçue par le représentant de l'Etat "
            "le 1er mars 2011.",
            "etat",
        ),
        (  # rqy20 (Agence du Service civique): the territory of the préfets
            "des délégués territoriaux de l'Agence (Préfets de région et de Département). Elles",
            "conseil_departemental",
        ),
        (  # rqs03 (Moselle): the register of associations of a tribunal (local law of Alsace-Moselle)
            "Familles Rurales de la Moselle, Association loi 1908, inscrite sur le registre spécial des associations "
            "du Tribunal d'Instance de Metz",
            "procureur",
        ),
        (  # rrb22 (Aix-Marseille, ADIL convention): a definition's source
            "Les publics visés par ce plan sont les personnes sans-domicile au sens de l'INSEE ainsi que les "
            "personnes hébergées.",
            "insee",
        ),
        (  # rrc05 (Lamentin, CUCS convention): the recteur's title of chancellor
            "la Rectrice de l'Académie, Directrice des services départementaux de l'Education Nationale, Chancelier "
            "de l'Université La Caisse des dépôts",
            "universite",
        ),
        (  # rrd20 (académies d'Île-de-France, CPME convention): the same title in the plural
            "le recteur de la région académique Île-de-France, recteur de l'académie de Paris, chancelier des "
            "universités de Paris, et la CPME",
            "universite",
        ),
        (  # rrd23 (UGAP, accord emploi): an agency named for its status, three words before « de l'Etat »
            "L'Union des Groupements d'Achats Publics (UGAP), établissement public industriel et commercial de "
            "l'Etat, créé par décret",
            "etat",
        ),
        (  # rrd24 (Atalian, accord diversité): the words of the address of a company's seat
            "La société Atalian, au capital de 1 003 587 euros, dont le siège social est situé ZI Nord Village – "
            "PMI 3 Lot 6 – Rue Jean, représentée par X.",
            "pmi",
        ),
        (  # rrd03 (JO 2016, convention État - Caisse des dépôts): a minister acting for the State
            "Entre : L'Etat, représenté par le Premier ministre, la ministre de l'éducation nationale, de "
            "l'enseignement supérieur et de la recherche, et la Caisse des dépôts",
            "education_nationale",
        ),
        (  # rrd10 (Toulouse, Grand Mirail): a press club is no sports club
            "Ce programme inédit, lancé par le Club de la presse Occitanie, accompagne les jeunes des quartiers.",
            "clubs_sportifs",
        ),
        ("2022 DAC 132 : Subventions (815.000 euros) et convention avec l'établissement public", "dac"),  # rre23
        ("53 - 2012, DAC 29 - Subventions (117.500 euros), avenant et convention avec l'Association", "dac"),  # rre34
        ("Le projet de délibération DAC 29 a été adopté par le Conseil de Paris.", "dac"),  # rre34
        ("2018 DDCT 3 - DAC - DJS - DFPE - DPSP - Subventions (666.915 euros), 31 avenants", "dac"),  # rra19
        ("Bruxelles, le REGIO DGA2.D.3D(2014)PEL/ga - 565366\nMonsieur le Préfet,", "pel"),  # rqz24
        (  # rre01 (Aix-en-Provence, avenant Keolis): the legality control of a deliberation
            "par délibération en date du 20 septembre 2018, rendue exécutoire par sa transmission en Préfecture des "
            "Bouches-du-Rhône le 3 octobre 2018",
            "etat",
        ),
        (  # rrg22 (Rouen, Amis des musées): where the statutes were filed
            "immatriculée sous le numéro de Siret 490 926 741 000 25 dont les statuts ont été déposés en préfecture "
            "le 23 février 1990",
            "etat",
        ),
        (  # rre11 (IGAS-CGPC report): a State council named for its field
            "Conseil général des ponts et chaussées — Inspection générale des affaires sociales N° 2005-0376-01",
            "conseil_departemental",
        ),
        (  # rrw30 (GPIS, Wikipédia): the RATP's social landlord among the group's members
            "douze bailleurs sociaux parisiens (Paris Habitat, RIVP, Immobilière 3F, ICF - La Sablière, RATP Habitat, "
            "Aximo)",
            "ratp",
        ),
        (  # rru38 (circulaire DGEFP 2001-34): a division of the ministry's delegation, named for its field
            "Délégation générale à l'emploi et à la formation professionnellle Département du fonds social européen "
            "et des programmes communautaires Circulaire DGEFP no 2001-34",
            "conseil_departemental",
        ),
    ],
)
def test_a_format_of_fresh45_to_fresh59_says_not_the_partner(
    lexicon: Lexicon, models: Models, text: str, absent: str
) -> None:
    assert absent not in entities(lexicon, models, text)


def test_a_body_in_an_e_mail_or_web_address_is_not_named_by_it(lexicon: Lexicon, models: Models) -> None:
    """Regression (rsg35, Côte-d'Or France services page): « Écrivez à l'équipe France Services
    france-services@anct.gouv.fr » counted the ANCT, which the page names nowhere else; a body named in the text
    beside its web address is still found."""
    text = (
        "Rapprochez-vous de votre préfet de département. Écrivez à l'équipe France Services "
        "france-services@anct.gouv.fr Un lieu"
    )
    assert "anct" not in entities(lexicon, models, text)
    assert "caf" not in entities(lexicon, models, "Plus d'informations sur www.caf.fr et sur le site de la commune.")
    assert "caf" in entities(lexicon, models, "La CAF de la Gironde finance l'action (www.caf.fr).")
    assert "anru" not in entities(lexicon, models, "Le dossier est en ligne : https://www.ecologie.gouv.fr/anru ; lire")


def test_a_scheme_or_council_outside_those_formats_is_still_found(lexicon: Lexicon, models: Models) -> None:
    text = (
        "Le DAC accompagne les professionnels de santé. Le Conseil général de la "
        "Gironde et le conseil général du Nord financent le dispositif."
    )
    dac = page_mention(text, 3, 6, "dac", "dispositif", "sigle", False, False)
    assert not excluded_by_format(dac)  # no format rule reads « Le DAC accompagne » as a deliberation's code
    assert "conseil_departemental" in entities(lexicon, models, text)
    # the bare acronym reads P(entite) 0.745 with the models through fresh80, under the dispositifs' threshold 0.75
    # (accepted through fresh77): named once in full, it is found
    defined = "Le DAC (dispositif d'appui à la coordination) accompagne les professionnels de santé du territoire."
    assert "dac" in entities(lexicon, models, defined)


def test_the_state_that_signs_is_still_the_state(lexicon: Lexicon, models: Models) -> None:
    assert "etat" in entities(lexicon, models, "La convention est signée par l'État et les États membres du réseau.")
    found = entities(
        lexicon,
        models,
        "L'Etat, représenté par le préfet, et la CAF. Le ministre de l'Éducation "
        "nationale a visité l'école ; le siège social est situé à Lyon, la CAF finance.",
    )
    assert {"etat", "caf"} <= found
    found = entities(lexicon, models, "La Société du Grand Paris et le Département de la Seine-Saint-Denis financent.")
    assert "conseil_departemental" in found
    assert "conseil_departemental" in entities(lexicon, models, "Le Département du Gard finance l'action.")
    assert "ratp" in entities(lexicon, models, "La RATP et le bailleur Paris Habitat signent la convention.")


def test_the_minister_of_education_is_the_education_nationale(lexicon: Lexicon, models: Models) -> None:
    """P(entite) 0.800 through fresh122 and fresh124, 0.804 through fresh126: on the partners' threshold, under it
    through fresh122 only."""
    found = entities(
        lexicon,
        models,
        "L'Etat, représenté par le préfet, et la CAF. Le ministre de l'Éducation "
        "nationale a visité l'école ; le siège social est situé à Lyon, la CAF finance.",
    )
    assert "education_nationale" in found


# Real phrasings of the fresh part (benchmarks/realprose/documents/rpf*.yaml): a lexicon word inside another
# body's name or a title is that body or title, not the partner (one regression each).
@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        (  # rpf29, answer of a minister (Assemblée nationale): national associations of collectivities
            "J'ai signé une convention avec l'Association des régions de France, et avec l'Assemblée des "
            "départements de France afin de mobiliser les fonds européens.",
            set(),
            {"conseil_regional", "conseil_departemental"},
        ),
        (  # rpf01, décret n° 2014-767: the Conseil d'Etat is a court, not the State as a partner
            "Vu la loi n° 2014-173 du 21 février 2014, notamment son article 5 ;\n"
            "Le Conseil d'Etat (section de l'intérieur) entendu,\nDécrète :",
            set(),
            {"etat"},
        ),
        (  # rpf09, préfecture d'Île-de-France: the région is the préfet's territory
            "Le quartier a été candidat dès la première vague de labellisation en mars 2019. X., alors préfet de la "
            "région d'Île-de-France, a présenté la démarche.",
            {"etat"},
            {"conseil_regional"},
        ),
        (  # rpf11, Banque des territoires: a secrétariat d'État named for the government's organisation
            "un appel à candidatures porté par le ministère de l'Éducation nationale et le secrétariat d'État "
            "chargé de la Citoyenneté et de la Ville.",
            {"education_nationale"},
            {"etat"},
        ),
        (  # rpf20, a convention's parties: where the association was registered
            "Et : L'association Trajectoire (régie de territoire Royan atlantique), régie par la loi du 1er juillet "
            "1901, déclarée en sous-préfecture de Rochefort (Charente-Maritime) le 17 février 2010.",
            {"regie_quartier"},
            {"etat"},
        ),
        pytest.param(  # rpf31, Sud Ouest: "CdC" is a communauté de communes, not the Caisse des dépôts
            "Le contrat est porté par la Communauté d'agglomération du Libournais (Cali), en lien avec la "
            "Communauté de communes de Castillon-Pujols, la CdC de Fronsac, celle du Grand Saint-Émilionnais.",
            set(),
            {"caisse_des_depots"},
            marks=pytest.mark.xfail(
                strict=True,
                reason="known regression of the models trained from fresh101 to fresh113 (P(entite) 0.822 to 0.842) "
                "and again through fresh122 (0.825), fresh124 (0.831), fresh126 (0.822) and fresh128 (0.828), over the "
                "partners' threshold 0.8; 0.771 through fresh118",
            ),
        ),
    ],
)
def test_a_lexicon_word_inside_another_name_is_not_the_partner(
    lexicon: Lexicon, models: Models, text: str, present: set[str], absent: set[str]
) -> None:
    test_mentions_in_real_phrasings(lexicon, models, text, present, absent)


def test_features_name_the_head_a_mention_is_the_complement_of() -> None:
    nested = Mention("conseil_regional", "partenaire", "variante", "régions", "convention avec l'Association des ", "")
    assert head_before(nested) == ("association", True)
    features = mention_features(nested)
    assert features["inside_name=organisation"] == 1.0 and features["head=association"] == 1.0
    title = Mention("conseil_regional", "partenaire", "variante", "région", "X., alors préfet de la ", " d'Île")
    assert head_before(title) == ("prefet", False)
    assert mention_features(title)["head_class=titre"] == 1.0
    assert head_before(Mention("etat", "partenaire", "variante", "État", "Signé par l'", "")) == ("signe", False)
    assert head_before(Mention("conseil_regional", "partenaire", "variante", "Région", "Pour la ", "")) == ("", False)


def test_features_read_data_source_and_territory_cues() -> None:
    source = Mention(
        "insee", "partenaire", "sigle", "Insee", "Figure 1\nSources : ", ", Recensement de la population 2018"
    )
    features = mention_features(source)
    assert features["source_cue"] == 1.0 and features["colon_before"] == 1.0 and features["shape=title:lexique"] == 1.0
    territory = Mention("conseil_departemental", "partenaire", "variante", "département", "dans le ", " de l'Aude.")
    features = mention_features(territory)
    assert features["territory_cue"] == 1.0 and features["place_after"] == 1.0 and features["capital_after"] == 1.0
    listed = Mention(
        "conseil_regional", "partenaire", "variante", "régions", "signés par les départements et les ", "."
    )
    assert mention_features(listed)["territory_cue"] == 0.0  # rp01: a list of collectivities, not a territory
    study = Mention("bpi", "partenaire", "sigle", "BPI", "31 % ailleurs selon une récente étude de la ", ". Comment ?")
    assert mention_features(study)["source_cue"] == 1.0  # rqv36: a study's author, a source
    seat = Mention("procureur", "partenaire", "ancien_nom", "tribunal de grande instance", "fixé au siège du ", ".")
    assert mention_features(seat)["address_cue"] == 1.0  # rqy10: the seat of a group, an address


def test_a_decision_context_is_a_mention_without_casing() -> None:
    mention = context_mention("figure 1 sources ⟦insee⟧ recensement de la population", "insee", "partenaire")
    assert mention is not None
    assert (mention.surface, mention.left.strip(), mention.printed) == ("insee", "figure 1 sources", False)
    assert context_mention("pas de marque", "insee", "partenaire") is None


def test_reviewers_rejections_teach_the_data_source_sense(tmp_path: Path, lexicon: Lexicon) -> None:
    workspace = Workspace(tmp_path / "ws")
    store = DecisionStore(workspace)
    for index in range(8):
        store.record(
            NewDecision(
                contract_id=f"c{index}",
                detection_id=f"d{index}",
                entity_id="insee",
                context=f"figure {index} sources ⟦insee⟧ recensement de la population 20{10 + index}",
                page=3,
                action="rejeter",
                before={},
                after={"status": "rejete"},
                reviewer="Anne",
            )
        )
    before = workspace.database.read_bytes()
    mentions, labels = decision_examples(workspace, lexicon)
    assert workspace.database.read_bytes() == before  # read-only use of the decisions
    assert labels == ["source"] * 8 and {m.entity_id for m in mentions} == {"insee"}
    partner = [
        Mention(
            "insee", "partenaire", "", "insee", f"le partenariat avec {w} l", " apporte son expertise", printed=False
        )
        for w in ("la ville", "l etat", "la caf", "la region", "la commune", "l agence", "le departement", "la cpam")
    ]
    model = fit_mention_model(partner + mentions, ["entite"] * len(partner) + labels)
    source, ally = entity_probabilities(
        model,
        [
            Mention("insee", "partenaire", "", "insee", "tableau 2 sources ", " recensement 2021", printed=False),
            Mention(
                "insee", "partenaire", "", "insee", "le partenariat avec la metropole l ", " apporte", printed=False
            ),
        ],
    )
    assert source < 0.5 < ally
    assert "source" in list(model.classes_)


SENSE_TEXT_SCRIPT = """
from pipeline.classify import sense_text
from pipeline.types import Hit, Page
page = Page(number=3, text="Le CLS réunit les partenaires de la santé et de la prévention.")
hit = Hit("cdv", "cls_sante", 3, 3, 6, "CLS", "", "acronyme", 1.0)
print(sense_text(page, hit, "securite", "sante", ["cls_securite"]))
"""


def test_sense_text_does_not_depend_on_the_hash_seed() -> None:
    """Regression: the section's and the table row's themes were joined in a set's order, which changes with
    Python's hash seed, so that a detection's sense probability and score changed from one run to the next
    (0.869 or 0.879 for the same CEJ mention of the demo corpus)."""
    texts = {
        subprocess.run(
            [sys.executable, "-c", SENSE_TEXT_SCRIPT],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(8)
    }

    assert texts == {
        "le  zzcible  reunit les partenaires de la sante et de la prevention. "
        "zzacr_cls zzth_sante zzth_securite zzent_cls_securite\n"
    }


def test_a_plural_head_word_is_of_its_singular_class() -> None:
    # rpx36: « les syndicats de policiers municipaux » are unions, not the municipal police
    assert head_class_of("syndicats") == head_class_of("syndicat") == "organisation"
    assert head_class_of("prefets") == "titre"
    assert head_class_of("vice-president") == head_class_of("vice-presidente") == "titre"  # rqe19, rqe26
    assert head_class_of("bus") == "autre"


@pytest.mark.parametrize(
    "text",
    [
        "Accusé de réception - Ministère de l'Intérieur",  # rpv02, rpx04
        "Accusé de réception en préfecture 095-249500109-20100219-08-2010-DE",  # rpv27
        "Reçu en préfecture le 12/03/2024",
        "AR Prefecture\n083-218301075-20210408-DEL0804202129-DE\nReçu le 13/04/2021",  # rpe22
        "077-227700010-20201113-lmc100000021225-DE - Acte Certifié exécutoire - Envoi Préfecture : 17/11/2020",  # rpd36
    ],
)
def test_the_legality_control_stamp_is_a_feature_of_its_mentions(text: str) -> None:
    word = next(w for w in ("Ministère de l'Intérieur", "préfecture", "Prefecture", "Préfecture") if w in text)
    start, end = text.find(word), text.find(word) + len(word)
    mention = page_mention(text, start, end, "etat", "partenaire", "lexique", False, False)
    assert mention_features(mention)["stamp_cue"] == 1.0


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("AR Prefecture\n083-218301075-20210408-DEL0804202129-DE\nReçu le 13/04/2021 Publié le 13/04/2021", False),
        ("Envoyé en préfecture le 17/11/2020\nReçu en préfecture le 17/11/2020\nID : 077-227700010-20201113", False),
        ("Certifié transmis au représentant de l'Etat le 26 Mars 2021.", False),  # rqc20
        ("Acte Certifié exécutoire – Envoi Préfecture : 17/02/2015 – Réception Préfet : 17/02/2015", False),  # rrw22
        ("Délibération affichée à l'Hôtel-de-Ville et transmise au représentant de l'Etat le 22", False),  # rqe31
        ("Date de télétransmission : 22/06/2015 Date de réception préfecture : 22/06/2015", False),  # rqh03
        ("La Communauté d'agglomération, sise Hôtel d'Agglomération, Parvis de la Préfecture, BP 80309", False),
        ("STRATÉGIE NATIONALE POUR UN NUMÉRIQUE INCLUSIF POUR LE SECRÉTARIAT D'ETAT AU NUMÉRIQUE", False),  # rqh37
        ("Les éducateurs titulaires du diplôme d'État d'éducateur spécialisé encadrent les jeunes.", False),
        (  # rqo24 (Corse): the water agency's status, not the State as a partner
            "et l'Agence de l'Eau Rhône-Méditerranée Corse, Établissement Public de l'État à caractère administratif",
            False,
        ),
        ("Les services de l'État accompagnent les porteurs de projets du quartier.", True),
        ("La préfecture de l'Aude finance le poste d'adulte-relais de l'association.", True),
    ],
)
def test_the_prefecture_of_a_legality_control_stamp_is_not_the_state(
    lexicon: Lexicon, models: Models, text: str, kept: bool
) -> None:
    """Regression (rpe22, rpd36, rqh03, rqf22, rqh37): the stamp's « Prefecture », an address, « d'État » in a
    compound were detected as the State, a partner."""
    assert ("etat" in entities(lexicon, models, text)) is kept


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("L'ETAT, représenté par X., Préfet de Région Ile-de-France, Préfet de Paris", "conseil_regional"),  # rqk01
        ("ET – L'Etat représenté par le Préfet du département du Morbihan, X.", "conseil_departemental"),  # rqk20
    ],
)
def test_the_territory_of_a_prefect_is_not_the_collectivity(
    lexicon: Lexicon, models: Models, text: str, absent: str
) -> None:
    found = entities(lexicon, models, text)
    assert absent not in found and "etat" in found


def test_counted_departements_are_a_feature_of_the_mention() -> None:
    text = "Le dispositif Ville Vie Vacances a concerné 95 départements, durant l'été."
    start = text.index("départements")
    mention = page_mention(text, start, start + 12, "conseil_departemental", "partenaire", "variante", False, False)
    assert mention_features(mention)["count_before"] == 1.0


def test_a_street_named_after_a_partner_is_an_address(lexicon: Lexicon, models: Models) -> None:
    assert "la_poste" not in entities(lexicon, models, "L'association a son siège au 12 rue de la Poste à Carcassonne.")
    assert "la_poste" in entities(lexicon, models, "La Poste ouvre un bureau au cœur du quartier.")


@pytest.mark.parametrize(
    "text",
    [
        "et le CER- Paris d'Arts et Métiers ParisTech 151 Bd de l'Hôpital 75013 Paris représenté par X.",  # rqp23
        "Le siège est au 12 BOULEVARD DE L'HÔPITAL, à Paris.",
    ],
)
def test_a_boulevard_named_after_the_hospital_is_an_address(lexicon: Lexicon, models: Models, text: str) -> None:
    """Regression (rqp23): « Bd » abbreviated before a number's street was read as the hospital, a partner."""
    assert "hopital" not in entities(lexicon, models, text)


def printed_mention(entity_id: str, left: str, surface: str, right: str) -> Mention:
    return Mention(entity_id, "partenaire", "nom", surface, left, right)


@pytest.mark.parametrize(
    ("mention", "excluded"),
    [
        # Regressions (2026-12-05): a format rule set these mentions of the training parts to 0 (OOF misses).
        # rpo29: « tiers », the end of « quartiers » cut to twelve characters, read as « États tiers »
        (
            printed_mention(
                "etat", 'de ces quartiers." X., ', "sous-préfète", "\nen charge de la politique de la ville"
            ),
            False,
        ),
        # rpm15, rsq08, rpc26: « déclarer » as a verb of speech, not a registration
        (printed_mention("etat", "des inégalités», a déclaré le ", "préfet", " du Pas-de-Calais, X., présent"), False),
        (printed_mention("etat", "depuis un moment », déclare le ", "préfet", " des Côtes-d'Armor, X., lundi"), False),
        (
            printed_mention("etat", "prioritaires. [...] » a déclaré X., ", "préfet", " de la région d'Ile-de-France"),
            False,
        ),
        # rrm27: a line of the State's budget
        (printed_mention("etat", "a été inscrite au budget de ", "l'Etat", " en faveur des établissements"), False),
        # rra04: « de l Isère », an apostrophe lost in a copy; rrp22: « du département de … »
        (
            printed_mention(
                "conseil_departemental", "Président du ", "Conseil général", " de l Isère, dûment habilité"
            ),
            False,
        ),
        (
            printed_mention(
                "conseil_departemental", "président du ", "conseil général", " du département de ..., agissant"
            ),
            False,
        ),
        # what the rules are for
        (printed_mention("etat", "les ", "États", " membres de l'Union"), True),
        (printed_mention("etat", "d'un autre ", "Etat", " partie à l'Espace économique européen"), True),
        (printed_mention("etat", "les associations déclarées en ", "Préfecture", " (loi 1901)"), True),
        (printed_mention("etat", "Enregistré sous le n° 52 72 012 64 72 auprès de la ", "Préfecture", ""), True),
        (printed_mention("conseil_departemental", "", "Conseil général", " des ponts et chaussées"), True),
        (
            printed_mention("conseil_departemental", "formation professionnelle - ", "Département", " du fonds social"),
            True,
        ),
    ],
)
def test_format_rules_on_real_phrasings(mention: Mention, excluded: bool) -> None:
    assert excluded_by_format(mention) == excluded
