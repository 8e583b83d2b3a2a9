import { describe, expect, it } from 'vitest';
import { formatMatcher, matcher, matchesAll, matchesOne, MatcherError, parseMatchers } from './matchers.ts';

describe('matchers', () => {
  const labels = { alertname: 'river-bands', area: 'D07', level: 'red' };

  it.each([
    ['area="D07"', true],
    ['area!="D07"', false],
    ['area=~"D0[0-9]"', true],
    ['area=~"D0"', false], // anchored: a prefix is not a match
    ['area!~"D1.*"', true],
    ['team=""', true], // an absent label is the empty string
    ['team!=""', false],
    ['level=~"orange|red"', true],
  ])('%s on {area=D07, level=red} → %s', (text, want) => {
    const [m] = parseMatchers(text);
    expect(matchesOne(m!, labels)).toBe(want);
  });

  it('reads bare, quoted and braced forms, several separated by commas', () => {
    expect(parseMatchers('foo=bar').map(formatMatcher)).toEqual(['foo="bar"']);
    expect(parseMatchers('{a="1", b=~"x|y" , c!~z}').map(formatMatcher)).toEqual(['a="1"', 'b=~"x|y"', 'c!~"z"']);
    expect(parseMatchers('"quoted name"="a \\"b\\" c"')[0]).toMatchObject({ name: 'quoted name', value: 'a "b" c' });
    expect(parseMatchers('test!=dropped')[0]).toMatchObject({ name: 'test', type: '!=', value: 'dropped' });
  });

  it('ANDs a list, and an empty list matches everything', () => {
    expect(matchesAll(parseMatchers('area="D07", level="red"'), labels)).toBe(true);
    expect(matchesAll(parseMatchers('area="D07", level="yellow"'), labels)).toBe(false);
    expect(matchesAll([], labels)).toBe(true);
  });

  it('prints values with Go quoting, as group keys show them', () => {
    expect(formatMatcher(matcher('a', '=', 'say "hi"\n'))).toBe('a="say \\"hi\\"\\n"');
  });

  it.each([
    ['area', /expected one of =, !=, =~, !~ after "area"/],
    ['="x"', /expected a label name/],
    ['a="x', /missing closing quote/],
    ['{a="x"', /missing closing "}"/],
    ['a="x" b="y"', /expected "," after the matcher on "a"/],
    ['a=~"("', /error parsing regexp/],
    ['', /no matcher/],
  ])('refuses %j, saying why', (text, why) => {
    expect(() => parseMatchers(text)).toThrow(MatcherError);
    expect(() => parseMatchers(text)).toThrow(why);
  });
});
