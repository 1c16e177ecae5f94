/** The accounts policy as the user sees it while typing (the server has the final word). */
export interface Rule {
  label: string;
  ok: boolean;
}

export function passwordRules(password: string, username: string): Rule[] {
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  return [
    { label: 'At least 8 characters', ok: password.length >= 8 },
    { label: 'Mixes letters, digits or symbols', ok: classes >= 2 },
    {
      label: 'Not the username',
      ok: password.length > 0 && password.toLowerCase() !== username.toLowerCase(),
    },
  ];
}

export function passwordStrength(password: string): 'weak' | 'medium' | 'strong' {
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (password.length >= 12 && classes >= 3) return 'strong';
  if (password.length >= 8 && classes >= 2) return 'medium';
  return 'weak';
}
