import { AsyncLocalStorage } from 'node:async_hooks';

/** What every act recorded while serving one HTTP request may name: the request and its caller. */
export interface RequestScope {
  requestId: string;
  ip: string;
}

const scope = new AsyncLocalStorage<RequestScope>();

/** Runs `work` as part of the request `current` (the request-context middleware). */
export const inRequestScope = <T>(current: RequestScope, work: () => T): T => scope.run(current, work);

/** The request being served, or undefined outside one (CLI, background work). */
export const currentRequest = (): RequestScope | undefined => scope.getStore();
