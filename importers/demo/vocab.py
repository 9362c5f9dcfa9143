"""Word lists for the synthetic demo ecosystem.

Firm and hub names are assembled from invented syllables, so that no generated name belongs to a
real firm. Cities are real places (the main town of each NUTS 2 region), which keeps the maps
recognisable. Competence labels follow ESCO's style (lower-case verb or noun phrases).
"""

from __future__ import annotations

PROJECT_REGIONS = ("PL42", "SI04", "AT13", "SK01", "ITH3", "DE11")

COUNTRY_WEIGHTS = {"PL": 0.24, "DE": 0.24, "IT": 0.22, "AT": 0.12, "SK": 0.09, "SI": 0.09}

LEGAL_FORM = {
    "PL": ("sp. z o.o.", "S.A."),
    "DE": ("GmbH", "UG", "AG"),
    "IT": ("S.r.l.", "S.p.A."),
    "AT": ("GmbH", "OG"),
    "SK": ("s.r.o.", "a.s."),
    "SI": ("d.o.o.", "d.d."),
}

LANGUAGE = {"PL": "pl", "DE": "de", "IT": "it", "AT": "de", "SK": "sk", "SI": "sl"}

# The main town of each NUTS 2021 level-2 region of the six project countries.
CITIES = {
    "PL21": "Kraków", "PL22": "Katowice", "PL41": "Poznań", "PL42": "Szczecin",
    "PL43": "Zielona Góra", "PL51": "Wrocław", "PL52": "Opole", "PL61": "Bydgoszcz",
    "PL62": "Olsztyn", "PL63": "Gdańsk", "PL71": "Łódź", "PL72": "Kielce", "PL81": "Lublin",
    "PL82": "Rzeszów", "PL84": "Białystok", "PL91": "Warszawa", "PL92": "Radom",
    "SI03": "Maribor", "SI04": "Ljubljana",
    "AT11": "Eisenstadt", "AT12": "St. Pölten", "AT13": "Wien", "AT21": "Klagenfurt",
    "AT22": "Graz", "AT31": "Linz", "AT32": "Salzburg", "AT33": "Innsbruck", "AT34": "Bregenz",
    "SK01": "Bratislava", "SK02": "Trnava", "SK03": "Žilina", "SK04": "Košice",
    "ITC1": "Torino", "ITC2": "Aosta", "ITC3": "Genova", "ITC4": "Milano", "ITF1": "L'Aquila",
    "ITF2": "Campobasso", "ITF3": "Napoli", "ITF4": "Bari", "ITF5": "Potenza",
    "ITF6": "Catanzaro", "ITG1": "Palermo", "ITG2": "Cagliari", "ITH1": "Bolzano",
    "ITH2": "Trento", "ITH3": "Padova", "ITH4": "Trieste", "ITH5": "Bologna", "ITI1": "Firenze",
    "ITI2": "Perugia", "ITI3": "Ancona", "ITI4": "Roma",
    "DE11": "Stuttgart", "DE12": "Karlsruhe", "DE13": "Freiburg im Breisgau", "DE14": "Tübingen",
    "DE21": "München", "DE22": "Landshut", "DE23": "Regensburg", "DE24": "Bayreuth",
    "DE25": "Nürnberg", "DE26": "Würzburg", "DE27": "Augsburg", "DE30": "Berlin",
    "DE40": "Potsdam", "DE50": "Bremen", "DE60": "Hamburg", "DE71": "Frankfurt am Main",
    "DE72": "Gießen", "DE73": "Kassel", "DE80": "Rostock", "DE91": "Braunschweig",
    "DE92": "Hannover", "DE93": "Lüneburg", "DE94": "Oldenburg", "DEA1": "Düsseldorf",
    "DEA2": "Köln", "DEA3": "Münster", "DEA4": "Bielefeld", "DEA5": "Dortmund",
    "DEB1": "Koblenz", "DEB2": "Trier", "DEB3": "Mainz", "DEC0": "Saarbrücken",
    "DED2": "Dresden", "DED4": "Chemnitz", "DED5": "Leipzig", "DEE0": "Magdeburg",
    "DEF0": "Kiel", "DEG0": "Erfurt",
}

SYLLABLES_A = ("Vel", "Kor", "Mira", "Lum", "Nov", "Tal", "Ser", "Brin", "Vox", "Quel", "Zen",
               "Ari", "Dor", "Fen", "Gal", "Hal", "Isk", "Jar", "Kel", "Lir", "Mor", "Nim", "Orb",
               "Pra", "Rav", "Sil", "Tor", "Ulm", "Var", "Wes", "Yor", "Zar")
SYLLABLES_B = ("ora", "ex", "ia", "ion", "eta", "ara", "ik", "on", "ela", "ium", "ava", "ent",
               "ix", "os", "una", "ero")
NOUNS = {
    "cci": ("Studio", "Design", "Media", "Films", "Press", "Sound", "Atelier", "Games",
            "Architects", "Creative"),
    "advanced-manufacturing": ("Precision", "Robotics", "Motion", "Components", "Systems",
                               "Devices", "Mechatronics", "Materials", "Tooling", "Optics"),
    "ict": ("Labs", "Software", "Digital", "Data", "Cloud", "Code", "Analytics", "Interactive"),
    "other": ("Trade", "Logistics", "Services", "Consulting", "Foods", "Textiles", "Works"),
}
HUB_WORDS = {
    "creative-hub": ("Creative Hub", "Kreativ Lab", "Design Factory", "Culture Works"),
    "cluster": ("Manufacturing Cluster", "Mechatronics Cluster", "ICT Cluster",
                "Creative Industries Cluster"),
    "chamber": ("Business Chamber", "Crafts Chamber"),
    "business-support": ("Innovation Agency", "Startup Centre", "Technology Park"),
    "academy": ("Design Academy", "Academy of Applied Arts", "Digital Academy"),
    "other": ("Makerspace", "Fab Lab"),
}

