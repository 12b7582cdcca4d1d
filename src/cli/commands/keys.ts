import type { Command } from 'commander';
import type { SigningKeyView } from '../../domain/signing-keys.js';
import type { CliContext } from '../context.js';
import { formatTable, printResult, type OutputOptions } from '../output.js';

const keyTable = (keys: SigningKeyView[]) =>
  formatTable(['KID', 'ALG', 'STATUS', 'CREATED_AT'], keys.map((k) => [k.kid, k.alg, k.status, k.created_at.toISOString()]));

/** Signing keys (SPEC 6, 7): running processes pick a change up by reloading their keys. */
export function registerKeyCommands(program: Command, ctx: CliContext): void {
  const keys = program.command('keys').description('list, rotate and retire the signing keys');

  keys
    .command('list')
    .description('the published signing keys: "signing" ones sign, "published" ones only verify older tokens')
    .option('--json', 'print the result as JSON')
    .action(async (options: OutputOptions) => {
      const list = await ctx.withRuntime(({ services }) => services.signingKeys.list());
      printResult(ctx.io, options, list, keyTable);
    });

  keys
    .command('rotate')
    .description('create a new key per algorithm that signs from now on; the old keys stay published')
    .option('--json', 'print the result as JSON')
    .action(async (options: OutputOptions) => {
      const created = await ctx.withRuntime(({ services }) => services.signingKeys.rotate(ctx.actor));
      printResult(ctx.io, options, created, (list) => `new signing keys:\n${keyTable(list)}`);
    });

  keys
    .command('retire')
    .description('remove a published (non-signing) key from the JWKS; tokens signed with it stop verifying')
    .argument('<kid>', 'key id, as `pforte keys list` shows it')
    .option('--json', 'print the result as JSON')
    .action(async (kid: string, options: OutputOptions) => {
      await ctx.withRuntime(({ services }) => services.signingKeys.retire(kid, ctx.actor));
      printResult(ctx.io, options, { kid, retired: true }, () => `retired key ${kid}`);
    });

  keys
    .command('reencrypt')
    .description('re-seal signing keys and client secrets under the first KEY_ENCRYPTION_SECRET')
    .option('--json', 'print the result as JSON')
    .action(async (options: OutputOptions) => {
      const counts = await ctx.withRuntime(async ({ services }) => ({
        signing_keys: await services.signingKeys.reencrypt(ctx.actor),
        client_secrets: await services.clients.reencryptSecrets(),
      }));
      printResult(ctx.io, options, counts, (c) => `re-sealed ${c.signing_keys} signing keys and ${c.client_secrets} client secrets`);
    });
}
