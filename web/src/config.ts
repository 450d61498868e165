import { ApiClient } from './api/client';
import { Session } from './api/session';

/** Build-time settings: on AWS the stack outputs, in dev the app's own origin. */
export const API_BASE: string = import.meta.env.VITE_API_URL ?? '';
export const STREAM_BASE: string = import.meta.env.VITE_STREAM_URL ?? '/stream';

export const session = new Session();
export const api = new ApiClient({ apiBase: API_BASE, streamBase: STREAM_BASE, session });
