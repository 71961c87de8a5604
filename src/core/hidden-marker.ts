// The gate's data inside text it posts on GitHub: `<!-- hitl-gate:<kind> v1 <base64> -->`, an HTML
// comment GitHub does not render. One spelling, for writing and reading every kind: the record in the
// check run (ledger.ts), an earlier version's ledger in the status comment, the audit trail's decision.
const MARKERS = { ledger: 'hitl-gate:ledger v1', record: 'hitl-gate:record v1', decision: 'hitl-gate:decision v1' } as const;
export type MarkerKind = keyof typeof MARKERS;

/** The marker carrying `encoded` (base64). */
export function hiddenMarker(kind: MarkerKind, encoded: string): string {
  return `<!-- ${MARKERS[kind]} ${encoded} -->`;
}

/** Every marker of that kind in a text (global), the base64 captured. */
export function markerPattern(kind: MarkerKind): RegExp {
  return new RegExp(`<!-- ${MARKERS[kind]} ([A-Za-z0-9+/=]*) -->`, 'g');
}

/** Whether a text carries a marker of that kind, readable or not. */
export function hasMarker(text: string, kind: MarkerKind): boolean {
  return text.includes(`<!-- ${MARKERS[kind]} `);
}

/** A text without any of the gate's HTML comments (its data markers and the status comment's mark). */
export function withoutHiddenMarkers(text: string): string {
  return text.replace(/\s*<!--\s*hitl-gate:[\s\S]*?-->/g, '').trim();
}
