"""Writes the sample task datasets of this folder (see README.md). Deterministic: no clock, no
unseeded randomness, the same files on every run. Everything here was written for this project.

    .venv/bin/python recipes/sample_tasks/make_tasks.py

Each task keeps its OWN field names (a recipe maps them onto the canonical fields of its type),
plus `id` and `split` ("train": the few-shot exemplar pool, about 30 %; "test": the rest). Planted
records (duplicates, bad records, an over-long one, a benchmark quote) are added after the good
ones, always in the "test" split, and listed in PLANTED / README.md.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARK = HERE.parent / "sample_benchmarks" / "sample-qa.jsonl"


def split_of(index: int) -> str:
    """Three records in ten are exemplars (train), the rest test."""
    return "train" if index % 10 in (0, 3, 6) else "test"


def number(task: str, records: list[dict]) -> list[dict]:
    """id and split in front of each record's own fields."""
    return [{"id": f"{task}-{i + 1:03d}", "split": split_of(i), **r} for i, r in enumerate(records)]


def planted(task: str, records: list[dict], extra: list[dict]) -> list[dict]:
    """Append planted records (test split), numbered after the good ones."""
    start = len(records)
    return records + [
        {"id": f"{task}-{start + i + 1:03d}", "split": "test", **r} for i, r in enumerate(extra)
    ]


# --------------------------------------------------------------------------------------------
# capitals_qa (open_qa): q, a, optional ctx
# --------------------------------------------------------------------------------------------
CAPITALS = [
    ("What is the capital of France?", "Paris", None),
    ("What is the capital of Japan?", "Tokyo", None),
    (
        "What is the capital of Australia?",
        "Canberra",
        "Sydney is Australia's largest city, but the federal parliament sits in a city that was "
        "planned and built for the purpose in the early twentieth century.",
    ),
    ("What is the capital of Canada?", "Ottawa", None),
    (
        "What is the capital of Brazil?",
        "Brasília",
        "Brazil moved its capital inland from Rio de Janeiro in 1960, to a city built from scratch on the central plateau.",
    ),
    ("What is the capital of Kenya?", "Nairobi", None),
    ("What is the capital of Egypt?", "Cairo", None),
    ("Which city is the capital of Germany?", "Berlin", None),
    ("What is the capital city of Italy?", "Rome", None),
    ("What is the capital of Spain?", "Madrid", None),
    (
        "What is the capital of Turkey?",
        "Ankara",
        "Istanbul is Turkey's largest city, but the capital moved to central Anatolia when the republic was founded in 1923.",
    ),
    (
        "What is the capital of Nigeria?",
        "Abuja",
        "Lagos was the capital of Nigeria until 1991, when the government moved to a planned city near the centre of the country.",
    ),
    ("What is the capital of Argentina?", "Buenos Aires", None),
    ("What is the capital of Peru?", "Lima", None),
    ("Which city is the capital of Chile?", "Santiago", None),
    ("What is the capital of Norway?", "Oslo", None),
    ("What is the capital of Sweden?", "Stockholm", None),
    ("What is the capital of Finland?", "Helsinki", None),
    ("What is the capital of Poland?", "Warsaw", None),
    (
        "What is the capital of Hungary?",
        "Budapest",
        "The city was formed in 1873 by uniting Buda and Óbuda on the west bank of the Danube with Pest on the east bank.",
    ),
    ("What is the capital of Portugal?", "Lisbon", None),
    ("Name the capital of Greece.", "Athens", None),
    ("What is the capital of South Korea?", "Seoul", None),
    ("What is the capital of Thailand?", "Bangkok", None),
    ("What is the capital of Vietnam?", "Hanoi", None),
    ("What is the capital of India?", "New Delhi", None),
    (
        "What is the capital of Pakistan?",
        "Islamabad",
        "Karachi served as Pakistan's first capital; a new capital was built in the 1960s at the foot of the Margalla Hills.",
    ),
    ("What is the capital of Mongolia?", "Ulaanbaatar", None),
    ("What is the capital of New Zealand?", "Wellington", None),
    ("What is the capital of Morocco?", "Rabat", None),
    ("What is the capital of Ghana?", "Accra", None),
    ("What is the capital of Ethiopia?", "Addis Ababa", None),
    ("What is the capital of Mexico?", "Mexico City", None),
    ("What is the capital of Colombia?", "Bogotá", None),
    ("Which river flows through Cairo?", "The Nile", None),
    ("What is the largest country in the world by area?", "Russia", None),
    ("What is the longest river in South America?", "The Amazon", None),
    ("On which continent is Mongolia?", "Asia", None),
    ("Which ocean lies between Africa and Australia?", "The Indian Ocean", None),
    ("Which country has Reykjavík as its capital?", "Iceland", None),
    ("Which country's capital is Kathmandu?", "Nepal", None),
    ("Which country's capital is Montevideo?", "Uruguay", None),
    (
        "Which mountain range is usually taken as part of the border between Europe and Asia?",
        "The Ural Mountains",
        "The conventional boundary between Europe and Asia runs north to south through western Russia, "
        "along a range of mountains and then the river of the same name.",
    ),
    ("What is the highest mountain in Africa?", "Mount Kilimanjaro", None),
    ("On which sea does Venice lie?", "The Adriatic Sea", None),
    (
        "What is the capital of Switzerland?",
        "Bern",
        "The Swiss constitution names no capital; the federal parliament and government sit in the "
        "'federal city', which is not the country's largest city, Zurich.",
    ),
    (
        "What is the capital of the Netherlands?",
        "Amsterdam",
        "The Dutch government, parliament and supreme court sit in The Hague, but the constitution names another city as the capital.",
    ),
    (
        "What is the constitutional capital of Bolivia?",
        "Sucre",
        "La Paz is the seat of Bolivia's government, but the constitution and the supreme court are in another city.",
    ),
    (
        "What is the capital of Kazakhstan?",
        "Astana",
        "Kazakhstan moved its capital from Almaty in 1997; the new capital was called Nur-Sultan from 2019 to 2022.",
    ),
    (
        "What is the capital of Myanmar?",
        "Naypyidaw",
        "Myanmar's government moved out of Yangon in 2005 to a new city in the centre of the country.",
    ),
    ("What is the capital of Ireland?", "Dublin", None),
    ("What is the capital of Austria?", "Vienna", None),
    ("What is the capital of Cuba?", "Havana", None),
    ("What is the capital of the Philippines?", "Manila", None),
    ("Which river flows through both Vienna and Budapest?", "The Danube", None),
    ("In which country is the city of Timbuktu?", "Mali", None),
    ("What is the smallest country in the world by area?", "Vatican City", None),
    ("Which desert covers much of northern Africa?", "The Sahara", None),
    ("What is the capital of Saudi Arabia?", "Riyadh", None),
    ("What is the capital of Scotland?", "Edinburgh", None),
]


def capitals_qa() -> list[dict]:
    records = number("capitals_qa", [{"q": q, "a": a, **({"ctx": c} if c else {})} for q, a, c in CAPITALS])
    # Three exact duplicates: the same content as three test records, under new ids.
    dups = [{k: v for k, v in records[i].items() if k not in ("id", "split")} for i in (1, 11, 45)]
    # One record that quotes a benchmark item verbatim (sample-qa/2: passage, question, answer).
    item = next(json.loads(line) for line in BENCHMARK.read_text().splitlines() if '"sample-qa/2"' in line)
    passage, question = (part.split(": ", 1)[1] for part in item["text"].split("\n"))
    contaminated = {"q": f"{passage} {question}", "a": item["answer"]}
    return planted("capitals_qa", records, [*dups, contaminated])


# --------------------------------------------------------------------------------------------
# science_mc (multiple_choice): stem, choices (4), label (index 0-3), explanation on about half
# --------------------------------------------------------------------------------------------
# (stem, correct choice, three wrong choices, explanation or None); the choices are shuffled
# with a per-item seed and `label` is the correct choice's index after shuffling.
SCIENCE = [
    (
        "Which gas do plants take in from the air to make their food by photosynthesis?",
        "Carbon dioxide",
        ["Oxygen", "Nitrogen", "Helium"],
        "Plants take in carbon dioxide and use the energy of light to turn it and water into sugar, releasing oxygen.",
    ),
    (
        "What is the chemical symbol for gold?",
        "Au",
        ["Ag", "Gd", "Go"],
        "Gold's symbol comes from its Latin name, aurum.",
    ),
    ("Which planet is closest to the Sun?", "Mercury", ["Venus", "Earth", "Mars"], None),
    (
        "At sea level, at what temperature does pure water boil?",
        "100 °C",
        ["90 °C", "110 °C", "120 °C"],
        "At standard sea-level pressure water boils at 100 degrees Celsius; at lower pressure, such as on a mountain, it boils at a lower temperature.",
    ),
    (
        "Which part of a plant or animal cell holds most of its DNA?",
        "The nucleus",
        ["The cell membrane", "The ribosome", "The vacuole"],
        None,
    ),
    (
        "What force keeps the planets in orbit around the Sun?",
        "Gravity",
        ["Magnetism", "Friction", "Static electricity"],
        "The Sun's gravity pulls each planet towards it, and this pull bends the planet's motion into an orbit.",
    ),
    ("How many bones are there in the adult human body?", "206", ["106", "306", "406"], None),
    (
        "Which blood cells carry oxygen around the body?",
        "Red blood cells",
        ["White blood cells", "Platelets", "Plasma cells"],
        "Red blood cells are full of haemoglobin, a protein that binds oxygen in the lungs and releases it in the tissues.",
    ),
    ("Which of these minerals is the hardest?", "Diamond", ["Quartz", "Topaz", "Talc"], None),
    (
        "Which organ pumps blood through the body?",
        "The heart",
        ["The liver", "The lungs", "The kidneys"],
        None,
    ),
    (
        "About how fast does light travel in a vacuum?",
        "300,000 km per second",
        ["300 km per second", "30,000 km per second", "3,000,000 km per second"],
        "The speed of light in a vacuum is 299,792 km per second, which rounds to about 300,000 km per second.",
    ),
    (
        "What is the common name of the compound H2O?",
        "Water",
        ["Hydrogen peroxide", "Table salt", "Ammonia"],
        None,
    ),
    (
        "In which layer of the atmosphere is the ozone layer found?",
        "The stratosphere",
        ["The troposphere", "The mesosphere", "The thermosphere"],
        "Most of the atmosphere's ozone lies in the stratosphere, roughly 15 to 35 km above the ground.",
    ),
    (
        "Which of these animals is a mammal?",
        "Dolphin",
        ["Shark", "Salmon", "Octopus"],
        "Dolphins breathe air, are warm-blooded and feed their young on milk, which makes them mammals; the others are fish or a mollusc.",
    ),
    (
        "What kind of energy does a moving car have because of its motion?",
        "Kinetic energy",
        ["Nuclear energy", "Elastic energy", "Magnetic energy"],
        None,
    ),
    (
        "What is the small, dense centre of an atom called?",
        "The nucleus",
        ["The electron", "The orbital", "The shell"],
        None,
    ),
    (
        "Which particle has a negative electric charge?",
        "Electron",
        ["Proton", "Neutron", "Photon"],
        "Protons are positive, neutrons have no charge and photons have no charge; electrons carry a negative charge.",
    ),
    (
        "What is the pH of pure water at 25 °C?",
        "7",
        ["1", "10", "14"],
        "Pure water is neutral, and a neutral solution has a pH of 7 at 25 °C.",
    ),
    (
        "Which planet is known as the Red Planet?",
        "Mars",
        ["Jupiter", "Saturn", "Neptune"],
        "Iron oxide, or rust, in the dust and rocks of Mars gives the planet its reddish colour.",
    ),
    (
        "What is the process in which liquid water turns into water vapour?",
        "Evaporation",
        ["Condensation", "Freezing", "Precipitation"],
        None,
    ),
    (
        "Which gas makes up most of Earth's atmosphere?",
        "Nitrogen",
        ["Oxygen", "Carbon dioxide", "Argon"],
        "Nitrogen makes up about 78 percent of dry air, oxygen about 21 percent and argon less than 1 percent.",
    ),
    (
        "A ramp used to push a heavy box up into a truck is an example of which simple machine?",
        "An inclined plane",
        ["A lever", "A pulley", "A wheel and axle"],
        None,
    ),
    (
        "What do honeybees collect from flowers to make honey?",
        "Nectar",
        ["Pollen", "Sap", "Resin"],
        "Bees make honey from nectar, the sugary liquid in flowers; pollen is collected too, but as protein food.",
    ),
    ("In which unit is electrical resistance measured?", "Ohm", ["Volt", "Ampere", "Watt"], None),
    (
        "Which organ filters the blood to make urine?",
        "The kidney",
        ["The stomach", "The pancreas", "The spleen"],
        "The kidneys filter waste and extra water out of the blood, and that liquid leaves the body as urine.",
    ),
    ("Which of these is a renewable source of energy?", "Wind", ["Coal", "Natural gas", "Oil"], None),
    (
        "How long does it take Earth to travel once around the Sun?",
        "About 365 days",
        ["About 24 hours", "About 30 days", "About 10 years"],
        "One orbit of the Sun takes about 365.25 days, which is why a leap day is added every four years.",
    ),
    (
        "At what temperature on the Fahrenheit scale does water freeze?",
        "32 °F",
        ["0 °F", "100 °F", "212 °F"],
        None,
    ),
    (
        "What type of rock forms when lava or magma cools and hardens?",
        "Igneous rock",
        ["Sedimentary rock", "Metamorphic rock", "Limestone"],
        "Igneous rocks such as basalt and granite form from molten rock that cools, either at the surface or underground.",
    ),
    (
        "Which vitamin does human skin make when it is exposed to sunlight?",
        "Vitamin D",
        ["Vitamin A", "Vitamin C", "Vitamin K"],
        None,
    ),
    (
        "What is the largest planet in the solar system?",
        "Jupiter",
        ["Saturn", "Uranus", "Earth"],
        "Jupiter's diameter is about eleven times Earth's, larger than any other planet's, Saturn's included.",
    ),
    (
        "What is the smallest unit of life that can exist on its own?",
        "The cell",
        ["The atom", "The molecule", "The organ"],
        None,
    ),
    (
        "Through which of these does sound travel fastest?",
        "Steel",
        ["Air", "Water", "A vacuum"],
        "Sound travels faster in solids than in liquids and faster in liquids than in gases, and it cannot travel through a vacuum at all.",
    ),
    ("What does a thermometer measure?", "Temperature", ["Air pressure", "Humidity", "Wind speed"], None),
    (
        "Which element has the atomic number 1?",
        "Hydrogen",
        ["Helium", "Lithium", "Oxygen"],
        "The atomic number is the number of protons in the nucleus, and hydrogen is the only element with a single proton.",
    ),
    (
        "What is the name of the cell division that produces two identical daughter cells?",
        "Mitosis",
        ["Meiosis", "Osmosis", "Fermentation"],
        None,
    ),
    (
        "Which part of a plant takes in water from the soil?",
        "The roots",
        ["The leaves", "The flowers", "The petals"],
        None,
    ),
    (
        "What causes the seasons on Earth?",
        "The tilt of Earth's axis",
        ["Changes in Earth's distance from the Sun", "The phases of the Moon", "Ocean currents"],
        "Earth's axis is tilted about 23.5 degrees, so each hemisphere leans towards the Sun for part of the year and gets more direct sunlight.",
    ),
    ("What is the chemical formula of table salt?", "NaCl", ["KCl", "CaCO3", "NaOH"], None),
    (
        "What force slows down a book sliding across a table?",
        "Friction",
        ["Gravity", "Buoyancy", "Magnetism"],
        "Friction between the book and the table acts against the book's motion, so the book slows down and stops.",
    ),
    (
        "Which is the largest organ of the human body?",
        "The skin",
        ["The liver", "The brain", "The lungs"],
        None,
    ),
    (
        "What do herbivores eat?",
        "Only plants",
        ["Only meat", "Both plants and meat", "Only insects"],
        None,
    ),
    (
        "Which star is nearest to Earth?",
        "The Sun",
        ["Proxima Centauri", "Sirius", "Polaris"],
        "The Sun is a star, about 150 million km away; the next nearest, Proxima Centauri, is more than 4 light-years away.",
    ),
    (
        "Which metal is a liquid at room temperature?",
        "Mercury",
        ["Iron", "Aluminium", "Copper"],
        "Mercury melts at about -39 °C, so it is liquid at room temperature; the other metals melt at hundreds of degrees.",
    ),
    (
        "What is a group of stars that forms a recognised pattern in the night sky called?",
        "A constellation",
        ["A galaxy", "A nebula", "A comet"],
        None,
    ),
    ("Which of these animals is cold-blooded?", "Lizard", ["Eagle", "Whale", "Horse"], None),
    (
        "What is the SI unit of force?",
        "The newton",
        ["The joule", "The pascal", "The watt"],
        "Force is measured in newtons; one newton accelerates a mass of one kilogram by one metre per second squared.",
    ),
    (
        "Which blood vessels carry blood away from the heart?",
        "Arteries",
        ["Veins", "Capillaries", "Lymph vessels"],
        None,
    ),
    (
        "What are animals that eat both plants and other animals called?",
        "Omnivores",
        ["Carnivores", "Herbivores", "Decomposers"],
        "Omni- means all: omnivores such as bears and humans eat both plant and animal food.",
    ),
    (
        "In which state of matter are the particles packed most tightly in a fixed arrangement?",
        "Solid",
        ["Gas", "Liquid", "Plasma"],
        None,
    ),
]


