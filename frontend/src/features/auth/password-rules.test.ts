import { passwordRules, passwordStrength } from './password-rules';

describe('password rules', () => {
  it('flags short, single-class and username passwords', () => {
    expect(passwordRules('abc', 'trader').map((r) => r.ok)).toEqual([false, false, true]);
    expect(passwordRules('trader12', 'Trader12').map((r) => r.ok)).toEqual([true, true, false]);
    expect(passwordRules('correct-horse-9', 'trader').every((r) => r.ok)).toBe(true);
  });
  it('grades strength', () => {
    expect(passwordStrength('abcdefgh')).toBe('weak');
    expect(passwordStrength('abcdefg1')).toBe('medium');
    expect(passwordStrength('Abcdefgh-1234')).toBe('strong');
  });
});
