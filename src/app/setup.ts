// `npm run setup`: register the App from app.yml through GitHub's manifest flow. Probot serves a
// page with a "Register GitHub App" button on http://localhost:3000; GitHub creates the App with
// the manifest's permissions and events and hands back its id, private key and webhook secret,
// which Probot writes to `.env`. Then `npm start` runs the gate with them.
import { existsSync } from 'node:fs';
import { run } from 'probot';

if (existsSync('.env')) process.loadEnvFile('.env');
if (process.env.APP_ID && (process.env.PRIVATE_KEY || process.env.PRIVATE_KEY_PATH)) {
  console.error('hitl-gate: setup: this App is already registered (APP_ID and a private key are set); run `npm start`');
  process.exit(1);
}
if (process.env.NODE_ENV === 'production') {
  console.error('hitl-gate: setup: the manifest flow runs only outside production (unset NODE_ENV=production)');
  process.exit(1);
}
// Probot's `run` enters its setup mode when APP_ID and the private key are missing.
await run(() => undefined);
