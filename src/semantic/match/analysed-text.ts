import lexicon from './wordnet-lexicon.json';

const NEGATIONS = new Set([
  'not',
  'no',
  'never',
  'none',
  'nothing',
  'nobody',
  'nowhere',
  'neither',
  'nor',
  'without',
]);

/** Words that carry no topic: their differences alone never separate two questions. */
const STOPWORDS = new Set(
  (
    'a an the is are was were be been being am do does did doing have has had having i me my ' +
    'mine we us our you your he him his she her it its they them their this that these those ' +
    'there here of in on at by for with about as into onto from to ' +
    'and or but so if then too just also can could would should will shall may might ' +
    'must what which who whom whose when where why how some any all each every ' +
    'such own another one ones s t don get got make makes really way ' +
    'ways thing things please tell know explain give'
  ).split(' '),
);

const QUESTION_WORDS = new Set([
  'what',
  'which',
  'who',
  'whom',
  'whose',
  'when',
  'where',
  'why',
  'how',
]);

const NUMBER_WORDS = new Set(
  (
    'zero two three four five six seven eight nine ten eleven twelve thirteen fourteen ' +
    'fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ' +
    'ninety hundred thousand million billion trillion first second third fourth fifth sixth ' +
    'seventh eighth ninth tenth half quarter double twice triple dozen'
  ).split(' '),
);

const DATE_WORDS = new Set(
  (
    'january february march april june july august september october november december ' +
    'monday tuesday wednesday thursday friday saturday sunday today tomorrow yesterday ' +
    'tonight morning evening weekend'
  ).split(' '),
);

/** Technologies and products that WordNet does not know as names (or knows as common nouns). */
const TECHNOLOGIES = new Set(
  (
    'python java javascript typescript golang rust ruby php swift kotlin scala perl haskell ' +
    'elixir erlang clojure lua matlab fortran cobol c c++ c# f# .net dotnet node node.js deno bun ' +
    'react angular vue svelte django flask fastapi rails laravel spring express nestjs nextjs ' +
    'docker kubernetes k8s terraform ansible aws azure gcp linux windows macos ubuntu debian ' +
    'ios android iphone ipad mysql postgresql postgres sqlite mongodb redis kafka rabbitmq ' +
    'elasticsearch cassandra oracle sql nosql graphql rest grpc html css sass json yaml xml csv ' +
    'excel word powerpoint tensorflow pytorch keras numpy pandas git github gitlab jenkins ' +
    'google facebook meta amazon apple microsoft netflix uber twitter instagram whatsapp ' +
    'youtube linkedin tesla samsung huawei xiaomi openai chatgpt gpt anthropic claude bitcoin ' +
    'ethereum'
  ).split(' '),
);

/** Words that ask for a different shape of answer: format, length, register or language. */
const OUTPUT_CONSTRAINTS = new Set(
  (
    'short shorter brief briefly long longer detailed concise concisely summary summarize ' +
    'summarise bullet bullets table json yaml xml csv markdown code tweet poem essay haiku ' +
    'outline paragraph paragraphs sentence sentences words formal informal simple simply eli5 ' +
    'english french spanish german italian portuguese russian chinese japanese korean arabic ' +
    'hindi dutch swedish polish turkish greek hebrew latin'
  ).split(' '),
);

/** Markers that make word order carry meaning: "USD to EUR" is not "EUR to USD". */
const DIRECTION_MARKERS = new Set([
  'to',
  'into',
  'from',
  'than',
  'before',
  'after',
  'over',
  'per',
  'by',
  'vs',
  'versus',
]);

/** Prefixes that negate the word they stand before: "unhealthy" is "not healthy". */
const NEGATING_PREFIXES = ['un', 'in', 'im', 'il', 'ir', 'dis', 'non'];

const PROPER_NOUNS = new Set(lexicon.properNouns);
const ANTONYMS = new Set(lexicon.antonyms);

export function areAntonyms(a: string, b: string): boolean {
  return ANTONYMS.has(a < b ? `${a} ${b}` : `${b} ${a}`);
}

