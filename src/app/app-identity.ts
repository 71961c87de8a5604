// Who the App is (its id and bot login), so the gate can tell its own check runs and comments from
// everyone else's. Given by the server when it read APP_ID; otherwise asked of GitHub (`GET /app`)
// once, and asked again after a failure rather than remembering the failure.
import type { Probot } from 'probot';
import type { GateIdentity } from '../github/index.js';

export class AppIdentity {
  readonly #app: Pick<Probot, 'auth'>;
  #known: GateIdentity | undefined;
  #asking: Promise<GateIdentity> | undefined;

  constructor(app: Pick<Probot, 'auth'>, given?: GateIdentity) {
    this.#app = app;
    this.#known = given;
  }

  /** Known already (given, or GitHub answered): events that arrive before then skip nothing as the gate's own. */
  get known(): GateIdentity | undefined {
    return this.#known;
  }

  /** The identity, asking GitHub when it is not known yet. */
  get(): Promise<GateIdentity> {
    if (this.#known) return Promise.resolve(this.#known);
    this.#asking ??= (async () => {
      const client = await this.#app.auth();
      const { data } = await client.rest.apps.getAuthenticated();
      if (!data?.slug) throw new Error('GET /app did not say who the app is');
      this.#known = { appId: data.id, login: `${data.slug}[bot]` };
      return this.#known;
    })().catch((error: unknown) => {
      this.#asking = undefined;
      throw error;
    });
    return this.#asking;
  }
}
