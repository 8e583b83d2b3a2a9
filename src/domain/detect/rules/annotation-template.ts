/**
 * Annotation templates: text with `{{name}}` placeholders filled in when a rule signals. The
 * language is deliberately tiny (no logic, no functions) so that a template can be checked when
 * the rule is loaded and rendering can never fail at the moment a warning matters.
 *
 * Placeholders (spaces inside the braces are allowed): `{{series}}` the series key, `{{level}}`,
 * `{{value}}` (six significant digits), `{{rule}}`, `{{domain}}`, `{{indicator}}`, `{{area}}`,
 * and `{{labels.NAME}}` for one of the alert's labels. Anything unknown is an error at load time.
 */

/** The values a template may name, given when a signal is raised. */
export interface AnnotationContext {
  series: string;
  level: string | null;
  value: number | null;
  rule?: string;
  domain?: string | null;
  indicator?: string | null;
  area?: string | null;
  /** The alert's labels (series labels and the rule's labels). */
  labels: Readonly<Record<string, string>>;
}

/** The plain placeholders, without `labels.NAME`. */
export const annotationPlaceholders = ['series', 'level', 'value', 'rule', 'domain', 'indicator', 'area'] as const;

const placeholder = /\{\{\s*([^{}]*?)\s*\}\}/g;
const labelRef = /^labels\.([A-Za-z_][A-Za-z0-9_]*)$/;
const plain: ReadonlySet<string> = new Set(annotationPlaceholders);

/** Checks a template; answers one message per problem (unknown placeholder, unclosed braces). */
export function checkAnnotationTemplate(template: string): string[] {
  const problems: string[] = [];
  for (const match of template.matchAll(placeholder)) {
    const name = match[1]!;
    if (!plain.has(name) && !labelRef.test(name)) {
      problems.push(`unknown placeholder {{${name}}}; use ${annotationPlaceholders.map((p) => `{{${p}}}`).join(', ')} or {{labels.NAME}}`);
    }
  }
  if (template.replace(placeholder, '').includes('{{')) problems.push('"{{" without a matching "}}"');
  return problems;
}

/** Fills a template's placeholders from the context; a missing value renders as empty text. */
export function renderAnnotation(template: string, context: AnnotationContext): string {
  return template.replace(placeholder, (whole, name: string) => {
    const label = labelRef.exec(name);
    if (label) return Object.hasOwn(context.labels, label[1]!) ? context.labels[label[1]!]! : '';
    switch (name) {
      case 'series':
        return context.series;
      case 'level':
        return context.level ?? '';
      case 'value':
        return formatValue(context.value);
      case 'rule':
      case 'domain':
      case 'indicator':
      case 'area':
        return context[name] ?? '';
      default:
        // Checked templates never get here; an unchecked one keeps the text rather than losing it.
        return whole;
    }
  });
}

/** A value as people read it in a message: at most six significant digits, no trailing zeros. */
export function formatValue(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return value === null || Number.isNaN(value) ? '' : String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  return String(Number(value.toPrecision(6)));
}
