// The app's names for the HTTP contract's types (openapi.yaml). Every type
// here is derived from ./schema.d.ts, which openapi-typescript generates from
// openapi.yaml (`npm run types`; build and test fail while it is stale), so a
// change to the contract shows up here as a type error, not a silent drift.
import type { components, operations } from './schema';

type Schemas = components['schemas'];
/** The query parameters of an operation (by operationId). */
type QueryOf<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['query']>;

/** RFC 3339 UTC timestamp. */
export type Timestamp = string;
/** UUID. */
export type UUID = string;

// ---- Errors -------------------------------------------------------------

export type ErrorCode = Schemas['ErrorCode'];
export type FieldError = Schemas['FieldError'];
/** The contract's one error shape, `{"error": {...}}`. */
export type ErrorBody = Schemas['Error'];
/** What API Gateway itself answers with (its authorizer's 401, an unknown route's 404, its 429…). */
export type GatewayMessage = Schemas['GatewayMessage'];

// ---- Auth ---------------------------------------------------------------

export type SignUpRequest = Schemas['SignUpRequest'];
export type SignUpResponse = Schemas['SignUpResponse'];
export type ConfirmRequest = Schemas['ConfirmRequest'];
export type ResendCodeRequest = Schemas['EmailRequest'];
export type SignInRequest = Schemas['SignInRequest'];
export type SignInResponse = Schemas['Tokens'];
export type RefreshRequest = Schemas['RefreshRequest'];
export type RefreshResponse = Schemas['RefreshedTokens'];
export type ForgotPasswordRequest = Schemas['EmailRequest'];
export type ResetPasswordRequest = Schemas['ResetPasswordRequest'];
export type Me = Schemas['User'];
/** POST /me/password: answered with the session's new tokens. */
export type ChangePasswordRequest = Schemas['ChangePasswordRequest'];
/** POST /me/delete: the password, asked again. */
export type DeleteAccountRequest = Schemas['DeleteAccountRequest'];
/** POST /auth/sign-in with two-step sign-in on: no tokens yet, a code is needed. */
export type MfaChallenge = Schemas['MFAChallenge'];
/** POST /auth/mfa/challenge: the e-mail, the challenge's session and the app's code. */
export type MfaChallengeRequest = Schemas['MFAChallengeRequest'];
/** POST /auth/mfa/setup: the TOTP secret and its otpauth:// URI. */
export type MfaSetup = Schemas['MFASetup'];
export type MfaCodeRequest = Schemas['MFACodeRequest'];
export type MfaDisableRequest = Schemas['MFADisableRequest'];
export type MfaStatus = Schemas['MFAStatus'];

// ---- Conversations ------------------------------------------------------

export type Conversation = Schemas['Conversation'];
export type Message = Schemas['Message'];
export type Role = Message['role'];
export type MessageStatus = Message['status'];
export type CreateConversationRequest = Schemas['CreateConversationRequest'];
export type UpdateConversationRequest = Schemas['UpdateConversationRequest'];
export type UpdateMeRequest = Schemas['UpdateMeRequest'];
export type ModelList = Schemas['ModelList'];
/** GET /me/usage: tokens and estimated cost per model over [from, to). */
export type UsageReport = Schemas['UsageReport'];
export type UsageQuery = QueryOf<'getUsage'>;
export type ListConversationsQuery = QueryOf<'listConversations'>;
export type ListMessagesQuery = QueryOf<'listMessages'>;
export type ConversationPage = Schemas['ConversationPage'];
/** GET /conversations/{id}/export?format=json: the conversation and all its messages. */
export type ConversationExport = Schemas['ConversationExport'];
export type ExportFormat = NonNullable<QueryOf<'exportConversation'>['format']>;
/** POST /imports: a pending import and where to PUT its file. */
export type ImportStarted = Schemas['ImportStarted'];
/** GET /imports/{id}: an import's status, counts and, when failed, why. */
export type Import = Schemas['Import'];
/** GET /me/export: where to download the whole account (an AccountExport document). */
export type AccountExportLink = Schemas['AccountExportLink'];
export type AccountExport = Schemas['AccountExport'];
/** Items oldest → newest; nextCursor pages toward older messages. */
export type MessagePage = Schemas['MessagePage'];
/** PUT /conversations/{id}/leaf: show the branch through messageId. */
export type SwitchBranchRequest = operations['switchBranch']['requestBody']['content']['application/json'];
/** Its answer: the new leaf (the newest end of that branch). */
export type SwitchBranchResponse = operations['switchBranch']['responses'][200]['content']['application/json'];

// ---- Chat stream --------------------------------------------------------

export type SendMessageRequest = Schemas['SendMessageRequest'];
export type StartEvent = Schemas['StartEvent'];
export type DeltaEvent = Schemas['DeltaEvent'];
export type DoneEvent = Schemas['DoneEvent'];
export type Usage = DoneEvent['usage'];
export type StreamErrorEvent = Schemas['ErrorEvent'];
export type StreamEvent =
  | { event: 'start'; data: StartEvent }
  | { event: 'delta'; data: DeltaEvent }
  | { event: 'done'; data: DoneEvent }
  | { event: 'error'; data: StreamErrorEvent };

// ---- Embeddings and search ----------------------------------------------

export type EmbeddingsRequest = Schemas['EmbeddingsRequest'];
export type EmbeddingsResponse = Schemas['EmbeddingsResponse'];
export type SearchQuery = QueryOf<'searchMessages'>;
export type SearchHit = Schemas['SearchResult'];
export type SearchResponse = Schemas['SearchResponse'];

// ---- Health -------------------------------------------------------------

export type HealthResponse = Schemas['Health'];
export type HealthCheck = Schemas['HealthCheck'];