def science_mc() -> list[dict]:
    rows = []
    for index, (stem, correct, wrong, explanation) in enumerate(SCIENCE):
        choices = [correct, *wrong]
        random.Random(1000 + index).shuffle(choices)
        row = {"stem": stem, "choices": choices, "label": choices.index(correct)}
        if explanation:
            row["explanation"] = explanation
        rows.append(row)
    return number("science_mc", rows)


# --------------------------------------------------------------------------------------------
# review_sentiment (classification): sentence, label (positive / negative / neutral)
# --------------------------------------------------------------------------------------------
REVIEWS = [
    (
        "The battery lasts two full days and the screen is bright even in sunlight. Best phone I've owned.",
        "positive",
    ),
    ("Stopped charging after a week. Support never answered my emails.", "negative"),
    ("It's a kettle. It boils water in about three minutes.", "neutral"),
    ("A warm, funny film with a cast that clearly enjoyed making it.", "positive"),
    ("The plot makes no sense and the ending felt like they ran out of money.", "negative"),
    ("Arrived on Tuesday as promised; the box contained the blender and a recipe booklet.", "neutral"),
    ("These headphones are comfortable for hours and the noise cancelling is excellent.", "positive"),
    ("Cheap plastic, and one of the hinges snapped the first time I opened it.", "negative"),
    ("The film runs about two hours and is mostly set in a small coastal town.", "neutral"),
    ("Loved it! My kids have played with this puzzle every evening since it arrived.", "positive"),
    ("Way too loud. The fan sounds like a small aircraft taking off.", "negative"),
    ("The jacket is available in three colours; I ordered the grey one in medium.", "neutral"),
    ("Gorgeous photography and a score that stayed with me for days.", "positive"),
    ("Two hours of my life I will never get back.", "negative"),
    ("It does what the description says, nothing more and nothing less.", "neutral"),
    ("The vacuum picks up dog hair from the carpet in a single pass. Worth every penny.", "positive"),
    ("The instructions were missing and two screws were the wrong size.", "negative"),
    ("This is the director's third feature and the second one shot in black and white.", "neutral"),
    ("Fast delivery, well packed, and the lamp looks even nicer than in the pictures.", "positive"),
    ("The dialogue is wooden and the lead actor looks bored in every scene.", "negative"),
    ("The backpack has two side pockets and a padded sleeve for a laptop.", "neutral"),
    ("A tense, clever thriller that kept me guessing until the last ten minutes.", "positive"),
    ("The coffee maker leaks from the bottom every time I use it.", "negative"),
    ("I bought this as a replacement for my old mouse, which used the same model of receiver.", "neutral"),
    ("The knives are razor sharp and still cut tomatoes cleanly after six months.", "positive"),
    ("Ordered a size large and received a small. The return process was a nightmare.", "negative"),
    ("The sequel picks up a year after the events of the first film.", "neutral"),
    ("Simple to set up, the app works well, and the camera picture is crisp at night.", "positive"),
    ("The colours faded after the first wash and the seams started coming apart.", "negative"),
    ("The book is about 300 pages long and split into four parts.", "neutral"),
    ("An absolute delight from start to finish; the animation is beautiful.", "positive"),
    ("Painfully slow. I checked my watch at least five times.", "negative"),
    ("The chair comes flat-packed and took me roughly forty minutes to assemble.", "neutral"),
    ("Great value for money. The speaker sounds much bigger than it is.", "positive"),
    ("The smell of chemicals from this rug has not gone away after three weeks.", "negative"),
    ("The documentary follows three farmers through a single growing season.", "neutral"),
    ("My new running shoes are light, supportive and didn't need any breaking in.", "positive"),
    ("The screen cracked when the phone slipped off the sofa. Very fragile.", "negative"),
    ("The charger uses a USB-C cable, which is included in the box.", "neutral"),
    ("The performances are superb, especially the young actress who plays the daughter.", "positive"),
    ("The jokes fall flat and the film is at least thirty minutes too long.", "negative"),
    ("I have used the printer twice so far, both times for a few pages in black and white.", "neutral"),
    ("This tent went up in five minutes and kept us dry through a night of heavy rain.", "positive"),
    ("Stopped working after the warranty ran out. Exactly after. Suspicious.", "negative"),
    ("The film is in French with English subtitles.", "neutral"),
    ("Easily the most comfortable mattress we have slept on; my back pain is gone.", "positive"),
    ("The special effects look unfinished and the sound mix drowns out the actors.", "negative"),
    ("The watch strap is leather and the face is about forty millimetres across.", "neutral"),
    ("Five stars. The pan heats evenly and nothing sticks to it, not even eggs.", "positive"),
    ("The app crashes every time I try to pair the scale with my phone.", "negative"),
    ("The season has eight episodes of roughly an hour each.", "neutral"),
    ("A moving story about friendship told without a single false note.", "positive"),
    ("The paint peeled off the bike frame within a month of light use.", "negative"),
    ("The desk lamp has three brightness levels and a switch on the cable.", "neutral"),
    ("Better than the original. Funnier, sharper and with a much stronger villain.", "positive"),
    ("I expected far more from such a famous cast. Dull and forgettable.", "negative"),
    ("The package was left with a neighbour because nobody was home.", "neutral"),
    ("The garden hose doesn't kink, doesn't leak, and coils up neatly. Finally!", "positive"),
    ("Customer service told me to turn it off and on again, then hung up.", "negative"),
    ("The film was shot over six weeks in Iceland and Norway.", "neutral"),
]


def review_sentiment() -> list[dict]:
    return number("review_sentiment", [{"sentence": s, "label": label} for s, label in REVIEWS])


# --------------------------------------------------------------------------------------------
# nli_pairs (classification, text + text2): premise, hypothesis, gold
# --------------------------------------------------------------------------------------------
# Each premise with an entailed, a neutral and a contradicting hypothesis.
NLI = [
    (
        "A woman in a red coat is walking a small dog along a snowy street.",
        "A person is outside with an animal.",
        "The woman is taking her dog to the vet.",
        "The woman is sitting indoors by the fire.",
    ),
    (
        "Two boys are playing football in a park while their father watches from a bench.",
        "Children are playing a ball game.",
        "The boys are brothers.",
        "The park is empty.",
    ),
    (
        "The chef is slicing onions in a busy restaurant kitchen.",
        "Someone is preparing food.",
        "The chef is making soup.",
        "The chef is asleep at home.",
    ),
    (
        "A man is repairing the roof of a house while it rains.",
        "A man is working on a house.",
        "The man owns the house.",
        "The weather is dry and sunny.",
    ),
    (
        "An old woman is feeding pigeons in a city square.",
        "Birds are being fed.",
        "The woman comes to the square every day.",
        "The woman is chasing the pigeons away with a broom.",
    ),
    (
        "A group of students are studying together in a library.",
        "Several people are in a library.",
        "The students have an exam tomorrow.",
        "The students are dancing at a party.",
    ),
    (
        "A cyclist in a yellow jersey is climbing a steep mountain road.",
        "Someone is riding a bicycle uphill.",
        "The cyclist is taking part in a race.",
        "The cyclist is riding downhill on a flat beach path.",
    ),
    (
        "The train to Lyon left the station ten minutes late.",
        "The train did not leave on time.",
        "The train was crowded.",
        "The train to Lyon departed exactly on schedule.",
    ),
    (
        "A little girl is blowing out the candles on a birthday cake.",
        "A child is near a cake.",
        "The girl is turning five.",
        "There are no candles on the cake.",
    ),
    (
        "Two musicians are playing guitars on a street corner, and a hat in front of them holds a few coins.",
        "People are playing instruments outdoors.",
        "The musicians are playing for money to pay their rent.",
        "The musicians are playing drums inside a concert hall.",
    ),
    (
        "A fisherman is pulling a net full of fish onto his boat.",
        "A man has caught fish.",
        "The fisherman will sell the fish at the market.",
        "The net is empty.",
    ),
    (
        "The museum is closed on Mondays and open until eight in the evening on Fridays.",
        "The museum opens late on Fridays.",
        "The museum is free on Sundays.",
        "The museum is open every day of the week.",
    ),
    (
        "A nurse is taking the blood pressure of an elderly patient.",
        "A patient is receiving care.",
        "The patient has a heart condition.",
        "The nurse is ignoring the patient.",
    ),
    (
        "A crowd has gathered to watch fireworks over the river.",
        "Many people are watching something.",
        "It is New Year's Eve.",
        "Nobody is near the river.",
    ),
    (
        "A teenager is skateboarding down a ramp while his friends film him with their phones.",
        "Someone is being filmed.",
        "The video will be posted online.",
        "The teenager is alone.",
    ),
    (
        "The company hired forty new engineers last year and plans to hire more this year.",
        "The company hired engineers last year.",
        "The company is growing because its sales doubled.",
        "The company has stopped hiring.",
    ),
    (
        "A farmer is driving a tractor across a field of wheat at sunset.",
        "A vehicle is in a field.",
        "The farmer is harvesting the wheat.",
        "It is early morning.",
    ),
]


def nli_pairs() -> list[dict]:
    rows = []
    for premise, *hypotheses in NLI:
        for hypothesis, gold in zip(hypotheses, ("entailment", "neutral", "contradiction"), strict=True):
            rows.append({"premise": premise, "hypothesis": hypothesis, "gold": gold})
    random.Random(7).shuffle(rows)  # mixes premises and labels across the two splits
    return number("nli_pairs", rows)


