import { ApiClient } from './api/client';
import { Session } from './api/session';

/**
 * Where the HTTP API and the chat stream are. A host may say so at run time
 * (window.__MACRO_AI__, which the local stack sets in /macro-ai-config.js); else the
 * build's VITE_API_URL / VITE_STREAM_URL (a deploy: the stack's outputs).
 * The app is always on its own origin, so both are absolute URLs.
 */
interface RuntimeConfig { apiUrl?: string; streamUrl?: string }
const runtime: RuntimeConfig = (globalThis as { __MACRO_AI__?: RuntimeConfig }).__MACRO_AI__ ?? {};

export const API_BASE: string = runtime.apiUrl ?? import.meta.env.VITE_API_URL ?? '';
export const STREAM_BASE: string = runtime.streamUrl ?? import.meta.env.VITE_STREAM_URL ?? '/stream';

export const session = new Session();
export const api = new ApiClient({ apiBase: API_BASE, streamBase: STREAM_BASE, session });
