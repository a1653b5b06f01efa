// Snowball English ("Porter2") stemmer: a faithful port of libstemmer 2.2's
// `english` stemmer (snowballstem.org/algorithms/english/stemmer.html).
// stem(word) takes a lowercase word and returns its stem.

// Whole-word exceptions, checked before anything else ("exception1").
// Null prototype so that words like "constructor" are not found here.
const EXC1 = {
  __proto__: null,
  skis: 'ski', skies: 'sky', dying: 'die', lying: 'lie', tying: 'tie',
  idly: 'idl', gently: 'gentl', ugly: 'ugli', early: 'earli', only: 'onli', singly: 'singl',
  sky: 'sky', news: 'news', howe: 'howe',
  atlas: 'atlas', cosmos: 'cosmos', bias: 'bias', andes: 'andes',
};

// Words left as they are after step 1a ("exception2").
const EXC2 = new Set('inning outing canning herring earring proceed exceed succeed'.split(' '));

// "suffix:replacement ..." -> [regexp matching the longest listed suffix, map].
// The suffixes are all anchored at the end, so the leftmost match is the longest.
const rules = s => {
  const map = { __proto__: null };
  for (const r of s.split(' ')) {
    const [k, v = ''] = r.split(':');
    map[k] = v;
  }
  return [new RegExp(`(?:${Object.keys(map).join('|')})$`), map];
};

const [S2, M2] = rules('tional:tion enci:ence anci:ance abli:able entli:ent izer:ize ization:ize ' +
  'ational:ate ation:ate ator:ate alism:al aliti:al alli:al fulness:ful ousli:ous ousness:ous ' +
  'iveness:ive iviti:ive biliti:ble bli:ble ogi:og fulli:ful lessli:less li');
const [S3, M3] = rules('tional:tion ational:ate alize:al icate:ic iciti:ic ical:ic ful ness ative');
const S4 = /(?:al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ism|ate|iti|ous|ive|ize|ion)$/;

// Vowels are a e i o u y; everything else (including the marker Y, apostrophes
// and any non-ASCII letter) is a non-vowel.
const isV = c => c !== undefined && 'aeiouy'.includes(c);

// Does w[0..i) end in a short syllable?
const shortv = (w, i) =>
  i === 2 ? isV(w[0]) && !isV(w[1])
    : i > 2 && !'aeiouywxY'.includes(w[i - 1]) && isV(w[i - 2]) && !isV(w[i - 3]);

function run(w) {
  const x = EXC1[w];
  if (x !== undefined) return x;
  if (w.length < 3) return w;

  // Prelude: drop one initial apostrophe, mark consonant y as Y.
  if (w[0] === "'") w = w.slice(1);
  let Y = false;
  if (w[0] === 'y') w = 'Y' + w.slice(1), Y = true;
  const marked = w.replace(/([aeiouy])y/g, '$1Y');
  if (marked !== w) w = marked, Y = true;

  // Regions: R1 = w[p1..], R2 = w[p2..].
  const n0 = w.length;
  const region = i => {
    const j = w.slice(i).search(/[aeiouy][^aeiouy]/);
    return j < 0 ? n0 : i + j + 2;
  };
  const pre = /^(?:gener|commun|arsen)/.exec(w);
  const p1 = pre ? pre[0].length : region(0);
  const p2 = region(p1);

  // Step 1a.
  w = w.replace(/'(?:s'?)?$/, '');
  if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (/ie[ds]$/.test(w)) w = w.slice(0, -3) + (w.length > 4 ? 'i' : 'ie');
  else if (/[us]s$/.test(w)) ;
  else if (w.endsWith('s') && /[aeiouy]/.test(w.slice(0, -2))) w = w.slice(0, -1);

  if (!EXC2.has(w)) {
    // Step 1b.
    let m = /(?:eed|ed|ing)(?:ly)?$/.exec(w), i;
    if (m) {
      i = m.index;
      if (m[0].startsWith('ee')) {
        if (i >= p1) w = w.slice(0, i) + 'ee';
      } else if (/[aeiouy]/.test(w.slice(0, i))) {
        w = w.slice(0, i);
        if (/(?:at|bl|iz)$/.test(w)) w += 'e';
        else if (/([bdfgmnprt])\1$/.test(w)) w = w.slice(0, -1);
        else if (i === p1 && shortv(w, i)) w += 'e';
      }
    }

    // Step 1c.
    let n = w.length;
    if (n > 2 && /[yY]$/.test(w) && !isV(w[n - 2])) w = w.slice(0, -1) + 'i';

    // Step 2.
    m = S2.exec(w);
    if (m && (i = m.index) >= p1) {
      const s = m[0];
      if (s === 'ogi' ? w[i - 1] === 'l' : s !== 'li' || 'cdeghkmnrt'.includes(w[i - 1] || '-'))
        w = w.slice(0, i) + M2[s];
    }

    // Step 3.
    m = S3.exec(w);
    if (m && (i = m.index) >= (m[0] === 'ative' ? p2 : p1)) w = w.slice(0, i) + M3[m[0]];

    // Step 4.
    m = S4.exec(w);
    if (m && (i = m.index) >= p2 && (m[0] !== 'ion' || /[st]/.test(w[i - 1] || '-'))) w = w.slice(0, i);

    // Step 5.
    i = w.length - 1;
    if (w[i] === 'e' ? i >= p2 || (i >= p1 && !shortv(w, i)) : w[i] === 'l' && i >= p2 && w[i - 1] === 'l')
      w = w.slice(0, i);
  }

  // Postlude.
  return Y ? w.replace(/Y/g, 'y') : w;
}

// libstemmer works on UTF-8 characters; JavaScript strings on UTF-16 units.
// Characters outside the BMP (never vowels, never removed) are swapped for a
// one-unit placeholder while stemming so that lengths and positions agree.
export function stem(word) {
  if (!/[\ud800-\udfff\uffff]/.test(word)) return run(word);
  const saved = [];
  const out = run(word.replace(/[\ud800-\udbff][\udc00-\udfff]|\uffff/g, c => (saved.push(c), '\uffff')));
  let k = 0;
  return out.replace(/\uffff/g, () => saved[k++]);
}