# ESCO-style competence labels by category.
COMPETENCES: dict[str, tuple[str, ...]] = {
    "design": ("apply design thinking", "industrial design", "product design", "service design",
               "user experience design", "design for manufacturing", "colour theory",
               "create prototypes", "ergonomic design", "packaging design", "interior design",
               "design user interface"),
    "creative content": ("create digital content", "storytelling", "video production",
                         "photography", "sound design", "graphic design", "copywriting",
                         "animation", "game design", "3D modelling", "illustration",
                         "exhibition design"),
    "digital technology": ("develop augmented reality applications", "virtual reality",
                           "web development", "mobile application development",
                           "machine learning", "data analytics", "cloud computing",
                           "internet of things", "cybersecurity", "computer vision",
                           "develop digital twins", "generative artificial intelligence"),
    "manufacturing technology": ("3D printing", "additive manufacturing", "CNC machining",
                                 "robot programming", "laser cutting", "injection moulding",
                                 "computer-aided design software", "quality assurance",
                                 "lean manufacturing", "industrial automation",
                                 "mechatronics", "materials engineering"),
    "sustainability": ("circular economy", "life cycle assessment", "eco-design",
                       "sustainable materials", "energy efficiency", "waste reduction",
                       "carbon footprint assessment", "repair and remanufacturing"),
    "business": ("business model innovation", "marketing strategy", "brand management",
                 "intellectual property management", "project management", "fundraising",
                 "export management", "negotiation", "open innovation",
                 "cross-sector collaboration", "change management", "customer research"),
    "future trends": ("trend research", "foresight methods", "scenario planning",
                      "technology scouting", "future of work", "speculative design"),
}

CATEGORY_OFFER = {
    "cci": ("design", "creative content", "business"),
    "advanced-manufacturing": ("manufacturing technology", "sustainability", "business"),
    "ict": ("digital technology", "future trends"),
    "other": ("business",),
}
CATEGORY_NEED = {
    "cci": ("digital technology", "manufacturing technology", "business", "future trends"),
    "advanced-manufacturing": ("design", "creative content", "sustainability",
                               "digital technology", "future trends"),
    "ict": ("design", "business", "creative content"),
    "other": ("digital technology", "sustainability", "design"),
}

VARIANT_DOMAINS = ("automotive", "textiles", "furniture", "packaging", "medical devices",
                   "cultural heritage", "fashion", "architecture", "publishing", "music", "film",
                   "tourism", "food production", "energy")
VARIANT_PREFIXES = ("", "advanced ", "applied ")

TRAINING_TITLES = {
    "technology-development": ("Hands-on {x}", "{x} bootcamp", "{x} for creatives",
                               "From idea to prototype: {x}"),
    "future-trends": ("Future of {x}", "Trends in {x}", "{x}: scenarios to 2035"),
    "advanced-manufacturing-mindset": ("{x} for manufacturers", "Manufacturing meets {x}",
                                       "Lean and creative: {x}"),
    "other": ("Introduction to {x}", "{x} clinic"),
}

COLLAB_TITLES = ("{a} × {b} pilot", "{a} co-creation lab", "Matchmaking {a}–{b}",
                 "{a} transfer project", "{a} and {b} joint venture study")

# NACE Rev.2 classes used for companies of each sector group (all present in NACE Rev.2).
SECTOR_CLASSES: dict[str, tuple[str, ...]] = {
    "cci": ("J58.11", "J58.13", "J58.14", "J58.21", "J59.11", "J59.12", "J59.13", "J59.20",
            "J60.10", "J60.20", "J63.91", "M71.11", "M74.10", "M74.20", "M74.30", "N77.22",
            "P85.52", "R90.01", "R90.02", "R90.03", "R90.04", "R91.01", "R91.02", "R91.03",
            "C18.11", "C18.12", "C32.12", "C32.20", "G47.61", "G47.62", "G47.63"),
    "advanced-manufacturing": ("C21.10", "C21.20", "C26.11", "C26.12", "C26.20", "C26.30",
                               "C26.51", "C26.60", "C26.70", "C20.16", "C20.30", "C20.59",
                               "C25.40", "C27.11", "C27.12", "C27.40", "C27.90", "C28.11",
                               "C28.15", "C28.22", "C28.41", "C28.49", "C28.96", "C28.99",
                               "C29.10", "C29.20", "C29.32", "C30.20", "C30.30", "C30.92",
                               "C32.50"),
    "ict": ("J62.01", "J62.02", "J62.03", "J62.09", "J63.11", "J63.12", "J61.10", "J58.29"),
    "other": ("C10.71", "C13.20", "C14.13", "C16.23", "C22.29", "C25.62", "C31.01", "C31.09",
              "F41.20", "G46.90", "H49.41", "I55.10", "I56.10", "K64.19", "M69.20", "M70.22",
              "M72.19", "N82.30", "Q86.90"),
}
GROUP_WEIGHTS = {"cci": 0.36, "advanced-manufacturing": 0.26, "ict": 0.14, "other": 0.24}
