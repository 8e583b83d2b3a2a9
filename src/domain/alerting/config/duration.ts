/**
 * Prometheus durations (prometheus/common model.ParseDuration), as Alertmanager's configuration
 * writes them: one or more `<integer><unit>` from the largest unit down, units y (365 d), w, d, h,
 * m, s, ms; `0` alone is zero. `1h30m`, `5m`, `0s`, `90s`.
 */
const units: readonly [string, number][] = [
  ['y', 365 * 24 * 3_600_000],
  ['w', 7 * 24 * 3_600_000],
  ['d', 24 * 3_600_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

const shape = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds, or null when `text` is not a Prometheus duration. */
export function parsePromDuration(text: string): number | null {
  if (text === '0') return 0;
  if (text === '') return null;
  const m = shape.exec(text);
  if (!m) return null;
  let ms = 0;
  for (let i = 0; i < units.length; i++) if (m[i + 1] !== undefined) ms += Number(m[i + 1]) * units[i]![1];
  return Number.isSafeInteger(ms) ? ms : null;
}

/** The shortest Prometheus spelling of `ms` (`4h`, `1h30m`, `0s`), as Alertmanager prints durations. */
export function formatPromDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
