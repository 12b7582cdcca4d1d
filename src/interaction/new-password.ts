import type { Context } from 'koa';
import { PasswordRejected } from '../domain/onboarding.js';
import { AppError } from '../errors/index.js';
import { parseForm } from '../http/form-body.js';
import { readNewPassword, renderPasswordForm } from '../http/password-form.js';
import { loadInteraction, type InteractionContext } from './context.js';
import type { InteractionDeps } from './deps.js';
import { continueFlow } from './flow.js';

export function renderNewPasswordPage(ctx: Context, deps: InteractionDeps, interaction: InteractionContext, rejected?: PasswordRejected) {
  return renderPasswordForm(ctx, {
    action: `/interaction/${interaction.uid}/new-password`,
    title: 'initial_password.title',
    intro: 'initial_password.intro',
    minLength: deps.config.passwords.minLength,
  }, rejected);
}

/** POST /interaction/:uid/new-password — replaces an initial password, then the journey goes on. */
export function createNewPassword(deps: InteractionDeps) {
  return async function submitNewPassword(ctx: Context): Promise<void> {
    const interaction = await loadInteraction(deps.provider, ctx);
    const flow = await deps.flows.get(interaction.uid);
    const account = flow?.awaitingNewPassword && flow.accountId ? await deps.accounts.findById(flow.accountId) : undefined;
    if (!flow || !account) throw new AppError('bad_request');
    const { password, confirmation } = readNewPassword(await parseForm(ctx));
    try {
      await deps.onboarding.changeInitialPassword(account, password, confirmation);
    } catch (error) {
      if (error instanceof PasswordRejected) return renderNewPasswordPage(ctx, deps, interaction, error);
      throw error;
    }
    await continueFlow(deps, ctx, interaction, { ...flow, awaitingNewPassword: false });
  };
}
