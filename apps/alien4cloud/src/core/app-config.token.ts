/** Injection token of the validated AppConfig inside the full graph. */
export const APP_CONFIG = 'A4C_APP_CONFIG';
