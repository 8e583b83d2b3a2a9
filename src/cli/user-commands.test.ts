import { Readable } from 'node:stream';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store/sql-client.ts';
import { openStore } from '../store/open-store.ts';
import { accountsRepo } from '../store/repos/accounts-repo.ts';
import { systemClock } from '../domain/kernel/clock.ts';
import { argon2Hasher, authenticatePassword, authenticateToken } from '../app/accounts.ts';
import { registerUserCommands } from './user-commands.ts';

let store: Store;
beforeAll(async () => {
  store = await openStore({ dataDir: null });
}, 60_000);
afterAll(() => store.close());

/** Runs one command line against the shared in-memory store; answers what went to stdout and stderr. */
async function run(args: string[], stdin = ''): Promise<{ stdout: string; stderr: string; error?: Error }> {
  let stdout = '';
  let stderr = '';
  const program = new Command('tocsin').exitOverride().configureOutput({
    writeOut: (s) => (stdout += s),
    writeErr: (s) => (stderr += s),
  });
  registerUserCommands(
    program,
    async () => {
      // The shared store stays open across commands: each command's close() is a no-op here.
      return { ...store, query: store.query.bind(store), transaction: store.transaction.bind(store), close: async () => {} } as Store;
    },
    { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, stdin: Readable.from([stdin]) },
  );
  try {
    await program.parseAsync(['node', 'tocsin', ...args]);
    return { stdout, stderr };
  } catch (error) {
    return { stdout, stderr, error: error as Error };
  }
}

describe('tocsin user add', () => {
  it('generates a password and prints it alone on stdout', async () => {
    const res = await run(['user', 'add', 'cli-gen', '--role', 'duty_officer']);
    expect(res.error).toBeUndefined();
    expect(res.stdout).toMatch(/^[A-Za-z0-9_-]{24}\n$/);
    expect(res.stderr).toContain('Created user "cli-gen" with the role duty_officer.');
    const user = await authenticatePassword({ users: accountsRepo(store), hasher: argon2Hasher }, { name: 'cli-gen', password: res.stdout.trim() });
    expect(user.role).toBe('duty_officer');
  });

  it('takes the password from the flag or, with "-", from stdin', async () => {
    expect((await run(['user', 'add', 'cli-flag', '--role', 'viewer', '--password', 'a flag passphrase'])).stdout).toBe('');
    expect((await run(['user', 'add', 'cli-stdin', '--role', 'viewer', '--password', '-'], 'a piped passphrase\n')).error).toBeUndefined();
    const deps = { users: accountsRepo(store), hasher: argon2Hasher };
    await authenticatePassword(deps, { name: 'cli-flag', password: 'a flag passphrase' });
    await authenticatePassword(deps, { name: 'cli-stdin', password: 'a piped passphrase' });
  });

  it('makes a machine account without a password', async () => {
    const res = await run(['user', 'add', 'cli-bot', '--role', 'analyst', '--machine']);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('Created machine account "cli-bot"');
    expect((await accountsRepo(store).findUserByName('cli-bot'))?.passwordHash).toBeNull();
  });

  it.each([
    [['user', 'add', 'x-role', '--role', 'root'], /Allowed choices are admin, analyst, duty_officer, warning_approver, responder, area_worker, viewer/],
    [['user', 'add', 'x-none'], /required option '--role <role>' not specified/],
    [['user', 'add', 'Bad', '--role', 'viewer', '--password', 'a long passphrase'], /^name: "Bad" is not a valid user name/],
    [['user', 'add', 'x-short', '--role', 'viewer', '--password', 'short'], /^password: the password is 5 characters long/],
    [['user', 'add', 'cli-gen', '--role', 'viewer'], /^name: a user named "cli-gen" already exists$/],
    [['user', 'add', 'x-both', '--role', 'viewer', '--machine', '--password', 'a long passphrase'], /exclude each other/],
  ])('fails with a one-line reason: %j', async (args, reason) => {
    const res = await run(args);
    expect(res.error).toBeDefined();
    const text = res.error!.name === 'CommanderError' ? res.stderr : res.error!.message;
    expect(text.trim().split('\n')[0]).toMatch(reason);
    expect(res.stdout).toBe('');
  });
});

describe('tocsin token create', () => {
  it('prints only the token on stdout, and the token works', async () => {
    await run(['user', 'add', 'cli-feed', '--role', 'analyst', '--machine']);
    const res = await run(['token', 'create', 'cli-feed', '--label', 'river feed', '--expires-days', '90']);
    expect(res.error).toBeUndefined();
    expect(res.stdout).toMatch(/^tcs_[A-Za-z0-9_-]{43}\n$/);
    expect(res.stderr).toMatch(/^Created token \d+ "river feed" for "cli-feed" \(tcs_.{8}…, expires .*\); it is shown only this once\.\n$/);
    const principal = await authenticateToken({ tokens: accountsRepo(store), clock: systemClock }, res.stdout.trim());
    expect(principal).toMatchObject({ name: 'cli-feed', role: 'analyst', via: 'token' });
  });

  it.each([
    [['token', 'create', 'ghost'], /^user: no user named "ghost"$/],
    [['token', 'create', 'cli-feed', '--expires-days', '0'], /"0" is not a whole number of days from 1 to 3650/],
    [['token', 'create', 'cli-feed', '--expires-days', '1.5'], /"1.5" is not a whole number of days/],
  ])('fails with a one-line reason: %j', async (args, reason) => {
    const res = await run(args);
    expect(res.error).toBeDefined();
    const text = res.error!.name === 'CommanderError' ? res.stderr : res.error!.message;
    expect(text.trim().split('\n')[0]).toMatch(reason);
    expect(res.stdout).toBe('');
  });
});

describe('tocsin user list', () => {
  it('prints one account a line', async () => {
    const res = await run(['user', 'list']);
    expect(res.stdout).toContain('cli-gen\tduty_officer\n');
    expect(res.stdout).toContain('cli-bot\tanalyst\tmachine\n');
  });
});
