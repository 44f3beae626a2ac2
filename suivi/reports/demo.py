"""The demo: a fictional agency, its partners and donors, and four projects of 2026.

Every row is written through the services of the apps, as field teams would write it, so the
audit trail, the reporting periods, the computed indicators and the lock of the first quarter
are those of real use. Organisations and user accounts, which have no service of their own, are
created directly, as an administrator does in /admin/.

The builder is deterministic: one random generator seeded with ``SEED`` decides every name,
date and count, and nothing depends on the order in which the database returns rows. All the
organisations, persons and places of the demo are fictional; the administrative areas are the
real P-codes of Mali and Mauritania.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command, get_commands
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from suivi.accounts.models import Organisation, OrganisationKind, Role, User
from suivi.accounts.services import membership_grant
from suivi.delivery import services as delivery
from suivi.delivery.models import Attendance, Distribution, Session
from suivi.lib.text import bare
from suivi.partners import services as partners
from suivi.partners.models import PartnerReport
from suivi.places import services as places
from suivi.places.models import Area, Site
from suivi.projects import services as projects
from suivi.projects.models import (
    Indicator,
    IndicatorValue,
    PlannedActivity,
    Project,
    ProjectBudget,
    ProjectTransaction,
    Result,
    Sector,
)
from suivi.registry import services as registry
from suivi.registry.models import WG_DOMAINS, Group, Household, Person, SpecificNeed
from suivi.reports import services as reports
from suivi.reports.donor import latin1

SEED = 2026
TODAY = datetime.date(2026, 11, 26)  # the demo's "today": Q4 2026 is the current quarter
YEAR = 2026
PASSWORD = "demo-Suivi-2026"
LEAD_NAME = "Agence Sahel Solidarité"
LEAD_ACRONYM = "ASSOL"
PARTNER_USER_ORG = "adei"  # the Bamako NGO whose focal point is partner@suivi.demo
DONOR_USER_PROJECT = "edu"  # the project the donor viewer is limited to

# Scale of the data: "full" for the demo that is served, "small" for the test suite.
SIZES = {"full": 1.0, "small": 0.25}

BAMAKO, GAO, KOULIKORO, MOPTI, SELIBABY = "ML0901", "ML0703", "ML0206", "ML0506", "MR102"
REQUIRED_PCODES = ("ML09", BAMAKO, "ML07", GAO, "ML02", KOULIKORO, "ML05", MOPTI, "MR10", SELIBABY)


# Eligibility rules of the demo projects (key: rule set name, criteria), checked at registration.
ELIGIBILITY_RULES = {
    "edu": (
        "Élèves et jeunes réfugiés ou hôtes de 12 à 24 ans à Bamako",
        [
            ("age", "between", [12, 24]),
            ("population_group", "in", ["refugee", "host"]),
            ("area", "in", ["ML09"]),
        ],
    ),
    "border": (
        "Participants adultes du Guidimakha",
        [("age", "at_least", 18), ("area", "in", ["MR10"])],
    ),
    "mig": (
        "Migrants et rapatriés à Bamako et Gao",
        [("population_group", "in", ["migrant", "returnee"]), ("area", "in", ["ML09", "ML07"])],
    ),
    "women": (
        "Femmes de 18 à 59 ans",
        [("sex", "in", ["F"]), ("age", "between", [18, 59])],
    ),
}


def D(month: int, day: int) -> datetime.date:
    return datetime.date(YEAR, month, day)


# --- Reference data ---------------------------------------------------------------------------

# (code, French, English, OECD DAC 5 code)
SECTORS = [
    ("education", "Éducation", "Education", "11320"),
    ("vocational_training", "Formation professionnelle", "Vocational training", "11330"),
    ("protection", "Protection", "Protection", "15160"),
    ("migration", "Migration et mobilité", "Migration and mobility", "15190"),
    ("livelihoods", "Moyens d'existence", "Livelihoods", "16020"),
    ("gender", "Égalité femmes-hommes", "Gender equality", "15170"),
]

# UNHCR specific-needs categories used in the demo: (code, French, English)
SPECIFIC_NEEDS = [
    ("CR", "Enfant à risque", "Child at risk"),
    ("DS", "Handicap", "Disability"),
    ("LP", "Besoin de protection juridique ou physique", "Legal or physical protection need"),
    ("SC", "Enfant non accompagné ou séparé", "Unaccompanied or separated child"),
    ("SM", "Affection médicale grave", "Serious medical condition"),
    ("SP", "Parent seul", "Single parent"),
    ("WR", "Femme à risque", "Woman at risk"),
]

# key: (name, kind, P-code)
SITES = {
    "lycee": ("Lycée public de Banconi", Site.Kind.SCHOOL, BAMAKO),
    "ecole": ("École fondamentale de Sébénikoro", Site.Kind.SCHOOL, BAMAKO),
    "cfp": ("Centre de formation professionnelle de Magnambougou", Site.Kind.SCHOOL, BAMAKO),
    "gouraye": ("Poste frontière de Gouraye", Site.Kind.BORDER_POST, SELIBABY),
    "mobile_post": ("Poste de contrôle mobile de Sélibaby", Site.Kind.BORDER_POST, SELIBABY),
    "wilaya_room": ("Salle de formation de la wilaya (Sélibaby)", Site.Kind.OFFICE, SELIBABY),
    "ct_bamako": ("Centre d'accueil et de transit de Bamako", Site.Kind.TRANSIT_CENTRE, BAMAKO),
    "ct_gao": ("Centre d'accueil et de transit de Gao", Site.Kind.TRANSIT_CENTRE, GAO),
    "sabalibougou": ("Sabalibougou", Site.Kind.VILLAGE, BAMAKO),
    "mf_koulikoro": ("Maison de la femme de Koulikoro", Site.Kind.OFFICE, KOULIKORO),
    "socoura": ("Socoura (site de personnes déplacées)", Site.Kind.VILLAGE, MOPTI),
    "mf_mopti": ("Maison de la femme de Mopti", Site.Kind.OFFICE, MOPTI),
}

# key: (name, acronym, kind, country)
ORGANISATIONS = {
    "lead": (LEAD_NAME, LEAD_ACRONYM, OrganisationKind.UN_AGENCY, "ML"),
    "adei": (
        "Association Djiguiya pour l'Éducation et l'Insertion",
        "ADEI",
        OrganisationKind.NATIONAL_NGO,
        "ML",
    ),
    "akpm": (
        "Association Kanuya pour la Protection des Migrants",
        "AKPM",
        OrganisationKind.NATIONAL_NGO,
        "ML",
    ),
    "gaam": ("Gao Accueil et Assistance aux Migrants", "GAAM", OrganisationKind.NATIONAL_NGO, "ML"),
    "dsm": ("Delta Solidarité Mopti", "DSM", OrganisationKind.NATIONAL_NGO, "ML"),
    "cjrb": ("Collectif des jeunes réfugiés de Bamako", "CJRB", OrganisationKind.REFUGEE_LED, "ML"),
    "egbt": (
        "Entreprise Guidimakha Bâtiment et Travaux",
        "EGBT",
        OrganisationKind.CONTRACTOR,
        "MR",
    ),
    "acts": (
        "Association communautaire Tenadi de Sélibaby",
        "ACTS",
        OrganisationKind.COMMUNITY_BASED,
        "MR",
    ),
    "fhe": ("Fondation Horizon Éducation", "FHE", OrganisationKind.DONOR, ""),
    "fea": ("Fonds européen pour l'autonomisation (fictif)", "FEA", OrganisationKind.DONOR, ""),
    "fgfs": (
        "Facilité pour la gestion des frontières au Sahel (fictive)",
        "FGFS",
        OrganisationKind.DONOR,
        "",
    ),
    "fhcs": ("Fonds humanitaire commun pour le Sahel (fictif)", "FHCS", OrganisationKind.DONOR, ""),
}

# (email, given name, family name, role)
USERS = [
    ("admin@suivi.demo", "Ousmane", "Diakité", Role.ADMINISTRATOR),
    ("manager@suivi.demo", "Mariam", "Koné", Role.PROGRAMME_MANAGER),
    ("me@suivi.demo", "Boubacar", "Sissoko", Role.ME_OFFICER),
    ("assistant@suivi.demo", "Aïssata", "Touré", Role.PROJECT_ASSISTANT),
    ("partner@suivi.demo", "Seydou", "Dembélé", Role.PARTNER_FOCAL_POINT),
    ("donor@suivi.demo", "Hélène", "Marchand", Role.DONOR_VIEWER),
]
DEMO_EMAILS = [email for email, *_rest in USERS]
WG_FIELDS = [name for name, _label in WG_DOMAINS]

# Reference data the administrator keeps in /admin/: (app label, model)
REFERENCE_MODELS = [
    ("places", "area"),
    ("places", "site"),
    ("projects", "sector"),
    ("registry", "specificneed"),
    ("accounts", "organisation"),
]

# --- Names ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Names:
    """A pool of names. ``style`` says how the family name is formed:

    "family": an inherited family name; "tamasheq": Ag (son of) / Walet (daughter of) and the
    father's name; "maure": Ould / Mint and the father's name.
    """

    families: tuple[str, ...]
    women: tuple[str, ...]
    men: tuple[str, ...]
    style: str = "family"
    country: str = "ML"

    def family_name(self, root: str, sex: str) -> str:
        if self.style == "tamasheq":
            return f"{'Walet' if sex == 'F' else 'Ag'} {root}"
        if self.style == "maure":
            return f"{'Mint' if sex == 'F' else 'Ould'} {root}"
        return root


def _split(names: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in names.split(","))


NAMES = {
    "mali_south": Names(
        families=_split(
            "Traoré, Coulibaly, Diarra, Keïta, Konaté, Sangaré, Koné, Dembélé, Sidibé, Diallo, "
            "Sissoko, Doumbia, Kanté, Camara, Bagayoko, Samaké, Diakité, Kouyaté, Fofana, Ballo, "
            "Dao, Sanogo, Mariko, Berthé, Cissé, Touré"
        ),
        women=_split(
            "Aminata, Fatoumata, Mariam, Oumou, Kadiatou, Awa, Assétou, Rokia, Hawa, Djénéba, "
            "Salimata, Bintou, Kadidia, Aïssata, Fanta, Sitan, Nana, Korotoumou, Ramata, Safiatou, "
            "Maïmouna, Tenin, Adiaratou"
        ),
        men=_split(
            "Mamadou, Moussa, Ibrahim, Seydou, Boubacar, Amadou, Oumar, Souleymane, Adama, Bakary, "
            "Issa, Modibo, Lassina, Drissa, Sidiki, Abdoulaye, Sékou, Youssouf, Yacouba, Alou, "
            "Mahamadou, Fousseyni, Siaka, Daouda, Cheick Oumar"
        ),
    ),
    "mali_centre": Names(
        families=_split(
            "Diallo, Barry, Cissé, Guindo, Dicko, Kassambara, Tembely, Togo, Ongoïba, Bocoum, "
            "Sangaré, Sidibé, Nantoumé, Poudiougou, Karembé, Djènèpo, Tapily, Kampo, Traoré, Maïga"
        ),
        women=_split(
            "Fatoumata, Aïssata, Kadidia, Hawa, Mariam, Djénéba, Oumou, Aminata, Kadiatou, Binta, "
            "Yaye, Coumba, Assanatou, Ramata, Fanta"
        ),
        men=_split(
            "Hamadoun, Amadou, Boureima, Hassane, Oumarou, Souleymane, Allaye, Bara, Moussa, "
            "Hamidou, Yacouba, Ousmane, Seydou, Mamoudou, Ali"
        ),
    ),
    "mali_north": Names(
        families=_split(
            "Maïga, Touré, Cissé, Haïdara, Dicko, Garba, Alassane, Hamadou, Soumaïla, Boncana"
        ),
        women=_split(
            "Fadimata, Aïchatou, Mama, Zeinabou, Raïchatou, Hadizatou, Fati, Haoua, Mariama, "
            "Safiétou, Kadidia"
        ),
        men=_split(
            "Mohamed, Ahmed, Alhousseini, Ibrahim, Alhassane, Moussa, Abdoulaye, Mahamane, "
            "Almoustapha, Hamma, Oumarou, Boubacar, Aboubacrine"
        ),
    ),
    "tamasheq": Names(
        families=_split(
            "Mohamed, Ahmed, Alhousseini, Attaher, Alhassane, Acherif, Assaleh, Elmehdi, Mossa, "
            "Ibrahim"
        ),
        women=_split("Fadimata, Tina, Aïchatou, Mama, Lalla, Zeinabou, Raïchatou, Fati"),
        men=_split(
            "Mohamed, Ahmed, Alhousseini, Ibrahim, Attaher, Alhassane, Moussa, Sidi Mohamed"
        ),
        style="tamasheq",
    ),
    "maure": Names(
        families=_split(
            "Ahmed, Mohamed, Sidi, Cheikh, Brahim, Abdallahi, Mohamed Lemine, Salem, Bouh, "
            "El Moctar, Isselmou, Sidi Mohamed, Ely"
        ),
        women=_split(
            "Fatimetou, Mariem, Khadijetou, Aïchetou, Mekfoula, Zeinebou, Vatimetou, Salka, Lalla, "
            "Toutou, Oumoulkheiri, Ghalia, Selma"
        ),
        men=_split(
            "Mohamed, Ahmed, Cheikh, Sidi, Brahim, Abdallahi, Mohamed Lemine, El Moctar, Isselmou, "
            "El, Hacen, Mohamed Vall, Sidi Ahmed, Yahya, Ethmane"
        ),
        style="maure",
        country="MR",
    ),
    "guidimakha": Names(
        families=_split(
            "Ba, Sy, Diop, Kane, Sow, Diallo, Camara, Cissé, Soumaré, Diagana, Tandia, Sakho, "
            "Touré, Doucouré, Niang, Wagué, Dramé, Sylla, Kanouté, Fofana"
        ),
        women=_split(
            "Coumba, Penda, Dieynaba, Kadiata, Aminata, Hawa, Fatimata, Mariam, Aïssata, "
            "Kadidiatou, Binta, Fanta, Djeneba, Maïmouna"
        ),
        men=_split(
            "Samba, Demba, Hamady, Oumar, Mamadou, Boubou, Souleymane, Abdoulaye, Yaya, Moussa, "
            "Djibril, Bakary, Amadou, Ousmane, Hamedine, Cheikh"
        ),
        country="MR",
    ),
    "burkina": Names(
        families=_split(
            "Ouédraogo, Sawadogo, Compaoré, Kaboré, Zongo, Ilboudo, Nikiéma, Kinda, Tapsoba, "
            "Zerbo, Sana, Bandé, Dicko, Barry, Sidibé"
        ),
        women=_split(
            "Salamata, Mariam, Awa, Alizèta, Rasmata, Fati, Aminata, Kadidiatou, Safiatou, Assèta, "
            "Roukiatou, Zénabo"
        ),
        men=_split(
            "Issouf, Salif, Rasmané, Boukary, Adama, Hamado, Souleymane, Moumouni, Inoussa, "
            "Hamidou, Abdoul Aziz, Ousséni, Lassané"
        ),
    ),
    "niger": Names(
        families=_split(
            "Abdou, Moussa, Garba, Hama, Souley, Mahamadou, Boubacar, Idrissa, Harouna, Saïdou, "
            "Illiassou, Oumarou"
        ),
        women=_split(
            "Zeinabou, Hadiza, Mariama, Balkissa, Rabi, Fati, Hassana, Rahila, Safia, Aïchatou"
        ),
        men=_split(
            "Abdoulaye, Ibrahim, Issaka, Hamidou, Moussa, Salissou, Ali, Habibou, Mahamane, "
            "Yacouba, Amadou"
        ),
    ),
    "cote_divoire": Names(
        families=_split(
            "Kouassi, Koffi, Yao, Konan, Ouattara, Bamba, Kouamé, N'Guessan, Soro, Yéo, Koné"
        ),
        women=_split("Aya, Adjoua, Akissi, Affoué, Mariam, Awa, Nadège, Christelle, Estelle"),
        men=_split(
            "Jean-Baptiste, Serge, Koffi, Yao, Kouadio, Lacina, Drissa, Arnaud, Ismaël, Franck"
        ),
    ),
    "guinea": Names(
        families=_split(
            "Bah, Barry, Camara, Condé, Keïta, Sylla, Soumah, Bangoura, Diallo, Sow, Kouyaté, "
            "Touré, Cissé, Konaté"
        ),
        women=_split(
            "Mariama, Kadiatou, Hadja, Fatoumata Binta, Aïssatou, M'Balia, Nènè, Djénabou, "
            "Mariame, Saran"
        ),
        men=_split(
            "Alpha, Mamadou Saliou, Ibrahima, Thierno, Ousmane, Sékou, Lansana, Mamadou Aliou, "
            "Abdoulaye, Amadou Oury, Fodé, Mohamed"
        ),
    ),
    "nigeria": Names(
        families=_split(
            "Okafor, Adeyemi, Bello, Okonkwo, Musa, Eze, Okeke, Ibrahim, Adebayo, Ogunleye"
        ),
        women=_split("Blessing, Joy, Chioma, Aisha, Favour, Esther, Ngozi, Precious"),
        men=_split(
            "Chinedu, Emeka, Sunday, Abdullahi, Tunde, Ifeanyi, Samuel, Yusuf, Daniel, Godwin"
        ),
    ),
    "cameroon": Names(
        families=_split(
            "Mbarga, Ngono, Fotso, Tchoumi, Nkoulou, Essomba, Kamga, Ndjock, Abena, Tchatchoua"
        ),
        women=_split("Carine, Murielle, Sandrine, Larissa, Grâce, Nadia, Flore"),
        men=_split("Arnaud, Brice, Junior, Franck, Hervé, Patrick, Thierry, Landry"),
    ),
    "senegal": Names(
        families=_split(
            "Ndiaye, Diop, Fall, Sarr, Gueye, Faye, Seck, Mbaye, Sow, Ba, Diouf, Thiam"
        ),
        women=_split("Astou, Ndeye, Fatou, Aminata, Awa, Khady, Coumba, Sokhna"),
        men=_split(
            "Modou, Cheikh, Mamadou, Ousmane, Ibrahima, Pape, Serigne, Moustapha, Abdou, Babacar"
        ),
    ),
    "gambia": Names(
        families=_split(
            "Jallow, Ceesay, Sanneh, Jammeh, Touray, Bojang, Darboe, Sowe, Manneh, Jobe"
        ),
        women=_split("Isatou, Fatou, Mariama, Awa, Haddy, Kaddy, Binta, Ramatoulie"),
        men=_split("Lamin, Ebrima, Modou, Alagie, Omar, Musa, Bakary, Buba, Yusupha"),
    ),
}

# --- The four projects ------------------------------------------------------------------------

# Logframe nodes: (code, level, French, English). The impact is coded 0.
# Indicators: code, result code, names, unit, definition (empty: entered by hand),
# disaggregations, cumulative, baseline, targets (Q1, Q2, Q3, Q4, year; None: no target),
# whether the targets follow the size of the demo, means of verification.

PROJECTS = [
    {
        "key": "edu",
        "code": "EDU-BKO-2026",
        "title_fr": "Éducation et moyens d'existence des élèves et jeunes réfugiés à Bamako",
        "title_en": "Education and livelihoods for refugee students and youth in Bamako",
        "summary": (
            "Bourses d'études, kits scolaires et formations professionnelles pour les élèves et "
            "jeunes réfugiés de Bamako, avec une association nationale et une organisation "
            "dirigée par des réfugiés."
        ),
        "budget": Decimal("245000000"),
        "currency": "XOF",
        "donors": ["fhe"],
        "partners": ["adei", "cjrb"],
        "sectors": ["education", "vocational_training"],
        "areas": [BAMAKO],
        "logframe": [
            (
                "0",
                "impact",
                "Les enfants et jeunes réfugiés de Bamako poursuivent leur scolarité et accèdent "
                "à des moyens d'existence durables",
                "Refugee children and youth in Bamako continue their schooling and access "
                "sustainable livelihoods",
            ),
            (
                "1",
                "outcome",
                "Les élèves réfugiés sont maintenus à l'école et réussissent leur année",
                "Refugee students stay in school and pass their year",
            ),
            (
                "1.1",
                "output",
                "Les élèves réfugiés reçoivent des bourses et des kits scolaires",
                "Refugee students receive scholarships and school kits",
            ),
            (
                "1.1.1",
                "activity",
                "Verser des bourses trimestrielles aux élèves réfugiés du secondaire",
                "Pay quarterly scholarships to refugee secondary students",
            ),
            (
                "1.1.2",
                "activity",
                "Distribuer des kits scolaires aux élèves réfugiés",
                "Distribute school kits to refugee students",
            ),
            (
                "2",
                "outcome",
                "Les jeunes réfugiés formés exercent une activité génératrice de revenus",
                "Trained refugee youth run an income-generating activity",
            ),
            (
                "2.1",
                "output",
                "Les jeunes réfugiés suivent une formation professionnelle qualifiante",
                "Refugee youth complete a qualifying vocational training",
            ),
            (
                "2.1.1",
                "activity",
                "Organiser des formations professionnelles (couture, électricité, informatique, "
                "mécanique, entrepreneuriat)",
                "Run vocational trainings (tailoring, electrical work, IT, mechanics, "
                "entrepreneurship)",
            ),
            (
                "2.1.2",
                "activity",
                "Organiser des causeries sur l'orientation scolaire et l'emploi",
                "Hold talks on school guidance and jobs",
            ),
        ],
        "indicators": [
            {
                "code": "0.a",
                "result": "0",
                "name_fr": "Taux de réussite aux examens des élèves réfugiés appuyés",
                "name_en": "Exam pass rate of supported refugee students",
                "unit": "percentage",
                "baseline": "58",
                "targets": (65, 65, 70, 70, 70),
                "verification": "Relevés de notes et résultats officiels transmis par les écoles",
            },
            {
                "code": "1.1.a",
                "result": "1.1",
                "name_fr": "Nombre d'élèves ayant reçu un kit scolaire",
                "name_en": "Number of students who received a school kit",
                "definition": {
                    "source": "distribution",
                    "measure": "persons",
                    "item_contains": "kit scolaire",
                },
                "disaggregations": ["sex", "age_band", "population_group"],
                "baseline": "0",
                "targets": (85, 10, 5, 100, 120),
                "scaled": True,
                "verification": "Listes de distribution signées",
            },
            {
                "code": "1.1.b",
                "result": "1.1",
                "name_fr": "Nombre d'élèves réfugiés bénéficiaires d'une bourse d'études",
                "name_en": "Number of refugee students receiving a scholarship",
                "definition": {
                    "source": "distribution",
                    "measure": "persons",
                    "distribution_kinds": ["scholarship"],
                    "person": {"population_groups": ["refugee"]},
                },
                "disaggregations": ["sex", "age_band"],
                "baseline": "0",
                "targets": (40, 45, 45, 50, 50),
                "scaled": True,
                "verification": "Relevés de paiement mobile money et bancaires",
            },
            {
                "code": "2.a",
                "result": "2",
                "name_fr": (
                    "Pourcentage de jeunes formés exerçant une activité génératrice de revenus"
                ),
                "name_en": "Percentage of trained youth running an income-generating activity",
                "unit": "percentage",
                "baseline": "12",
                "targets": (None, 30, 40, 50, 50),
                "verification": "Enquête de suivi post-formation (échantillon)",
            },
            {
                "code": "2.1.a",
                "result": "2.1",
                "name_fr": "Nombre de jeunes ayant suivi au moins 2 sessions de formation",
                "name_en": "Number of youth who attended at least 2 training sessions",
                "definition": {
                    "source": "attendance",
                    "measure": "persons",
                    "session_kinds": ["training"],
                    "min_count": 2,
                },
                "disaggregations": ["sex", "age_band", "population_group", "area"],
                "baseline": "0",
                "targets": (20, 25, 25, 20, 80),
                "scaled": True,
                "verification": "Feuilles de présence des formations",
            },
        ],
        "manual_values": {
            "0.a": {
                1: ("61", "Compositions du premier trimestre (moyenne des écoles)"),
                2: ("63.5", "Compositions du deuxième trimestre"),
                3: ("66.5", "Résultats officiels DEF et baccalauréat 2026"),
            },
            "2.a": {
                2: ("34", "Enquête post-formation, cohortes de février et mars"),
                3: ("46", "Enquête post-formation, cohortes d'avril à juin"),
            },
        },
    },
    {
        "key": "border",
        "code": "FRT-SLB-2026",
        "title_fr": "Gestion des frontières autour de Sélibaby (Guidimakha)",
        "title_en": "Border management around Sélibaby (Guidimakha)",
        "summary": (
            "Formation des agents frontaliers, réhabilitation du poste frontière de Gouraye et "
            "sensibilisation des communautés frontalières aux risques de la migration "
            "irrégulière et de la traite."
        ),
        "budget": Decimal("38500000"),
        "currency": "MRU",
        "donors": ["fgfs"],
        "partners": ["egbt", "acts"],
        "sectors": ["migration", "protection"],
        "areas": [SELIBABY],
        "logframe": [
            (
                "0",
                "impact",
                "La gestion de la frontière autour de Sélibaby est plus sûre, plus efficace et "
                "respectueuse des droits",
                "Border management around Sélibaby is safer, more efficient and rights-based",
            ),
            (
                "1",
                "outcome",
                "Les agents frontaliers appliquent les procédures de gestion intégrée des "
                "frontières",
                "Border officials apply integrated border management procedures",
            ),
            (
                "1.1",
                "output",
                "Les agents de police, de gendarmerie et de douane sont formés",
                "Police, gendarmerie and customs officers are trained",
            ),
            (
                "1.1.1",
                "activity",
                "Former les agents frontaliers",
                "Train border officials",
            ),
            (
                "1.2",
                "output",
                "Le poste frontière de Gouraye est réhabilité et équipé",
                "The Gouraye border post is rehabilitated and equipped",
            ),
            (
                "1.2.1",
                "activity",
                "Réhabiliter et équiper le poste frontière de Gouraye",
                "Rehabilitate and equip the Gouraye border post",
            ),
            (
                "2",
                "outcome",
                "Les communautés frontalières connaissent les risques de la migration "
                "irrégulière et de la traite",
                "Border communities know the risks of irregular migration and trafficking",
            ),
            (
                "2.1",
                "output",
                "Des causeries de sensibilisation sont tenues dans les villages frontaliers",
                "Awareness talks are held in border villages",
            ),
            (
                "2.1.1",
                "activity",
                "Organiser des causeries communautaires avec les comités de veille",
                "Hold community talks with the watch committees",
            ),
        ],
        "indicators": [
            {
                "code": "0.a",
                "result": "0",
                "name_fr": "Délai moyen de traitement d'un voyageur au poste de Gouraye (minutes)",
                "name_en": "Average processing time of a traveller at the Gouraye post (minutes)",
                "baseline": "42",
                "targets": (38, 34, 30, 25, 25),
                "verification": "Chronométrage sur un échantillon de passages, registre du poste",
            },
            {
                "code": "1.a",
                "result": "1",
                "name_fr": "Nombre d'agents frontaliers ayant suivi au moins 2 formations",
                "name_en": "Number of border officials who attended at least 2 trainings",
                "definition": {
                    "source": "attendance",
                    "measure": "persons",
                    "session_kinds": ["training", "capacity_building"],
                    "min_count": 2,
                },
                "disaggregations": ["sex", "age_band"],
                "cumulative": True,
                "baseline": "0",
                "targets": (10, 20, 30, 35, 35),
                "scaled": True,
                "verification": "Feuilles de présence des formations",
            },
            {
                "code": "1.1.a",
                "result": "1.1",
                "name_fr": "Nombre de participations aux sessions de formation",
                "name_en": "Number of attendances at training sessions",
                "definition": {
                    "source": "attendance",
                    "measure": "rows",
                    "session_kinds": ["training", "capacity_building"],
                },
                "disaggregations": ["sex"],
                "baseline": "0",
                "targets": (30, 30, 30, 30, 120),
                "scaled": True,
                "verification": "Feuilles de présence des formations",
            },
            {
                "code": "1.2.a",
                "result": "1.2",
                "name_fr": "Taux d'avancement des travaux du poste frontière de Gouraye",
                "name_en": "Progress of the Gouraye border post works",
                "unit": "percentage",
                "baseline": "0",
                "targets": (20, 50, 80, 100, 100),
                "verification": "Procès-verbaux de visite de chantier et attachements",
            },
            {
                "code": "2.a",
                "result": "2",
                "name_fr": "Nombre de personnes touchées par les causeries de sensibilisation",
                "name_en": "Number of people reached by awareness talks",
                "definition": {
                    "source": "reach",
                    "measure": "people",
                    "session_kinds": ["awareness"],
                },
                "disaggregations": ["sex", "age_band"],
                "baseline": "0",
                "targets": (500, 700, 700, 600, 2500),
                "scaled": True,
                "verification": "Fiches de comptage des causeries",
            },
        ],
        "manual_values": {
            "0.a": {
                1: ("40", "Chronométrage de 120 passages en mars"),
                2: ("36", "Chronométrage de 150 passages en juin"),
                3: ("31", "Chronométrage de 140 passages en septembre"),
            },
            "1.2.a": {
                1: ("15", "PV de visite de chantier du 27 mars"),
                2: ("40", "PV de visite de chantier du 26 juin"),
                3: (
                    "65",
                    "PV de visite de chantier du 25 septembre : retard de livraison du ciment",
                ),
            },
        },
    },
    {
        "key": "mig",
        "code": "MIG-BKO-GAO-2026",
        "title_fr": "Protection et assistance aux migrants vulnérables à Bamako et Gao",
        "title_en": "Protection and assistance for vulnerable migrants in Bamako and Gao",
        "summary": (
            "Accueil dans les centres de transit, kits d'articles non alimentaires, assistance en "
            "espèces par mobile money, visites à domicile et sensibilisation aux risques de la "
            "migration irrégulière."
        ),
        "budget": Decimal("412000000"),
        "currency": "XOF",
        "donors": ["fhcs"],
        "partners": ["akpm", "gaam"],
        "sectors": ["protection", "migration"],
        "areas": [BAMAKO, GAO],
        "logframe": [
            (
                "0",
                "impact",
                "Les migrants vulnérables à Bamako et Gao vivent en sécurité et dans la dignité",
                "Vulnerable migrants in Bamako and Gao live in safety and dignity",
            ),
            (
                "1",
                "outcome",
                "Les migrants vulnérables reçoivent une protection et une assistance adaptées",
                "Vulnerable migrants receive suitable protection and assistance",
            ),
            (
                "1.1",
                "output",
                "Les migrants sont accueillis, enregistrés et assistés dans les centres de transit",
                "Migrants are received, registered and assisted in transit centres",
            ),
            (
                "1.1.1",
                "activity",
                "Accueillir et enregistrer les migrants dans les centres de transit",
                "Receive and register migrants in the transit centres",
            ),
            (
                "1.1.2",
                "activity",
                "Distribuer des kits d'articles non alimentaires",
                "Distribute non-food item kits",
            ),
            (
                "1.1.3",
                "activity",
                "Verser une assistance en espèces par mobile money",
                "Pay cash assistance by mobile money",
            ),
            (
                "1.2",
                "output",
                "Les migrants vulnérables sont suivis à domicile",
                "Vulnerable migrants are followed up at home",
            ),
            (
                "1.2.1",
                "activity",
                "Effectuer des visites à domicile de suivi",
                "Make follow-up home visits",
            ),
            (
                "2",
                "outcome",
                "Les communautés connaissent les risques de la migration irrégulière",
                "Communities know the risks of irregular migration",
            ),
            (
                "2.1",
                "output",
                "Des causeries et des campagnes radio de sensibilisation sont menées",
                "Awareness talks and radio campaigns are run",
            ),
            (
                "2.1.1",
                "activity",
                "Organiser des causeries et des émissions radio",
                "Hold talks and radio broadcasts",
            ),
        ],
        "indicators": [
            {
                "code": "0.a",
                "result": "0",
                "name_fr": "Proportion de migrants assistés se déclarant en sécurité",
                "name_en": "Share of assisted migrants who say they feel safe",
                "unit": "percentage",
                "baseline": "54",
                "targets": (None, 65, 70, 75, 75),
                "verification": "Enquête de perception semestrielle",
            },
            {
                "code": "1.1.a",
                "result": "1.1",
                "name_fr": "Nombre de migrants accueillis et enregistrés (cumul)",
                "name_en": "Number of migrants received and registered (cumulative)",
                "definition": {"source": "registration", "measure": "persons"},
                "disaggregations": ["sex", "age_band", "population_group", "area"],
                "cumulative": True,
                "baseline": "0",
                "targets": (40, 90, 135, 180, 180),
                "scaled": True,
                "verification": "Registre des centres de transit",
            },
            {
                "code": "1.1.b",
                "result": "1.1",
                "name_fr": "Nombre de migrants ayant reçu un kit d'articles non alimentaires",
                "name_en": "Number of migrants who received a non-food item kit",
                "definition": {
                    "source": "distribution",
                    "measure": "persons",
                    "distribution_kinds": ["nfi"],
                },
                "disaggregations": ["sex", "age_band", "area"],
                "baseline": "0",
                "targets": (30, 35, 35, 30, 130),
                "scaled": True,
                "verification": "Listes de distribution signées",
            },
            {
                "code": "1.1.c",
                "result": "1.1",
                "name_fr": "Montant de l'assistance en espèces versée (XOF)",
                "name_en": "Amount of cash assistance paid (XOF)",
                "definition": {
                    "source": "distribution",
                    "measure": "value",
                    "distribution_kinds": ["cash"],
                },
                "disaggregations": ["sex", "area"],
                "baseline": "0",
                "targets": (900000, 1200000, 1200000, 1000000, 4300000),
                "scaled": True,
                "verification": "Relevés de l'opérateur de mobile money",
            },
            {
                "code": "2.a",
                "result": "2",
                "name_fr": "Nombre de personnes sensibilisées aux risques de la migration "
                "irrégulière",
                "name_en": "Number of people made aware of the risks of irregular migration",
                "definition": {
                    "source": "reach",
                    "measure": "people",
                    "session_kinds": ["awareness", "mass_campaign"],
                },
                "disaggregations": ["sex", "age_band"],
                "baseline": "0",
                "targets": (4000, 6000, 6000, 5000, 21000),
                "scaled": True,
                "verification": "Fiches de comptage et estimations d'audience des radios",
            },
        ],
        "manual_values": {
            "0.a": {
                2: ("61", "Enquête de perception de juin, 212 répondants"),
                3: ("66", "Enquête rapide de septembre, 96 répondants"),
            },
        },
    },
    {
        "key": "women",
        "code": "AEF-BKO-KLK-MPT-2026",
        "title_fr": "Autonomisation économique des femmes à Bamako, Koulikoro et Mopti",
        "title_en": "Women's economic empowerment in Bamako, Koulikoro and Mopti",
        "summary": (
            "Groupements de femmes et groupes d'épargne, formations en gestion et en éducation "
            "financière, subventions de démarrage par mobile money, kits de transformation et "
            "émissions radio sur l'entrepreneuriat féminin."
        ),
        "budget": Decimal("530000000"),
        "currency": "XOF",
        "donors": ["fea"],
        "partners": ["adei", "dsm"],
        "sectors": ["livelihoods", "gender"],
        "areas": [BAMAKO, KOULIKORO, MOPTI],
        "logframe": [
            (
                "0",
                "impact",
                "Les femmes de Bamako, Koulikoro et Mopti sont autonomes économiquement",
                "Women in Bamako, Koulikoro and Mopti are economically empowered",
            ),
            (
                "1",
                "outcome",
                "Les femmes appuyées mènent des activités génératrices de revenus rentables",
                "Supported women run profitable income-generating activities",
            ),
            (
                "1.1",
                "output",
                "Les femmes sont formées en gestion et reçoivent une subvention de démarrage",
                "Women are trained in management and receive a start-up grant",
            ),
            (
                "1.1.1",
                "activity",
                "Former les femmes en gestion simplifiée et en éducation financière",
                "Train women in simple management and financial literacy",
            ),
            (
                "1.1.2",
                "activity",
                "Verser des subventions de démarrage par mobile money",
                "Pay start-up grants by mobile money",
            ),
            (
                "2",
                "outcome",
                "Les groupements de femmes et les groupes d'épargne sont fonctionnels",
                "Women's groups and savings groups are functional",
            ),
            (
                "2.1",
                "output",
                "Les groupements sont structurés, équipés et accompagnés",
                "The groups are organised, equipped and supported",
            ),
            (
                "2.1.1",
                "activity",
                "Mettre en place et accompagner les groupes d'épargne",
                "Set up and support the savings groups",
            ),
            (
                "2.1.2",
                "activity",
                "Doter les groupements en kits de transformation",
                "Equip the groups with processing kits",
            ),
            (
                "2.2",
                "output",
                "Les communautés sont sensibilisées aux droits économiques des femmes",
                "Communities are made aware of women's economic rights",
            ),
            (
                "2.2.1",
                "activity",
                "Diffuser des émissions radio sur l'entrepreneuriat féminin",
                "Broadcast radio programmes on women's entrepreneurship",
            ),
        ],
        "indicators": [
            {
                "code": "0.a",
                "result": "0",
                "name_fr": "Revenu mensuel moyen des femmes appuyées (XOF)",
                "name_en": "Average monthly income of supported women (XOF)",
                "baseline": "18500",
                "targets": (20000, 23000, 26000, 30000, 30000),
                "verification": "Enquête trimestrielle de suivi des AGR (échantillon)",
            },
            {
                "code": "1.a",
                "result": "1",
                "name_fr": "Nombre de femmes ayant suivi au moins 2 modules de formation",
                "name_en": "Number of women who attended at least 2 training modules",
                "definition": {
                    "source": "attendance",
                    "measure": "persons",
                    "session_kinds": ["training"],
                    "min_count": 2,
                    "person": {"sex": "F"},
                },
                "disaggregations": ["age_band", "population_group", "area"],
                "cumulative": True,
                "baseline": "0",
                "targets": (60, 140, 160, 170, 170),
                "scaled": True,
                "verification": "Feuilles de présence des formations",
            },
            {
                "code": "1.1.a",
                "result": "1.1",
                "name_fr": "Nombre de femmes ayant reçu une subvention de démarrage",
                "name_en": "Number of women who received a start-up grant",
                "definition": {
                    "source": "distribution",
                    "measure": "persons",
                    "distribution_kinds": ["cash"],
                    "person": {"sex": "F"},
                },
                "disaggregations": ["age_band", "population_group", "area"],
                "baseline": "0",
                "targets": (None, 60, 50, 10, 120),
                "scaled": True,
                "verification": "Relevés de l'opérateur de mobile money",
            },
            {
                "code": "2.a",
                "result": "2",
                "name_fr": "Nombre de groupes d'épargne fonctionnels",
                "name_en": "Number of functional savings groups",
                "baseline": "0",
                "targets": (4, 6, 8, 8, 8),
                "verification": "Fiches de suivi mensuel des groupes d'épargne",
            },
            {
                "code": "2.2.a",
                "result": "2.2",
                "name_fr": "Nombre de personnes touchées par les émissions radio",
                "name_en": "Number of people reached by the radio programmes",
                "definition": {
                    "source": "reach",
                    "measure": "people",
                    "session_kinds": ["mass_campaign"],
                },
                "disaggregations": ["sex", "age_band"],
                "baseline": "0",
                "targets": (12000, 15000, 15000, 12000, 54000),
                "scaled": True,
                "verification": "Estimations d'audience des radios communautaires",
            },
        ],
        "manual_values": {
            "0.a": {
                1: ("19200", "Enquête de suivi des AGR, 60 femmes"),
                2: ("21800", "Enquête de suivi des AGR, 75 femmes"),
                3: ("24500", "Enquête de suivi des AGR, 80 femmes"),
            },
            "2.a": {
                1: ("3", "Fiches de suivi mensuel de mars"),
                2: ("5", "Fiches de suivi mensuel de juin"),
                3: ("8", "Fiches de suivi mensuel de septembre"),
            },
        },
    },
]

# Work plans: key, logframe activity, partner, start, end, status, P-code, site,
# French title, English title.
# fmt: off
WORKPLANS = {
    "edu": [
        ("scholarships", "1.1.1", None, D(1, 12), D(12, 18), "ongoing", BAMAKO, None,
         "Versement trimestriel des bourses d'études",
         "Quarterly payment of scholarships"),
        ("kits_jan", "1.1.2", "adei", D(1, 26), D(2, 13), "done", BAMAKO, "lycee",
         "Distribution des kits scolaires de janvier",
         "January school kit distribution"),
        ("kits_oct", "1.1.2", "adei", D(10, 5), D(11, 20), "done", BAMAKO, "lycee",
         "Distribution des kits scolaires de la rentrée d'octobre",
         "October school kit distribution"),
        ("training_s1", "2.1.1", "adei", D(2, 2), D(6, 30), "done", BAMAKO, "cfp",
         "Formations professionnelles, cohortes du premier semestre",
         "Vocational trainings, first-half cohorts"),
        ("training_s2", "2.1.1", "adei", D(7, 6), D(12, 18), "ongoing", BAMAKO, "cfp",
         "Formations professionnelles, cohortes du second semestre",
         "Vocational trainings, second-half cohorts"),
        ("entrepreneurship", "2.1.1", "cjrb", D(2, 16), D(12, 11), "ongoing", BAMAKO, None,
         "Formation en entrepreneuriat des jeunes réfugiés",
         "Entrepreneurship training for refugee youth"),
        ("talks", "2.1.2", "cjrb", D(2, 1), D(11, 30), "ongoing", BAMAKO, None,
         "Causeries sur l'orientation et l'emploi",
         "Talks on guidance and jobs"),
        ("midterm", "1.1.1", None, D(7, 1), D(9, 30), "delayed", BAMAKO, None,
         "Évaluation à mi-parcours du projet",
         "Mid-term evaluation of the project"),
        ("follow_up", "2.1.1", None, D(12, 1), D(12, 22), "planned", BAMAKO, None,
         "Suivi des jeunes installés après la formation",
         "Follow-up of youth set up after training"),
    ],
    "border": [
        ("trainings", "1.1.1", None, D(2, 9), D(11, 27), "ongoing", SELIBABY, "wilaya_room",
         "Formations des agents de police, de gendarmerie et de douane",
         "Trainings of police, gendarmerie and customs officers"),
        ("debriefing", "1.1.1", None, D(12, 8), D(12, 10), "planned", SELIBABY, "wilaya_room",
         "Atelier de restitution avec les autorités de la wilaya",
         "Debriefing workshop with the wilaya authorities"),
        ("exchange", "1.1.1", None, D(6, 8), D(6, 12), "cancelled", SELIBABY, None,
         "Visite d'échange transfrontalière",
         "Cross-border exchange visit"),
        ("works", "1.2.1", "egbt", D(3, 2), D(8, 31), "delayed", SELIBABY, "gouraye",
         "Réhabilitation du poste frontière de Gouraye (gros œuvre)",
         "Rehabilitation of the Gouraye border post (structural works)"),
        ("equipment", "1.2.1", "egbt", D(12, 1), D(12, 23), "planned", SELIBABY, "gouraye",
         "Équipement du poste (énergie solaire, mobilier, informatique)",
         "Equipment of the post (solar power, furniture, IT)"),
        ("committees", "2.1.1", "acts", D(1, 19), D(3, 27), "done", SELIBABY, None,
         "Mise en place des comités de veille frontalière",
         "Setting up the border watch committees"),
        ("talks", "2.1.1", "acts", D(2, 1), D(11, 30), "ongoing", SELIBABY, None,
         "Causeries communautaires dans les villages frontaliers",
         "Community talks in border villages"),
    ],
    "mig": [
        ("reception_akpm", "1.1.1", "akpm", D(1, 5), D(12, 31), "ongoing", BAMAKO, "ct_bamako",
         "Accueil et enregistrement au centre de transit de Bamako",
         "Reception and registration at the Bamako transit centre"),
        ("reception_gaam", "1.1.1", "gaam", D(1, 5), D(12, 31), "ongoing", GAO, "ct_gao",
         "Accueil et enregistrement au centre de transit de Gao",
         "Reception and registration at the Gao transit centre"),
        ("nfi_akpm", "1.1.2", "akpm", D(1, 5), D(12, 31), "ongoing", BAMAKO, "ct_bamako",
         "Distribution de kits d'articles non alimentaires à Bamako",
         "Non-food item kits in Bamako"),
        ("nfi_gaam", "1.1.2", "gaam", D(1, 5), D(12, 31), "ongoing", GAO, "ct_gao",
         "Distribution de kits d'articles non alimentaires à Gao",
         "Non-food item kits in Gao"),
        ("cash_akpm", "1.1.3", "akpm", D(1, 12), D(12, 31), "ongoing", BAMAKO, None,
         "Assistance en espèces par mobile money à Bamako",
         "Cash assistance by mobile money in Bamako"),
        ("cash_gaam", "1.1.3", "gaam", D(1, 12), D(12, 31), "ongoing", GAO, None,
         "Assistance en espèces par mobile money à Gao",
         "Cash assistance by mobile money in Gao"),
        ("visits_akpm", "1.2.1", "akpm", D(1, 19), D(12, 18), "ongoing", BAMAKO, None,
         "Visites à domicile de suivi à Bamako",
         "Follow-up home visits in Bamako"),
        ("visits_gaam", "1.2.1", "gaam", D(1, 19), D(12, 18), "ongoing", GAO, None,
         "Visites à domicile de suivi à Gao",
         "Follow-up home visits in Gao"),
        ("talks_akpm", "2.1.1", "akpm", D(2, 1), D(11, 30), "ongoing", BAMAKO, None,
         "Causeries de sensibilisation à Bamako",
         "Awareness talks in Bamako"),
        ("talks_gaam", "2.1.1", "gaam", D(2, 1), D(11, 30), "ongoing", GAO, None,
         "Causeries de sensibilisation à Gao",
         "Awareness talks in Gao"),
        ("radio", "2.1.1", None, D(2, 15), D(11, 15), "done", None, None,
         "Campagnes radio « S'informer avant de partir »",
         "Radio campaigns “Get informed before leaving”"),
        ("survey_1", "1", None, D(6, 1), D(7, 15), "done", None, None,
         "Enquête de perception auprès des migrants assistés (1er semestre)",
         "Perception survey of assisted migrants (first half)"),
        ("survey_2", "1", None, D(11, 16), D(12, 18), "ongoing", None, None,
         "Enquête de perception auprès des migrants assistés (2nd semestre)",
         "Perception survey of assisted migrants (second half)"),
    ],
    "women": [
        ("groups_adei", "2.1.1", "adei", D(1, 12), D(3, 31), "done", BAMAKO, None,
         "Structuration des groupements de Bamako",
         "Organising the groups of Bamako"),
        ("groups_lead", "2.1.1", None, D(1, 12), D(3, 31), "done", KOULIKORO, None,
         "Structuration des groupements de Koulikoro",
         "Organising the groups of Koulikoro"),
        ("groups_dsm", "2.1.1", "dsm", D(1, 12), D(3, 31), "done", MOPTI, None,
         "Structuration des groupements de Mopti",
         "Organising the groups of Mopti"),
        ("training_adei", "1.1.1", "adei", D(2, 2), D(9, 30), "done", BAMAKO, "sabalibougou",
         "Formations modulaires des femmes de Bamako",
         "Training modules for the women of Bamako"),
        ("training_lead", "1.1.1", None, D(2, 2), D(9, 30), "done", KOULIKORO, "mf_koulikoro",
         "Formations modulaires des femmes de Koulikoro",
         "Training modules for the women of Koulikoro"),
        ("training_dsm", "1.1.1", "dsm", D(2, 2), D(9, 30), "done", MOPTI, "mf_mopti",
         "Formations modulaires des femmes de Mopti",
         "Training modules for the women of Mopti"),
        ("grants_adei", "1.1.2", "adei", D(4, 1), D(9, 30), "done", BAMAKO, None,
         "Versement des subventions de démarrage à Bamako",
         "Start-up grants in Bamako"),
        ("grants_lead", "1.1.2", None, D(4, 1), D(9, 30), "done", KOULIKORO, None,
         "Versement des subventions de démarrage à Koulikoro",
         "Start-up grants in Koulikoro"),
        ("grants_dsm", "1.1.2", "dsm", D(4, 1), D(8, 31), "delayed", MOPTI, None,
         "Versement des subventions de démarrage à Mopti",
         "Start-up grants in Mopti"),
        ("coaching", "2.1.1", None, D(2, 1), D(12, 15), "ongoing", None, None,
         "Accompagnement mensuel des groupes d'épargne",
         "Monthly support of the savings groups"),
        ("kits", "2.1.2", None, D(7, 1), D(9, 30), "done", None, None,
         "Dotation des groupements en kits de transformation",
         "Processing kits for the groups"),
        ("radio", "2.2.1", None, D(2, 1), D(11, 30), "ongoing", None, None,
         "Émissions radio « Musow ka baara » sur l'entrepreneuriat féminin",
         "Radio programmes “Musow ka baara” on women's entrepreneurship"),
        ("fair", "2.2.1", None, D(12, 10), D(12, 12), "planned", BAMAKO, None,
         "Foire des produits des groupements à Bamako",
         "Fair of the groups' products in Bamako"),
        ("digital", "1.1.1", None, D(10, 5), D(10, 16), "cancelled", BAMAKO, None,
         "Formation en marketing numérique",
         "Digital marketing training"),
    ],
}
# fmt: on

# Quarters whose values are validated, and submitted; the first quarter is then locked.
VALIDATED_QUARTERS = (1, 2)
SUBMITTED_QUARTERS = (3,)
LOCKED_QUARTER = 1


# --- Public entry points ----------------------------------------------------------------------


def is_loaded() -> bool:
    """Whether the demo is in the database (its lead agency exists)."""
    return Organisation.objects.filter(name=LEAD_NAME).exists()


def conflicting_users() -> list[str]:
    """Demo email addresses already taken while the demo is not loaded."""
    return sorted(User.objects.filter(email__in=DEMO_EMAILS).values_list("email", flat=True))


def missing_pcodes() -> list[str]:
    present = set(Area.objects.filter(pcode__in=REQUIRED_PCODES).values_list("pcode", flat=True))
    return [code for code in REQUIRED_PCODES if code not in present]


def ensure_areas() -> None:
    """Load the administrative areas with ``places_load`` when the demo's areas are missing.

    Raises ImproperlyConfigured naming the P-codes that are still missing.
    """
    if missing_pcodes() and "places_load" in get_commands():
        call_command("places_load", verbosity=0)
    missing = missing_pcodes()
    if missing:
        raise ImproperlyConfigured(
            _(
                "The administrative areas %(pcodes)s are missing: run “manage.py places_load” "
                "and try again."
            )
            % {"pcodes": ", ".join(missing)}
        )


@dataclass
class Summary:
    projects: int
    persons: int
    households: int
    groups: int
    sessions: int
    attendances: int
    distributions: int
    indicator_values: int


def build(*, size: str = "full", seed: int = SEED) -> Summary:
    """Load the whole demo in one transaction: a failure leaves nothing behind."""
    if size not in SIZES:
        raise ValueError(size)
    with transaction.atomic():
        builder = _Builder(scale=SIZES[size], seed=seed)
        builder.run()
    return Summary(
        projects=Project.objects.filter(organisation__name=LEAD_NAME).count(),
        persons=Person.objects.filter(organisation__name=LEAD_NAME).count(),
        households=Household.objects.filter(organisation__name=LEAD_NAME).count(),
        groups=Group.objects.filter(organisation__name=LEAD_NAME).count(),
        sessions=Session.objects.filter(organisation__name=LEAD_NAME).count(),
        attendances=Attendance.objects.filter(session__organisation__name=LEAD_NAME).count(),
        distributions=Distribution.objects.filter(organisation__name=LEAD_NAME).count(),
        indicator_values=IndicatorValue.objects.filter(organisation__name=LEAD_NAME).count(),
    )


def logins() -> list[tuple[str, str, str]]:
    """(email, role, what they see) of each demo account, in the active language."""
    partner = ORGANISATIONS[PARTNER_USER_ORG][1]
    partner_projects = ", ".join(p["code"] for p in PROJECTS if PARTNER_USER_ORG in p["partners"])
    donor_project = next(p["code"] for p in PROJECTS if p["key"] == DONOR_USER_PROJECT)
    sees = {
        Role.ADMINISTRATOR: _(
            "Everything of %(agency)s, the audit trail, and the reference data in /admin/"
        )
        % {"agency": LEAD_ACRONYM},
        Role.PROGRAMME_MANAGER: _("The four projects of %(agency)s: portfolio and work plans")
        % {"agency": LEAD_ACRONYM},
        Role.ME_OFFICER: _(
            "The four projects: logframes, indicators, targets, validation and locks"
        ),
        Role.PROJECT_ASSISTANT: _(
            "The four projects: registry, sessions, attendance and distributions"
        ),
        Role.PARTNER_FOCAL_POINT: _(
            "Only the work of %(partner)s: its persons, sessions, distributions, agreements and "
            "reports in %(projects)s"
        )
        % {"partner": partner, "projects": partner_projects},
        Role.DONOR_VIEWER: _("Figures of project %(project)s only, never names")
        % {"project": donor_project},
    }
    return [(email, str(Role(role).label), sees[role]) for email, _g, _f, role in USERS]


def logins_table(language: str) -> list[str]:
    """The demo accounts as lines of text in ``language``."""
    with translation.override(language):
        header = (_("Email"), _("Role"), _("What they see"))
        rows = [header, *logins()]
        widths = [max(len(row[i]) for row in rows) for i in range(2)]
        lines = [_("Demo accounts (password: %(password)s)") % {"password": PASSWORD}]
        for email, role, sees in rows:
            lines.append(f"  {email:<{widths[0]}}  {role:<{widths[1]}}  {sees}")
    return lines


# --- The builder ------------------------------------------------------------------------------


@dataclass
class Beneficiary:
    """A registered person with what the builder needs to plan their activities."""

    person: Person
    registered_on: datetime.date
    partner: Organisation | None
    age: int
    tags: set[str] = field(default_factory=set)

    @property
    def sex(self) -> str:
        return self.person.sex


@dataclass
class ProjectContext:
    spec: dict
    project: Project
    results: dict[str, Result]
    activities: dict[str, PlannedActivity]


class _Builder:
    """Writes the demo through the services. One instance builds the demo once."""

    def __init__(self, *, scale: float, seed: int):
        self.rng = random.Random(seed)
        self.scale = scale
        self.phones: set[str] = set()
        self.progres_numbers: set[str] = set()
        self.household_numbers: Counter[str] = Counter()

    # -- small helpers --

    def n(self, full: int, minimum: int = 1) -> int:
        """How many of something at this size of demo."""
        return max(minimum, round(full * self.scale))

    def day(self, start: datetime.date, end: datetime.date) -> datetime.date:
        """A working day between ``start`` and ``end`` (never after the demo's today)."""
        end = min(end, TODAY)
        if end <= start:
            return min(start, TODAY)
        chosen = start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))
        if chosen.weekday() == 6:  # Sunday: Monday, or Saturday when Monday is too late
            shifted = chosen + datetime.timedelta(days=1)
            chosen = shifted if shifted <= end else chosen - datetime.timedelta(days=1)
        return chosen

    @staticmethod
    def after(day: datetime.date, days: int) -> datetime.date:
        return day + datetime.timedelta(days=days)

    def weighted(self, choices: dict):
        keys = list(choices)
        return self.rng.choices(keys, weights=[choices[k] for k in keys])[0]

    def phone(self, country: str) -> str:
        while True:
            if country == "MR":
                number = "+222" + self.rng.choice("234") + f"{self.rng.randint(0, 9999999):07d}"
            else:
                number = "+223" + self.rng.choice("679") + f"{self.rng.randint(0, 9999999):07d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def progres(self) -> str:
        while True:
            number = f"MLI-{self.rng.randint(19, 25)}-{self.rng.randint(1, 99999):06d}"
            if number not in self.progres_numbers:
                self.progres_numbers.add(number)
                return number

    def household_code(self, prefix: str) -> str:
        self.household_numbers[prefix] += 1
        return f"MEN-{prefix}-{self.household_numbers[prefix]:04d}"

    def reach(self, bands: dict[str, tuple[int, int]], women: float) -> dict:
        """People counted at a mass activity, by sex and age band."""
        counts = {}
        for band, (low, high) in bands.items():
            total = self.rng.randint(low, high)
            female = round(total * self.rng.uniform(women - 0.08, women + 0.08))
            counts[("F", band)] = max(female, 0)
            counts[("M", band)] = max(total - female, 0)
        return counts

    # -- the whole load --

    def run(self) -> None:
        self.reference_data()
        self.organisations_and_users()
        contexts = {spec["key"]: self.project(spec) for spec in PROJECTS}
        self.grant_scoped_memberships(contexts)
        self.education(contexts["edu"])
        self.border(contexts["border"])
        self.migrants(contexts["mig"])
        self.women(contexts["women"])
        self.re_registrations(contexts)
        self.eligibility_rules(contexts)
        for context in contexts.values():
            self.manual_values(context)
            self.narratives(context)
            self.close_quarters(context)
        self.partner_agreements(contexts)

    def partner_agreements(self, contexts: dict[str, ProjectContext]) -> None:
        """An agreement with each partner of each project. The reports due by the end of June
        are accepted; of the third quarter's, most are accepted, one waits for review, one was
        returned for correction and one is overdue. The focal point's NGO reports monthly on
        the education project, so that some of its reports are due within the month."""
        for key, context in contexts.items():
            project = context.project
            for number, partner in enumerate(project.partners.order_by("pk"), start=1):
                monthly = key == "edu" and partner == self.orgs[PARTNER_USER_ORG]
                agreement = partners.agreement_create(
                    project=project,
                    by=self.manager,
                    data={
                        "partner": partner,
                        "reference": f"ACC-{project.code}-{number:02d}",
                        "title": f"Mise en œuvre de {project.code} par {partner.acronym}",
                        "start_date": project.start_date,
                        "end_date": project.end_date,
                        "amount": (project.budget * Decimal("0.3")).quantize(Decimal("1000")),
                        "currency": project.currency,
                        "status": "active",
                        "report_frequency": "month" if monthly else "quarter",
                        "report_due_days": 15,
                    },
                )
                self.partner_reports(key, agreement, partner, first=number == 1)

    def partner_reports(self, key: str, agreement, partner: Organisation, first: bool) -> None:
        submitter = self.by_for(partner)
        focal_point = partner == self.orgs[PARTNER_USER_ORG]
        reports = agreement.reports.filter(final=False, due_date__lt=TODAY)
        for report in reports.order_by("due_date", "kind"):
            q3 = report.period_end > D(6, 30)
            if q3 and key == "border" and first and report.kind == PartnerReport.Kind.FINANCIAL:
                continue  # never sent: overdue
            partners.partner_report_submit(
                report=report,
                by=submitter,
                file=self.report_file(agreement, report),
                note="" if report.kind == PartnerReport.Kind.FINANCIAL else "Voir les annexes.",
            )
            if q3 and key == "mig" and first and report.kind == PartnerReport.Kind.NARRATIVE:
                partners.partner_report_return(
                    report=report,
                    by=self.me,
                    reason=(
                        "Les chiffres de l'annexe ne correspondent pas aux listes de présence : "
                        "corrigez le tableau 2."
                    ),
                )
                continue
            october = report.period_end == D(10, 31)
            if focal_point and october and report.kind == PartnerReport.Kind.NARRATIVE:
                continue  # submitted, waits for the M&E officer's review
            partners.partner_report_accept(report=report, by=self.me)

    @staticmethod
    def report_file(agreement, report: PartnerReport) -> SimpleUploadedFile:
        """A one-page PDF standing for the report the partner sent."""
        pdf = FPDF()
        pdf.add_page()
        pdf.set_font("helvetica", size=13)
        title = f"{report.label} - {agreement.reference}"
        period = f"Période du {report.period_start:%d/%m/%Y} au {report.period_end:%d/%m/%Y}"
        pdf.multi_cell(0, 8, latin1(f"{title}\n{agreement.title}\n{period}"))
        name = f"{agreement.reference}-{report.kind}-{report.period_end:%Y-%m}.pdf"
        return SimpleUploadedFile(name, bytes(pdf.output()), content_type="application/pdf")

    def narratives(self, c: ProjectContext) -> None:
        """The first quarter's narrative, as the team writes it for the quarterly report."""
        quarter = c.project.periods.get(kind="quarter", year=YEAR, number=1)
        reports.narratives_save(
            project=c.project,
            period=quarter,
            by=self.me,
            texts={
                "achievements": (
                    "Les listes des partenaires ont été vérifiées contre les critères "
                    "d'éligibilité et les premières activités ont démarré comme prévu dans le "
                    "plan de travail."
                ),
                "challenges": (
                    "L'insécurité sur certains axes a retardé deux missions de suivi ; les "
                    "visites ont été reprogrammées avec les partenaires locaux et les points "
                    "focaux communautaires ont relayé les informations."
                ),
                "lessons": (
                    "Les séances tenues le matin, avant les travaux champêtres, réunissent "
                    "davantage de femmes : le calendrier du trimestre suivant en tient compte."
                ),
            },
        )

    def eligibility_rules(self, contexts: dict[str, ProjectContext]) -> None:
        """The projects' eligibility rules, written by the M&E officer once the lists exist,
        as in the field: the compliance report then shows the few registrations outside them
        (the estimated ages under 12, the men and the women over 59 in the women's groups)."""
        for key, (name, criteria) in ELIGIBILITY_RULES.items():
            project = contexts[key].project
            rule_set = registry.eligibility_rule_set_create(
                project=project, by=self.me, data={"name": name}
            )
            for field_name, operator, value in criteria:
                registry.eligibility_criterion_add(
                    rule_set=rule_set,
                    by=self.me,
                    data={"field": field_name, "operator": operator, "value": value},
                )

    def reference_data(self) -> None:
        self.areas = {a.pcode: a for a in Area.objects.filter(pcode__in=REQUIRED_PCODES)}
        self.sectors = {}
        for code, fr, en, dac in SECTORS:
            self.sectors[code], _new = Sector.objects.get_or_create(
                code=code, defaults={"name_fr": fr, "name_en": en, "dac_code": dac}
            )
        self.needs = {}
        for code, fr, en in SPECIFIC_NEEDS:
            self.needs[code], _new = SpecificNeed.objects.get_or_create(
                code=code, defaults={"name_fr": fr, "name_en": en}
            )

    def sites_create(self, by: User) -> None:
        self.sites = {}
        for key, (name, kind, pcode) in SITES.items():
            area = self.areas[pcode]
            # A site of the same name (whatever its accents) is the same place: reuse it.
            same = [
                site for site in Site.objects.filter(area=area) if bare(site.name) == bare(name)
            ]
            self.sites[key] = (
                same[0]
                if same
                else places.site_create(data={"name": name, "kind": kind, "area": area}, by=by)
            )

    def organisations_and_users(self) -> None:
        self.orgs = {}
        for key, (name, acronym, kind, country) in ORGANISATIONS.items():
            # Partners and donors may already be known; the lead agency is new (see is_loaded).
            self.orgs[key], _new = Organisation.objects.get_or_create(
                name=name, defaults={"acronym": acronym, "kind": kind, "country": country}
            )
        self.lead = self.orgs["lead"]
        if not self.lead.iati_identifier:
            # XI-IATI: the prefix IATI gives organisations without another registration.
            self.lead.iati_identifier = f"XI-IATI-{LEAD_ACRONYM}"
            self.lead.save(update_fields=["iati_identifier"])
        self.users = {}
        # One hash for the shared demo password: hashing is deliberately slow.
        password = make_password(PASSWORD)
        for email, given, family, role in USERS:
            self.users[role] = User.objects.create(
                email=email,
                password=password,
                first_name=given,
                last_name=family,
                is_staff=(role == Role.ADMINISTRATOR),
            )
        self.admin = self.users[Role.ADMINISTRATOR]
        self.manager = self.users[Role.PROGRAMME_MANAGER]
        self.me = self.users[Role.ME_OFFICER]
        self.assistant = self.users[Role.PROJECT_ASSISTANT]
        self.focal_point = self.users[Role.PARTNER_FOCAL_POINT]
        models = Q()
        for app, model in REFERENCE_MODELS:
            models |= Q(content_type__app_label=app, content_type__model=model)
        actions = Q(codename__startswith="view_") | Q(codename__startswith="add_")
        permissions = Permission.objects.filter(models, actions | Q(codename__startswith="change_"))
        self.admin.user_permissions.set(permissions)
        membership_grant(user=self.admin, organisation=self.lead, role=Role.ADMINISTRATOR, by=None)
        for role in (Role.PROGRAMME_MANAGER, Role.ME_OFFICER, Role.PROJECT_ASSISTANT):
            membership_grant(
                user=self.users[role], organisation=self.lead, role=role, by=self.admin
            )
        self.sites_create(by=self.assistant)

    def grant_scoped_memberships(self, contexts: dict[str, ProjectContext]) -> None:
        membership_grant(
            user=self.focal_point,
            organisation=self.lead,
            role=Role.PARTNER_FOCAL_POINT,
            by=self.admin,
            partner=self.orgs[PARTNER_USER_ORG],
        )
        membership_grant(
            user=self.users[Role.DONOR_VIEWER],
            organisation=self.lead,
            role=Role.DONOR_VIEWER,
            by=self.admin,
            projects=[contexts[DONOR_USER_PROJECT].project],
        )

    def by_for(self, partner: Organisation | None) -> User:
        """Who enters a row: the partner's focal point for their partner, else the assistant."""
        if partner is not None and partner == self.orgs[PARTNER_USER_ORG]:
            return self.focal_point
        return self.assistant

    # -- projects, logframes, indicators, targets, work plans --

    def project(self, spec: dict) -> ProjectContext:
        project = projects.project_create(
            organisation=self.lead,
            by=self.manager,
            data={
                "code": spec["code"],
                "title_fr": spec["title_fr"],
                "title_en": spec["title_en"],
                "summary": spec["summary"],
                "status": Project.Status.ACTIVE,
                "start_date": D(1, 1),
                "end_date": D(12, 31),
                "budget": spec["budget"],
                "currency": spec["currency"],
                "iati_identifier": f"{self.lead.iati_identifier}-{spec['code']}",
                "humanitarian": True,
                "recipient_country": self.areas[spec["areas"][0]].country[:2],
            },
            donors=[self.orgs[k] for k in spec["donors"]],
            partners=[self.orgs[k] for k in spec["partners"]],
            sectors=[self.sectors[k] for k in spec["sectors"]],
            areas=[self.areas[p] for p in spec["areas"]],
        )
        ProjectBudget.objects.create(project=project, year=YEAR, value=spec["budget"])
        ProjectTransaction.objects.create(
            project=project,
            kind=ProjectTransaction.Kind.INCOMING_FUNDS,
            date=D(1, 15),
            value=spec["budget"] / 2,
            provider=self.orgs[spec["donors"][0]],
            receiver=self.lead,
            description="Première tranche",
        )
        results = {}
        for code, level, fr, en in spec["logframe"]:
            parent = results.get(code.rpartition(".")[0]) if "." in code else results.get("0")
            if level == "impact":
                parent = None
            results[code] = projects.result_create(
                project=project,
                by=self.me,
                data={
                    "parent": parent,
                    "level": level,
                    "code": code,
                    "title_fr": fr,
                    "title_en": en,
                },
            )
        quarters = {p.number: p for p in project.periods.filter(kind="quarter", year=YEAR)}
        year = project.periods.get(kind="year", year=YEAR)
        for item in spec["indicators"]:
            definition = item.get("definition")
            indicator = projects.indicator_create(
                project=project,
                by=self.me,
                data={
                    "result": results[item["result"]],
                    "code": item["code"],
                    "name_fr": item["name_fr"],
                    "name_en": item["name_en"],
                    "unit": item.get("unit", Indicator.Unit.NUMBER),
                    "method": Indicator.Method.COMPUTED if definition else Indicator.Method.MANUAL,
                    "definition": definition or {},
                    "disaggregations": item.get("disaggregations", []),
                    "cumulative": item.get("cumulative", False),
                    "baseline": Decimal(item["baseline"]),
                    "baseline_date": D(1, 15),
                    "means_of_verification": item["verification"],
                },
            )
            periods = [quarters[1], quarters[2], quarters[3], quarters[4], year]
            for period, value in zip(periods, item["targets"], strict=True):
                if value is None:
                    continue
                if item.get("scaled"):
                    value = max(1, round(value * self.scale))
                projects.target_set(
                    indicator=indicator, period=period, value=Decimal(value), by=self.me
                )
        activities = {}
        for key, result, partner, start, end, status, pcode, site, fr, en in WORKPLANS[spec["key"]]:
            activities[key] = projects.planned_activity_create(
                project=project,
                by=self.manager,
                data={
                    "result": results[result],
                    "partner": self.orgs[partner] if partner else None,
                    "title_fr": fr,
                    "title_en": en,
                    "start_date": start,
                    "end_date": end,
                    "area": self.areas[pcode] if pcode else None,
                    "site": self.sites[site] if site else None,
                    "responsible": self.responsible(partner),
                    "status": status,
                },
            )
        return ProjectContext(spec=spec, project=project, results=results, activities=activities)

    def responsible(self, partner_key: str | None) -> str:
        if partner_key is None:
            return f"{self.assistant.get_full_name()} ({LEAD_ACRONYM})"
        return ORGANISATIONS[partner_key][1]

    # -- persons --

    def register(
        self,
        context: ProjectContext,
        *,
        partner: Organisation | None,
        names: str,
        root: str | None = None,
        sex: str,
        age: int,
        population_group: str,
        pcode: str,
        site: str | None,
        registered_on: datetime.date,
        refugee_id: bool = False,
        relationship: str = "",
        needs: tuple[str, ...] = (),
        tags: tuple[str, ...] = (),
    ) -> Beneficiary:
        """Register one person in the project, as the partner (or the agency) would."""
        pool = NAMES[names]
        rng = self.rng
        root = root or rng.choice(pool.families)
        given = rng.choice(pool.women if sex == "F" else pool.men)
        estimated = rng.random() < 0.25
        if estimated:
            birth = min(datetime.date(registered_on.year - age, 7, 1), registered_on)
        else:
            birth = registered_on - datetime.timedelta(
                days=round(age * 365.25) + rng.randint(1, 360)
            )
        data = {
            "family_name": pool.family_name(root, sex),
            "given_name": given,
            "sex": sex,
            "birth_date": birth,
            "birth_date_estimated": estimated,
            "population_group": population_group,
            "area": self.areas[pcode],
            "site": self.sites[site] if site else None,
            "relationship_to_head": relationship,
            "consent_date": registered_on,
            "consent_scope": self.weighted({"programme": 3, "partners": 6, "referral": 1}),
        }
        # Washington Group short set: about 8% answer with a difficulty, most others were asked
        # and have none, the rest were not asked.
        answers = dict.fromkeys(WG_FIELDS, "none")
        draw = rng.random()
        if age >= 5 and draw < 0.08:
            for name in rng.sample(WG_FIELDS, k=rng.choice([1, 1, 2])):
                answers[name] = self.weighted({"some": 5, "a_lot": 4, "cannot": 1})
            data.update(answers)
        elif age >= 5 and draw < 0.78:
            data.update(answers)
        disability = any(data.get(name) in ("a_lot", "cannot") for name in WG_FIELDS)
        if age >= 15 and rng.random() < 0.75:
            country = "MR" if pcode.startswith("MR") else "ML"
            data["phone"] = self.phone(country)
        codes = set(needs)
        if disability:
            codes.add("DS")
        person = registry.person_register(
            organisation=self.lead,
            by=self.by_for(partner),
            data=data,
            project=context.project,
            partner=partner,
            registered_on=registered_on,
            specific_needs=[self.needs[c] for c in sorted(codes)],
            external_ids={"progres": self.progres()} if refugee_id else None,
        )
        return Beneficiary(person, registered_on, partner, age, set(tags))

    # How another partner writes the same names again.
    RESPELLED = {
        "Traoré": "TRAWORE",
        "Coulibaly": "Kulibali",
        "Diallo": "Jallow",
        "Keïta": "Keita",
        "Maïga": "MAIGA",
        "Cissé": "Sissé",
        "Touré": "Toure",
        "Mamadou": "Mahamadou",
        "Mohamed": "Muhammad",
        "Fatoumata": "Fatimata",
        "Aïssata": "Aissata",
        "Oumar": "Omar",
        "Ousmane": "Usman",
    }

    def re_registrations(self, contexts: dict[str, ProjectContext]) -> None:
        """A few persons registered again by another partner of their project, their names
        written another way, then the registry scanned: the duplicates queue has its pairs."""
        rng = self.rng
        for context in contexts.values():
            project = context.project
            registrations = list(
                project.registrations.select_related("person", "partner").order_by("pk")
            )
            partners = list(project.partners.order_by("pk"))
            if not registrations or not partners:
                continue
            for registration in rng.sample(registrations, k=min(2, len(registrations))):
                person = registration.person
                others = [p for p in partners if p.pk != registration.partner_id] or [None]
                partner = rng.choice(others)
                family = " ".join(self.RESPELLED.get(w, w) for w in person.family_name.split())
                given = " ".join(self.RESPELLED.get(w, w) for w in person.given_name.split())
                if family == person.family_name and given == person.given_name:
                    family = family.upper()
                birth = person.birth_date
                estimated = person.birth_date_estimated
                if birth and rng.random() < 0.5:
                    birth, estimated = datetime.date(birth.year, 1, 1), True
                registry.person_register(
                    organisation=self.lead,
                    by=self.by_for(partner),
                    data={
                        "family_name": family,
                        "given_name": given,
                        "sex": person.sex,
                        "birth_date": birth,
                        "birth_date_estimated": estimated,
                        "population_group": person.population_group,
                        "area": person.area,
                        "phone": person.phone if rng.random() < 0.5 else "",
                        "consent_date": registration.registered_on,
                        "consent_scope": person.consent_scope,
                    },
                    project=project,
                    partner=partner,
                    registered_on=registration.registered_on,
                    external_ids={"progres": self.progres()}
                    if person.population_group == "refugee"
                    else None,
                )
        registry.duplicates_scan(organisation=self.lead, by=None)

    def household(
        self,
        prefix: str,
        members: list[Beneficiary],
        head: Beneficiary | None = None,
        site: str | None = None,
    ) -> Household:
        first = members[0]
        return registry.household_create(
            organisation=self.lead,
            by=self.by_for(first.partner),
            data={
                "code": self.household_code(prefix),
                "area": first.person.area,
                "site": self.sites[site] if site else None,
            },
            members=[m.person for m in members],
            head=head.person if head else None,
        )

    def group(
        self,
        context: ProjectContext,
        *,
        name: str,
        kind: str,
        partner: Organisation | None,
        pcode: str,
        site: str | None,
        founded_on: datetime.date,
        members: list[Beneficiary],
        roles: tuple[str, ...],
    ) -> Group:
        group = registry.group_create(
            organisation=self.lead,
            by=self.by_for(partner),
            data={
                "name": name,
                "kind": kind,
                "project": context.project,
                "partner": partner,
                "area": self.areas[pcode],
                "site": self.sites[site] if site else None,
                "founded_on": founded_on,
            },
        )
        for index, member in enumerate(members):
            registry.group_member_add(
                group=group,
                person=member.person,
                by=self.by_for(partner),
                role=roles[index] if index < len(roles) else "",
                joined_on=founded_on
                if founded_on.year < YEAR
                else max(founded_on, member.registered_on),
            )
        return group

    # -- delivery --

    def session(
        self,
        context: ProjectContext,
        *,
        kind: str,
        title: str,
        date: datetime.date,
        partner: Organisation | None,
        activity: str | None,
        pcode: str,
        site: str | None = None,
        facilitator: str = "",
        attendees: list[Beneficiary] = (),
        reach: dict | None = None,
    ) -> Session:
        by = self.by_for(partner)
        session = delivery.session_record(
            project=context.project,
            by=by,
            data={
                "kind": kind,
                "title": title,
                "date": date,
                "partner": partner,
                "planned_activity": context.activities[activity] if activity else None,
                "area": self.areas[pcode],
                "site": self.sites[site] if site else None,
                "facilitator": facilitator,
            },
        )
        if attendees:
            delivery.attendance_record(
                session=session, persons=[b.person for b in attendees], by=by
            )
        if reach:
            delivery.reach_counts_set(session=session, counts=reach, by=by)
        return session

    def give(
        self,
        context: ProjectContext,
        *,
        date: datetime.date,
        partner: Organisation | None,
        activity: str | None,
        kind: str,
        item: str,
        value: int | None = None,
        currency: str = "",
        modality: str = "in_kind",
        unit: str = "",
        person: Beneficiary | None = None,
        household: Household | None = None,
        group: Group | None = None,
        session: Session | None = None,
        site: str | None = None,
    ) -> None:
        delivery.distribution_record(
            project=context.project,
            by=self.by_for(partner),
            data={
                "date": date,
                "partner": partner,
                "planned_activity": context.activities[activity] if activity else None,
                "session": session,
                "person": person.person if person else None,
                "household": household,
                "group": group,
                "kind": kind,
                "item": item,
                "quantity": Decimal(1),
                "unit": unit,
                "value": Decimal(value) if value is not None else None,
                "currency": currency if value is not None else "",
                "modality": modality,
                "site": self.sites[site] if site else None,
            },
        )

    def present(self, pool: list[Beneficiary], date: datetime.date, share: float):
        """Who of ``pool``, registered by ``date``, comes to a session held that day."""
        return [b for b in pool if b.registered_on <= date and self.rng.random() < share]

    # -- (a) education and livelihoods of refugee students in Bamako --

    def education(self, c: ProjectContext) -> None:
        rng = self.rng
        adei, cjrb = self.orgs["adei"], self.orgs["cjrb"]
        everyone: list[Beneficiary] = []
        total = self.n(160, minimum=30)
        while len(everyone) < total:
            partner = adei if rng.random() < 0.6 else cjrb
            refugee = rng.random() < 0.9
            names = (
                self.weighted(
                    {"burkina": 45, "niger": 25, "maure": 8, "guidimakha": 7, "cote_divoire": 15}
                )
                if refugee
                else "mali_south"
            )
            registered_on = self.weighted(
                {
                    (D(1, 5), D(2, 27)): 75,
                    (D(4, 1), D(6, 15)): 10,
                    (D(7, 1), D(9, 15)): 5,
                    (D(10, 1), D(11, 20)): 10,
                }
            )
            registered_on = self.day(*registered_on)
            size = min(rng.choice([1, 1, 2, 2, 3]) if refugee else 1, total - len(everyone))
            root = rng.choice(NAMES[names].families)
            family = []
            for _i in range(size):
                sex = "F" if rng.random() < 0.5 else "M"
                age = rng.randint(12, 17) if rng.random() < 0.7 else rng.randint(18, 24)
                student = age <= 19 and (age < 18 or rng.random() < 0.5)
                needs = ("CR",) if age < 18 and rng.random() < 0.06 else ()
                family.append(
                    self.register(
                        c,
                        partner=partner,
                        names=names,
                        root=root,
                        sex=sex,
                        age=age,
                        population_group="refugee" if refugee else "host",
                        pcode=BAMAKO,
                        site=("lycee" if age >= 15 else "ecole") if student else "cfp",
                        registered_on=registered_on,
                        refugee_id=refugee,
                        relationship=("Fille" if sex == "F" else "Fils") if size > 1 else "",
                        needs=needs,
                        tags=(("student",) if student else ()) + (("youth",) if age >= 16 else ()),
                    )
                )
            if size > 1:
                self.household("EDU", family)
            everyone.extend(family)

        students = [b for b in everyone if "student" in b.tags]
        # School kits: a round per partner with a distribution event at the second term and at
        # the start of the 2026-2027 school year, a round for the newcomers of October, and a
        # kit at registration for students who arrive between the rounds.
        rounds = [
            (D(2, 5), "du deuxième trimestre", "kits_jan", lambda b: b.registered_on <= D(2, 4)),
            (
                D(10, 14),
                "de la rentrée 2026-2027",
                "kits_oct",
                lambda b: b.registered_on <= D(10, 12),
            ),
            (
                D(11, 18),
                "aux nouveaux élèves",
                "kits_oct",
                lambda b: D(10, 12) < b.registered_on <= D(11, 16),
            ),
        ]
        kit = "Kit scolaire (cartable, cahiers, stylos, géométrie)"
        for day, label, activity, eligible in rounds:
            for partner in (adei, cjrb):
                recipients = [b for b in students if b.partner == partner and eligible(b)]
                if not recipients or day > TODAY:
                    continue
                event = self.session(
                    c,
                    kind=Session.Kind.DISTRIBUTION_EVENT,
                    title=f"Distribution de kits scolaires {label} ({partner.acronym})",
                    date=day,
                    partner=partner,
                    activity=activity,
                    pcode=BAMAKO,
                    site="lycee",
                    facilitator=f"Équipe {partner.acronym}",
                )
                for b in recipients:
                    self.give(
                        c,
                        date=day,
                        partner=partner,
                        activity=activity,
                        kind="kit",
                        item=kit,
                        value=12500,
                        currency="XOF",
                        unit="kit",
                        person=b,
                        session=event,
                        site="lycee",
                    )
        for b in students:
            if D(2, 5) < b.registered_on < D(10, 1):
                self.give(
                    c,
                    date=self.day(self.after(b.registered_on, 2), self.after(b.registered_on, 10)),
                    partner=b.partner,
                    activity="kits_jan",
                    kind="kit",
                    item=kit,
                    value=12500,
                    currency="XOF",
                    unit="kit",
                    person=b,
                    site="lycee",
                )
        # Quarterly scholarships for about half of the refugee secondary students.
        scholars = [
            b
            for b in students
            if b.age >= 14 and b.person.population_group == "refugee" and rng.random() < 0.55
        ]
        modality = {
            b.person.pk: self.weighted({"mobile_money": 65, "bank_transfer": 35}) for b in scholars
        }
        payments = ((1, D(3, 12)), (2, D(5, 14)), (3, D(8, 13)), (4, D(11, 12)))
        for quarter, day in payments:
            for b in scholars:
                if b.registered_on <= self.after(day, -7):
                    self.give(
                        c,
                        date=day,
                        partner=b.partner,
                        activity="scholarships",
                        kind="scholarship",
                        item=f"Bourse d'études, trimestre {quarter} 2026",
                        value=75000,
                        currency="XOF",
                        modality=modality[b.person.pk],
                        person=b,
                    )
        # Vocational training: cohorts start at fixed dates through the year; each young person
        # joins the first cohort with room that starts a week after their registration, and
        # follows four weekly modules.
        trades = {
            adei: [
                "Couture et stylisme",
                "Électricité bâtiment",
                "Informatique bureautique",
                "Mécanique deux-roues",
                "Coiffure et esthétique",
            ],
            cjrb: ["Entrepreneuriat et gestion de micro-projets"],
        }
        starts = {
            adei: [self.after(D(2, 2), 42 * k) for k in range(7)],  # Mondays, Feb to Oct
            cjrb: [self.after(D(2, 16), 70 * k) for k in range(4)],
        }
        for partner in (adei, cjrb):
            youth = sorted(
                (b for b in everyone if b.partner == partner and "youth" in b.tags),
                key=lambda b: (b.registered_on, b.person.pk),
            )
            room = max(6, -(-len(youth) * 6 // (5 * len(starts[partner]))))
            cohorts: dict[datetime.date, list[Beneficiary]] = {day: [] for day in starts[partner]}
            for b in youth:
                for first, members in cohorts.items():
                    if first >= self.after(b.registered_on, 7) and len(members) < room:
                        members.append(b)
                        break
            for cohort, (first, members) in enumerate(
                ((f, m) for f, m in cohorts.items() if m), start=1
            ):
                trade = trades[partner][(cohort - 1) % len(trades[partner])]
                activity = (
                    "entrepreneurship"
                    if partner == cjrb
                    else "training_s1"
                    if first < D(7, 1)
                    else "training_s2"
                )
                for module in range(4):
                    day = self.after(first, 7 * module + rng.randint(0, 3))
                    if day > TODAY:
                        break
                    self.session(
                        c,
                        kind=Session.Kind.TRAINING,
                        title=f"{trade} — cohorte {cohort}, module {module + 1}/4",
                        date=day,
                        partner=partner,
                        activity=activity,
                        pcode=BAMAKO,
                        site="cfp" if partner == adei else None,
                        facilitator=f"Formateur·rice {partner.acronym}",
                        attendees=self.present(members, day, 0.85),
                    )
        # Talks on guidance and jobs, by the refugee-led organisation.
        topics = [
            "Orientation scolaire et choix des filières",
            "Maintien des filles à l'école",
            "Recherche d'emploi et apprentissage",
            "Cohésion sociale entre jeunes",
        ]
        pool = [b for b in everyone if b.partner == cjrb]
        for month in range(2, 12):
            if rng.random() > max(self.scale, 0.5):
                continue
            day = self.day(D(month, 3), D(month, 26))
            present = self.present(pool, day, 0.35)[:20]
            self.session(
                c,
                kind=Session.Kind.AWARENESS,
                title=f"Causerie : {topics[month % len(topics)]}",
                date=day,
                partner=cjrb,
                activity="talks",
                pcode=BAMAKO,
                facilitator="Animateur·rice CJRB",
                attendees=present,
            )
        # Youth clubs.
        for partner, name, site in (
            (cjrb, "Club des jeunes réfugiés de Banconi", None),
            (adei, "Club scolaire Espoir de Sébénikoro", "ecole"),
        ):
            members = [b for b in everyone if b.partner == partner and b.registered_on < D(3, 1)]
            members = members[: max(5, self.n(14))]
            self.group(
                c,
                name=name,
                kind="youth_group",
                partner=partner,
                pcode=BAMAKO,
                site=site,
                founded_on=D(2, 20),
                members=members,
                roles=("Président·e", "Secrétaire", "Trésorier·ère"),
            )

    # -- (b) border management around Sélibaby --

    def border(self, c: ProjectContext) -> None:
        rng = self.rng
        acts = self.orgs["acts"]
        officials = []
        for _i in range(self.n(40, minimum=12)):
            names = "maure" if rng.random() < 0.55 else "guidimakha"
            early = rng.random() < 0.8
            officials.append(
                self.register(
                    c,
                    partner=None,
                    names=names,
                    sex="M" if rng.random() < 0.85 else "F",
                    age=rng.randint(24, 55),
                    population_group="host",
                    pcode=SELIBABY,
                    site="gouraye" if rng.random() < 0.6 else "mobile_post",
                    registered_on=self.day(D(1, 12), D(2, 6))
                    if early
                    else self.day(D(4, 1), D(9, 30)),
                )
            )
        villages = [
            "Gouraye",
            "Baediam",
            "Sélibaby, quartier Liberté",
            "Sélibaby, quartier Château",
            "Dafort",
        ]
        community = []
        for _i in range(self.n(50, minimum=14)):
            names = "guidimakha" if rng.random() < 0.7 else "maure"
            committee = rng.random() < 0.4
            community.append(
                self.register(
                    c,
                    partner=acts,
                    names=names,
                    sex="F" if rng.random() < 0.55 else "M",
                    age=rng.randint(16, 65),
                    population_group="host",
                    pcode=SELIBABY,
                    site=None,
                    registered_on=self.day(D(1, 19), D(3, 13))
                    if committee
                    else self.day(D(2, 1), D(11, 20)),
                    tags=(("committee",) if committee else ()) + (rng.choice(villages[:2]),),
                )
            )
        committees = {}
        for village in villages[:2]:
            members = [b for b in community if "committee" in b.tags and village in b.tags]
            if not members:
                continue
            committees[village] = self.group(
                c,
                name=f"Comité de veille frontalière de {village}",
                kind="committee",
                partner=acts,
                pcode=SELIBABY,
                site="gouraye" if village == "Gouraye" else None,
                founded_on=D(1, 26),
                members=members,
                roles=("Président·e", "Secrétaire", "Trésorier·ère"),
            )
        for village, group in committees.items():
            self.give(
                c,
                date=D(3, 10),
                partner=acts,
                activity="committees",
                kind="other",
                item="Kit de sensibilisation (mégaphone, boîte à images, dépliants)",
                value=4500,
                currency="MRU",
                group=group,
                site="gouraye" if village == "Gouraye" else None,
            )
        modules = [
            (D(2, 10), "training", "Gestion intégrée des frontières, module de base"),
            (D(3, 17), "training", "Détection de la fraude documentaire"),
            (D(4, 21), "training", "Identification et orientation des victimes de la traite"),
            (D(5, 26), "training", "Droits humains et protection à la frontière"),
            (D(6, 23), "capacity_building", "Collecte et partage des données sur les flux"),
            (D(9, 15), "training", "Premiers secours et gestion des situations d'urgence"),
            (D(10, 13), "training", "Gestion intégrée des frontières, module avancé"),
            (
                D(11, 17),
                "capacity_building",
                "Utilisation du système d'enregistrement des passages",
            ),
        ]
        for day, kind, module in modules:
            present = self.present(officials, day, 0.6)
            if len(present) < 3:
                present = [b for b in officials if b.registered_on <= day][:3]
            self.session(
                c,
                kind=kind,
                title=f"Formation des agents frontaliers : {module}",
                date=day,
                partner=None,
                activity="trainings",
                pcode=SELIBABY,
                site="wilaya_room",
                facilitator=f"Équipe formation {LEAD_ACRONYM}",
                attendees=present,
            )
            for b in present:
                self.give(
                    c,
                    date=day,
                    partner=None,
                    activity="trainings",
                    kind="cash",
                    item="Indemnité de transport et de restauration (formation)",
                    value=2500,
                    currency="MRU",
                    modality="mobile_money",
                    person=b,
                )
        topics = [
            "Risques de la migration irrégulière",
            "Traite des personnes et trafic de migrants",
            "État civil et documents de voyage",
            "Rôle des comités de veille",
        ]
        talks = self.n(20, minimum=6)
        for index in range(talks):
            start = D(2, 1) + datetime.timedelta(days=index * (TODAY - D(2, 1)).days // talks)
            day = self.day(start, self.after(start, 10))
            village = villages[index % len(villages)]
            present = [
                b
                for b in community
                if village in b.tags
                and "committee" in b.tags
                and b.registered_on <= day
                and rng.random() < 0.7
            ]
            present += self.present([b for b in community if "committee" not in b.tags], day, 0.08)
            self.session(
                c,
                kind=Session.Kind.AWARENESS,
                title=f"Causerie à {village} : {topics[index % len(topics)]}",
                date=day,
                partner=acts,
                activity="talks",
                pcode=SELIBABY,
                facilitator="Relais ACTS",
                attendees=present,
                reach=self.reach(
                    {"12-17": (5, 20), "18-24": (10, 30), "25-59": (20, 60), "60+": (3, 12)},
                    women=0.55,
                ),
            )

    # -- (c) protection and assistance for migrants in Bamako and Gao --

    def migrants(self, c: ProjectContext) -> None:
        rng = self.rng
        akpm, gaam = self.orgs["akpm"], self.orgs["gaam"]
        city = {akpm: (BAMAKO, "ct_bamako", "akpm"), gaam: (GAO, "ct_gao", "gaam")}
        quarters = {
            BAMAKO: ["Niamakoro", "Kalaban Coura", "Banconi", "Lafiabougou", "Sogoniko"],
            GAO: ["Château", "Sosso Koïra", "Aljanabandia", "Gadeye", "Boulgoundjé"],
        }
        origins = {
            "guinea": 25,
            "cote_divoire": 12,
            "nigeria": 10,
            "cameroon": 10,
            "senegal": 10,
            "gambia": 10,
            "burkina": 13,
            "niger": 10,
        }
        everyone: list[Beneficiary] = []
        families: list[tuple[Household, list[Beneficiary]]] = []
        total = self.n(170, minimum=34)
        while len(everyone) < total:
            partner = akpm if rng.random() < 0.55 else gaam
            pcode, site, suffix = city[partner]
            registered_on = self.day(D(1, 5), self.after(TODAY, -2))
            returnee = rng.random() < 0.2
            if returnee:
                names = (
                    ("mali_north" if rng.random() < 0.7 else "tamasheq")
                    if pcode == GAO
                    else "mali_south"
                )
            else:
                names = self.weighted(origins)
            group = "returnee" if returnee else "migrant"
            if rng.random() < 0.1 and total - len(everyone) >= 3:
                root = rng.choice(NAMES[names].families)
                head = self.register(
                    c,
                    partner=partner,
                    names=names,
                    root=root,
                    sex="M",
                    age=rng.randint(22, 40),
                    population_group=group,
                    pcode=pcode,
                    site=site,
                    registered_on=registered_on,
                    relationship="Chef de ménage",
                )
                spouse = self.register(
                    c,
                    partner=partner,
                    names=names,
                    sex="F",
                    age=rng.randint(18, 35),
                    population_group=group,
                    pcode=pcode,
                    site=site,
                    registered_on=registered_on,
                    relationship="Épouse",
                    needs=("WR",) if rng.random() < 0.3 else (),
                )
                sex = rng.choice("FM")
                child = self.register(
                    c,
                    partner=partner,
                    names=names,
                    root=root,
                    sex=sex,
                    age=rng.randint(1, 10),
                    population_group=group,
                    pcode=pcode,
                    site=site,
                    registered_on=registered_on,
                    relationship="Fille" if sex == "F" else "Fils",
                )
                members = [head, spouse, child]
                household = self.household("MIG", members, head=head, site=site)
                families.append((household, members))
                everyone.extend(members)
                continue
            draw = rng.random()
            age = (
                rng.randint(14, 17)
                if draw < 0.1
                else rng.randint(18, 40)
                if draw < 0.95
                else rng.randint(41, 55)
            )
            sex = "M" if rng.random() < 0.8 else "F"
            needs = []
            if age < 18:
                needs.append("SC")
            if sex == "F" and rng.random() < 0.2:
                needs.append("WR")
            if rng.random() < 0.05:
                needs.append("SM")
            everyone.append(
                self.register(
                    c,
                    partner=partner,
                    names=names,
                    sex=sex,
                    age=age,
                    population_group=group,
                    pcode=pcode,
                    site=site,
                    registered_on=registered_on,
                    needs=tuple(needs),
                    tags=("single",),
                )
            )
        in_family = {m.person.pk for _h, members in families for m in members}
        singles = [b for b in everyone if b.person.pk not in in_family]
        for b in singles:
            pcode, site, suffix = city[b.partner]
            if rng.random() < 0.75:
                self.give(
                    c,
                    date=min(self.after(b.registered_on, rng.randint(0, 2)), TODAY),
                    partner=b.partner,
                    activity=f"nfi_{suffix}",
                    kind="nfi",
                    item="Kit NFI individuel (natte, couverture, moustiquaire, kit d'hygiène)",
                    value=18500,
                    currency="XOF",
                    unit="kit",
                    person=b,
                    site=site,
                )
            if b.age >= 18 and rng.random() < 0.45:
                day = self.after(b.registered_on, rng.randint(3, 12))
                if day <= TODAY:
                    self.give(
                        c,
                        date=day,
                        partner=b.partner,
                        activity=f"cash_{suffix}",
                        kind="cash",
                        item="Assistance en espèces pour les besoins de base",
                        value=35000,
                        currency="XOF",
                        modality="mobile_money",
                        person=b,
                    )
            if b.person.population_group == "returnee" and rng.random() < 0.5:
                day = self.after(b.registered_on, rng.randint(30, 60))
                if day <= TODAY:
                    self.give(
                        c,
                        date=day,
                        partner=b.partner,
                        activity=f"cash_{suffix}",
                        kind="cash",
                        item="Appui à la réintégration",
                        value=75000,
                        currency="XOF",
                        modality="mobile_money",
                        person=b,
                    )
        for household, members in families:
            partner = members[0].partner
            pcode, site, suffix = city[partner]
            day = members[0].registered_on
            self.give(
                c,
                date=min(self.after(day, 1), TODAY),
                partner=partner,
                activity=f"nfi_{suffix}",
                kind="nfi",
                item="Kit NFI familial (nattes, couvertures, moustiquaires, ustensiles, kit "
                "d'hygiène)",
                value=42000,
                currency="XOF",
                unit="kit",
                household=household,
                site=site,
            )
            if self.after(day, 7) <= TODAY:
                self.give(
                    c,
                    date=self.after(day, 7),
                    partner=partner,
                    activity=f"cash_{suffix}",
                    kind="cash",
                    item="Assistance en espèces pour les besoins de base (ménage)",
                    value=60000,
                    currency="XOF",
                    modality="mobile_money",
                    household=household,
                )
        # Follow-up home visits: of a quarter of the single persons, and of every family.
        visited = [[b] for b in singles if rng.random() < 0.25] + [m for _h, m in families]
        for members in visited:
            partner = members[0].partner
            pcode, site, suffix = city[partner]
            place = rng.choice(quarters[pcode])
            for offset in (14, 45, 90)[: rng.randint(1, 3)]:
                day = self.after(members[0].registered_on, offset + rng.randint(0, 5))
                if day > TODAY:
                    break
                self.session(
                    c,
                    kind=Session.Kind.HOME_VISIT,
                    title=f"Visite à domicile de suivi, {place}",
                    date=day,
                    partner=partner,
                    activity=f"visits_{suffix}",
                    pcode=pcode,
                    facilitator=f"Travailleur·se social·e {partner.acronym}",
                    attendees=members,
                )
        # Talks in the transit centres and radio campaigns, with counted reach.
        topics = [
            "Risques de la traversée du désert",
            "Traite des personnes et travail forcé",
            "Retour volontaire et réintégration",
            "Voies de migration régulières",
        ]
        for partner in (akpm, gaam):
            pcode, site, suffix = city[partner]
            talks = self.n(10, minimum=3)
            for index in range(talks):
                start = D(2, 1) + datetime.timedelta(days=index * 290 // talks)
                day = self.day(start, self.after(start, 12))
                recent = [
                    b
                    for b in everyone
                    if b.partner == partner
                    and self.after(day, -30) <= b.registered_on <= day
                    and b.age >= 14
                ]
                self.session(
                    c,
                    kind=Session.Kind.AWARENESS,
                    title=f"Causerie au centre de transit : {topics[index % len(topics)]}",
                    date=day,
                    partner=partner,
                    activity=f"talks_{suffix}",
                    pcode=pcode,
                    site=site,
                    facilitator=f"Animateur·rice {partner.acronym}",
                    attendees=[b for b in recent if rng.random() < 0.6][:12],
                    reach=self.reach(
                        {"12-17": (10, 40), "18-24": (30, 90), "25-59": (40, 120), "60+": (2, 15)},
                        women=0.35,
                    ),
                )
            for index in range(self.n(4, minimum=2)):
                day = self.day(D(2 + index * 3, 15), D(2 + index * 3, 28))
                where = "Bamako" if pcode == BAMAKO else "Gao"
                self.session(
                    c,
                    kind=Session.Kind.MASS_CAMPAIGN,
                    title=f"Campagne radio « S'informer avant de partir », {where}",
                    date=day,
                    partner=None,
                    activity="radio",
                    pcode=pcode,
                    facilitator="Radio communautaire partenaire",
                    reach=self.reach(
                        {
                            "12-17": (200, 600),
                            "18-24": (500, 1400),
                            "25-59": (700, 1800),
                            "60+": (100, 300),
                        },
                        women=0.45,
                    ),
                )
        for partner in (akpm, gaam):
            pcode, site, _suffix = city[partner]
            members = sorted(
                (b for b in singles if b.partner == partner and b.age >= 18),
                key=lambda b: (b.registered_on, b.person.pk),
            )[: max(3, self.n(8))]
            where = "Bamako" if pcode == BAMAKO else "Gao"
            self.group(
                c,
                name=f"Comité des migrants du centre de transit de {where}",
                kind="committee",
                partner=partner,
                pcode=pcode,
                site=site,
                founded_on=max(D(2, 2), max(b.registered_on for b in members)),
                members=members,
                roles=("Président·e", "Porte-parole des femmes"),
            )

    # -- (d) women's economic empowerment in Bamako, Koulikoro and Mopti --

    def women(self, c: ProjectContext) -> None:
        rng = self.rng
        adei, dsm = self.orgs["adei"], self.orgs["dsm"]
        plans = [
            (
                BAMAKO,
                adei,
                "adei",
                "mali_south",
                "sabalibougou",
                {"host": 85, "idp": 15},
                [
                    "Groupement féminin Benkadi de Sabalibougou",
                    "Groupe d'épargne Sinignesigi de Niamakoro",
                    "Groupement Musoya de Sabalibougou",
                    "Groupe d'épargne Dakan de Faladié",
                ],
            ),
            (
                KOULIKORO,
                None,
                "lead",
                "mali_south",
                "mf_koulikoro",
                {"host": 90, "returnee": 10},
                [
                    "Groupement Musow Ka Jigi de Koulikoro-Ba",
                    "Groupe d'épargne Jèkafo de Souban",
                    "Groupement Benso de Kayo",
                    "Groupe d'épargne Hèrè de Koulikoro-Gare",
                ],
            ),
            (
                MOPTI,
                dsm,
                "dsm",
                "mali_centre",
                "socoura",
                {"idp": 60, "host": 40},
                [
                    "Groupement Yiriwa Ton de Socoura",
                    "Groupe d'épargne Hakili Jigi de Sévaré",
                    "Groupement des femmes déplacées de Socoura",
                    "Groupe d'épargne Wassa de Mopti-Gangal",
                ],
            ),
        ]
        modules = [
            "Gestion simplifiée d'une activité génératrice de revenus",
            "Éducation financière et épargne",
            "Commercialisation et accès aux marchés",
            "Leadership féminin et vie associative",
        ]
        per_place = self.n(60, minimum=14)
        group_size = 20 if self.scale >= 1 else 7
        for pcode, partner, suffix, names, site, groups_of, group_names in plans:
            women = []
            for _i in range(per_place):
                sex = "F" if rng.random() < 0.95 else "M"
                age = rng.randint(18, 59) if rng.random() < 0.95 else rng.randint(60, 66)
                population_group = self.weighted(groups_of)
                needs = []
                if sex == "F" and rng.random() < 0.1:
                    needs.append("SP")
                if population_group == "idp" and rng.random() < 0.1:
                    needs.append("WR")
                registered_on = self.weighted(
                    {(D(1, 12), D(2, 20)): 80, (D(3, 2), D(6, 20)): 15, (D(7, 1), D(9, 20)): 5}
                )
                women.append(
                    self.register(
                        c,
                        partner=partner,
                        names=names,
                        sex=sex,
                        age=age,
                        population_group=population_group,
                        pcode=pcode,
                        site=None,
                        registered_on=self.day(*registered_on),
                        needs=tuple(needs),
                    )
                )
            count = max(1, min(len(group_names), round(per_place / group_size)))
            for index in range(count):
                # Women first: the officers of the group are women.
                members = sorted(women[index::count], key=lambda b: b.sex != "F")
                kind = "womens_group" if index % 2 == 0 else "savings_group"
                founded_on = (
                    self.day(D(1, 12), D(2, 13))
                    if rng.random() < 0.5
                    else datetime.date(rng.randint(2018, 2024), rng.randint(1, 12), 1)
                )
                group = self.group(
                    c,
                    name=group_names[index],
                    kind=kind,
                    partner=partner,
                    pcode=pcode,
                    site=site,
                    founded_on=founded_on,
                    members=members,
                    roles=("Présidente", "Secrétaire générale", "Trésorière"),
                )
                if kind == "savings_group":
                    self.give(
                        c,
                        date=max(D(2, 3), founded_on),
                        partner=partner,
                        activity=f"groups_{suffix}",
                        kind="kit",
                        item="Kit AVEC (caisse à trois serrures, carnets, calculatrice)",
                        value=35000,
                        currency="XOF",
                        unit="kit",
                        group=group,
                    )
                else:
                    self.give(
                        c,
                        date=self.day(D(7, 15), D(9, 15)),
                        partner=partner,
                        activity="kits",
                        kind="kit",
                        item="Kit de transformation agroalimentaire (moulin, séchoir solaire, "
                        "emballages)",
                        value=850000,
                        currency="XOF",
                        unit="kit",
                        group=group,
                    )
                # Four training modules, about five weeks apart.
                joined = sorted(b.registered_on for b in members)
                first = max(D(2, 2), self.after(joined[len(joined) // 2], 7))
                attended: Counter[int] = Counter()
                second_module = None
                for number, module in enumerate(modules):
                    day = self.day(
                        self.after(first, 35 * number), self.after(first, 35 * number + 4)
                    )
                    if day > TODAY:
                        break
                    present = self.present(members, day, 0.85)
                    self.session(
                        c,
                        kind=Session.Kind.TRAINING,
                        title=f"{module} — {group.name}",
                        date=day,
                        partner=partner,
                        activity=f"training_{suffix}",
                        pcode=pcode,
                        site=site,
                        facilitator="Formatrice en entrepreneuriat",
                        attendees=present,
                    )
                    attended.update(b.person.pk for b in present)
                    if number == 1:
                        second_module = day
                # Start-up grants after the second module (later in Mopti).
                if second_module is not None:
                    delay = (110, 160) if pcode == MOPTI else (10, 40)
                    for b in members:
                        if b.sex != "F" or attended[b.person.pk] < 2 or rng.random() > 0.7:
                            continue
                        day = self.after(second_module, rng.randint(*delay))
                        if day > TODAY:
                            continue
                        self.give(
                            c,
                            date=day,
                            partner=partner,
                            activity=f"grants_{suffix}",
                            kind="cash",
                            item="Subvention de démarrage d'une activité génératrice de revenus",
                            value=100000,
                            currency="XOF",
                            modality="mobile_money",
                            person=b,
                        )
                # Monthly meetings of the savings groups.
                if kind == "savings_group":
                    for month in range(2, 12):
                        day = self.day(D(month, 8), D(month, 14))
                        if day > TODAY:
                            break
                        self.session(
                            c,
                            kind=Session.Kind.CAPACITY_BUILDING,
                            title=f"Réunion mensuelle d'accompagnement — {group.name}",
                            date=day,
                            partner=partner,
                            activity="coaching",
                            pcode=pcode,
                            site=site,
                            facilitator="Animatrice AVEC",
                            attendees=self.present(members, day, 0.8),
                        )
            # Monthly radio programmes.
            where = {BAMAKO: "Bamako", KOULIKORO: "Koulikoro", MOPTI: "Mopti"}[pcode]
            months = range(2, 12) if self.scale >= 1 else range(2, 12, 3)
            for month in months:
                day = self.day(D(month, 18), D(month, 25))
                if day > TODAY:
                    break
                self.session(
                    c,
                    kind=Session.Kind.MASS_CAMPAIGN,
                    title=f"Émission radio « Musow ka baara », {where}",
                    date=day,
                    partner=partner,
                    activity="radio",
                    pcode=pcode,
                    facilitator="Radio communautaire partenaire",
                    reach=self.reach(
                        {
                            "12-17": (100, 300),
                            "18-24": (250, 700),
                            "25-59": (500, 1300),
                            "60+": (80, 250),
                        },
                        women=0.62,
                    ),
                )

    # -- values, validation and the lock of the first quarter --

    def manual_values(self, c: ProjectContext) -> None:
        quarters = {p.number: p for p in c.project.periods.filter(kind="quarter", year=YEAR)}
        indicators = {i.code: i for i in c.project.indicators.all()}
        for code, values in c.spec["manual_values"].items():
            for quarter, (value, note) in values.items():
                projects.indicator_value_set(
                    indicator=indicators[code],
                    period=quarters[quarter],
                    value=Decimal(value),
                    by=self.me,
                    note=note,
                )

    def close_quarters(self, c: ProjectContext) -> None:
        reports.project_compute(project=c.project, by=self.me)
        quarters = {p.number: p for p in c.project.periods.filter(kind="quarter", year=YEAR)}
        indicators = list(c.project.indicators.order_by("code"))
        for number, status in [
            *((q, IndicatorValue.Status.SUBMITTED) for q in SUBMITTED_QUARTERS),
            *((q, IndicatorValue.Status.VALIDATED) for q in VALIDATED_QUARTERS),
        ]:
            for indicator in indicators:
                projects.indicator_values_transition(
                    indicator=indicator, period=quarters[number], status=status, by=self.me
                )
        projects.period_lock(period=quarters[LOCKED_QUARTER], by=self.me)