/** "unhealthy" → "healthy" when the prefix negates; undefined otherwise. */
export function negatedStem(word: string, candidates: ReadonlySet<string>): string | undefined {
  for (const prefix of NEGATING_PREFIXES) {
    if (word.startsWith(prefix) && candidates.has(word.slice(prefix.length))) {
      return word.slice(prefix.length);
    }
  }
  return undefined;
}

export const isDirectionMarker = (word: string) => DIRECTION_MARKERS.has(word);

/** Strips the commonest English inflections so "voting" meets "vote" and "reasons" meets "reason". */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith('sses')) return word.slice(0, -2);
  if (word.endsWith('ing') && word.length > 5) return word.slice(0, -3);
  if (word.endsWith('ed') && word.length > 4) return word.slice(0, -2);
  if (word.endsWith('es') && /(sh|ch|x|z)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us')) return word.slice(0, -1);
  if (word.endsWith('e') && word.length > 4) return word.slice(0, -1);
  return word;
}

/** Digits with their separators, wherever they stand: "Rs.1" holds 1, "S5" holds 5, "3.11" is one number. */
const NUMBER = /\d+(?:[.,:/]\d+)*/g;

const TOKEN = /[\p{L}\p{N}]+(?:[.'+#][\p{L}\p{N}+#]+)*[+#]*|\.net\b/gu;

/**
 * One side of a pair, taken apart once: the lower-cased words in order and the sets the
 * look-alike rules and the pair scorer compare. Built for the stored text when an entry is
 * compared and for the query once per lookup.
 */
export class AnalysedText {
  /** Lower-cased words in order, contractions expanded ("don't" → "do not"). */
  readonly words: string[];
  /** Words that are not stop words or negations, in order. */
  readonly contentWords: string[];
  /** `contentWords`, stemmed. */
  readonly content: string[];
  readonly contentSet: ReadonlySet<string>;
  readonly wordSet: ReadonlySet<string>;
  /** Numbers, number words, dates, versions: any token that is or holds a quantity. */
  readonly quantities: string[];
  /** Names and technologies: proper nouns, capitalised words inside a sentence, acronyms. */
  readonly entities: ReadonlySet<string>;
  readonly constraints: ReadonlySet<string>;
  readonly negations: number;
  /** The first question word ("what", "how", ...), if any: "when" and "where" ask different things. */
  readonly questionWord: string | undefined;

  constructor(readonly text: string) {
    const raw = expandContractions(text).match(TOKEN) ?? [];
    this.words = raw.map((token) => token.toLowerCase().replace(/'s$/, ''));
    this.wordSet = new Set(this.words);
    this.contentWords = this.words.filter((word) => !STOPWORDS.has(word) && !NEGATIONS.has(word));
    this.content = this.contentWords.map(stem);
    this.contentSet = new Set(this.content);
    this.quantities = [
      ...(text.match(NUMBER) ?? []),
      ...this.words.filter((word) => NUMBER_WORDS.has(word) || DATE_WORDS.has(word)),
    ];
    const entities = new Set<string>();
    raw.forEach((token, index) => {
      const word = this.words[index];
      if (
        PROPER_NOUNS.has(word) ||
        TECHNOLOGIES.has(word) ||
        /^[A-Z]{2,}$/.test(token) ||
        (index > 0 && /^[A-Z][a-z]/.test(token) && !STOPWORDS.has(word))
      ) {
        entities.add(word);
      }
    });
    this.entities = entities;
    this.constraints = new Set(this.words.filter((word) => OUTPUT_CONSTRAINTS.has(word)));
    this.negations = this.words.filter((word) => NEGATIONS.has(word)).length;
    this.questionWord = this.words.find((word) => QUESTION_WORDS.has(word));
  }
}

function expandContractions(text: string): string {
  return text
    .replace(/[’‘]/g, "'")
    .replace(/\bcan't\b/gi, 'can not')
    .replace(/\bcannot\b/gi, 'can not')
    .replace(/\bwon't\b/gi, 'will not')
    .replace(/\bshan't\b/gi, 'shall not')
    .replace(/n't\b/gi, ' not')
    .replace(/'re\b/gi, ' are')
    .replace(/'m\b/gi, ' am')
    .replace(/'ll\b/gi, ' will')
    .replace(/'ve\b/gi, ' have')
    .replace(/'d\b/gi, ' would');
}