# --------------------------------------------------------------------------------------------
# passage_spans (extraction): passage, query, span (occurs verbatim in the passage)
# --------------------------------------------------------------------------------------------
PASSAGES = [
    (
        "The Great Wall of China is a series of fortifications built across the historical northern borders "
        "of ancient Chinese states. Several walls were built from as early as the 7th century BC, and the best-known "
        "sections were built by the Ming dynasty (1368-1644).",
        "Which dynasty built the best-known sections of the Great Wall?",
        "the Ming dynasty",
    ),
    (
        "Honey never spoils if it is stored in a sealed container. Its low water content and high acidity make it "
        "a poor place for bacteria to grow.",
        "Why do bacteria struggle to grow in honey?",
        "Its low water content and high acidity",
    ),
    (
        "The Amazon rainforest covers much of the Amazon basin of South America. The majority of the forest, about "
        "60 percent, is contained within Brazil, followed by Peru and Colombia.",
        "What share of the Amazon rainforest lies in Brazil?",
        "about 60 percent",
    ),
    (
        "Marie Curie was the first woman to win a Nobel Prize. She won the Physics prize in 1903 together with "
        "Pierre Curie and Henri Becquerel, and the Chemistry prize alone in 1911.",
        "In which year did Marie Curie win the Nobel Prize in Chemistry?",
        "1911",
    ),
    (
        "The Eiffel Tower was built for the 1889 World's Fair in Paris. At 300 metres it was the tallest man-made "
        "structure in the world until the Chrysler Building in New York was finished in 1930.",
        "Which building took the Eiffel Tower's title of tallest man-made structure?",
        "the Chrysler Building",
    ),
    (
        "Octopuses have three hearts. Two pump blood through the gills, while the third pumps it through the rest "
        "of the body.",
        "What do two of the octopus's hearts pump blood through?",
        "the gills",
    ),
    (
        "The printing press with movable metal type was developed in Europe by Johannes Gutenberg around 1440. "
        "His best-known work is a printed edition of the Bible, finished in the 1450s.",
        "Who developed the printing press with movable metal type in Europe?",
        "Johannes Gutenberg",
    ),
    (
        "Mount Everest stands on the border between Nepal and the Tibet Autonomous Region of China. Its summit is "
        "8,849 metres above sea level, according to a survey published in 2020.",
        "How high is the summit of Mount Everest?",
        "8,849 metres above sea level",
    ),
    (
        "Penguins are flightless birds that live almost entirely in the Southern Hemisphere. The only species "
        "found north of the equator in the wild is the Galápagos penguin.",
        "Which penguin species lives north of the equator in the wild?",
        "the Galápagos penguin",
    ),
    (
        "The first successful powered aeroplane flight was made by Orville and Wilbur Wright on 17 December 1903, "
        "near Kitty Hawk, North Carolina. The first flight lasted 12 seconds and covered 37 metres.",
        "How long did the Wright brothers' first flight last?",
        "12 seconds",
    ),
    (
        "Coffee plants are native to tropical Africa. The two most widely grown species are Coffea arabica and "
        "Coffea canephora, which is better known as robusta.",
        "What is Coffea canephora better known as?",
        "robusta",
    ),
    (
        "The human brain has about 86 billion neurons. Each neuron can connect to thousands of others through "
        "junctions called synapses.",
        "What are the junctions between neurons called?",
        "synapses",
    ),
    (
        "The Panama Canal connects the Atlantic Ocean with the Pacific Ocean. It opened in 1914 and saves ships "
        "the long voyage around the southern tip of South America.",
        "When did the Panama Canal open?",
        "1914",
    ),
    (
        "Venus is the hottest planet in the solar system, even though Mercury is closer to the Sun. Its thick "
        "atmosphere of carbon dioxide traps heat, keeping the surface at around 465 °C.",
        "What keeps the surface of Venus so hot?",
        "Its thick atmosphere of carbon dioxide",
    ),
    (
        "The violin has four strings, usually tuned in perfect fifths. It is the smallest and highest-pitched "
        "instrument in the string family that is regularly used in orchestras.",
        "How many strings does a violin have?",
        "four",
    ),
    (
        "Bamboo is one of the fastest-growing plants in the world. Some species can grow almost a metre in a "
        "single day under good conditions. Despite its height, bamboo is a type of grass.",
        "What type of plant is bamboo?",
        "a type of grass",
    ),
    (
        "The Rosetta Stone was found in 1799 by French soldiers in Egypt. It carries the same decree in three "
        "scripts: hieroglyphic, Demotic and ancient Greek, which helped scholars decipher hieroglyphs.",
        "Who found the Rosetta Stone?",
        "French soldiers",
    ),
    (
        "Lightning is a sudden electrostatic discharge during a storm. The air around a lightning bolt can heat "
        "up to about 30,000 °C, which makes the air expand violently. That sudden expansion is heard as thunder.",
        "What is the sudden expansion of the air around a lightning bolt heard as?",
        "thunder",
    ),
    (
        "The Sahara is the largest hot desert in the world. It covers about nine million square kilometres of "
        "North Africa, an area almost as large as the United States.",
        "How large is the Sahara?",
        "about nine million square kilometres",
    ),
    (
        "Tea was first drunk in China, where it was used as a medicine before it became an everyday drink. It "
        "reached Europe in the early seventeenth century through Dutch traders.",
        "Through whom did tea reach Europe?",
        "Dutch traders",
    ),
    (
        "The Hubble Space Telescope was launched into low Earth orbit in 1990. Because it orbits above the "
        "atmosphere, its images are not blurred by the air, as those of telescopes on the ground are.",
        "Why are Hubble's images not blurred by the air?",
        "it orbits above the atmosphere",
    ),
    (
        "The kiwi is a flightless bird found only in New Zealand. It lays one of the largest eggs relative to its "
        "body size of any bird. Kiwis are mostly active at night.",
        "Where is the kiwi found?",
        "only in New Zealand",
    ),
    (
        "Leonardo da Vinci painted the Mona Lisa in the early sixteenth century. The painting has been on "
        "permanent display at the Louvre in Paris since 1797.",
        "Where is the Mona Lisa on display?",
        "the Louvre in Paris",
    ),
    (
        "Glaciers form where more snow falls in winter than melts in summer. Over many years the snow is "
        "compressed into dense ice that slowly flows downhill under its own weight.",
        "What makes a glacier flow downhill?",
        "its own weight",
    ),
    (
        "The Dead Sea lies between Jordan and Israel. Its shore is more than 400 metres below sea level, the "
        "lowest land on Earth, and its water is so salty that people float on it easily.",
        "Which two countries does the Dead Sea lie between?",
        "Jordan and Israel",
    ),
    (
        "Bees communicate the location of food through a movement called the waggle dance. The angle of the dance "
        "shows the direction of the food relative to the Sun, and its length shows the distance.",
        "What does the length of the waggle dance show?",
        "the distance",
    ),
    (
        "The periodic table arranges the chemical elements by their atomic number. Dmitri Mendeleev published an "
        "early version in 1869 and left gaps for elements that had not yet been discovered.",
        "What did Mendeleev leave gaps for?",
        "elements that had not yet been discovered",
    ),
    (
        "Saturn's rings are made mostly of pieces of water ice, with some rock and dust. The pieces range in size "
        "from tiny grains to chunks as big as a house.",
        "What are Saturn's rings mostly made of?",
        "pieces of water ice",
    ),
    (
        "The Olympic Games of ancient Greece were held at Olympia in honour of Zeus. The first recorded Games took "
        "place in 776 BC, and the only event was a short foot race.",
        "What was the only event at the first recorded Olympic Games?",
        "a short foot race",
    ),
    (
        "Cats spend a large part of the day asleep, often between twelve and sixteen hours. Their sleep comes in "
        "many short naps rather than one long stretch.",
        "How many hours a day do cats often sleep?",
        "between twelve and sixteen hours",
    ),
    (
        "The Nile flows north through eleven countries before reaching the Mediterranean Sea. Its two main "
        "branches, the White Nile and the Blue Nile, meet at Khartoum in Sudan.",
        "Where do the White Nile and the Blue Nile meet?",
        "at Khartoum in Sudan",
    ),
    (
        "Chess is thought to have developed from an Indian game called chaturanga around the sixth century. The "
        "modern rules, including the powerful queen, took shape in southern Europe in the late fifteenth century.",
        "Which game is chess thought to have developed from?",
        "chaturanga",
    ),
    (
        "Sound is a vibration that travels through a medium such as air or water. In air at room temperature it "
        "travels at about 343 metres per second.",
        "How fast does sound travel in air at room temperature?",
        "about 343 metres per second",
    ),
    (
        "The giant panda lives in the mountain forests of central China. Although it belongs to the bear family, "
        "bamboo makes up almost all of its diet.",
        "What makes up almost all of the giant panda's diet?",
        "bamboo",
    ),
    (
        "Antarctica is the coldest, windiest and driest continent. It has no permanent human population, but "
        "several thousand scientists live at research stations there during the summer.",
        "Who lives at the research stations in Antarctica during the summer?",
        "several thousand scientists",
    ),
    (
        "The Titanic sank in the North Atlantic on 15 April 1912 after striking an iceberg on its first voyage, "
        "from Southampton to New York. More than 1,500 people died.",
        "What did the Titanic strike?",
        "an iceberg",
    ),
    (
        "Photosynthesis takes place mainly in the leaves of plants, inside structures called chloroplasts. They "
        "contain chlorophyll, the green pigment that absorbs light.",
        "What is the name of the green pigment that absorbs light?",
        "chlorophyll",
    ),
    (
        "The Colosseum in Rome was completed in 80 AD under the emperor Titus. It could hold an estimated 50,000 "
        "spectators, who came to watch gladiator fights and public spectacles.",
        "How many spectators could the Colosseum hold?",
        "an estimated 50,000 spectators",
    ),
    (
        "The blue whale is the largest animal known to have ever lived. Adults can reach about 30 metres in length, "
        "yet they feed almost entirely on tiny shrimp-like animals called krill.",
        "What do blue whales feed on?",
        "tiny shrimp-like animals called krill",
    ),
    (
        "Ada Lovelace wrote notes in 1843 on Charles Babbage's proposed Analytical Engine. The notes include a "
        "method for calculating Bernoulli numbers with the machine, often called the first computer program.",
        "Whose proposed machine did Ada Lovelace write notes on?",
        "Charles Babbage's",
    ),
    (
        "The Channel Tunnel links Folkestone in England with Coquelles near Calais in France. It opened in 1994, "
        "and its section under the sea, about 38 kilometres long, is the longest undersea stretch of any tunnel in the world.",
        "Which French town is linked to Folkestone by the Channel Tunnel?",
        "Coquelles",
    ),
    # Two long-ish passages (the originals of the planted near duplicates).
    (
        "The city library reopened last spring after an eighteen-month renovation that replaced the leaking roof, "
        "added a children's wing on the ground floor and turned the old basement archive into a quiet reading room "
        "with space for about sixty people. The council paid for most of the work, while a local charity raised the "
        "money for new shelving, computers and a small recording studio that anyone with a library card can book "
        "for free. Since the reopening, the number of visitors on an average weekday has almost doubled, and the "
        "children's wing is often full on Saturday mornings, when volunteers read stories aloud. The head "
        "librarian says that the next project will be a mobile library van that visits the villages outside the "
        "city once a week.",
        "Who raised the money for the new shelving, computers and recording studio?",
        "a local charity",
    ),
    (
        "Every autumn, millions of monarch butterflies leave the northern United States and southern Canada and fly "
        "as far as four thousand kilometres south to spend the winter in the fir forests of the mountains of central "
        "Mexico. No single butterfly makes the round trip: the insects that fly south in autumn are the great-"
        "grandchildren of those that left Mexico the previous spring, yet they find the same small patches of forest "
        "year after year. Scientists believe that the butterflies use the position of the Sun, corrected by an "
        "internal clock in their antennae, to keep flying in the right direction. Logging and changes in the weather "
        "have shrunk the area of forest where they gather, and the winter colonies are now counted every year.",
        "What do scientists believe monarch butterflies use to keep flying in the right direction?",
        "the position of the Sun",
    ),
]

# The over-long record: real sentences about a real topic, repeated until ~30,000 characters.
LONG_SENTENCES = [
    "The Thames is a river that flows through southern England, including London.",
    "At about 346 kilometres, it is the longest river entirely in England.",
    "The river rises at Thames Head in Gloucestershire and flows into the North Sea via the Thames Estuary.",
    "Its tidal section reaches up to Teddington Lock, about 90 kilometres from the sea.",
    "More than 200 bridges cross the Thames, and the Thames Barrier protects London from flooding by storm surges.",
]


def passage_spans() -> list[dict]:
    records = number("passage_spans", [{"passage": p, "query": q, "span": s} for p, q, s in PASSAGES])
    library, monarchs = records[-2], records[-1]
    # Near duplicates: one word changed in the first, two adjacent words in the second.
    near_1 = {
        "passage": library["passage"].replace("last spring", "last summer"),
        "query": library["query"],
        "span": library["span"],
    }
    near_2 = {
        "passage": monarchs["passage"].replace("fir forests", "pine woods"),
        "query": monarchs["query"],
        "span": monarchs["span"],
    }
    text, n = [], 0
    while sum(len(s) + 1 for s in text) < 30_000:
        text.append(LONG_SENTENCES[n % len(LONG_SENTENCES)])
        n += 1
    long_record = {
        "passage": " ".join(text),
        "query": "What protects London from flooding by storm surges?",
        "span": "the Thames Barrier",
    }
    return planted("passage_spans", records, [near_1, near_2, long_record])


