import type { Command } from 'commander';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/sql-client.ts';

/** The options every store-touching command shares. */
export interface StoreOptions {
  data?: string;
}

/** Adds `--data DIR` to a command (DATABASE_URL, when set, wins, as for `serve`). */
export function withStoreOptions(command: Command): Command {
  return command.option('--data <dir>', 'embedded store folder (ignored when DATABASE_URL is set)', process.env['TOCSIN_DATA'] ?? './data');
}

/** Opens and migrates the store the options and the environment name. */
export function openStoreFromOptions(options: StoreOptions, holder = 'tocsin cli'): Promise<Store> {
  return openStore({
    databaseUrl: process.env['DATABASE_URL'] || undefined,
    schema: process.env['TOCSIN_DB_SCHEMA'] || undefined,
    dataDir: options.data ?? process.env['TOCSIN_DATA'] ?? './data',
    holder,
  });
}
