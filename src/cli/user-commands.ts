import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Store } from '../store/sql-client.ts';
import { accountsRepo } from '../store/repos/accounts-repo.ts';
import { systemClock } from '../domain/kernel/clock.ts';
import { TocsinError } from '../domain/kernel/errors.ts';
import { roles } from '../domain/accounts/roles.ts';
import { apiTokenFormat } from '../domain/accounts/api-token.ts';
import { addUser, argon2Hasher, createApiToken, listUsers } from '../app/accounts.ts';
import { withStoreOptions, type StoreOptions } from './store-options.ts';

/** Where the commands read and write; tests pass their own. */
export interface CommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  stdin: AsyncIterable<string | Buffer>;
}

/**
 * Adds `user add`, `user list` and `token create` to the program. Secrets (a generated password,
 * a token) are the only thing written to stdout, so scripts can capture them; everything else goes
 * to stderr. Failures throw (a TocsinError's message is the one-line reason main prints).
 */
export function registerUserCommands(
  program: Command,
  openStoreFromOptions: (opts: StoreOptions) => Promise<Store>,
  io: CommandIo = process,
): void {
  const withStore = async <T>(opts: StoreOptions, work: (store: Store) => Promise<T>): Promise<T> => {
    const store = await openStoreFromOptions(opts);
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  };

  const user = program.command('user').description('manage the accounts that may use the console and the API');

  withStoreOptions(
    user
      .command('add')
      .description('create an account; without --password one is generated and printed once on stdout')
      .argument('<name>', '2–64 characters: a-z, 0-9, "_", "." or "-", starting with a letter')
      .addOption(new Option('--role <role>', 'what the account may do').choices(roles).makeOptionMandatory())
      .option('--password <password>', 'the password ("-" reads it from stdin); at least 12 characters')
      .option('--machine', 'a machine account: no password, API tokens only (see token create)'),
  ).action(async (name: string, opts: StoreOptions & { role: string; password?: string; machine?: boolean }) => {
    if (opts.machine && opts.password !== undefined) {
      throw new TocsinError('TOCSIN_VALIDATION', '--machine and --password exclude each other: a machine account has no password');
    }
    const password = opts.machine ? null : opts.password === '-' ? await readSecret(io.stdin) : opts.password;
    const added = await withStore(opts, (store) =>
      addUser({ users: accountsRepo(store), hasher: argon2Hasher, clock: systemClock }, { name, role: opts.role, password }),
    );
    const kind = added.user.machine ? 'machine account' : 'user';
    io.stderr.write(`Created ${kind} "${added.user.name}" with the role ${added.user.role}.\n`);
    if (added.user.machine) io.stderr.write(`Give it a token with: tocsin token create ${added.user.name}\n`);
    if (added.generatedPassword) {
      io.stderr.write('Its password, shown only this once:\n');
      io.stdout.write(`${added.generatedPassword}\n`);
    }
  });

  withStoreOptions(user.command('list').description('list the accounts (name, role, kind)')).action(
    async (opts: StoreOptions) => {
      const users = await withStore(opts, (store) => listUsers({ users: accountsRepo(store) }));
      for (const u of users) {
        const notes = [u.machine ? 'machine' : '', u.disabled ? 'disabled' : ''].filter(Boolean).join(', ');
        io.stdout.write(`${u.name}\t${u.role}${notes ? `\t${notes}` : ''}\n`);
      }
    },
  );

  const token = program.command('token').description('manage API tokens (Authorization: Bearer <token>)');
  withStoreOptions(
    token
      .command('create')
      .description('create an API token for a user and print it once on stdout (only its hash is stored)')
      .argument('<name>', 'the user the token belongs to')
      .option('--label <label>', 'what the token is for', 'cli')
      .option('--expires-days <days>', `lifetime in days (1–${apiTokenFormat.maxExpiresInDays}); default: until revoked`, parseDays),
  ).action(async (name: string, opts: StoreOptions & { label: string; expiresDays?: number }) => {
    const created = await withStore(opts, (store) => {
      const accounts = accountsRepo(store);
      return createApiToken({ users: accounts, tokens: accounts, clock: systemClock }, null, {
        userName: name,
        name: opts.label,
        expiresInDays: opts.expiresDays,
      });
    });
    const expiry = created.record.expiresAt === null ? 'no expiry' : `expires ${new Date(created.record.expiresAt).toISOString()}`;
    io.stderr.write(
      `Created token ${created.record.id} "${created.record.name}" for "${created.record.userName}" ` +
        `(${created.record.prefix}…, ${expiry}); it is shown only this once.\n`,
    );
    io.stdout.write(`${created.token}\n`);
  });
}

function parseDays(text: string): number {
  const days = Number(text);
  if (!/^\d+$/.test(text) || days < 1 || days > apiTokenFormat.maxExpiresInDays) {
    throw new InvalidArgumentError(`"${text}" is not a whole number of days from 1 to ${apiTokenFormat.maxExpiresInDays}`);
  }
  return days;
}

// `--password -`: the whole of stdin, without the newline that `echo` or a heredoc adds.
async function readSecret(stdin: AsyncIterable<string | Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
