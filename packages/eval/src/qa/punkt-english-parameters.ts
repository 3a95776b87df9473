/**
 * Parameters of NLTK's pretrained English Punkt model (`punkt_tab/english`), which the official
 * CMRC 2018 script uses through `nltk.word_tokenize`.
 *
 * CMRC lowercases text before tokenizing, and on lowercase text Punkt only consults the abbreviation
 * types and the collocations: the frequent-sentence-starter heuristic and the parts of the
 * orthographic heuristic that ask about capitalised words never fire. The orthographic table is left
 * out (it is 16k entries); on lowercase text it only matters after an initial or a number ending in a
 * period that is followed by a word the model saw sentence-initially in lowercase but never
 * capitalised — such pairs are treated as "not a sentence break" here. These parameters are therefore
 * only valid for lowercase input.
 */
export interface PunktParameters {
  /** Abbreviation types, lowercase, without the final period (e.g. "dr", "u.s.a"). */
  readonly abbreviationTypes: ReadonlySet<string>;
  /** Pairs `"<type>\t<next type>"` whose period is never a sentence break. */
  readonly collocations: ReadonlySet<string>;
  /** Types that frequently start a sentence (consulted for capitalised words only). */
  readonly sentenceStarters: ReadonlySet<string>;
  /** Orthographic context flags per type (NLTK's `_ORTHO_*` bits); missing types are 0. */
  readonly orthographicContext: ReadonlyMap<string, number>;
}

const ABBREVIATIONS = `ct m.j t a.c n.h ms p.a.m dr pa p.m u.k st dec u.s.a lt g.k adm p h.m ga tenn yr sen n.c j.j d.h s.g
inc vs s.p.a a.t n feb sr jan s.a.y n.y col g.f c.o.m.b d ft va r.k e.f chg r.i a.g minn a.h k n.j m l.f f.j gen i.m.s
s.a aug j.p okla m.d.c ltd oct s vt r.a j.c ariz w.w b.v ore h w.r e.h mrs cie corp w n.v a.d r.j ok e.m w.c ill nov
u.s prof conn u.s.s.r mg f.g ph.d g calif messrs h.f wash tues sw bros u.n l wis mr sep d.c ave e.l co s.s reps c r.t
h.c r wed a.s v fla jr r.h c.v m.b.a rep a.a e c.i.t l.a b.f j.b d.w j.k ala f w.va sept mich n.m j.r l.p s.c colo
fri a.m g.d kan maj ky a.m.e n.d t.j cos nev`;

// One entry of the English model is ". . " (it makes the token ". . ." an abbreviation); it cannot be
// written in the whitespace-separated list above.
const ABBREVIATION_WITH_SPACE = '. . ';

const COLLOCATIONS = `##number## international|##number## rj|##number## commodities|##number## cooper|b stewart|
##number## genentech|##number## wedgestone|i toussie|##number## pepper|j fialka|o ludcke|##number## insider|
##number## aes|i magnin|##number## credit|##number## corrections|##number## financing|##number## henley|
##number## business|##number## pay-fone|b wigton|b edelman|b levine|##number## leisure|b smith|j walter|
##number## pegasus|##number## dividend|j aron|##number## review|##number## abreast|##number## who|
##number## letters|##number## colgate|##number## cbot|##number## notable|##number## zimmer`;

export const PUNKT_ENGLISH_LOWERCASE: PunktParameters = {
  abbreviationTypes: new Set([...ABBREVIATIONS.split(/\s+/).filter(Boolean), ABBREVIATION_WITH_SPACE]),
  collocations: new Set(
    COLLOCATIONS.split('|')
      .map((pair) => pair.trim())
      .filter(Boolean)
      .map((pair) => pair.replace(' ', '\t')),
  ),
  sentenceStarters: new Set(),
  orthographicContext: new Map(),
};
