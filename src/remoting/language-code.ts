// LanguageCode of the remoting header (remoting/.../protocol/LanguageCode.java): the JSON header
// carries the name, the ROCKETMQ binary header the number. NODE_JS (13) comes from later RocketMQ
// versions; 4.9.8 itself stops at RUST.
export const LanguageCode = {
  JAVA: 0,
  CPP: 1,
  DOTNET: 2,
  PYTHON: 3,
  DELPHI: 4,
  ERLANG: 5,
  RUBY: 6,
  OTHER: 7,
  HTTP: 8,
  GO: 9,
  PHP: 10,
  OMS: 11,
  RUST: 12,
  NODE_JS: 13,
} as const;

export type LanguageName = keyof typeof LanguageCode;

const namesByCode: string[] = [];
for (const [name, code] of Object.entries(LanguageCode)) namesByCode[code] = name;

/**
 * The name for a binary language code. Unknown codes do not fail the frame (Java maps them to a
 * null language and goes on); they read as `UNKNOWN_<n>` so the number survives a round trip.
 */
export function languageName(code: number): string {
  return namesByCode[code] ?? `UNKNOWN_${code}`;
}

/** The binary code for a language name; unknown names are written as OTHER. */
export function languageCodeOf(name: string): number {
  const code = (LanguageCode as Record<string, number>)[name];
  if (code !== undefined) return code;
  if (name.startsWith('UNKNOWN_')) {
    const n = Number(name.slice(8));
    if (Number.isInteger(n) && n >= 0 && n <= 255) return n;
  }
  return LanguageCode.OTHER;
}
