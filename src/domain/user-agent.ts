import { UAParser } from 'ua-parser-js';

export interface UserAgentSummary {
  browserFamily: string;
  browserMajor: string;
  osFamily: string;
  /** For people, e.g. "Chrome 131 on Windows". */
  summary: string;
}

/** Real browsers send well under this; longer input is hostile or broken. */
const MAX_USER_AGENT_LENGTH = 512;
/** Parser output can echo parts of the input, so each part is bounded too. */
const MAX_PART_LENGTH = 64;

const UNKNOWN = 'unknown';

function part(value: string | undefined): string {
  const cleaned = value?.replace(/[^\p{L}\p{N} ._\-/()]/gu, '').trim().slice(0, MAX_PART_LENGTH);
  return cleaned || UNKNOWN;
}

export function describeUserAgent(userAgent: string | undefined): UserAgentSummary {
  const { browser, os } = new UAParser((userAgent ?? '').slice(0, MAX_USER_AGENT_LENGTH)).getResult();
  const browserFamily = part(browser.name);
  const browserMajor = part(browser.major);
  const osFamily = part(os.name);
  const browserText = browserFamily === UNKNOWN ? 'Unknown browser' : browserMajor === UNKNOWN ? browserFamily : `${browserFamily} ${browserMajor}`;
  const osText = osFamily === UNKNOWN ? 'unknown system' : osFamily;
  return { browserFamily, browserMajor, osFamily, summary: `${browserText} on ${osText}` };
}
