// How the gate recognises its own check run and status comment: by who wrote them (an identity
// GitHub vouches for), never by a text marker anyone could copy into a comment of their own.

/**
 * App: `appId` is the App's id and `login` its bot login (`${slug}[bot]`).
 * Action: `login` is `github-actions[bot]`; `appId`, when known, is the GitHub Actions app's id.
 */
export interface GateIdentity {
  appId?: number;
  login: string;
}

/** The parts of a check run that say who created it. */
export interface CheckRunAuthor {
  app?: { id: number; slug?: string } | null;
}

/** The parts of an issue comment that say who wrote it. */
export interface CommentAuthor {
  user?: { login: string; type?: string } | null;
  performed_via_github_app?: { id: number } | null;
}

/**
 * A check run is ours only when GitHub says our app created it: by app id, or (the Action, which
 * does not know the id of the GitHub Actions app up front) by the app's slug matching our bot login.
 */
export function isOwnCheckRun(run: CheckRunAuthor, identity: GateIdentity): boolean {
  if (!run.app) return false;
  if (identity.appId !== undefined) return run.app.id === identity.appId;
  const slug = run.app.slug;
  return !!slug && `${slug}[bot]`.toLowerCase() === identity.login.toLowerCase();
}

/**
 * A comment is ours when our app posted it, or when its author is our bot account (GitHub does not
 * let anyone else post as `name[bot]`). A human login never counts, whatever the comment says.
 */
export function isOwnComment(comment: CommentAuthor, identity: GateIdentity): boolean {
  const viaApp = comment.performed_via_github_app?.id;
  if (identity.appId !== undefined && viaApp !== undefined && viaApp === identity.appId) return true;
  const login = comment.user?.login;
  if (!login || !identity.login.endsWith('[bot]')) return false;
  return login.toLowerCase() === identity.login.toLowerCase() && comment.user?.type === 'Bot';
}