# --------------------------------------------------------------------------------------------
# short_summaries (summarization): paragraph (4-8 sentences), summary (one sentence), headline on some
# --------------------------------------------------------------------------------------------
SUMMARIES = [
    (
        "Why leaves change colour",
        "In summer, leaves are green because they are full of chlorophyll, the pigment plants use to capture "
        "sunlight. As the days grow shorter in autumn, many trees stop making chlorophyll. The green colour fades "
        "and reveals yellow and orange pigments that were in the leaf all along. Some trees also make new red "
        "pigments in autumn. Eventually a layer of cells forms at the base of each leaf stem, and the leaf falls.",
        "Leaves change colour in autumn because trees stop making green chlorophyll, revealing yellow and orange "
        "pigments and sometimes producing red ones.",
    ),
    (
        None,
        "Getting enough sleep matters for much more than feeling rested. During sleep the brain sorts and stores "
        "memories from the day. The body repairs muscles and releases hormones that control growth and appetite. "
        "People who sleep too little for long periods are more likely to catch colds and to put on weight. Most "
        "adults need between seven and nine hours a night.",
        "Sleep helps the brain store memories and the body repair itself, and most adults need seven to nine hours "
        "a night.",
    ),
    (
        "How a bicycle stays upright",
        "A moving bicycle is surprisingly hard to tip over. Part of the reason is that the rider constantly makes "
        "small steering corrections without thinking about it. The shape of the front fork also helps: when the "
        "bike leans, the front wheel tends to turn in the same direction, bringing the wheels back under the rider. "
        "At very low speeds these effects are weak, which is why cycling slowly feels wobbly.",
        "Bicycles stay upright mainly through the rider's small steering corrections and the fork geometry that "
        "turns the wheel into a lean, effects that weaken at low speed.",
    ),
    (
        None,
        "The town's weekly market moved this month from the car park to the main square. Stallholders had asked "
        "for the change for years, saying the car park was hard to find for visitors. On the first Saturday in the "
        "square, the number of stalls rose from twenty-two to thirty. Several cafés on the square stayed open "
        "longer than usual. The council will review the move after three months.",
        "The weekly market moved to the main square, where it attracted more stalls, and the council will review "
        "the change after three months.",
    ),
    (
        "Composting at home",
        "Composting turns kitchen and garden waste into a rich material that improves soil. A good compost heap "
        "needs a mix of green waste, such as vegetable peelings and grass cuttings, and brown waste, such as dry "
        "leaves and cardboard. The heap should be kept damp but not soaking wet. Turning it every few weeks lets "
        "air in and speeds up the work of the microbes. Meat and dairy should be left out because they attract "
        "pests. After six months to a year, the compost is dark and crumbly and ready to use.",
        "Home composting turns a damp, regularly turned mix of green and brown waste into soil-improving compost "
        "within about six months to a year.",
    ),
    (
        None,
        "Volcanoes form where molten rock from deep inside the Earth reaches the surface. Many lie along the edges "
        "of tectonic plates, especially around the Pacific Ocean in a belt known as the Ring of Fire. Others, "
        "such as those of Hawaii, sit above hot spots in the middle of a plate. When pressure builds up, magma can "
        "erupt as flowing lava or as explosive clouds of ash. Volcanic soils are often very fertile, which is one "
        "reason people farm on their slopes.",
        "Volcanoes form where magma reaches the surface, mostly along plate edges or above hot spots, and their "
        "eruptions range from lava flows to ash explosions.",
    ),
    (
        "A new crossing for cyclists",
        "A bridge for cyclists and walkers opened across the river on Monday. Until now, anyone on a bike had to "
        "share the busy road bridge with lorries. The new bridge is four metres wide and lit at night. It took two "
        "years to build and was paid for by the regional government. Cycling groups said they expect many more "
        "people to ride to work now that the route is safer.",
        "A new, well-lit bridge for cyclists and walkers has opened, giving riders a safer alternative to the busy "
        "road bridge.",
    ),
    (
        None,
        "Washing your hands properly is one of the simplest ways to avoid getting ill. Soap breaks up the oily "
        "layer that lets dirt and germs stick to the skin. Scrubbing for at least twenty seconds gives the soap "
        "time to work, and rinsing carries the germs away. Drying the hands matters too, because germs spread more "
        "easily from wet skin.",
        "Washing with soap for at least twenty seconds, rinsing and drying the hands is a simple way to remove "
        "germs and avoid illness.",
    ),
    (
        "What makes bread rise",
        "Most bread rises because of yeast, a tiny living fungus. When the dough is mixed, the yeast feeds on "
        "sugars from the flour and gives off carbon dioxide gas. Kneading builds a stretchy network of gluten "
        "that traps the gas in small bubbles. As the bubbles grow, the dough swells. In the oven the gas expands "
        "further before the heat kills the yeast and sets the bread's structure.",
        "Bread rises because yeast produces carbon dioxide that is trapped in bubbles by the dough's gluten "
        "network and expands further in the oven.",
    ),
    (
        None,
        "The school's new timetable starts lessons half an hour later than before. Teachers noticed that many "
        "pupils arrived tired and found it hard to concentrate in the first lesson. After a trial term with the "
        "later start, attendance at morning lessons rose and fewer pupils were late. Some parents said the change "
        "made mornings at home calmer. The school day now ends at half past three.",
        "After a successful trial, the school moved to a later start time that improved attendance and "
        "punctuality.",
    ),
    (
        "The water cycle",
        "Water on Earth moves in a continuous cycle. The Sun heats water in oceans, lakes and rivers, and some of "
        "it evaporates into the air. As the water vapour rises and cools, it condenses into tiny droplets that "
        "form clouds. When the droplets join and grow heavy, they fall as rain or snow. The water then flows back "
        "to the sea in rivers or soaks into the ground, and the cycle begins again.",
        "Water evaporates, condenses into clouds, falls as rain or snow and returns to the sea or ground in a "
        "continuous cycle.",
    ),
    (
        None,
        "Learning a musical instrument as an adult is easier than many people think. Adults may not pick up new "
        "movements as quickly as children, but they are usually better at planning practice and understanding "
        "theory. Short daily sessions work better than one long session a week. Playing with other people, even "
        "at a beginner level, keeps motivation high. Many teachers say their adult students make steady progress "
        "within the first year.",
        "Adults can learn an instrument well by practising a little every day and playing with others, often "
        "making steady progress within a year.",
    ),
    (
        "Why the sky is blue",
        "Sunlight looks white but is made of all the colours of the rainbow. As it passes through the atmosphere, "
        "it hits molecules of gas that scatter the light in all directions. Short wavelengths, such as blue, are "
        "scattered much more strongly than long wavelengths, such as red. So when we look at any part of the sky "
        "away from the Sun, we see mostly scattered blue light. At sunset the light travels through more air, "
        "much of the blue is scattered away, and the sky near the horizon turns red and orange.",
        "The sky looks blue because air molecules scatter blue sunlight more than red, while at sunset the longer "
        "path through the air leaves mostly red and orange.",
    ),
    (
        None,
        "A family-run bakery on the high street celebrated its fiftieth anniversary on Saturday. The bakery was "
        "opened by a couple who moved to the town in the 1970s, and it is now run by their daughter and grandson. "
        "To mark the occasion, the shop sold its original white loaf at the 1970s price. A queue formed before "
        "the doors opened, and the loaves sold out by nine o'clock.",
        "A family bakery marked fifty years in business by selling its original loaf at the old price, and the "
        "loaves sold out within hours.",
    ),
    (
        "How vaccines work",
        "Vaccines train the immune system to recognise a germ without causing the disease. Most contain a weakened "
        "or inactivated form of the germ, or just one of its parts. The immune system responds by making "
        "antibodies and memory cells. If the vaccinated person later meets the real germ, the memory cells "
        "recognise it and the body fights it off quickly. When many people in a community are vaccinated, the "
        "germ has fewer chances to spread, which also protects those who cannot be vaccinated.",
        "Vaccines teach the immune system to recognise a germ safely, so the body can fight off the real infection "
        "quickly and the community is protected.",
    ),
    (
        None,
        "Coral reefs cover less than one percent of the ocean floor but are home to about a quarter of all marine "
        "species. Reefs are built by tiny animals called coral polyps, which live together with algae that give "
        "them food and colour. When the water becomes too warm, the corals expel the algae and turn white, which "
        "is known as bleaching. If the water cools in time the corals can recover, but repeated bleaching can kill "
        "a reef.",
        "Coral reefs support about a quarter of marine species but are threatened by bleaching when warm water "
        "makes the corals expel their algae.",
    ),
    (
        "Saving energy at home",
        "Small changes at home can cut energy use noticeably. Turning the heating down by one degree barely "
        "changes comfort but lowers the bill. Sealing gaps around doors and windows stops warm air from escaping. "
        "LED bulbs use far less electricity than old incandescent bulbs and last many times longer. Switching "
        "devices off at the wall instead of leaving them on standby also helps. Together, such steps can save a "
        "household a good share of its yearly energy costs.",
        "Simple steps such as a lower thermostat, sealed draughts, LED bulbs and switching off standby can cut a "
        "household's energy use and bills.",
    ),
    (
        None,
        "The museum's new exhibition tells the history of the town's shipyard through the people who worked there. "
        "Visitors can listen to recordings of former welders, riveters and office staff describing their working "
        "days. Tools, photographs and a full-size section of a ship's hull are on display. The exhibition was "
        "planned with the help of a group of retired shipyard workers. It is free and runs until the end of next "
        "year.",
        "A free museum exhibition, made with retired workers, tells the history of the town's shipyard through "
        "recordings, tools and photographs.",
    ),
    (
        "How tides work",
        "Tides are the regular rise and fall of the sea. They are caused mainly by the Moon's gravity, which pulls "
        "on the ocean and makes it bulge on the side of the Earth facing the Moon. A second bulge forms on the "
        "opposite side. As the Earth turns, most coasts pass through both bulges, so they have two high tides and "
        "two low tides roughly every day. The Sun's gravity also plays a part: tides are strongest when the Sun "
        "and Moon line up.",
        "Tides are caused mainly by the Moon's gravity, which creates two ocean bulges that give most coasts two "
        "high and two low tides a day.",
    ),
    (
        None,
        "Many people find it hard to stick to new habits. Research on habit formation suggests that linking a new "
        "habit to an existing routine helps, for example doing stretches right after brushing your teeth. Starting "
        "very small makes it easier to keep going on busy days. Keeping track of progress, even with a tick on a "
        "calendar, can be motivating. Missing a single day does not ruin the habit, as long as you pick it up "
        "again.",
        "New habits are easier to keep when tied to an existing routine, started small and tracked, and a missed "
        "day does not undo them.",
    ),
    (
        "The life of a honeybee colony",
        "A honeybee colony can hold tens of thousands of bees but has only one queen. The queen lays all the eggs, "
        "sometimes more than a thousand a day in summer. Worker bees, which are all female, clean the hive, feed "
        "the young, build wax comb and collect nectar and pollen. Male bees, called drones, exist mainly to mate "
        "with queens from other colonies. In winter the workers cluster together around the queen to keep warm.",
        "A honeybee colony has one egg-laying queen, female workers that do the colony's work and male drones that "
        "mate with other queens.",
    ),
    (
        None,
        "The local football club has opened its training ground to girls' teams for the first time. Until this "
        "season, girls in the area had to travel to the next town to play in a league. The club now runs three "
        "girls' teams for different age groups, coached by volunteers. More than sixty girls signed up in the "
        "first month. The club says it hopes to add an adult women's team next year.",
        "The local football club now runs three girls' teams at its training ground, and more than sixty girls "
        "joined in the first month.",
    ),
    (
        "Why we have leap years",
        "The Earth takes about 365 and a quarter days to orbit the Sun. A calendar year of 365 days is therefore "
        "about six hours too short. To keep the calendar in step with the seasons, an extra day, 29 February, is "
        "added every four years. Because the real year is slightly shorter than 365 and a quarter days, century "
        "years are leap years only if they can be divided by 400. That is why 2000 was a leap year but 1900 was "
        "not.",
        "Leap years add a day every four years, except in most century years, to keep the calendar in step with "
        "Earth's orbit of about 365 and a quarter days.",
    ),
    (
        None,
        "Walking is one of the easiest forms of exercise to fit into a day. It needs no equipment apart from "
        "comfortable shoes, and it can be done almost anywhere. Regular brisk walking strengthens the heart, helps "
        "control weight and can lift mood. Getting off the bus a stop early or taking the stairs adds steps "
        "without extra planning. Walking with a friend makes it more likely that people keep it up.",
        "Regular brisk walking is an easy, equipment-free way to improve heart health, weight and mood.",
    ),
    (
        "How a rainbow forms",
        "A rainbow appears when sunlight shines through raindrops while the Sun is behind the viewer. Each drop "
        "bends the light as it enters, reflects it off the back of the drop and bends it again as it leaves. "
        "Because each colour bends by a slightly different amount, white light is spread into its colours. Red "
        "appears on the outside of the arc and violet on the inside. Sometimes a fainter second rainbow appears "
        "outside the first, with its colours in reverse order.",
        "A rainbow forms when raindrops bend and reflect sunlight, splitting it into colours that appear in an arc "
        "with red outside and violet inside.",
    ),
    (
        None,
        "Residents of a quiet street have turned an empty plot into a community garden. The land had been "
        "fenced off for over a decade after a shop was demolished. Neighbours asked the owner for permission to "
        "use it and built raised beds from old timber. They now grow vegetables, herbs and flowers, and share the "
        "harvest. On Sunday afternoons the garden is open to anyone who wants to help.",
        "Neighbours have turned a long-empty plot into a shared community garden where they grow and share food.",
    ),
    (
        "Why cats purr",
        "Cats purr by rapidly twitching the muscles of the larynx, which makes the vocal cords vibrate as the cat "
        "breathes in and out. Kittens start purring when they are a few days old, often while feeding. Adult cats "
        "purr when they are content, but also when they are hungry, stressed or in pain. Some scientists think "
        "purring may even help cats heal, because vibrations at similar frequencies can help bones and tissues "
        "repair. What exactly starts the purr in the brain is still not fully understood.",
        "Cats purr by vibrating muscles in the larynx, not only when content but also when stressed or hurt, and "
        "purring may help them heal.",
    ),
    (
        None,
        "The city's buses will run every ten minutes on the main routes from next month, instead of every fifteen. "
        "The change follows a survey in which passengers said waiting times were their biggest complaint. Twelve "
        "new buses have been bought to make the extra journeys possible. Evening services will also run an hour "
        "later on Fridays and Saturdays. Fares will stay the same.",
        "Buses on the city's main routes will run more often and later at weekends from next month, with no rise "
        "in fares.",
    ),
    (
        "Earthquakes",
        "The Earth's outer shell is broken into large plates that move a few centimetres a year. Where plates "
        "meet, they can lock together while stress builds up. When the rocks finally slip, the energy is released "
        "as waves that shake the ground, which we feel as an earthquake. The point underground where the slip "
        "begins is called the focus, and the point on the surface above it is the epicentre. Scientists measure "
        "the size of earthquakes with the moment magnitude scale.",
        "Earthquakes happen when stress built up between locked tectonic plates is suddenly released as waves "
        "that shake the ground.",
    ),
    (
        None,
        "A secondhand bookshop has opened in the former post office on Market Street. The owner spent twenty years "
        "collecting books at fairs and auctions before deciding to open a shop. About eight thousand books line the "
        "shelves, including a large section on local history. There is a reading corner with armchairs and a "
        "small coffee machine. The shop also buys books from customers.",
        "A secondhand bookshop with about eight thousand books has opened in the old post office on Market "
        "Street.",
    ),
    (
        "How a refrigerator keeps food cold",
        "A refrigerator does not create cold; it moves heat out of the food compartment. A liquid called a "
        "refrigerant flows through pipes inside the fridge, where it evaporates and absorbs heat. A compressor "
        "then squeezes the gas, which makes it hot. The hot gas flows through coils at the back of the fridge and "
        "gives off its heat to the room as it turns back into a liquid. The cycle repeats as long as the fridge "
        "is running.",
        "A refrigerator keeps food cold by using an evaporating refrigerant to absorb heat inside and a compressor "
        "and coils to release it into the room.",
    ),
    (
        None,
        "Reading aloud to young children helps them learn language long before they can read themselves. "
        "Children hear words they would not meet in everyday conversation and learn how stories are put together. "
        "Talking about the pictures and asking questions keeps them engaged. Even a few minutes a day makes a "
        "difference, and many children come to love the routine of a bedtime story.",
        "Reading aloud to young children for even a few minutes a day builds their vocabulary and understanding "
        "of stories.",
    ),
    (
        "Why onions make you cry",
        "Cutting an onion breaks open its cells and mixes substances that were kept apart. An enzyme turns some of "
        "these substances into a gas called syn-propanethial-S-oxide. When the gas reaches the eyes, it irritates "
        "nerves there, and the eyes produce tears to wash it away. Chilling the onion before cutting slows the "
        "reaction. A sharp knife also helps because it damages fewer cells.",
        "Cutting an onion releases an irritating gas that makes the eyes water, which chilling the onion or using "
        "a sharp knife reduces.",
    ),
    (
        None,
        "The village swimming pool will reopen in June after a year of repairs. The old pool had leaking tiles and "
        "a heating system that was more than forty years old. The new heating uses solar panels on the roof of the "
        "changing rooms. A shallow pool for toddlers has also been added. Swimming lessons for children will "
        "restart in the first week.",
        "The village pool reopens in June after repairs, with solar-powered heating and a new toddler pool.",
    ),
    (
        "The first maps",
        "People have drawn maps for thousands of years. Some of the oldest known maps were carved on clay tablets "
        "in ancient Mesopotamia and showed fields, cities and rivers. Greek scholars such as Ptolemy later "
        "described how to draw the known world using lines of latitude and longitude. In the age of sea travel, "
        "sailors' charts recorded coastlines, harbours and dangerous rocks. Today most maps are made from "
        "satellite images and stored as digital data.",
        "Maps have developed from ancient clay tablets through Greek latitude and longitude and sailors' charts to "
        "today's digital maps made from satellite images.",
    ),
    (
        None,
        "Houseplants need less care than many people fear. The most common mistake is overwatering, which rots "
        "the roots. Most plants prefer the soil to dry out a little between waterings. Light matters as much as "
        "water: plants that grow long and pale usually need a brighter spot. Feeding them once a month in spring "
        "and summer is enough for most species.",
        "Most houseplants thrive with less watering than people expect, enough light and monthly feeding in the "
        "growing season.",
    ),
    (
        "Why the Moon has phases",
        "The Moon does not give off its own light; we see it because it reflects sunlight. As the Moon orbits the "
        "Earth, we see different amounts of its sunlit half. At new moon, the lit side faces away from us and the "
        "Moon is almost invisible. Over the next two weeks, more of the lit side comes into view until we see a "
        "full moon. Then the visible part shrinks again, and the whole cycle takes about twenty-nine and a half "
        "days.",
        "The Moon's phases come from seeing different parts of its sunlit half as it orbits the Earth, in a cycle "
        "of about twenty-nine and a half days.",
    ),
    (
        None,
        "A local charity is collecting old laptops to give to students who do not have a computer at home. "
        "Volunteers wipe each laptop's data, repair faults and install free software. So far more than two "
        "hundred laptops have been handed out through schools. Businesses that upgrade their equipment have "
        "donated most of them. The charity says it could give out many more if it had more volunteers.",
        "A charity refurbishes donated laptops and has given more than two hundred to students without a home "
        "computer.",
    ),
    (
        "How plants drink",
        "Plants take up water through their roots, mostly through tiny root hairs that increase the surface area. "
        "The water travels up through narrow tubes called xylem to the stem and leaves. Most of it eventually "
        "evaporates through small pores in the leaves, a process called transpiration. This evaporation pulls more "
        "water up from below, like drinking through a straw. On hot, dry days, the pores close to save water.",
        "Plants absorb water through root hairs and move it up through xylem, pulled by transpiration from pores "
        "in the leaves.",
    ),
    (
        "How bats find their way in the dark",
        "Many bats hunt at night, when there is too little light to see insects. Instead they use echolocation: "
        "they make high-pitched calls, mostly too high for humans to hear, and listen for the echoes. The time an "
        "echo takes to return tells the bat how far away an object is. Changes in the echo reveal the size, shape "
        "and movement of the object. With this system some bats can catch tiny insects in complete darkness.",
        "Bats find their way and catch insects in the dark by echolocation, judging objects from the echoes of "
        "their high-pitched calls.",
    ),
]


