import { describe, expect, it } from 'vitest';
import { javaStringHashCode, tagsString2tagsCode } from './tag-hash.js';

describe("Java's String.hashCode", () => {
  it('matches values printed by Java 17', () => {
    expect(javaStringHashCode('hello')).toBe(99162322);
    expect(javaStringHashCode('TagA')).toBe(2598919);
    expect(javaStringHashCode('TopicTest#KEY1')).toBe(-1656969516);
    expect(javaStringHashCode('日本語タグ')).toBe(-858417240);
    expect(javaStringHashCode('')).toBe(0);
  });
  it('tags code is 0 for no tags', () => {
    expect(tagsString2tagsCode(undefined)).toBe(0);
    expect(tagsString2tagsCode('')).toBe(0);
    expect(tagsString2tagsCode('TagA')).toBe(2598919);
  });
});
