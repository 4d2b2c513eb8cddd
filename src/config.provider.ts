import { AppConfig } from './config';

/** Nest injection token for the validated settings (inject `AppConfig` directly). */
export const CONFIG = AppConfig;
