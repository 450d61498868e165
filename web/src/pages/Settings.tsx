// The settings page (/settings): custom instructions for every conversation
// and the default model, loaded from GET /me (and GET /models for the
// choices), saved with PATCH /me. Only what changed is sent; an empty text is
// "none" (null), and so is the deployment's default model. Below, the Usage
// section (./UsageSection.tsx): a month's tokens and estimated cost per model;
// then Your data (./DataSection.tsx): export everything, import a file; then
// the Account section (./AccountSection.tsx): change the password,
// delete the account.
import { type FormEvent, type ReactNode, useCallback, useEffect, useState } from 'react';
import { api } from '../config';
import { ApiError, humanMessage } from '../api/errors';
import type { Me, UpdateMeRequest } from '../api/types';
import { Link } from '../router';
import type { Model } from './chat/ModelPicker';
import { UsageSection } from './UsageSection';
import { AccountSection } from './AccountSection';
import { DataSection } from './DataSection';

export const MAX_INSTRUCTIONS = 4000;

type Loaded = { me: Me; models: Model[] };

export function SettingsPage(props: { themeButton: ReactNode }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      const [me, models] = await Promise.all([api.me(), api.models()]);
      setLoaded({ me, models: models.items });
    } catch (err) {
      setLoadError(humanMessage(err));
    }
  }, []);
  useEffect(() => {
    load();
  }, [load]);

  return (
    <main className="settings-page">
      <div className="settings">
        <div className="settings-top">
          <Link to="/" className="back-link">← Back to chat</Link>
          {props.themeButton}
        </div>
        <h1>Settings</h1>
        {loaded ? (
          <SettingsForm me={loaded.me} models={loaded.models} onSaved={(me) => setLoaded({ ...loaded, me })} />
        ) : loadError ? (
          <div className="form-error" role="alert">
            {loadError} <button type="button" className="link" onClick={load}>Retry</button>
          </div>
        ) : (
          <div className="muted" role="status">Loading…</div>
        )}
        <UsageSection />
        <DataSection />
        <AccountSection />
      </div>
    </main>
  );
}

function SettingsForm(props: { me: Me; models: Model[]; onSaved: (me: Me) => void }) {
  const { me, models } = props;
  const [instructions, setInstructions] = useState(me.instructions ?? '');
  const [defaultModel, setDefaultModel] = useState(me.defaultModel ?? '');
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string | undefined>>({});

  const trimmed = instructions.trim();
  const changes: UpdateMeRequest = {};
  if ((trimmed || null) !== (me.instructions ?? null)) changes.instructions = trimmed || null;
  if ((defaultModel || null) !== (me.defaultModel ?? null)) changes.defaultModel = defaultModel || null;
  const dirty = Object.keys(changes).length > 0;
  const deploymentDefault = (models.find((m) => m.default) ?? models[0])?.id;
  const offered = !defaultModel || models.some((m) => m.id === defaultModel);

  function edited() {
    setSaved(false);
    setFormError(null);
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    setSaved(false);
    if (trimmed.length > MAX_INSTRUCTIONS) {
      setFieldErrors({ instructions: `Custom instructions can be at most ${MAX_INSTRUCTIONS.toLocaleString('en')} characters.` });
      return;
    }
    setFieldErrors({});
    if (!dirty) {
      setSaved(true);
      return;
    }
    setBusy(true);
    try {
      const next = await api.updateMe(changes);
      setInstructions(next.instructions ?? '');
      setDefaultModel(next.defaultModel ?? '');
      props.onSaved(next);
      setSaved(true);
    } catch (err) {
      if (err instanceof ApiError && err.details.length) {
        const fe: Record<string, string> = {};
        for (const d of err.details) fe[d.field] = capitalize(d.message);
        setFieldErrors(fe);
        if (err.details.some((d) => d.field !== 'instructions' && d.field !== 'defaultModel')) setFormError(humanMessage(err));
      } else {
        setFormError(humanMessage(err));
      }
    } finally {
      setBusy(false);
    }
  }

  const instrErr = fieldErrors.instructions;
  const modelErr = fieldErrors.defaultModel;
  return (
    <form className="settings-form" aria-label="Settings" onSubmit={save} noValidate>
      <div className="field">
        <label htmlFor="instructions">Custom instructions</label>
        <textarea
          id="instructions"
          rows={8}
          maxLength={MAX_INSTRUCTIONS}
          value={instructions}
          placeholder="For example: I am a Go developer. Answer briefly, and show code before explaining it."
          onChange={(e) => { setInstructions(e.target.value); edited(); }}
          aria-invalid={instrErr ? true : undefined}
          aria-describedby={`instructions-hint${instrErr ? ' instructions-err' : ''}`}
        />
        <div className="hint" id="instructions-hint">
          Added to every conversation. Leave empty for none. {instructions.length.toLocaleString('en')} / {MAX_INSTRUCTIONS.toLocaleString('en')} characters.
        </div>
        {instrErr ? <div className="field-error" id="instructions-err" role="alert">{instrErr}</div> : null}
      </div>
      <div className="field">
        <label htmlFor="default-model">Default model</label>
        <select
          id="default-model"
          value={defaultModel}
          onChange={(e) => { setDefaultModel(e.target.value); edited(); }}
          aria-invalid={modelErr ? true : undefined}
          aria-describedby={`default-model-hint${modelErr ? ' default-model-err' : ''}`}
        >
          <option value="">{deploymentDefault ? `Deployment default (${deploymentDefault})` : 'Deployment default'}</option>
          {models.map((m) => <option key={m.id} value={m.id}>{m.id}</option>)}
          {offered ? null : <option value={defaultModel}>{`${defaultModel} (no longer offered)`}</option>}
        </select>
        <div className="hint" id="default-model-hint">The model of every conversation that does not choose its own.</div>
        {modelErr ? <div className="field-error" id="default-model-err" role="alert">{modelErr}</div> : null}
      </div>
      {formError ? <div className="form-error" role="alert">{formError}</div> : null}
      <div className="settings-actions">
        <button type="submit" disabled={busy}>{busy ? 'Saving…' : 'Save'}</button>
        <span className="saved" role="status">{saved ? 'Saved' : ''}</span>
      </div>
    </form>
  );
}

function capitalize(s: string) {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
