// Public surface of the HA plugin (STYLE.md rule 10): everything not exported here is internal.
export { HA_CONTEXT, type HaContext } from './ha-context.js';
