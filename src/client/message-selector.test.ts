import { describe, expect, it } from 'vitest';
import { MQClientError } from './errors.js';
import { buildSubscription, MessageSelector } from './message-selector.js';

describe('buildSubscription (FilterAPI.build)', () => {
  it('tags as before: split, hashed, TAG', () => {
    const sd = buildSubscription('T', MessageSelector.byTag('A || B'));
    expect(sd).toMatchObject({ topic: 'T', subString: 'A || B', tagsSet: ['A', 'B'], expressionType: 'TAG' });
    expect(sd.codeSet).toEqual([65, 66]);
    expect(buildSubscription('T', { tag: '*' }).subString).toBe('*');
    expect(buildSubscription('T', undefined).subString).toBe('*');
  });

  it('SQL92 goes as written, without tags for the client to re-check', () => {
    for (const expr of [MessageSelector.bySql('a > 5'), { sql: 'a > 5' }]) {
      expect(buildSubscription('T', expr)).toMatchObject({
        topic: 'T',
        subString: 'a > 5',
        tagsSet: [],
        codeSet: [],
        expressionType: 'SQL92',
        classFilterMode: false,
      });
    }
  });

  it('an empty SQL expression is refused at once', () => {
    expect(() => buildSubscription('T', { sql: ' ' })).toThrow(MQClientError);
    expect(() => buildSubscription('T', { sql: ' ' })).toThrow("Expression can't be null! SQL92");
  });
});
