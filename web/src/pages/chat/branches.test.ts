import { describe, expect, it } from 'vitest';
import { editParent, renameSibling, siblingPosition, withNewSibling } from './branches';

describe('siblingPosition', () => {
  it('is null for a message with no other version', () => {
    expect(siblingPosition({ id: 'a' })).toBeNull();
    expect(siblingPosition({ id: 'a', siblingIds: [] })).toBeNull();
    expect(siblingPosition({ id: 'a', siblingIds: ['a'] })).toBeNull();
  });
  it('is null when the message is not in its own list', () => {
    expect(siblingPosition({ id: 'x', siblingIds: ['a', 'b'] })).toBeNull();
  });
  it('counts from 1, oldest first, with the neighbours', () => {
    expect(siblingPosition({ id: 'a', siblingIds: ['a', 'b', 'c'] })).toEqual({ index: 1, count: 3, prev: null, next: 'b' });
    expect(siblingPosition({ id: 'b', siblingIds: ['a', 'b', 'c'] })).toEqual({ index: 2, count: 3, prev: 'a', next: 'c' });
    expect(siblingPosition({ id: 'c', siblingIds: ['a', 'b', 'c'] })).toEqual({ index: 3, count: 3, prev: 'b', next: null });
  });
});

describe('withNewSibling and renameSibling', () => {
  it('appends the new version to the old one and its siblings', () => {
    expect(withNewSibling({ id: 'a' }, 'n')).toEqual(['a', 'n']);
    expect(withNewSibling({ id: 'b', siblingIds: ['a', 'b'] }, 'n')).toEqual(['a', 'b', 'n']);
    expect(withNewSibling({ id: 'a', siblingIds: ['a', 'n'] }, 'n')).toEqual(['a', 'n']); // never twice
  });
  it('renames a local id once the stored one is known', () => {
    expect(renameSibling(['a', 'local-1'], 'local-1', 'b')).toEqual(['a', 'b']);
    expect(renameSibling(undefined, 'local-1', 'b')).toBeUndefined();
  });
});

describe('editParent', () => {
  const list = [
    { id: 'u1' },
    { id: 'a1', parentId: 'u1' },
    { id: 'u2', parentId: 'a1' },
    { id: 'local-asst-x' },
    { id: 'u3' },
  ];
  it("is the API's parentId when there is one", () => {
    expect(editParent(list, 2)).toBe('a1');
  });
  it('is null for the first message', () => {
    expect(editParent(list, 0)).toBeNull();
    expect(editParent([], 0)).toBeNull();
  });
  it('is the nearest stored message before one sent from this page', () => {
    expect(editParent(list, 4)).toBe('u2');
  });
});
