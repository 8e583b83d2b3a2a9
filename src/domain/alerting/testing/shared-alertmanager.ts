import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The shared Alertmanager conformance folder (../shared/conformance/alertmanager beside the
 * repository), or null when this machine does not have it: tests that read it are then skipped,
 * and say so in their names.
 */
export function sharedAlertmanagerFolder(): string | null {
  const dir = fileURLToPath(new URL('../../../../../shared/conformance/alertmanager/', import.meta.url));
  return existsSync(dir) ? dir : null;
}
