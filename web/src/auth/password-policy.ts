/**
 * The user pool's password policy (MP-COG-02), checked in the browser while the user types so the
 * rules can be shown live. Cognito checks the same rules again; this only helps the user.
 */

/** Cognito's special characters (a space counts too, but not at the start or the end). */
const SYMBOLS = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-";

export type PasswordRule = "length" | "upper" | "lower" | "number" | "symbol";

export const PASSWORD_RULES: readonly PasswordRule[] = ["length", "upper", "lower", "number", "symbol"];

export const MIN_PASSWORD_LENGTH = 8;

function hasSymbol(password: string): boolean {
  const inner = password.slice(1, -1);
  return [...password].some((c) => SYMBOLS.includes(c)) || (inner.length > 0 && inner.includes(" "));
}

export function checkPassword(password: string): Record<PasswordRule, boolean> {
  return {
    length: [...password].length >= MIN_PASSWORD_LENGTH,
    upper: /[A-Z]/.test(password),
    lower: /[a-z]/.test(password),
    number: /[0-9]/.test(password),
    symbol: hasSymbol(password),
  };
}

export function meetsPolicy(password: string): boolean {
  const result = checkPassword(password);
  return PASSWORD_RULES.every((rule) => result[rule]);
}

/** A username for SignUp: the pool signs in by email alias, so the username is a random id. */
export function newUsername(random: () => string = () => crypto.randomUUID()): string {
  return random();
}
