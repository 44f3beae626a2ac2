"""Realistic Sahel registries with known duplicates, at any size, from a seed.

    python bench/sahel.py 20000 --seed 1 > registry.csv

Persons live in households (a family name, a household phone, an area); names follow the skewed
frequencies of Malian and Mauritanian lists (many Traoré and Mamadou); some households have twins
or a son named after his father. About one person in ten is registered again by another partner,
the way re-registrations really differ: transliteration (Mahamadou/Mamadou, Coulibaly/Kulibali,
Diallo/Jallow), accents dropped, upper case, family and given names swapped, middle name added or
dropped, a typo, Arabic script on Mauritanian records, an estimated or approximate date of birth,
the phone missing or another one. Each row carries ``entity``: rows of one entity are one person.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import random
import sys

# Family names with their transliteration variants; the first is the usual spelling.
FAMILY = [
    ["Traoré", "Traore", "Trawore", "Traoure"],
    ["Coulibaly", "Kulibali", "Koulibaly", "Coulibali"],
    ["Diallo", "Jallow", "Djallo", "Diallo"],
    ["Keïta", "Keita", "Kéita"],
    ["Diarra", "Jarra", "Diara"],
    ["Touré", "Toure", "Turé"],
    ["Konaté", "Konate", "Konatè"],
    ["Cissé", "Sissé", "Cisse"],
    ["Sangaré", "Sangare", "Sanogo"],
    ["Koné", "Kone", "Konne"],
    ["Dembélé", "Dembele", "Dembelé"],
    ["Maïga", "Maiga", "Mahiga"],
    ["Sidibé", "Sidibe"],
    ["Doumbia", "Dumbia", "Doumbiya"],
    ["Kanté", "Kante"],
    ["Samaké", "Samake"],
    ["Bagayoko", "Bagayogo"],
    ["Fofana", "Fofanah"],
    ["Dicko", "Diko", "Dikko"],
    ["Sow", "Sao"],
    ["Haïdara", "Haidara", "Haydara"],
    ["Guindo", "Guindou"],
    ["Kouyaté", "Kouyate", "Kuyateh"],
    ["Diakité", "Diakite", "Jakite"],
    ["Tounkara", "Tunkara"],
    ["Sylla", "Sila", "Silla"],
    ["Ouattara", "Watara", "Wattara"],
    ["Berthé", "Berthe", "Berté"],
    ["Mariko", "Mariko"],
    ["Dolo", "Dologo"],
    ["Togola", "Togolla"],
    ["Niangaly", "Niangali"],
    ["Ballo", "Balo"],
    ["Sacko", "Sako", "Sakho"],
    ["Camara", "Kamara"],
    ["Barry", "Bari", "Bary"],
    ["Bah", "Ba"],
    ["Ould Ahmed", "Ould Ahmed", "O. Ahmed", "ولد أحمد"],
    ["Ould Mohamed", "Ould Mohamed", "Ould Mohammed", "ولد محمد"],
    ["Ould Sidi", "Ould Sidi", "ولد سيدي"],
    ["Ould Cheikh", "Ould Cheikh", "Ould Sheikh"],
    ["Ould Brahim", "Ould Brahim", "Ould Ibrahim"],
    ["Ag Alhassane", "Ag Alhassane", "Ag Alhasane"],
    ["Ag Mohamed", "Ag Mohamed", "Ag Mahamad"],
    ["Walet Intallah", "Walet Intalla"],
]
MALE = [
    ["Mamadou", "Mahamadou", "Mohamed", "Muhammad", "Mamadu"],
    ["Moussa", "Musa", "Mousa"],
    ["Ibrahim", "Ibrahima", "Brahim"],
    ["Oumar", "Omar", "Umar"],
    ["Amadou", "Hamadou", "Ahmadou"],
    ["Boubacar", "Abubakar", "Boubakar"],
    ["Seydou", "Seidou", "Saidou"],
    ["Adama", "Adama"],
    ["Souleymane", "Suleiman", "Souleimane"],
    ["Abdoulaye", "Abdullahi", "Abdoulahi"],
    ["Bakary", "Bakari", "Bakari"],
    ["Drissa", "Idrissa", "Drisa"],
    ["Ousmane", "Usman", "Ousman"],
    ["Youssouf", "Yusuf", "Youssef"],
    ["Modibo", "Modibo"],
    ["Lassana", "Lasana"],
    ["Sékou", "Sekou", "Sekou"],
    ["Issa", "Isa"],
    ["Yacouba", "Yakuba", "Yacuba"],
    ["Aliou", "Aliu", "Alioune"],
    ["Cheick", "Cheikh", "Sheikh"],
    ["Ahmed", "Ahmed", "Ahmad", "أحمد"],
    ["Sidi", "Sidi", "سيدي"],
    ["Hamidou", "Hamidu"],
    ["Salif", "Salifou"],
    ["Mohamed Lemine", "Mohamed Lamine", "Mouhamed Lemine"],
    ["El Moctar", "Elmoctar", "El Mokhtar"],
]
FEMALE = [
    ["Aminata", "Aminatou", "Aminata"],
    ["Fatoumata", "Fatimata", "Fatoumatou"],
    ["Mariam", "Mariem", "Meriem"],
    ["Awa", "Hawa", "Awa"],
    ["Kadiatou", "Khadiatou", "Kadiatu"],
    ["Aïssata", "Aissata", "Aysata"],
    ["Oumou", "Umu", "Oumou"],
    ["Djeneba", "Jeneba", "Dieneba"],
    ["Rokia", "Rokiatou", "Rokya"],
    ["Assitan", "Assitane"],
    ["Salimata", "Salimatou"],
    ["Kadidia", "Kadija", "Khadija"],
    ["Bintou", "Bintu"],
    ["Fanta", "Fanta"],
    ["Maïmouna", "Maimouna", "Maymuna"],
    ["Safiatou", "Safiatu"],
    ["Fatma", "Fatma", "Fatima", "فاطمة"],
    ["Aïcha", "Aicha", "Aisha", "عائشة"],
    ["Zeinabou", "Zeynabou", "Zeinab"],
    ["Nana", "Nana"],
    ["Sitan", "Sitanè"],
    ["Korotoumou", "Korotumu"],
]
MIDDLE = ["Binta", "Sira", "Kadi", "Lala", "Bah", "Mah", "Sali", "Nene", "Dado", "Cheikh"]


def _zipf(n: int, rng: random.Random, s: float = 1.1) -> int:
    weights = [1 / (k + 1) ** s for k in range(n)]
    return rng.choices(range(n), weights)[0]


class Generator:
    """Households, persons and re-registrations, drawn from one seed."""

    def __init__(self, seed: int = 1, duplicate_rate: float = 0.1):
        self.rng = random.Random(seed)
        self.duplicate_rate = duplicate_rate
        self.family_weights = [1 / (k + 1) ** 1.0 for k in range(len(FAMILY))]
        self.male_weights = [1 / (k + 1) ** 0.9 for k in range(len(MALE))]
        self.female_weights = [1 / (k + 1) ** 0.9 for k in range(len(FEMALE))]

    def _given(self, sex: str) -> tuple[int, str]:
        rng = self.rng
        pool, weights = (MALE, self.male_weights) if sex == "M" else (FEMALE, self.female_weights)
        k = rng.choices(range(len(pool)), weights)[0]
        name = pool[k][0]
        if rng.random() < 0.12:
            name = f"{name} {rng.choice(MIDDLE)}"
        return k, name

    def persons(self, n: int) -> list[dict]:
        """``n`` distinct persons in households (no duplicates yet)."""
        rng = self.rng
        out: list[dict] = []
        household = 0
        today = datetime.date(2026, 6, 1)
        while len(out) < n:
            household += 1
            family = rng.choices(range(len(FAMILY)), self.family_weights)[0]
            area = rng.randint(1, 60)
            phone = f"+2237{rng.randint(0, 9_999_999):07d}"
            size = min(rng.randint(1, 8), n - len(out))
            head_birth = today - datetime.timedelta(days=rng.randint(20 * 365, 60 * 365))
            father = None
            used: set[str] = set()
            for member in range(size):
                sex = "M" if (member == 0 and rng.random() < 0.8) or rng.random() < 0.5 else "F"
                if member == 0:
                    birth = head_birth
                else:
                    birth = today - datetime.timedelta(days=rng.randint(0, 18 * 365))
                k, given = self._given(sex)
                while given.split()[0] in used:
                    # Brothers and sisters do not share a given name.
                    k, given = self._given(sex)
                used.add(given.split()[0])
                if member == 0 and sex == "M":
                    father = (k, given, birth)
                if father and member == 1 and rng.random() < 0.08:
                    # A son named after his father.
                    sex, (k, given) = "M", father[:2]
                estimated = rng.random() < 0.3
                if estimated:
                    birth = datetime.date(birth.year, 1, 1)
                out.append(
                    {
                        "family_idx": family,
                        "given_idx": k,
                        "family_name": FAMILY[family][0],
                        "given_name": given,
                        "sex": sex,
                        "birth_date": birth,
                        "birth_date_estimated": estimated,
                        "phone": phone if rng.random() < 0.7 else "",
                        "area_id": area,
                        "household_id": household,
                    }
                )
                if member >= 1 and rng.random() < 0.03 and len(out) < n:
                    # Twins: same date of birth, another given name.
                    twin_sex = rng.choice("MF")
                    tk, twin_given = self._given(twin_sex)
                    if twin_given.split()[0] not in used:
                        used.add(twin_given.split()[0])
                        out.append(
                            {**out[-1], "given_idx": tk, "given_name": twin_given, "sex": twin_sex}
                        )
        return out[:n]

    def variant(self, pool: list[list[str]], idx: int, name: str) -> str:
        """The name as another partner writes it."""
        rng = self.rng
        spellings = pool[idx]
        first, *rest = name.split(" ", 1) if pool is not FAMILY else (name, None)
        if pool is FAMILY:
            first, rest = name, []
        else:
            words = name.split()
            base = " ".join(w for w in words if w not in MIDDLE)
            first = base
            rest = [w for w in words if w in MIDDLE]
        if rng.random() < 0.45:
            first = rng.choice(spellings)
        written = " ".join([first, *rest])
        r = rng.random()
        if r < 0.3:
            written = written.upper()
        elif r < 0.5:
            written = written.replace("é", "e").replace("ï", "i").replace("è", "e")
        if pool is not FAMILY and rng.random() < 0.12:
            words = written.split()
            written = words[0] if len(words) > 1 else f"{written} {rng.choice(MIDDLE)}"
        if rng.random() < 0.1 and len(written) > 4 and not any(c >= "\u0600" for c in written):
            i = rng.randrange(1, len(written) - 1)
            op = rng.random()
            if op < 0.4:
                written = written[:i] + written[i + 1 :]
            elif op < 0.7:
                written = written[:i] + written[i] + written[i:]
            else:
                written = written[:i] + written[i + 1] + written[i] + written[i + 2 :]
        return written

    def duplicate(self, person: dict) -> dict:
        rng = self.rng
        pool = MALE if person["sex"] == "M" else FEMALE
        family = self.variant(FAMILY, person["family_idx"], person["family_name"])
        given = self.variant(pool, person["given_idx"], person["given_name"])
        if rng.random() < 0.1:
            family, given = given, family
        birth, estimated = person["birth_date"], person["birth_date_estimated"]
        r = rng.random()
        if r < 0.5:
            pass
        elif r < 0.7:
            birth = datetime.date(birth.year, 1, 1)
            estimated = True
        elif r < 0.85:
            birth = birth + datetime.timedelta(days=rng.choice([-1, 1]) * rng.randint(1, 365))
        elif r < 0.92:
            birth = birth + datetime.timedelta(days=rng.choice([-1, 1]) * rng.randint(366, 730))
            estimated = True
        elif r < 0.97:
            birth = datetime.date(birth.year + rng.randint(-3, 3), 1, 1)
            estimated = True
        else:
            birth = birth.replace(day=min(birth.month, 28), month=min(birth.day, 12))
        r = rng.random()
        phone = person["phone"]
        if r < 0.3:
            phone = ""
        elif r < 0.45:
            phone = f"+2236{rng.randint(0, 9_999_999):07d}"
        elif phone and rng.random() < 0.5:
            phone = phone[4:6] + " " + phone[6:8] + " " + phone[8:10] + " " + phone[10:]
        sex = person["sex"] if rng.random() > 0.01 else ("F" if person["sex"] == "M" else "M")
        return {
            **person,
            "family_name": family,
            "given_name": given,
            "sex": sex,
            "birth_date": birth,
            "birth_date_estimated": estimated,
            "phone": phone,
            "area_id": person["area_id"] if rng.random() < 0.8 else rng.randint(1, 60),
            "household_id": None,
        }

    def registry(self, n: int) -> list[dict]:
        """``n`` rows: persons and their re-registrations, shuffled, with ``id`` and ``entity``."""
        originals = int(n / (1 + self.duplicate_rate * 1.15))
        persons = self.persons(originals)
        for entity, person in enumerate(persons):
            person["entity"] = entity
        rows = list(persons)
        while len(rows) < n:
            person = self.rng.choice(persons)
            rows.append(self.duplicate(person))
        self.rng.shuffle(rows)
        for i, row in enumerate(rows):
            row["id"] = i + 1
            row.pop("family_idx", None)
            row.pop("given_idx", None)
        return rows


def true_pairs(rows: list[dict]) -> set[tuple[int, int]]:
    """Pairs of row ids (smaller first) of one entity."""
    by_entity: dict[int, list[int]] = {}
    for row in rows:
        by_entity.setdefault(row["entity"], []).append(row["id"])
    pairs = set()
    for ids in by_entity.values():
        ids.sort()
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                pairs.add((ids[a], ids[b]))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rows = Generator(args.seed).registry(args.n)
    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)


if __name__ == "__main__":
    main()
