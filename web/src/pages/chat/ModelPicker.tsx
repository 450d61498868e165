// The model of the open conversation: a select of GET /models, the default
// marked. The default is what a conversation without a model of its own
// (model: null) gets — the user's defaultModel, else the deployment's — and
// choosing it sends null, so the conversation follows the default when it
// changes. Hidden when there is nothing to choose (one model).
import { useState } from 'react';
import { api } from '../../config';
import { ApiError, humanMessage } from '../../api/errors';
import type { Conversation, ModelList } from '../../api/types';

export type Model = ModelList['items'][number];

/** The model a conversation without one gets: the user's default when the deployment still offers it, else the deployment's. */
export function effectiveDefault(models: readonly Model[], userDefault: string | null | undefined): string {
  if (userDefault && models.some((m) => m.id === userDefault)) return userDefault;
  return (models.find((m) => m.default) ?? models[0]).id;
}

export function ModelPicker(props: {
  conversation: Conversation;
  models: readonly Model[];
  userDefault: string | null | undefined;
  onChanged: (c: Conversation) => void;
}) {
  const { conversation: conv, models } = props;
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (models.length < 2) return null;
  const fallback = effectiveDefault(models, props.userDefault);
  const shown = pending ?? conv.model ?? fallback;
  const offered = models.some((m) => m.id === shown);

  async function choose(id: string) {
    if (id === shown || pending !== null) return;
    setPending(id);
    setError(null);
    try {
      props.onChanged(await api.updateConversation(conv.id, { model: id === fallback ? null : id }));
    } catch (err) {
      setError(err instanceof ApiError && err.fieldError('model') ? 'That model is not offered any more. Choose another one.' : humanMessage(err));
    } finally {
      setPending(null);
    }
  }

  return (
    <div className="model-picker">
      <label htmlFor="model-select" className="visually-hidden">Model</label>
      <select
        id="model-select"
        value={shown}
        aria-busy={pending !== null || undefined}
        title="The model that answers in this conversation"
        onChange={(e) => choose(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'model-error' : undefined}
      >
        {models.map((m) => (
          <option key={m.id} value={m.id}>{m.id === fallback ? `${m.id} (default)` : m.id}</option>
        ))}
        {offered ? null : <option value={shown} disabled>{`${shown} (no longer offered)`}</option>}
      </select>
      {error ? <div className="field-error model-error" id="model-error" role="alert">{error}</div> : null}
    </div>
  );
}