def short_summaries() -> list[dict]:
    rows = []
    for headline, paragraph, summary in SUMMARIES:
        row = {"paragraph": paragraph, "summary": summary}
        if headline:
            row["headline"] = headline
        rows.append(row)
    return number("short_summaries", rows)


# --------------------------------------------------------------------------------------------
# en_fr_phrases (translation, English -> French): en, fr
# --------------------------------------------------------------------------------------------
EN_FR = [
    ("Good morning.", "Bonjour."),
    ("Thank you very much.", "Merci beaucoup."),
    ("Where is the train station?", "Où est la gare ?"),
    ("I would like a cup of coffee, please.", "Je voudrais une tasse de café, s'il vous plaît."),
    ("My name is Anna.", "Je m'appelle Anna."),
    ("How much does this cost?", "Combien ça coûte ?"),
    ("The weather is nice today.", "Il fait beau aujourd'hui."),
    ("I don't understand.", "Je ne comprends pas."),
    ("Can you help me?", "Pouvez-vous m'aider ?"),
    ("The museum opens at nine o'clock.", "Le musée ouvre à neuf heures."),
    ("We are going to the beach tomorrow.", "Nous allons à la plage demain."),
    ("I have two brothers and one sister.", "J'ai deux frères et une sœur."),
    ("The cat is sleeping on the sofa.", "Le chat dort sur le canapé."),
    ("Do you speak English?", "Parlez-vous anglais ?"),
    ("I am hungry.", "J'ai faim."),
    ("The library is closed on Sundays.", "La bibliothèque est fermée le dimanche."),
    ("She reads a book every week.", "Elle lit un livre chaque semaine."),
    ("It is raining.", "Il pleut."),
    ("Where are the toilets?", "Où sont les toilettes ?"),
    ("I live in a small village near the sea.", "J'habite dans un petit village près de la mer."),
    ("What time is it?", "Quelle heure est-il ?"),
    ("The children are playing in the garden.", "Les enfants jouent dans le jardin."),
    ("I lost my keys.", "J'ai perdu mes clés."),
    ("This soup is very hot.", "Cette soupe est très chaude."),
    ("We need to buy bread and milk.", "Nous devons acheter du pain et du lait."),
    ("See you tomorrow!", "À demain !"),
    ("My father works in a hospital.", "Mon père travaille dans un hôpital."),
    ("The red dress is too small.", "La robe rouge est trop petite."),
    ("I am learning French.", "J'apprends le français."),
    ("The bus is late again.", "Le bus est encore en retard."),
    ("Could you speak more slowly, please?", "Pourriez-vous parler plus lentement, s'il vous plaît ?"),
    ("I like to walk in the forest.", "J'aime me promener dans la forêt."),
    ("The shop is on the left.", "Le magasin est à gauche."),
    ("We had dinner at a restaurant.", "Nous avons dîné au restaurant."),
    ("He is twenty years old.", "Il a vingt ans."),
    ("The water is cold.", "L'eau est froide."),
    ("I would like to book a room for two nights.", "Je voudrais réserver une chambre pour deux nuits."),
    ("Turn right at the traffic lights.", "Tournez à droite aux feux."),
    ("My phone doesn't work.", "Mon téléphone ne marche pas."),
    ("They arrived yesterday evening.", "Ils sont arrivés hier soir."),
    ("The concert starts at eight.", "Le concert commence à huit heures."),
    ("I prefer tea to coffee.", "Je préfère le thé au café."),
    ("Happy birthday!", "Joyeux anniversaire !"),
    ("The keys are on the table.", "Les clés sont sur la table."),
    ("Is this seat free?", "Cette place est-elle libre ?"),
    ("We visited Paris last summer.", "Nous avons visité Paris l'été dernier."),
    ("The dog is barking.", "Le chien aboie."),
    ("I am tired, I am going to bed.", "Je suis fatigué, je vais me coucher."),
    ("The bill, please.", "L'addition, s'il vous plaît."),
    ("My sister is a doctor.", "Ma sœur est médecin."),
    ("It is too expensive.", "C'est trop cher."),
    ("The flowers in the garden are beautiful.", "Les fleurs du jardin sont belles."),
    ("I will call you this evening.", "Je t'appellerai ce soir."),
    ("There is a pharmacy next to the bank.", "Il y a une pharmacie à côté de la banque."),
    ("Please close the door.", "Fermez la porte, s'il vous plaît."),
    ("The train leaves in ten minutes.", "Le train part dans dix minutes."),
    ("I don't like spinach.", "Je n'aime pas les épinards."),
    ("Our house has three bedrooms.", "Notre maison a trois chambres."),
    ("Welcome to our city!", "Bienvenue dans notre ville !"),
    ("Good night and sleep well.", "Bonne nuit et dors bien."),
]


def en_fr_phrases() -> list[dict]:
    records = number("en_fr_phrases", [{"en": en, "fr": fr} for en, fr in EN_FR])
    # One record with an empty answer (the French side is blank).
    return planted("en_fr_phrases", records, [{"en": "The post office is closed today.", "fr": ""}])


