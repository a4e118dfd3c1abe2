/**
 * A double as fastjson 1.2.69 writes it (Java's Double.toString form with the shortest digits):
 * always a fraction ("1.0"), scientific "1.5E-5" below 10^-3 and from 10^7 on, NaN and the
 * infinities as null (a window whose two samples share a millisecond divides by zero).
 */
export function javaDouble(v: number): string {
  if (!Number.isFinite(v)) return 'null';
  const abs = Math.abs(v);
  if (abs === 0 || (abs >= 1e-3 && abs < 1e7)) {
    const s = String(v);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mantissa = '', exponent = ''] = v.toExponential().split('e');
  const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  return `${m}E${exponent.startsWith('+') ? exponent.slice(1) : exponent}`;
}
