import type { Context } from 'koa';
import { AppError } from '../errors/index.js';
import { parseForm } from '../http/form-body.js';
import { finishInteraction, loadInteraction, type InteractionContext } from './context.js';
import type { InteractionDeps } from './deps.js';
import { setDeviceToken } from './device-cookie.js';
import { readCheckbox, readField } from './fields.js';
import { maySignIn } from '../domain/accounts.js';
import { acrFromAmr, acrRank } from '../domain/assurance.js';
import { continueFlow, finishLogin, mayContinueUnconfirmed, sendTanOrExplain, tanSubject, type FlowState } from './flow.js';
import { requiredAcr } from './required-acr.js';
import { renderTanPage } from './tan-page.js';

/** The flow of this interaction, which must be waiting for a TAN; else "start again". */
async function loadTanFlow(deps: InteractionDeps, ctx: Context): Promise<{ interaction: InteractionContext; flow: FlowState }> {
  const interaction = await loadInteraction(deps.provider, ctx);
  const flow = await deps.flows.get(interaction.uid);
  if (!flow?.awaitingTan) throw new AppError('bad_request');
  return { interaction, flow };
}

/** An essential acr claim whose minimum what is proven so far does not reach. */
function isEssentialUnmet(interaction: InteractionContext, flow: FlowState): boolean {
  const request = requiredAcr(interaction);
  return request.isEssential && acrRank(acrFromAmr(flow.amr)) < acrRank(request.minimum);
}

/** POST /interaction/:uid/tan — redeem the TAN; on success the email factor is proven. */
export function createSubmitTan(deps: InteractionDeps) {
  return async function submitTan(ctx: Context): Promise<void> {
    const { interaction, flow } = await loadTanFlow(deps, ctx);
    const form = await parseForm(ctx);
    const tanField = readField(form, 'tan', 32);
    const trustDevice = readCheckbox(form, 'trust');
    const current = { ...flow, trustDevice };
    if (tanField.error) return renderTanPage(ctx, deps, interaction, current, { errors: { tan: tanField.error }, status: 400 });

    const subject = tanSubject(flow);
    const check = await deps.tans.verify({ flowId: interaction.uid, subject, tan: tanField.value!.replace(/\s/g, ''), clientId: interaction.clientId, ip: ctx.ip });
    if (!check.ok && check.code === 'tan_void' && isEssentialUnmet(interaction, flow)) {
      // An essential acr the person could not prove ends the request (SPEC 3).
      await deps.flows.clear(interaction.uid);
      return finishInteraction(deps.provider, ctx, { error: 'unmet_authentication_requirements', error_description: 'the TAN could not be confirmed' });
    }
    if (!check.ok) {
      await deps.flows.set(interaction.uid, current);
      const messageVars: Record<string, number> = check.code === 'tan_wrong' ? { left: check.attemptsLeft } : {};
      return renderTanPage(ctx, deps, interaction, current, { errors: { tan: check.code }, messageVars, status: 400 });
    }
    // The TAN went to the account's own address: entering it proves that address (SPEC 4.10, email_verified).
    if (!subject.isDecoy && !flow.emailVerified) await deps.accounts.markEmailVerified(subject.accountId);
    if (trustDevice && !subject.isDecoy) {
      const { token, expiresAt } = await deps.devices.trust(subject.accountId, ctx.get('user-agent'), { ip: ctx.ip });
      setDeviceToken(ctx, deps.config, token, expiresAt);
    }
    await continueFlow(deps, ctx, interaction, { ...current, awaitingTan: false, amr: [...flow.amr, 'otp'] });
  };
}

/** POST /interaction/:uid/tan/resend — a new TAN, within cooldown and hourly limits. */
export function createResendTan(deps: InteractionDeps) {
  return async function resendTan(ctx: Context): Promise<void> {
    const { interaction, flow } = await loadTanFlow(deps, ctx);
    await parseForm(ctx);
    if (await sendTanOrExplain(deps, ctx, interaction, flow)) await renderTanPage(ctx, deps, interaction, flow, { notice: 'tan.resent' });
  };
}

/** POST /interaction/:uid/unconfirmed — "Continue without email confirmation" (loa:0). */
export function createContinueUnconfirmed(deps: InteractionDeps) {
  return async function continueUnconfirmed(ctx: Context): Promise<void> {
    const { interaction, flow } = await loadTanFlow(deps, ctx);
    await parseForm(ctx);
    // Identity claimed by the agent number alone (SPEC 3): the same for a matching and a
    // non-matching email, so this button reveals nothing about the address.
    if (!flow.allowUnconfirmed || flow.accountId === undefined || !mayContinueUnconfirmed(interaction)) throw new AppError('bad_request');
    const account = await deps.accounts.findById(flow.accountId);
    if (!account || !maySignIn(account)) {
      // Nothing was proven, so the account's state is not told; the TAN remains the way in.
      return renderTanPage(ctx, deps, interaction, flow, { errors: { tan: 'unconfirmed_unavailable' }, status: 400 });
    }
    await finishLogin(deps, ctx, interaction, { ...flow, amr: [] });
  };
}
