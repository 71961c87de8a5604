// How the gate recognises its own check run and status comment: by who wrote them (an identity
// GitHub vouches for), never by a text marker anyone could copy into a comment of their own.
import { hasLedgerMarker } from '../core/ledger.js';

/**
 * App: `appId` is the App's id and `login` its bot login (`${slug}[bot]`).
 * Action: `login` is `github-actions[bot]` and `appId` the GitHub Actions app's id (or a dedicated
 * App's, when the workflow uses one).
 */
export interface GateIdentity {
  appId?: number;
  login: string;
}

/** Written into the check run's `external_id`. Only writers of the same app can set it. */
export const EXTERNAL_ID = { governed: 'hitl-gate:governed', ignored: 'hitl-gate:ignored' } as const;
const OUR_EXTERNAL_IDS: readonly string[] = Object.values(EXTERNAL_ID);

/** The parts of a check run that say who created it. */
export interface CheckRunAuthor {
  app?: { id: number; slug?: string } | null;
  external_id?: string | null;
}

/** The parts of an issue comment that say who wrote it. */
export interface CommentAuthor {
  user?: { login: string; type?: string } | null;
  performed_via_github_app?: { id: number } | null;
  body?: string | null;
}

/**
 * `github-actions[bot]` is every workflow of the repository: its check runs and comments may be any
 * job's. Under that identity the gate also asks for its own mark (the external id it sets on its check
 * run, the ledger in its comment); under an App's own identity, the identity alone is proof.
 */
export function isSharedIdentity(identity: GateIdentity): boolean {
  return identity.login.toLowerCase() === 'github-actions[bot]';
}

function appMatches(app: { id: number; slug?: string } | null | undefined, identity: GateIdentity): boolean {
  if (!app) return false;
  if (identity.appId !== undefined) return app.id === identity.appId;
  return !!app.slug && `${app.slug}[bot]`.toLowerCase() === identity.login.toLowerCase();
}

/** A check run is ours only when GitHub says our app created it (by id; by slug when the id is unknown). */
export function isOwnCheckRun(run: CheckRunAuthor, identity: GateIdentity): boolean {
  if (!appMatches(run.app, identity)) return false;
  return !isSharedIdentity(identity) || (!!run.external_id && OUR_EXTERNAL_IDS.includes(run.external_id));
}

/**
 * A comment is ours when our app posted it, or when its author is our bot account (GitHub does not
 * let anyone else post as `name[bot]`). A human login never counts, whatever the comment says.
 */
export function isOwnComment(comment: CommentAuthor, identity: GateIdentity): boolean {
  const viaApp = comment.performed_via_github_app?.id;
  const login = comment.user?.login;
  const byApp = identity.appId !== undefined && viaApp !== undefined && viaApp === identity.appId;
  const byLogin =
    !!login && identity.login.endsWith('[bot]') && comment.user?.type === 'Bot' && login.toLowerCase() === identity.login.toLowerCase();
  if (!byApp && !byLogin) return false;
  return !isSharedIdentity(identity) || hasLedgerMarker(comment.body ?? '');
}
