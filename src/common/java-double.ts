/**
 * Java's Double.toString (shortest digits): always a fraction ("1.0"), computerized scientific
 * notation ("1.5E-5", "1.2345678E7") below 10^-3 and from 10^7 on, "-0.0", "NaN", "Infinity".
 */
export function javaDoubleToString(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (Object.is(v, -0)) return '-0.0';
  const abs = Math.abs(v);
  if (abs === 0 || (abs >= 1e-3 && abs < 1e7)) {
    const s = String(v);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mantissa = '', exponent = ''] = v.toExponential().split('e');
  const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  return `${m}E${exponent.startsWith('+') ? exponent.slice(1) : exponent}`;
}

/**
 * A double as fastjson 1.2.69 writes it: Double.toString, with NaN and the infinities as null (a
 * stats window whose two samples share a millisecond divides by zero).
 */
export function javaDouble(v: number): string {
  return Number.isFinite(v) ? javaDoubleToString(v) : 'null';
}