# --------------------------------------------------------------------------------------------
# python_funcs (code): docstring (signature + docstring), solution (the function), language, tests
# --------------------------------------------------------------------------------------------
# (signature, docstring, body, tests); `docstring` is the signature with its docstring, `solution`
# the whole function, `tests` asserts that the solution passes (tests/test_instruction_templates.py
# runs them).
FUNCS = [
    (
        "def is_palindrome(text: str) -> bool:",
        "Return True if text reads the same forwards and backwards, ignoring case and spaces.",
        "cleaned = text.replace(' ', '').lower()\nreturn cleaned == cleaned[::-1]",
        ["is_palindrome('Never odd or even')", "not is_palindrome('python')", "is_palindrome('')"],
    ),
    (
        "def count_vowels(text: str) -> int:",
        "Return the number of vowels (a, e, i, o, u, either case) in text.",
        "return sum(1 for ch in text.lower() if ch in 'aeiou')",
        ["count_vowels('Hello World') == 3", "count_vowels('xyz') == 0"],
    ),
    (
        "def factorial(n: int) -> int:",
        "Return n! for a non-negative integer n.",
        "result = 1\nfor k in range(2, n + 1):\n    result *= k\nreturn result",
        ["factorial(0) == 1", "factorial(5) == 120", "factorial(10) == 3628800"],
    ),
    (
        "def fizzbuzz(n: int) -> list[str]:",
        "Return the FizzBuzz sequence from 1 to n: multiples of 3 become 'Fizz', multiples of 5 'Buzz',\n"
        "multiples of both 'FizzBuzz', and other numbers their decimal string.",
        "out = []\nfor i in range(1, n + 1):\n    word = ('Fizz' if i % 3 == 0 else '') + ('Buzz' if i % 5 == 0 else '')\n"
        "    out.append(word or str(i))\nreturn out",
        ["fizzbuzz(5) == ['1', '2', 'Fizz', '4', 'Buzz']", "fizzbuzz(15)[-1] == 'FizzBuzz'"],
    ),
    (
        "def reverse_words(sentence: str) -> str:",
        "Return the sentence with the order of its words reversed; words are separated by single spaces.",
        "return ' '.join(reversed(sentence.split()))",
        ["reverse_words('the quick brown fox') == 'fox brown quick the'", "reverse_words('one') == 'one'"],
    ),
    (
        "def is_prime(n: int) -> bool:",
        "Return True if n is a prime number.",
        "if n < 2:\n    return False\ni = 2\nwhile i * i <= n:\n    if n % i == 0:\n        return False\n    i += 1\n"
        "return True",
        ["is_prime(2)", "is_prime(97)", "not is_prime(1)", "not is_prime(91)"],
    ),
    (
        "def fibonacci(n: int) -> list[int]:",
        "Return the first n Fibonacci numbers, starting 0, 1.",
        "seq = []\na, b = 0, 1\nfor _ in range(n):\n    seq.append(a)\n    a, b = b, a + b\nreturn seq",
        ["fibonacci(0) == []", "fibonacci(7) == [0, 1, 1, 2, 3, 5, 8]"],
    ),
    (
        "def celsius_to_fahrenheit(celsius: float) -> float:",
        "Convert a temperature from degrees Celsius to degrees Fahrenheit.",
        "return celsius * 9 / 5 + 32",
        ["celsius_to_fahrenheit(100) == 212", "celsius_to_fahrenheit(-40) == -40"],
    ),
    (
        "def word_counts(text: str) -> dict[str, int]:",
        "Count how often each word occurs in text. Words are split on whitespace and compared in lower case.",
        "counts = {}\nfor word in text.lower().split():\n    counts[word] = counts.get(word, 0) + 1\nreturn counts",
        ["word_counts('a b A c b a') == {'a': 3, 'b': 2, 'c': 1}", "word_counts('') == {}"],
    ),
    (
        "def flatten(nested: list[list[int]]) -> list[int]:",
        "Flatten a list of lists into a single list, keeping the order of the elements.",
        "return [item for inner in nested for item in inner]",
        ["flatten([[1, 2], [], [3]]) == [1, 2, 3]", "flatten([]) == []"],
    ),
    (
        "def second_largest(numbers: list[int]) -> int | None:",
        "Return the second largest distinct value in numbers, or None if there is no such value.",
        "distinct = sorted(set(numbers))\nreturn distinct[-2] if len(distinct) >= 2 else None",
        ["second_largest([4, 1, 4, 3]) == 3", "second_largest([7, 7]) is None"],
    ),
    (
        "def gcd(a: int, b: int) -> int:",
        "Return the greatest common divisor of two non-negative integers using Euclid's algorithm.",
        "while b:\n    a, b = b, a % b\nreturn a",
        ["gcd(48, 18) == 6", "gcd(7, 0) == 7", "gcd(17, 5) == 1"],
    ),
    (
        "def capitalize_words(text: str) -> str:",
        "Return text with the first letter of every space-separated word in upper case and the rest unchanged.",
        "return ' '.join(word[:1].upper() + word[1:] for word in text.split(' '))",
        [
            "capitalize_words('hello big world') == 'Hello Big World'",
            "capitalize_words('iPhone case') == 'IPhone Case'",
        ],
    ),
    (
        "def remove_duplicates(items: list) -> list:",
        "Return the items without duplicates, keeping the first occurrence of each in the original order.",
        "seen = set()\nout = []\nfor item in items:\n    if item not in seen:\n        seen.add(item)\n        out.append(item)\n"
        "return out",
        ["remove_duplicates([3, 1, 3, 2, 1]) == [3, 1, 2]", "remove_duplicates([]) == []"],
    ),
    (
        "def sum_of_digits(n: int) -> int:",
        "Return the sum of the decimal digits of a non-negative integer n.",
        "return sum(int(d) for d in str(n))",
        ["sum_of_digits(0) == 0", "sum_of_digits(9045) == 18"],
    ),
    (
        "def is_anagram(a: str, b: str) -> bool:",
        "Return True if a and b contain the same letters the same number of times, ignoring case and spaces.",
        "def key(s):\n    return sorted(s.replace(' ', '').lower())\n\nreturn key(a) == key(b)",
        [
            "is_anagram('Listen', 'Silent')",
            "is_anagram('dormitory', 'dirty room')",
            "not is_anagram('abc', 'abd')",
        ],
    ),
    (
        "def chunk(items: list, size: int) -> list[list]:",
        "Split items into consecutive chunks of the given size; the last chunk may be shorter.",
        "return [items[i : i + size] for i in range(0, len(items), size)]",
        ["chunk([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]", "chunk([], 3) == []"],
    ),
    (
        "def average(numbers: list[float]) -> float:",
        "Return the arithmetic mean of numbers. Raise ValueError if the list is empty.",
        "if not numbers:\n    raise ValueError('average of an empty list')\nreturn sum(numbers) / len(numbers)",
        ["average([1, 2, 3, 4]) == 2.5", "average([5]) == 5"],
    ),
    (
        "def count_words(text: str) -> int:",
        "Return the number of words in text, where words are separated by any whitespace.",
        "return len(text.split())",
        ["count_words('  two   words ') == 2", "count_words('') == 0"],
    ),
    (
        "def is_leap_year(year: int) -> bool:",
        "Return True if year is a leap year in the Gregorian calendar.",
        "return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)",
        ["is_leap_year(2024)", "is_leap_year(2000)", "not is_leap_year(1900)", "not is_leap_year(2023)"],
    ),
    (
        "def clamp(value: float, low: float, high: float) -> float:",
        "Return value limited to the range [low, high].",
        "return max(low, min(value, high))",
        ["clamp(5, 0, 10) == 5", "clamp(-3, 0, 10) == 0", "clamp(12, 0, 10) == 10"],
    ),
    (
        "def running_total(numbers: list[int]) -> list[int]:",
        "Return the running totals of numbers: element i is the sum of numbers[0] to numbers[i].",
        "totals = []\ntotal = 0\nfor n in numbers:\n    total += n\n    totals.append(total)\nreturn totals",
        ["running_total([1, 2, 3, 4]) == [1, 3, 6, 10]", "running_total([]) == []"],
    ),
    (
        "def longest_word(sentence: str) -> str:",
        "Return the longest word in the sentence; if several words are equally long, return the first.",
        "best = ''\nfor word in sentence.split():\n    if len(word) > len(best):\n        best = word\nreturn best",
        ["longest_word('a quick brown fox') == 'quick'", "longest_word('') == ''"],
    ),
    (
        "def to_binary(n: int) -> str:",
        "Return the binary representation of a non-negative integer n as a string without a prefix.",
        "if n == 0:\n    return '0'\ndigits = []\nwhile n:\n    digits.append(str(n % 2))\n    n //= 2\n"
        "return ''.join(reversed(digits))",
        ["to_binary(0) == '0'", "to_binary(10) == '1010'", "to_binary(255) == '11111111'"],
    ),
    (
        "def merge_sorted(a: list[int], b: list[int]) -> list[int]:",
        "Merge two sorted lists into one sorted list in linear time.",
        "out = []\ni = j = 0\nwhile i < len(a) and j < len(b):\n    if a[i] <= b[j]:\n        out.append(a[i])\n        i += 1\n"
        "    else:\n        out.append(b[j])\n        j += 1\nreturn out + a[i:] + b[j:]",
        ["merge_sorted([1, 4, 6], [2, 3, 7]) == [1, 2, 3, 4, 6, 7]", "merge_sorted([], [1]) == [1]"],
    ),
    (
        "def binary_search(items: list[int], target: int) -> int:",
        "Return the index of target in the sorted list items, or -1 if it is not there.",
        "lo, hi = 0, len(items) - 1\nwhile lo <= hi:\n    mid = (lo + hi) // 2\n    if items[mid] == target:\n        return mid\n"
        "    if items[mid] < target:\n        lo = mid + 1\n    else:\n        hi = mid - 1\nreturn -1",
        [
            "binary_search([1, 3, 5, 7, 9], 7) == 3",
            "binary_search([1, 3, 5], 4) == -1",
            "binary_search([], 1) == -1",
        ],
    ),
    (
        "def char_frequency(text: str) -> dict[str, int]:",
        "Return a dictionary mapping each character of text to the number of times it occurs.",
        "freq = {}\nfor ch in text:\n    freq[ch] = freq.get(ch, 0) + 1\nreturn freq",
        ["char_frequency('abca') == {'a': 2, 'b': 1, 'c': 1}"],
    ),
    (
        "def title_case_name(first: str, last: str) -> str:",
        "Return 'Last, First' with each name capitalized (first letter upper case, the rest lower case).",
        "return f'{last.capitalize()}, {first.capitalize()}'",
        ["title_case_name('ada', 'LOVELACE') == 'Lovelace, Ada'"],
    ),
    (
        "def max_profit(prices: list[int]) -> int:",
        "Given daily prices, return the largest profit from buying on one day and selling on a later day\n"
        "(0 if no profit is possible).",
        "best = 0\nlowest = None\nfor price in prices:\n    if lowest is None or price < lowest:\n        lowest = price\n"
        "    best = max(best, price - lowest)\nreturn best",
        ["max_profit([7, 1, 5, 3, 6, 4]) == 5", "max_profit([7, 6, 4, 3, 1]) == 0", "max_profit([]) == 0"],
    ),
    (
        "def rotate_left(items: list, k: int) -> list:",
        "Return items rotated left by k positions (k may be larger than the length).",
        "if not items:\n    return []\nk %= len(items)\nreturn items[k:] + items[:k]",
        ["rotate_left([1, 2, 3, 4, 5], 2) == [3, 4, 5, 1, 2]", "rotate_left([1, 2, 3], 4) == [2, 3, 1]"],
    ),
    (
        "def count_uppercase(text: str) -> int:",
        "Return how many characters of text are upper-case letters.",
        "return sum(1 for ch in text if ch.isupper())",
        ["count_uppercase('Hello World, OK') == 4", "count_uppercase('abc') == 0"],
    ),
    (
        "def balanced_brackets(text: str) -> bool:",
        "Return True if the brackets (), [] and {} in text are balanced and properly nested.",
        "pairs = {')': '(', ']': '[', '}': '{'}\nstack = []\nfor ch in text:\n    if ch in '([{':\n        stack.append(ch)\n"
        "    elif ch in pairs:\n        if not stack or stack.pop() != pairs[ch]:\n            return False\nreturn not stack",
        ["balanced_brackets('{[()]}()')", "not balanced_brackets('(]')", "not balanced_brackets('((')"],
    ),
    (
        "def digits_to_words(number: str) -> str:",
        "Spell out each digit of a string of digits in English, separated by spaces (e.g. '42' -> 'four two').",
        "names = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine']\n"
        "return ' '.join(names[int(d)] for d in number)",
        ["digits_to_words('42') == 'four two'", "digits_to_words('907') == 'nine zero seven'"],
    ),
    (
        "def median(numbers: list[float]) -> float:",
        "Return the median of a non-empty list of numbers (the mean of the two middle values for an even count).",
        "values = sorted(numbers)\nmid = len(values) // 2\nif len(values) % 2:\n    return values[mid]\n"
        "return (values[mid - 1] + values[mid]) / 2",
        ["median([3, 1, 2]) == 2", "median([4, 1, 3, 2]) == 2.5"],
    ),
    (
        "def snake_to_camel(name: str) -> str:",
        "Convert a snake_case name to camelCase (e.g. 'user_id_value' -> 'userIdValue').",
        "first, *rest = name.split('_')\nreturn first + ''.join(part.capitalize() for part in rest)",
        ["snake_to_camel('user_id_value') == 'userIdValue'", "snake_to_camel('name') == 'name'"],
    ),
    (
        "def initials(full_name: str) -> str:",
        "Return the upper-case initials of a person's name, each followed by a dot (e.g. 'grace hopper' -> 'G.H.').",
        "return ''.join(part[0].upper() + '.' for part in full_name.split())",
        ["initials('grace hopper') == 'G.H.'", "initials('Alan Mathison Turing') == 'A.M.T.'"],
    ),
    (
        "def pairs_with_sum(numbers: list[int], target: int) -> list[tuple[int, int]]:",
        "Return all pairs (numbers[i], numbers[j]) with i < j whose sum equals target, in order of i then j.",
        "return [\n    (numbers[i], numbers[j])\n    for i in range(len(numbers))\n    for j in range(i + 1, len(numbers))\n"
        "    if numbers[i] + numbers[j] == target\n]",
        ["pairs_with_sum([1, 2, 3, 4], 5) == [(1, 4), (2, 3)]", "pairs_with_sum([1, 1], 3) == []"],
    ),
    (
        "def caesar_shift(text: str, shift: int) -> str:",
        "Shift each ASCII letter of text by shift places in the alphabet (wrapping around, keeping case);\n"
        "leave other characters unchanged.",
        "out = []\nfor ch in text:\n    if 'a' <= ch <= 'z':\n        out.append(chr((ord(ch) - 97 + shift) % 26 + 97))\n"
        "    elif 'A' <= ch <= 'Z':\n        out.append(chr((ord(ch) - 65 + shift) % 26 + 65))\n    else:\n        out.append(ch)\n"
        "return ''.join(out)",
        ["caesar_shift('Hello, World!', 3) == 'Khoor, Zruog!'", "caesar_shift('abc', -1) == 'zab'"],
    ),
    (
        "def most_common(items: list) -> object:",
        "Return the item that occurs most often in a non-empty list; on a tie, the one that appears first.",
        "counts = {}\nfor item in items:\n    counts[item] = counts.get(item, 0) + 1\nbest = max(counts.values())\n"
        "return next(item for item in items if counts[item] == best)",
        ["most_common(['a', 'b', 'b', 'a', 'c']) == 'a'", "most_common([3, 3, 1]) == 3"],
    ),
    (
        "def parse_key_values(text: str) -> dict[str, str]:",
        "Parse a string like 'a=1;b=two' into a dictionary {'a': '1', 'b': 'two'}; ignore empty parts.",
        "result = {}\nfor part in text.split(';'):\n    if part:\n        key, _, value = part.partition('=')\n"
        "        result[key.strip()] = value.strip()\nreturn result",
        [
            "parse_key_values('a=1;b=two') == {'a': '1', 'b': 'two'}",
            "parse_key_values('x = 5;;') == {'x': '5'}",
        ],
    ),
    (
        "def matrix_transpose(matrix: list[list[int]]) -> list[list[int]]:",
        "Return the transpose of a rectangular matrix given as a list of rows.",
        "return [list(row) for row in zip(*matrix)]",
        [
            "matrix_transpose([[1, 2, 3], [4, 5, 6]]) == [[1, 4], [2, 5], [3, 6]]",
            "matrix_transpose([]) == []",
        ],
    ),
    (
        "def compress(text: str) -> str:",
        "Run-length encode text: each run of the same character becomes the character followed by the run\n"
        "length (e.g. 'aaabcc' -> 'a3b1c2').",
        "out = []\ni = 0\nwhile i < len(text):\n    j = i\n    while j < len(text) and text[j] == text[i]:\n        j += 1\n"
        "    out.append(f'{text[i]}{j - i}')\n    i = j\nreturn ''.join(out)",
        ["compress('aaabcc') == 'a3b1c2'", "compress('') == ''"],
    ),
    (
        "def dict_invert(mapping: dict) -> dict:",
        "Return a new dictionary with keys and values swapped. Values are assumed to be unique and hashable.",
        "return {value: key for key, value in mapping.items()}",
        ["dict_invert({'a': 1, 'b': 2}) == {1: 'a', 2: 'b'}"],
    ),
    (
        "def percentage(part: float, whole: float) -> float:",
        "Return part as a percentage of whole, rounded to one decimal place. Return 0.0 if whole is 0.",
        "if whole == 0:\n    return 0.0\nreturn round(100 * part / whole, 1)",
        ["percentage(1, 3) == 33.3", "percentage(5, 0) == 0.0", "percentage(50, 200) == 25.0"],
    ),
    (
        "def days_in_month(month: int, year: int) -> int:",
        "Return the number of days in the given month (1-12) of the given year, Gregorian calendar.",
        "if month == 2:\n    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)\n    return 29 if leap else 28\n"
        "return 30 if month in (4, 6, 9, 11) else 31",
        [
            "days_in_month(2, 2024) == 29",
            "days_in_month(2, 1900) == 28",
            "days_in_month(4, 2023) == 30",
            "days_in_month(12, 2023) == 31",
        ],
    ),
]


