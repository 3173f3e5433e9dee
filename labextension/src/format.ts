/**
 * Number and label formatting shared by the panel and the output renderer.
 * Missing values show as an em dash, never as "null" or "NaN".
 */

export const MISSING = '—';

function isNum(x: unknown): x is number {
  return typeof x === 'number' && isFinite(x);
}

/**
 * A value as the user would write it: shares to three decimals (0.253, 0.063),
 * small values to two significant digits (0.0068), counts with separators (20,000).
 */
export function fmtNum(x: unknown): string {
  if (!isNum(x)) {
    return MISSING;
  }
  const a = Math.abs(x);
  if (Number.isInteger(x) || a >= 1000) {
    return Math.round(x).toLocaleString('en-US');
  }
  if (a >= 1) {
    return String(parseFloat(x.toPrecision(4)));
  }
  if (a >= 0.01) {
    return String(parseFloat(x.toFixed(3)));
  }
  return String(parseFloat(x.toPrecision(2)));
}

/** A difference, with its sign: +0.09, −0.02. */
export function fmtSigned(x: unknown): string {
  if (!isNum(x)) {
    return MISSING;
  }
  const text = fmtNum(Math.abs(x));
  return x > 0 ? `+${text}` : x < 0 ? `−${text}` : text;
}

/** A ratio as a signed percentage: +50%. */
export function fmtRelative(x: unknown): string {
  if (!isNum(x)) {
    return MISSING;
  }
  return `${fmtSigned(parseFloat((x * 100).toPrecision(3)))}%`;
}

/** A probability as a percentage: 97%, and never a rounded-up certainty (> 99.9%). */
export function fmtPercent(x: unknown): string {
  if (!isNum(x)) {
    return MISSING;
  }
  if (x > 0.999 && x < 1) {
    return '> 99.9%';
  }
  if (x < 0.001 && x > 0) {
    return '< 0.1%';
  }
  return `${parseFloat((x * 100).toPrecision(3))}%`;
}

export function fmtP(p: unknown): string {
  if (!isNum(p)) {
    return MISSING;
  }
  if (p < 0.001) {
    return '< 0.001';
  }
  return p < 0.01 ? p.toFixed(3) : p.toFixed(2);
}

export function fmtCI(low: unknown, high: unknown): string {
  if (!isNum(low) || !isNum(high)) {
    return MISSING;
  }
  return `[${fmtSigned(low)}, ${fmtSigned(high)}]`;
}

/** "0.18 → 0.30", or whichever side is known. */
export function fmtMove(baseline: unknown, target: unknown): string {
  if (!isNum(baseline) && !isNum(target)) {
    return MISSING;
  }
  if (!isNum(baseline)) {
    return `→ ${fmtNum(target)}`;
  }
  return `${fmtNum(baseline)} → ${isNum(target) ? fmtNum(target) : '?'}`;
}

/** An ISO timestamp shortened to minutes, as written (no time-zone conversion). */
export function fmtTime(iso: unknown): string {
  if (typeof iso !== 'string' || !iso) {
    return MISSING;
  }
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : iso;
}

/** A known label as a CSS-safe token (for class names and data attributes). */
export function token(value: unknown): string {
  return typeof value === 'string' ? value.toLowerCase().replace(/[^a-z0-9-]+/g, '-') : 'unknown';
}
