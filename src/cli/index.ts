import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { projectRoot } from '../paths.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerClientCommands } from './commands/client.js';
import { registerCustomerCommands } from './commands/customers.js';
import { registerKeyCommands } from './commands/keys.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerOrgCommands } from './commands/org.js';
import { registerRoleCommands } from './commands/role.js';
import { registerUserCommands } from './commands/user.js';
import { createCliContext, type CliContext } from './context.js';
import { reportError } from './errors.js';
import { processIo, type CliIo } from './output.js';

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The `pforte` command tree (SPEC 6). Every leaf command takes `--json`. */
export function buildProgram(ctx: CliContext, { json }: { json: boolean }): Command {
  const { io } = ctx;
  const program = new Command('pforte')
    .description('administer the pforte OpenID Connect provider')
    .version(packageVersion())
    // Settings made here are inherited by every subcommand created below.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // With --json the error is reported once, as JSON, by runCli.
      outputError: (text, write) => {
        if (!json) write(text);
      },
    })
    .showHelpAfterError(json ? false : '(add --help for usage)')
    .showSuggestionAfterError(!json);

  registerMigrateCommand(program, ctx);
  registerClientCommands(program, ctx);
  registerUserCommands(program, ctx);
  registerOrgCommands(program, ctx);
  registerRoleCommands(program, ctx);
  registerCustomerCommands(program, ctx);
  registerKeyCommands(program, ctx);
  registerAuditCommands(program, ctx);
  return program;
}

/**
 * Runs one CLI invocation and returns the exit code. It never calls process.exit, so
 * every command closes its database and Redis connections before the process ends.
 */
export async function runCli(argv: readonly string[] = process.argv, io: CliIo = processIo): Promise<number> {
  const json = argv.includes('--json');
  try {
    const ctx = createCliContext(io);
    await buildProgram(ctx, { json }).parseAsync(argv);
    return ctx.exitCode ?? 0;
  } catch (error) {
    return reportError(error, io, { json });
  }
}
