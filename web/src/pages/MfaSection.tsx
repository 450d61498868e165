// Two-step sign-in (TOTP) in the Account section: set up an authenticator
// app (POST /auth/mfa/setup: a QR code of the otpauth:// URI and the secret as
// text), confirm it with a code (POST /auth/mfa/verify), or turn it off with
// the password and a code (POST /auth/mfa/disable). Whether it is on is not
// asked up front: setting up while it is on answers 409 mfa_enabled, which
// shows the form to turn it off.
import { useState } from 'react';
import { api } from '../config';
import { ApiError } from '../api/errors';
import type { MfaSetup } from '../api/types';
import { Field, FormError, Notice, useSubmit } from './Auth';
import { QrCode } from './QrCode';

type State = { step: 'idle' } | { step: 'enrolling'; setup: MfaSetup } | { step: 'on' };

const sixDigits = (c: string) => (/^\d{6}$/.test(c.replace(/\s+/g, '')) ? undefined : 'Enter the 6-digit code from your authenticator app.');

export function MfaSection() {
  const [state, setState] = useState<State>({ step: 'idle' });
  const [notice, setNotice] = useState<string | null>(null);
  const s = useSubmit();
  const start = () => {
    setNotice(null);
    s.run({}, async () => {
      try {
        setState({ step: 'enrolling', setup: await api.setUpMfa() });
      } catch (err) {
        if (err instanceof ApiError && err.code === 'mfa_enabled') {
          setState({ step: 'on' });
          setNotice('Two-step sign-in is on. To move it to another app, turn it off, then set it up again.');
          return;
        }
        throw err;
      }
    });
  };
  return (
    <div className="mfa" aria-labelledby="mfa-heading">
      <h3 id="mfa-heading">Two-step sign-in</h3>
      <p className="muted">
        Ask for a code from an authenticator app (such as Google Authenticator, 1Password or Aegis) after your password,
        so that a stolen password alone does not sign anyone in.
      </p>
      <Notice message={notice} />
      {state.step === 'idle' ? (
        <>
          <FormError message={s.formError} />
          <div className="settings-actions">
            <button type="button" onClick={start} disabled={s.busy}>{s.busy ? 'Starting…' : 'Set up an authenticator app'}</button>
            <button type="button" className="secondary" onClick={() => { setNotice(null); setState({ step: 'on' }); }}>Turn two-step sign-in off…</button>
          </div>
        </>
      ) : state.step === 'enrolling' ? (
        <Enrol setup={state.setup} onDone={() => { setState({ step: 'on' }); setNotice('Two-step sign-in is on. Sign-ins now ask for a code from the app.'); }} onCancel={() => setState({ step: 'idle' })} />
      ) : (
        <TurnOff onDone={() => { setState({ step: 'idle' }); setNotice('Two-step sign-in is off.'); }} />
      )}
    </div>
  );
}

function Enrol(props: { setup: MfaSetup; onDone: () => void; onCancel: () => void }) {
  const [code, setCode] = useState('');
  const s = useSubmit();
  return (
    <form
      aria-label="Set up two-step sign-in"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        s.run({ code: sixDigits(code) }, async () => {
          await api.verifyMfa({ code: code.replace(/\s+/g, '') });
          props.onDone();
        });
      }}
    >
      <p>1. Scan this QR code with your authenticator app:</p>
      <QrCode text={props.setup.otpauthUri} label="QR code of the two-step sign-in key, for an authenticator app" />
      <p>
        Or type this key into the app: <code className="mfa-secret" data-testid="mfa-secret">{props.setup.secret}</code>
      </p>
      <p>2. Enter the code the app shows:</p>
      <Field label="Code from the app" name="code" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={setCode} error={s.fieldErrors.code} />
      <FormError message={s.formError} />
      <div className="settings-actions">
        <button type="submit" disabled={s.busy}>{s.busy ? 'Checking…' : 'Turn on two-step sign-in'}</button>
        <button type="button" className="secondary" onClick={props.onCancel} disabled={s.busy}>Cancel</button>
      </div>
    </form>
  );
}

function TurnOff(props: { onDone: () => void }) {
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const s = useSubmit();
  return (
    <form
      aria-label="Turn off two-step sign-in"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        s.run({ password: password ? undefined : 'Enter your password.', code: sixDigits(code) }, async () => {
          try {
            await api.disableMfa({ password, code: code.replace(/\s+/g, '') });
          } catch (err) {
            if (err instanceof ApiError && err.code === 'mfa_not_enabled') {
              props.onDone();
              return;
            }
            throw err;
          }
          setPassword('');
          setCode('');
          props.onDone();
        });
      }}
    >
      <Field label="Password" name="password" type="password" autoComplete="current-password" value={password} onChange={setPassword} error={s.fieldErrors.password} />
      <Field label="Code from the app" name="code" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={setCode} error={s.fieldErrors.code} />
      <FormError message={s.formError} />
      <div className="settings-actions">
        <button type="submit" className="danger" disabled={s.busy}>{s.busy ? 'Turning off…' : 'Turn off two-step sign-in'}</button>
      </div>
    </form>
  );
}
