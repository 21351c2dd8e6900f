// A strict reader of Prometheus' text exposition format (0.0.4), for the status --prometheus tests
// (the end-to-end test also runs the real promtool, test/helpers/promtool.ts): every line a HELP, a TYPE or a sample; metric and label names
// by the format's grammar; label values quoted with only \\ \" \n escapes; one HELP and one TYPE per
// family, before its samples, and its samples together; counters named *_total; no series twice;
// a newline at the end. Returns the samples, name{labels} → value, labels sorted.

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** The labels of `{...}` from position i (just after '{'): [labels, index after '}']. */
function readLabels(line: string, i: number, fail: (why: string) => never): [[string, string][], number] {
  const out: [string, string][] = [];
  for (;;) {
    if (line[i] === '}') return [out, i + 1];
    const eq = line.indexOf('=', i);
    if (eq < 0) fail('a label without =');
    const name = line.slice(i, eq);
    if (!LABEL.test(name) || name.startsWith('__')) fail(`bad label name ${JSON.stringify(name)}`);
    if (out.some(([n]) => n === name)) fail(`label ${name} twice`);
    if (line[eq + 1] !== '"') fail('a label value not in double quotes');
    let v = '';
    let j = eq + 2;
    for (; j < line.length && line[j] !== '"'; j++) {
      if (line[j] === '\\') {
        const e = line[++j];
        if (e === '\\' || e === '"') v += e;
        else if (e === 'n') v += '\n';
        else fail(`bad escape \\${e ?? ''} in a label value`);
      } else v += line[j];
    }
    if (j >= line.length) fail('an unterminated label value');
    out.push([name, v]);
    i = j + 1;
    if (line[i] === ',') i++;
    else if (line[i] !== '}') fail('labels not separated by commas');
  }
}

export function parseExposition(text: string): Map<string, number> {
  if (!text.endsWith('\n')) throw new Error('exposition text must end with a newline');
  const samples = new Map<string, number>();
  const help = new Set<string>();
  const type = new Map<string, string>();
  const done = new Set<string>(); // families whose samples ended (another family's came after)
  let current: string | null = null;
  text
    .slice(0, -1)
    .split('\n')
    .forEach((line, n) => {
      const fail = (why: string): never => {
        throw new Error(`line ${n + 1}: ${why}: ${JSON.stringify(line)}`);
      };
      if (line.startsWith('#')) {
        const m = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
        if (!m) {
          if (/^# (HELP|TYPE)\b/.test(line)) fail('malformed HELP or TYPE');
          return; // a comment
        }
        const [, kind, name, rest] = m as unknown as [string, string, string, string];
        if (!NAME.test(name)) fail(`bad metric name ${name}`);
        if (kind === 'HELP') {
          if (help.has(name)) fail(`a second HELP for ${name}`);
          if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ''))) fail('bad escape in HELP');
          help.add(name);
        } else {
          if (type.has(name)) fail(`a second TYPE for ${name}`);
          if (!TYPES.has(rest)) fail(`unknown type ${rest}`);
          if ([...samples.keys()].some((k) => k === name || k.startsWith(`${name}{`))) fail(`TYPE of ${name} after its samples`);
          if (rest === 'counter' && !name.endsWith('_total')) fail(`counter ${name} is not named *_total`);
          type.set(name, rest);
        }
        return;
      }
      if (line.trim() === '') fail('an empty line');
      const nameEnd = line.search(/[{ ]/);
      if (nameEnd <= 0) fail('no metric name');
      const name = line.slice(0, nameEnd);
      if (!NAME.test(name)) fail(`bad metric name ${name}`);
      let i = nameEnd;
      let labels: [string, string][] = [];
      if (line[i] === '{') [labels, i] = readLabels(line, i + 1, fail);
      if (line[i] !== ' ') fail('no space before the value');
      const [value, ts, ...extra] = line.slice(i + 1).split(' ');
      if (extra.length || value === undefined) fail('more than a value and a timestamp');
      if (!/^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|NaN|[+-]Inf)$/.test(value!)) fail(`bad value ${value}`);
      if (ts !== undefined && !/^-?\d+$/.test(ts)) fail(`bad timestamp ${ts}`);
      if (!type.has(name)) fail(`sample of ${name} without a TYPE before it`);
      if (current !== name) {
        if (done.has(name)) fail(`samples of ${name} are not together`);
        if (current) done.add(current);
        current = name;
      }
      const key = `${name}{${labels.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
      if (samples.has(key)) fail(`series ${key} twice`);
      samples.set(key, Number(value!.replace('Inf', 'Infinity')));
    });
  for (const name of help) if (!type.has(name)) throw new Error(`${name} has HELP but no TYPE`);
  return samples;
}
