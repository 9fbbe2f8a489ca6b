import { describe, expect, it } from '@jest/globals';
import { applicationIdOf, applicationNameProblem, isApplicationId } from './application-name.js';

describe('application names', () => {
  it.each(['a', 'A', '0', 'My App', 'my-app_1.2', 'x'.repeat(64), 'a ', 'a..b'])('accepts %j', (name) => {
    expect(applicationNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', '"name" must be 1-64 characters long, got 0'],
    ['x'.repeat(65), '"name" must be 1-64 characters long, got 65'],
    [' a', '"name" must start with a letter or digit and contain only letters, digits, spaces, ".", "_" or "-"'],
    ['-a', '"name" must start with a letter or digit and contain only letters, digits, spaces, ".", "_" or "-"'],
    ['.a', '"name" must start with a letter or digit and contain only letters, digits, spaces, ".", "_" or "-"'],
    ['a/b', '"name" must start with a letter or digit and contain only letters, digits, spaces, ".", "_" or "-"'],
    ['é', '"name" must start with a letter or digit and contain only letters, digits, spaces, ".", "_" or "-"'],
    ['a\tb', '"name" must start with a letter or digit and contain only letters, digits, spaces, ".", "_" or "-"'],
    [42, '"name" must be a string, got number'],
    [undefined, '"name" must be a string, got nothing'],
    [null, '"name" must be a string, got object'],
  ])('refuses %j', (name, reason) => {
    expect(applicationNameProblem(name)).toBe(reason);
  });

  it('derives the id from the name so that case and spaces do not make a second application', () => {
    expect(applicationIdOf('My App')).toBe('my-app');
    expect(applicationIdOf('my app')).toBe(applicationIdOf('MY-APP'));
    expect(applicationIdOf('a.b_c')).toBe('a.b_c');
  });

  it('recognises what can be an id', () => {
    expect(isApplicationId(applicationIdOf('My App 1.0'))).toBe(true);
    expect(isApplicationId('My App')).toBe(false);
    expect(isApplicationId('x'.repeat(300))).toBe(false);
  });
});
