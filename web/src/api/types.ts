// Types for every request and response of the HTTP contract (/work/shared/API.md).
// Hand-written, in this one file: local/templatecheck (make test) checks every
// interface against its openapi.yaml schema, field by field.

/** RFC 3339 UTC timestamp. */
export type Timestamp = string;
/** UUID. */
export type UUID = string;

// ---- Errors -------------------------------------------------------------

export type ErrorCode =
  | 'validation_failed'
  | 'invalid_json'
  | 'unauthorized'
  | 'invalid_credentials'
  | 'token_expired'
  | 'user_not_confirmed'
  | 'not_found'
  | 'user_exists'
  | 'conflict'
  | 'payload_too_large'
  | 'rate_limited'
  | 'internal'
  | 'upstream_error'
  | 'unavailable'
  | 'database_unavailable';

export interface FieldError {
  field: string;
  message: string;
}

export interface ErrorBody {
  error: {
    code: ErrorCode | string;
    message: string;
    details?: FieldError[];
    requestId?: string;
  };
}

// ---- Auth ---------------------------------------------------------------

export interface SignUpRequest { email: string; password: string }
export interface SignUpResponse { userSub: string; confirmed: boolean }
export interface ConfirmRequest { email: string; code: string }
export interface ResendCodeRequest { email: string }
export interface SignInRequest { email: string; password: string }
export interface SignInResponse {
  accessToken: string;
  idToken: string;
  refreshToken: string;
  /** Seconds until accessToken expires. */
  expiresIn: number;
  tokenType: 'Bearer';
}
export interface RefreshRequest { refreshToken: string }
export interface RefreshResponse {
  accessToken: string;
  idToken: string;
  expiresIn: number;
  tokenType: 'Bearer';
}
export interface ForgotPasswordRequest { email: string }
export interface ResetPasswordRequest { email: string; code: string; newPassword: string }
export interface Me { id: UUID; email: string; createdAt: Timestamp }

// ---- Conversations ------------------------------------------------------

export interface Conversation {
  id: UUID;
  title: string;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  messageCount: number;
}
export type Role = 'user' | 'assistant';
export type MessageStatus = 'complete' | 'incomplete';
export interface Message {
  id: UUID;
  role: Role;
  content: string;
  status: MessageStatus;
  createdAt: Timestamp;
}
export interface CreateConversationRequest { title?: string }
export interface UpdateConversationRequest { title: string }
export interface ListConversationsQuery { limit?: number; cursor?: string }
export interface ListMessagesQuery { limit?: number; before?: string }
export interface Page<T> { items: T[]; nextCursor: string | null }
export type ConversationPage = Page<Conversation>;
/** Items oldest → newest; nextCursor pages toward older messages. */
export type MessagePage = Page<Message>;

// ---- Chat stream --------------------------------------------------------

export interface SendMessageRequest { content: string; clientMessageId?: UUID }
export interface StartEvent { conversationId: UUID; userMessageId: UUID; assistantMessageId: UUID }
export interface DeltaEvent { text: string }
export interface Usage { promptTokens: number; completionTokens: number }
export interface DoneEvent { assistantMessageId: UUID; finishReason: string; usage: Usage }
export interface StreamErrorEvent { error: { code: string; message: string } }
export type StreamEvent =
  | { event: 'start'; data: StartEvent }
  | { event: 'delta'; data: DeltaEvent }
  | { event: 'done'; data: DoneEvent }
  | { event: 'error'; data: StreamErrorEvent };

// ---- Embeddings and search ----------------------------------------------

export interface EmbeddingsRequest { input: string | string[] }
export interface EmbeddingsResponse {
  model: string;
  dimensions: number;
  data: { index: number; embedding: number[] }[];
}
export interface SearchQuery { q: string; limit?: number; conversationId?: UUID }
export interface SearchHit {
  conversationId: UUID;
  conversationTitle: string;
  messageId: UUID;
  role: Role;
  content: string;
  createdAt: Timestamp;
  /** Cosine similarity. */
  score: number;
}
export interface SearchResponse { items: SearchHit[] }

// ---- Health -------------------------------------------------------------

export interface HealthResponse {
  status: 'ok' | 'degraded' | 'unhealthy';
  checks: Record<string, unknown>;
  version: string;
  timestamp: Timestamp;
}
