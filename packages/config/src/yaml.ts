import { parseDocument, type Document, type LineCounter, type ScalarTag } from 'yaml';

// go-yaml v3, which RoadRunner uses, still reads a leading-zero integer as YAML 1.1 octal ("for
// compatibility", its README says), and RoadRunner's own docs write `permissions: 0777` for boltdb. Plain
// YAML 1.2 would read that as decimal 777, so the tag goes before the core int tag.
const legacyOctal: ScalarTag = {
  identify: (value) => typeof value === 'number',
  default: true,
  tag: 'tag:yaml.org,2002:int',
  format: 'OCT',
  test: /^[-+]?0[0-7]+$/,
  resolve: (text) => (text.startsWith('-') ? -1 : 1) * parseInt(text.replace(/^[-+]/, ''), 8),
};

/**
 * Parses YAML the way RoadRunner's go-yaml does for untyped values: YAML 1.2 core (so `yes`/`on` stay
 * strings), plus `<<:` merge keys and 0777-style octals; duplicate keys are errors, as in go-yaml.
 */
export function parseRrYaml(text: string, lineCounter?: LineCounter): Document.Parsed {
  return parseDocument(text, {
    merge: true,
    prettyErrors: false,
    uniqueKeys: true,
    customTags: (tags) => [legacyOctal, ...tags],
    ...(lineCounter === undefined ? {} : { lineCounter }),
  });
}