def _indent(code: str) -> str:
    return "\n".join(("    " + line) if line else "" for line in code.split("\n"))


def python_funcs() -> list[dict]:
    rows = []
    for signature, doc, body, tests in FUNCS:
        docstring = f"{signature}\n{_indent(chr(34) * 3 + doc + chr(34) * 3)}"
        rows.append(
            {
                "docstring": docstring,
                "solution": f"{docstring}\n{_indent(body)}",
                "language": "Python",
                "tests": [f"assert {t}" for t in tests],
            }
        )
    return number("python_funcs", rows)


# --------------------------------------------------------------------------------------------
# arithmetic_words (math): problem, steps (worked solution), result (final answer, a string)
# --------------------------------------------------------------------------------------------
# Problem makers: each takes a seeded Random and returns (problem, steps, result); every number in
# the steps and the result is computed here, so the arithmetic is right by construction.
NAMES = ["Maria", "Tom", "Aisha", "Leo", "Chen", "Sofia", "Omar", "Grace", "Ivan", "Priya", "Lucas", "Nia"]


def _money(cents: int) -> str:
    return f"${cents // 100}.{cents % 100:02d}"


def _change(rng):
    name, price, n = rng.choice(NAMES), rng.choice([15, 25, 35, 45, 60, 75]), rng.randint(3, 9)
    total = price * n
    note = next(v for v in (5, 10, 20) if v * 100 > total)
    return (
        f"Pencils cost {price} cents each. {name} buys {n} pencils and pays with a ${note} note. "
        f"How much change, in cents, does {name} get?",
        f"{n} pencils cost {n} x {price} = {total} cents.\n"
        f"A ${note} note is {note * 100} cents.\nThe change is {note * 100} - {total} = {note * 100 - total} cents.",
        str(note * 100 - total),
    )


def _distance(rng):
    speed, hours = rng.choice([45, 60, 72, 80, 95, 110]), rng.randint(2, 6)
    return (
        f"A train travels at a steady {speed} km per hour for {hours} hours. How many kilometres does it travel?",
        f"Distance = speed x time = {speed} x {hours} = {speed * hours} km.",
        str(speed * hours),
    )


def _share(rng):
    kids, each = rng.randint(3, 8), rng.randint(4, 15)
    total = kids * each
    return (
        f"A teacher shares {total} stickers equally among {kids} children. How many stickers does each child get?",
        f"Each child gets {total} / {kids} = {each} stickers.",
        str(each),
    )


def _shopping(rng):
    name, a, b = rng.choice(NAMES), rng.randint(2, 6), rng.randint(2, 9)
    x, y = rng.choice([120, 250, 199, 340]), rng.choice([45, 80, 99, 135])
    return (
        f"{name} buys {a} notebooks at {_money(x)} each and {b} pens at {_money(y)} each. "
        f"How much does {name} spend in total?",
        f"The notebooks cost {a} x {_money(x)} = {_money(a * x)}.\n"
        f"The pens cost {b} x {_money(y)} = {_money(b * y)}.\n"
        f"Together: {_money(a * x)} + {_money(b * y)} = {_money(a * x + b * y)}.",
        _money(a * x + b * y),
    )


def _discount(rng):
    price, pct = rng.choice([40, 60, 80, 120, 160, 200]), rng.choice([10, 20, 25, 50])
    off = price * pct // 100
    return (
        f"A jacket costs ${price}. In the sale it is {pct}% off. What is the sale price in dollars?",
        f"{pct}% of ${price} is {price} x {pct} / 100 = ${off}.\nThe sale price is {price} - {off} = ${price - off}.",
        str(price - off),
    )


def _ages(rng):
    name, age, times, years = rng.choice(NAMES), rng.randint(5, 12), rng.choice([3, 4, 5]), rng.randint(2, 10)
    now = age * times
    return (
        f"{name} is {age} years old. {name}'s grandmother is {times} times as old. "
        f"How old will the grandmother be in {years} years?",
        f"The grandmother is {age} x {times} = {now} years old now.\nIn {years} years she will be {now} + {years} = "
        f"{now + years}.",
        str(now + years),
    )


def _fence(rng):
    length, width = rng.randint(8, 30), rng.randint(4, 20)
    return (
        f"A rectangular garden is {length} metres long and {width} metres wide. "
        "How many metres of fence are needed to go all the way around it?",
        f"The perimeter is 2 x ({length} + {width}) = 2 x {length + width} = {2 * (length + width)} metres.",
        str(2 * (length + width)),
    )


def _hours(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    return f"{h} hour{'s' * (h != 1)}" + (f" and {m} minute{'s' * (m != 1)}" if m else "")


def _film_end(rng):
    hour, minute, duration = rng.randint(13, 20), rng.choice([0, 15, 30, 40, 45]), rng.randint(85, 150)
    end = hour * 60 + minute + duration
    return (
        f"A film starts at {hour}:{minute:02d} and lasts {duration} minutes. At what time does it end?",
        f"{duration} minutes is {_hours(duration)}.\n"
        f"{hour}:{minute:02d} plus {_hours(duration)} is {end // 60}:{end % 60:02d}.",
        f"{end // 60}:{end % 60:02d}",
    )


def _saving(rng):
    name, weekly, cost = rng.choice(NAMES), rng.choice([6, 8, 12, 15]), rng.choice([95, 130, 175, 210])
    weeks = -(-cost // weekly)
    return (
        f"{name} saves ${weekly} every week to buy a bike that costs ${cost}. "
        f"How many weeks does {name} need to save?",
        f"{cost} / {weekly} {'=' if cost * 100 % weekly == 0 else 'is about'} {cost / weekly:.2f}, "
        f"so {weeks - 1} weeks are not enough "
        f"({weekly} x {weeks - 1} = {weekly * (weeks - 1)}).\n"
        f"After {weeks} weeks {name} has {weekly} x {weeks} = ${weekly * weeks}, which is enough.",
        str(weeks),
    )


def _pages(rng):
    name, pages, per_day, days = (
        rng.choice(NAMES),
        rng.choice([240, 312, 380, 450]),
        rng.randint(12, 30),
        rng.randint(4, 7),
    )
    read = per_day * days
    return (
        f"A book has {pages} pages. {name} reads {per_day} pages a day. "
        f"How many pages are left to read after {days} days?",
        f"In {days} days {name} reads {per_day} x {days} = {read} pages.\n{pages} - {read} = {pages - read} pages are left.",
        str(pages - read),
    )


def _recipe(rng):
    per_cookie, batch, wanted = (
        rng.choice([10, 12, 15]),
        rng.choice([12, 20, 24]),
        rng.choice([30, 36, 48, 60]),
    )
    flour = per_cookie * batch
    return (
        f"A recipe uses {flour} grams of flour to make {batch} cookies. How many grams of flour are needed "
        f"for {wanted} cookies?",
        f"Each cookie needs {flour} / {batch} = {per_cookie} grams of flour.\n"
        f"{wanted} cookies need {wanted} x {per_cookie} = {wanted * per_cookie} grams.",
        str(wanted * per_cookie),
    )


def _bus(rng):
    start, off1, on1 = rng.randint(20, 40), rng.randint(3, 12), rng.randint(2, 10)
    off2 = rng.randint(4, start - off1 + on1 - 2)
    after1 = start - off1 + on1
    return (
        f"A bus leaves the depot with {start} passengers. At the first stop {off1} people get off and {on1} get on. "
        f"At the second stop {off2} people get off. How many passengers are on the bus now?",
        f"After the first stop: {start} - {off1} + {on1} = {after1}.\nAfter the second stop: {after1} - {off2} = "
        f"{after1 - off2}.",
        str(after1 - off2),
    )


def _average(rng):
    while True:
        scores = [rng.randint(55, 98) for _ in range(4)]
        if sum(scores) % 4 == 0:
            break
    a, b, c, d = scores
    return (
        f"A student scores {a}, {b}, {c} and {d} on four tests. What is the average score?",
        f"The total is {a} + {b} + {c} + {d} = {sum(scores)}.\nThe average is {sum(scores)} / 4 = {sum(scores) // 4}.",
        str(sum(scores) // 4),
    )


def _marbles(rng):
    num, den = rng.choice([(1, 3), (2, 5), (3, 4), (3, 8)])
    total = den * rng.randint(3, 9)
    red = total * num // den
    return (
        f"A bag holds {total} marbles, and {num}/{den} of them are red. How many marbles are not red?",
        f"{num}/{den} of {total} is {total} / {den} x {num} = {red} red marbles.\n"
        f"{total} - {red} = {total - red} marbles are not red.",
        str(total - red),
    )


MAKERS = [
    _change,
    _distance,
    _share,
    _shopping,
    _discount,
    _ages,
    _fence,
    _film_end,
    _saving,
    _pages,
    _recipe,
    _bus,
    _average,
    _marbles,
]


def arithmetic_words() -> list[dict]:
    rng = random.Random(2024)
    rows, seen = [], set()
    while len(rows) < 49:  # each maker in turn; a problem drawn twice is drawn again
        problem, steps, result = MAKERS[len(rows) % len(MAKERS)](rng)
        if problem not in seen:
            seen.add(problem)
            rows.append({"problem": problem, "steps": steps, "result": result})
    rng.shuffle(rows)
    records = number("arithmetic_words", rows)
    # One record whose question field is missing (steps and result are there).
    missing = {"steps": "3 boxes of 12 eggs hold 3 x 12 = 36 eggs.", "result": "36"}
    return planted("arithmetic_words", records, [missing])


# --------------------------------------------------------------------------------------------
# help_desk_chats (dialogue): conversation [{role, content}], system_prompt on some
# --------------------------------------------------------------------------------------------
# Chats with an invented online shop and software help desk; (system prompt or None, turns), the
# turns alternating user / assistant and ending with the assistant.
SHOP = (
    "You are the support assistant of an online shop for home and garden goods. Be polite and brief, "
    "and never ask for full card numbers or passwords."
)
IT = "You are an IT help desk assistant for a small office. Give numbered steps when you explain a fix."
CHATS = [
    (
        None,
        [
            "I forgot my password and can't log in.",
            'No problem. On the login page, click "Forgot password?", enter the email address of your account '
            "and we will send you a reset link. The link is valid for one hour.",
        ],
    ),
    (
        SHOP,
        [
            "Hi, where is my order? It was supposed to arrive yesterday.",
            "I'm sorry it's late. Could you give me your order number? It starts with \"HG\" and is in your "
            "confirmation email.",
            "It's HG-20417.",
            "Thank you. Order HG-20417 left our warehouse on Monday and the carrier shows it as delayed at the "
            "local depot. It should be delivered within two working days. I'll send you the tracking link by email.",
        ],
    ),
    (
        None,
        [
            "How do I change the delivery address on an order I placed an hour ago?",
            'If the order has not been packed yet, you can change the address yourself: open "My orders", select '
            'the order and click "Edit delivery address". If that button is greyed out, the parcel is already '
            "being packed and you would need to contact the carrier once it ships.",
        ],
    ),
    (
        IT,
        [
            "The printer on the second floor says it's offline.",
            "Let's check a few things:\n1. Make sure the printer is switched on and shows no error on its "
            "screen.\n2. Check that the network cable is plugged in, or that it is connected to the office Wi-Fi.\n"
            "3. On your computer, remove the printer and add it again from Settings > Printers.\nDoes it show up "
            "again after that?",
            "It was the cable. Someone unplugged it. Works now!",
            "Great, glad it's sorted. If it happens again, a label on the cable might help.",
        ],
    ),
    (
        None,
        [
            "Can I return a lamp that I've already taken out of the box?",
            "Yes. You can return any item within 30 days of delivery, even if it has been unpacked, as long as it "
            'is undamaged and you include all parts. Start the return from "My orders" to get a free return '
            "label.",
            "Do I have to use the original box?",
            "It's best to, but any sturdy box will do as long as the lamp is well protected.",
        ],
    ),
    (
        None,
        [
            "My Wi-Fi keeps dropping every few minutes.",
            "That's annoying. Does it happen on all your devices or only on one?",
            "Only on my laptop. My phone is fine.",
            "Then the router is probably fine and the problem is on the laptop. Try these steps: forget the network "
            "and reconnect, update the Wi-Fi driver, and turn off the power-saving option for the wireless adapter. "
            "Let me know if it still drops after that.",
        ],
    ),
    (
        SHOP,
        [
            "I was charged twice for the same order.",
            "I'm sorry about that. Often the second charge is only a temporary hold that your bank releases within "
            "a few days. Could you tell me the order number so I can check whether we actually took the payment "
            "twice?",
            "HG-19980.",
            "Thanks. I can see only one payment for HG-19980 on our side, so the second amount should be a hold. "
            "If it is still on your statement after five working days, reply here and we will contact our payment "
            "provider.",
        ],
    ),
    (
        None,
        [
            "How do I cancel my subscription?",
            'Go to "Account", then "Subscription", and click "Cancel subscription". You will keep access '
            "until the end of the current billing period and will not be charged again.",
        ],
    ),
    (
        IT,
        [
            "Outlook won't open, it just shows the loading screen forever.",
            "Let's try starting it in safe mode, which turns off add-ins:\n1. Close Outlook completely.\n2. Hold "
            'the Ctrl key and click the Outlook icon.\n3. Answer "Yes" when it asks about safe mode.\nDoes it '
            "open that way?",
            "Yes, it opens in safe mode.",
            "Then an add-in is the likely cause. Go to File > Options > Add-ins, turn them all off, restart Outlook "
            "normally and turn them back on one at a time to find the one that blocks it.",
        ],
    ),
    (
        None,
        [
            "Do you deliver to Ireland?",
            "Yes, we deliver to Ireland. Standard delivery takes three to five working days and costs 7.50 euros, "
            "and it is free for orders over 60 euros.",
        ],
    ),
    (
        None,
        [
            "The garden hose I received has a hole in it.",
            "I'm sorry to hear that. We'll send you a replacement free of charge. Could you send a photo of the "
            "damage and your order number?",
            "I've just emailed the photo. The order is HG-21133.",
            "Thank you, I've received it. A replacement hose is on its way and should arrive in two to three days. "
            "You don't need to send the damaged one back.",
        ],
    ),
    (
        IT,
        [
            "How do I connect to the office VPN from home?",
            "Here are the steps:\n1. Install the VPN client from the company portal.\n2. Open it and enter the "
            "server address from the IT welcome email.\n3. Log in with your usual office username and password.\n"
            '4. Approve the sign-in on your phone.\nOnce it says "Connected", you can reach the shared drives.',
        ],
    ),
    (
        None,
        [
            "Can I change the email address on my account?",
            'Yes. Go to "Account settings", click "Email", enter the new address and confirm it with the link '
            "we send to that address. Your orders and saved items stay on the account.",
        ],
    ),
    (
        None,
        [
            "My discount code isn't working.",
            "Sorry about that. What does the message under the code box say?",
            "It says the code has expired.",
            "In that case the offer has ended, I'm afraid. Codes are valid only until the date in the email they "
            "came in. You can sign up for our newsletter to hear about the next offer.",
        ],
    ),
    (
        SHOP,
        [
            "Is the oak garden bench treated for outdoor use?",
            "Yes, the oak bench is treated with a water-based oil and can stay outside all year. We recommend "
            "re-oiling it once a year to keep the colour.",
            "And how heavy is it?",
            "It weighs about 28 kilograms, so two people should carry it.",
        ],
    ),
    (
        None,
        [
            "My computer is very slow since the last update.",
            "Updates often run some work in the background for a while afterwards. Has it been slow for more than "
            "a day?",
            "Yes, about three days now.",
            "Then let's look further. Restart the computer, then open the Task Manager and sort by CPU and memory "
            "to see which program uses the most. If it's the antivirus or the update service, let it finish; if "
            "it's something else, tell me its name and we'll go from there.",
        ],
    ),
    (
        None,
        [
            "When will the blue cushions be back in stock?",
            'We expect the blue cushions back in about three weeks. On the product page you can click "Notify '
            "me\" and we'll email you as soon as they're available.",
        ],
    ),
    (
        IT,
        [
            "I deleted a file from the shared drive by mistake. Can I get it back?",
            "Usually yes. Files on the shared drive are kept for 30 days after deletion:\n1. Open the folder the "
            'file was in.\n2. Right-click in the folder and choose "Restore previous versions".\n3. Pick a '
            "version from before the deletion and copy the file out.\nIf you can't find it, tell me the file name "
            "and folder and I'll restore it from the backup.",
        ],
    ),
    (
        None,
        [
            "Hi! Can I pay by bank transfer?",
            'Yes. Choose "Bank transfer" at checkout and you\'ll receive our bank details by email. We ship the '
            "order as soon as the payment arrives, which usually takes one to two working days.",
            "Thanks!",
            "You're welcome. Happy shopping!",
        ],
    ),
    (
        None,
        [
            "I can't hear anything in my video calls.",
            'Let\'s check the audio settings. In the call app, open the settings and look at "Speaker". Is the '
            "right device selected, for example your headset rather than the monitor?",
            "It was set to the monitor. I changed it to the headset.",
            'That should fix it. Try the "Test speaker" button to make sure you can hear the sound.',
            "Yes, I can hear it now.",
            "Perfect. You're all set for your next call.",
        ],
    ),
    (
        SHOP,
        [
            "Do you offer gift wrapping?",
            "Yes, we offer gift wrapping for 3 euros per item. You can add it at checkout and include a short "
            "message, which we print on a card. Prices are not shown on the packing slip.",
        ],
    ),
    (
        None,
        [
            "The assembly instructions for my shelf are missing.",
            'Sorry about that. You can download the instructions from the product page, under "Documents". If '
            "you tell me the product name, I can send you the direct link.",
            "It's the Birch 5-shelf bookcase.",
            'Here you go: on the Birch 5-shelf bookcase page, scroll down to "Documents" and download '
            '"Assembly guide (PDF)". I\'ve also emailed you the file.',
        ],
    ),
    (
        IT,
        [
            "My laptop won't charge.",
            "Let's narrow it down:\n1. Try a different wall socket.\n2. Check the cable for damage and make sure "
            "it is firmly plugged into the laptop.\n3. Look at the charging light: is it on, off or blinking?",
            "The light doesn't come on at all, even in another socket.",
            "Then the charger itself is probably faulty. Come by the IT desk and we'll lend you a spare charger "
            "while we order a replacement.",
        ],
    ),
    (
        None,
        [
            "How long does a refund take?",
            "Once we receive your return, we check it within three working days and then refund the payment "
            "method you used. Depending on your bank, the money appears on your account three to five working "
            "days later.",
        ],
    ),
    (
        None,
        [
            "I'd like to delete my account.",
            "I can help with that. Please note that deleting your account removes your order history and saved "
            "addresses, and it can't be undone. Do you want to go ahead?",
            "Yes, please.",
            'Understood. Go to "Account settings" and click "Delete account" at the bottom of the page; you\'ll '
            "get an email to confirm. Once you confirm, the account is deleted within 24 hours.",
        ],
    ),
    (
        None,
        [
            "Can I order a sample of the linen curtains before buying?",
            "Yes, you can order up to three fabric samples for free. On the curtain's product page, choose the "
            'colour and click "Order free sample". Samples arrive within a week.',
        ],
    ),
    (
        IT,
        [
            "How do I set up two-factor authentication for my work account?",
            "Here's how:\n1. Install an authenticator app on your phone.\n2. Sign in to the account portal and "
            'open "Security info".\n3. Choose "Add method", pick "Authenticator app" and scan the QR code with '
            "your phone.\n4. Enter the code the app shows to confirm.\nAfter that, you'll approve each new sign-in "
            "on your phone.",
            "Done, thanks. What if I lose my phone?",
            "Contact the IT desk straight away. We can remove the old phone from your account and help you set up "
            "the new one.",
        ],
    ),
    (
        None,
        [
            "The parcel says delivered but I haven't got it.",
            "I'm sorry. Sometimes carriers leave parcels with a neighbour or in a safe place. Could you check "
            "around your door and with your neighbours first?",
            "I checked, it's not there.",
            "Thank you for checking. I've opened an investigation with the carrier. If the parcel isn't found "
            "within 48 hours, we'll send you a replacement or a full refund, whichever you prefer.",
        ],
    ),
    (
        None,
        [
            "Do the solar garden lights need batteries?",
            "They come with rechargeable batteries already fitted. The solar panel charges them during the day, and "
            "the lights switch on automatically at dusk.",
        ],
    ),
    (
        SHOP,
        [
            "Can I collect my order from a store instead of having it delivered?",
            'Yes. At checkout choose "Click and collect" and pick a store. We\'ll email you when the order is '
            "ready, usually within two days, and you have seven days to collect it. Bring the email and an ID.",
        ],
    ),
    (
        None,
        [
            "My screen is flickering.",
            "Is it the laptop's own screen or an external monitor?",
            "An external monitor.",
            "Then try another cable first, since a loose or damaged cable is the most common cause. If the "
            "flicker stays, lower the refresh rate in the display settings to 60 Hz and check whether it still "
            "happens.",
            "A new cable fixed it.",
            "Great. You can throw the old cable away so it doesn't get used again.",
        ],
    ),
    (
        None,
        [
            "Is there a warranty on the lawn mower?",
            "Yes, all our lawn mowers have a two-year warranty that covers faults in materials and manufacture. "
            "Keep your receipt or order confirmation, as we need it for a warranty claim.",
        ],
    ),
    (
        IT,
        [
            "I need access to the finance folder on the shared drive.",
            "Access to the finance folder needs your manager's approval:\n1. Ask your manager to email the IT desk "
            "confirming the access you need.\n2. We add you to the finance group, usually the same day.\n3. Log "
            "out and back in so the new access takes effect.",
        ],
    ),
    (
        None,
        [
            "Can I change the size of the rug I ordered?",
            "If the order hasn't shipped yet, I can change it for you. Which size would you like instead?",
            "The 160 by 230 centimetre one.",
            "Done. Your order now has the 160 by 230 cm rug. The price difference of 40 euros will be charged to "
            "your original payment method, and the delivery date stays the same.",
        ],
    ),
    (
        None,
        [
            "Why is my account locked?",
            "Accounts are locked for 15 minutes after five wrong password attempts, to protect them. Wait 15 "
            'minutes and try again, or use "Forgot password?" to set a new one right away.',
        ],
    ),
    (
        None,
        [
            "Hello, do you sell replacement blades for the hedge trimmer?",
            "Yes, we do. Which model of hedge trimmer do you have? The model number is on a sticker under the "
            "handle.",
            "It's the HT-450.",
            "For the HT-450 you need the 45 cm replacement blade, which is in stock. You'll find it by searching "
            '"HT-450 blade" on our website.',
        ],
    ),
    (
        IT,
        [
            "Teams says my microphone is blocked.",
            "Your computer's privacy settings are probably blocking it:\n1. Open Settings > Privacy > "
            'Microphone.\n2. Turn on "Allow apps to access your microphone".\n3. Make sure Teams is allowed in '
            "the list below.\n4. Restart Teams.",
            "It works now.",
            "Great!",
        ],
    ),
    (
        None,
        [
            "I want to give feedback about a delivery driver who was very helpful.",
            "That's lovely to hear! Please tell me the order number and what the driver did, and I'll pass your "
            "thanks on to the delivery team.",
        ],
    ),
    (
        None,
        [
            "Is it safe to use the patio heater under a covered terrace?",
            "The gas patio heater must only be used outdoors or in open areas with plenty of air flow. Under a "
            "roof, keep at least the distances given in the manual, usually about one metre above the heater, and "
            "never use it in a closed space, because of the risk of carbon monoxide.",
        ],
    ),
    (
        SHOP,
        [
            "Can I add an item to an order I already paid for?",
            "Once an order is paid we can't add items to it, but you can place a second order. If both orders go "
            "to the same address on the same day, we'll try to send them together.",
        ],
    ),
]


def help_desk_chats() -> list[dict]:
    rows = []
    for system, texts in CHATS:
        turns = [{"role": ("user", "assistant")[i % 2], "content": t} for i, t in enumerate(texts)]
        rows.append({"conversation": turns, **({"system_prompt": system} if system else {})})
    return number("help_desk_chats", rows)


TASKS = {
    "capitals_qa": capitals_qa,
    "science_mc": science_mc,
    "review_sentiment": review_sentiment,
    "nli_pairs": nli_pairs,
    "passage_spans": passage_spans,
    "short_summaries": short_summaries,
    "en_fr_phrases": en_fr_phrases,
    "python_funcs": python_funcs,
    "arithmetic_words": arithmetic_words,
    "help_desk_chats": help_desk_chats,
}


def main() -> None:
    for task, make in TASKS.items():
        records = make()
        with open(HERE / f"{task}.jsonl", "w", encoding="utf-8", newline="\n") as f:
            for record in records:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
        train = sum(r["split"] == "train" for r in records)
        print(f"{task}: {len(records)} records (train {train}, test {len(records) - train})")


if __name__ == "__main__":
    main()
