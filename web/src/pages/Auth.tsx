import { type FormEvent, type ReactNode, useEffect, useId, useState } from 'react';
import { api } from '../config';
import { ApiError, humanMessage } from '../api/errors';
import { isMfaChallenge } from '../api/client';
import { Link, navigate, useLocation } from '../router';

type FieldErrors = Record<string, string | undefined>;

/** Checks the password policy before the server does (same rules). */
export function passwordProblem(p: string): string | undefined {
  if (p.length < 8) return 'Use at least 8 characters.';
  if (!/[a-z]/.test(p)) return 'Add a lower-case letter.';
  if (!/[A-Z]/.test(p)) return 'Add an upper-case letter.';
  if (!/\d/.test(p)) return 'Add a digit.';
  if (!/[^A-Za-z0-9]/.test(p)) return 'Add a symbol, like ! or #.';
  return undefined;
}

function emailProblem(e: string): string | undefined {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e.trim()) ? undefined : 'Enter a valid e-mail address.';
}

export function Field(props: {
  label: string;
  name: string;
  type?: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  autoComplete?: string;
  hint?: string;
  autoFocus?: boolean;
  inputMode?: 'numeric' | 'email' | 'text';
}) {
  const id = useId();
  const errId = `${id}-err`;
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        autoComplete={props.autoComplete}
        autoFocus={props.autoFocus}
        inputMode={props.inputMode}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={[props.error ? errId : '', props.hint ? hintId : ''].filter(Boolean).join(' ') || undefined}
        required
      />
      {props.hint && !props.error ? <div className="hint" id={hintId}>{props.hint}</div> : null}
      {props.error ? <div className="field-error" id={errId} role="alert">{props.error}</div> : null}
    </div>
  );
}

/** Runs a form's action; server field errors go under their fields, the rest above the button. */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | undefined>();
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  async function run(local: FieldErrors, action: () => Promise<void>) {
    setFormError(undefined);
    const errs = Object.fromEntries(Object.entries(local).filter(([, v]) => v));
    setFieldErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      await action();
    } catch (err) {
      if (err instanceof ApiError && err.details.length) {
        const fe: FieldErrors = {};
        for (const d of err.details) fe[d.field] = capitalize(d.message);
        setFieldErrors(fe);
        const unknownField = err.details.some((d) => !['email', 'password', 'code', 'newPassword', 'currentPassword'].includes(d.field));
        if (unknownField) setFormError(humanMessage(err));
      } else {
        setFormError(humanMessage(err));
      }
    } finally {
      setBusy(false);
    }
  }
  return { busy, formError, fieldErrors, run, setFormError };
}

function capitalize(s: string) {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

function AuthCard(props: { title: string; children: ReactNode; footer?: ReactNode; onSubmit: (e: FormEvent) => void; label: string }) {
  return (
    <main className="auth-page">
      <form className="card" onSubmit={props.onSubmit} aria-label={props.label} noValidate>
        <div className="brand" aria-hidden="true">Macro AI</div>
        <h1>{props.title}</h1>
        {props.children}
        {props.footer ? <div className="auth-footer">{props.footer}</div> : null}
      </form>
    </main>
  );
}

export function FormError({ message }: { message?: string }) {
  return message ? <div className="form-error" role="alert">{message}</div> : null;
}

export function Notice({ message }: { message?: string | null }) {
  return message ? <div className="notice" role="status">{message}</div> : null;
}

export function SignInPage() {
  const { query } = useLocation();
  const [email, setEmail] = useState(query.get('email') ?? '');
  const [password, setPassword] = useState('');
  const [keep, setKeep] = useState(false);
  const s = useSubmit();
  const [notConfirmed, setNotConfirmed] = useState(false);
  // The session of an mfa_required answer: the password was right, a code is next.
  const [mfaSession, setMfaSession] = useState<string | null>(null);
  useEffect(() => {
    performance.mark('app:signin-ready');
  }, []);
  if (mfaSession) {
    return <MfaCodeStep email={email.trim()} session={mfaSession} keep={keep} onRestart={() => { setMfaSession(null); setPassword(''); }} />;
  }
  return (
    <AuthCard
      title="Sign in"
      label="Sign in"
      onSubmit={(e) => {
        e.preventDefault();
        performance.mark('app:signin-submit');
        setNotConfirmed(false);
        s.run({ email: emailProblem(email), password: password ? undefined : 'Enter your password.' }, async () => {
          try {
            const r = await api.signIn({ email: email.trim(), password }, { keep });
            if (isMfaChallenge(r)) {
              setMfaSession(r.session);
              return;
            }
          } catch (err) {
            if (err instanceof ApiError && err.code === 'user_not_confirmed') setNotConfirmed(true);
            throw err;
          }
          navigate('/', { replace: true });
        });
      }}
      footer={
        <>
          <Link to="/forgot-password">Forgot password?</Link>
          <span>
            New here? <Link to="/sign-up">Create an account</Link>
          </span>
        </>
      }
    >
      <Notice message={query.get('notice')} />
      <Field label="E-mail" name="email" type="email" inputMode="email" autoComplete="username" value={email} onChange={setEmail} error={s.fieldErrors.email} autoFocus={!email} />
      <Field label="Password" name="password" type="password" autoComplete="current-password" value={password} onChange={setPassword} error={s.fieldErrors.password} autoFocus={!!email} />
      <div className="check">
        <input id="keep-signed-in" name="keep" type="checkbox" checked={keep} onChange={(e) => setKeep(e.target.checked)} aria-describedby="keep-signed-in-hint" />
        <label htmlFor="keep-signed-in">Keep me signed in</label>
        <div className="hint" id="keep-signed-in-hint">Stay signed in on this browser for up to 30 days. Leave it unticked on a shared computer.</div>
      </div>
      <FormError message={s.formError} />
      {notConfirmed ? (
        <p>
          <Link to={`/confirm?email=${encodeURIComponent(email.trim())}`}>Enter your confirmation code</Link>
        </p>
      ) : null}
      <button type="submit" disabled={s.busy}>{s.busy ? 'Signing in…' : 'Sign in'}</button>
    </AuthCard>
  );
}

/** The second step of a two-step sign-in: the authenticator app's code. */
function MfaCodeStep(props: { email: string; session: string; keep: boolean; onRestart: () => void }) {
  const [code, setCode] = useState('');
  const s = useSubmit();
  return (
    <AuthCard
      title="Enter your code"
      label="Two-step sign-in"
      onSubmit={(e) => {
        e.preventDefault();
        const c = code.replace(/\s+/g, '');
        s.run({ code: /^\d{6}$/.test(c) ? undefined : 'Enter the 6-digit code from your authenticator app.' }, async () => {
          try {
            await api.answerMfaChallenge({ email: props.email, session: props.session, code: c }, { keep: props.keep });
          } catch (err) {
            if (err instanceof ApiError && err.status === 401) {
              // A wrong code, or a session past its 3 minutes or its tries.
              setCode('');
              s.setFormError('That code did not work. Enter the newest code from the app, or start over if it keeps failing.');
              return;
            }
            throw err;
          }
          navigate('/', { replace: true });
        });
      }}
      footer={<button type="button" className="link" onClick={props.onRestart}>Start over</button>}
    >
      <p className="muted">Two-step sign-in is on for {props.email}. Open your authenticator app and enter the code it shows for Macro AI.</p>
      <Field label="Code" name="code" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={setCode} error={s.fieldErrors.code} autoFocus />
      <FormError message={s.formError} />
      <button type="submit" disabled={s.busy}>{s.busy ? 'Checking…' : 'Sign in'}</button>
    </AuthCard>
  );
}

export function SignUpPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const s = useSubmit();
  return (
    <AuthCard
      title="Create your account"
      label="Sign up"
      onSubmit={(e) => {
        e.preventDefault();
        s.run({ email: emailProblem(email), password: passwordProblem(password) }, async () => {
          const r = await api.signUp({ email: email.trim(), password });
          const addr = encodeURIComponent(email.trim().toLowerCase());
          if (r.confirmed) navigate(`/sign-in?email=${addr}&notice=${encodeURIComponent('Account created. Sign in.')}`);
          else navigate(`/confirm?email=${addr}`);
        });
      }}
      footer={<span>Have an account? <Link to="/sign-in">Sign in</Link></span>}
    >
      <Field label="E-mail" name="email" type="email" inputMode="email" autoComplete="username" value={email} onChange={setEmail} error={s.fieldErrors.email} autoFocus />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={setPassword}
        error={s.fieldErrors.password}
        hint="At least 8 characters, with upper and lower case, a digit and a symbol."
      />
      <FormError message={s.formError} />
      <button type="submit" disabled={s.busy}>{s.busy ? 'Creating…' : 'Create account'}</button>
    </AuthCard>
  );
}

export function ConfirmPage() {
  const { query } = useLocation();
  const [email, setEmail] = useState(query.get('email') ?? '');
  const [code, setCode] = useState('');
  const [sent, setSent] = useState<string | null>(null);
  const s = useSubmit();
  return (
    <AuthCard
      title="Confirm your e-mail"
      label="Confirm e-mail"
      onSubmit={(e) => {
        e.preventDefault();
        s.run({ email: emailProblem(email), code: code.trim() ? undefined : 'Enter the code from the e-mail.' }, async () => {
          await api.confirm({ email: email.trim(), code: code.trim() });
          navigate(`/sign-in?email=${encodeURIComponent(email.trim())}&notice=${encodeURIComponent('E-mail confirmed. You can sign in now.')}`);
        });
      }}
      footer={<Link to="/sign-in">Back to sign in</Link>}
    >
      <p className="muted">We sent a code to {email || 'your e-mail'}. Enter it below.</p>
      <Notice message={sent} />
      {!query.get('email') ? (
        <Field label="E-mail" name="email" type="email" autoComplete="username" value={email} onChange={setEmail} error={s.fieldErrors.email} />
      ) : s.fieldErrors.email ? <div className="field-error" role="alert">{s.fieldErrors.email}</div> : null}
      <Field label="Confirmation code" name="code" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={setCode} error={s.fieldErrors.code} autoFocus />
      <FormError message={s.formError} />
      <div className="row">
        <button type="submit" disabled={s.busy}>{s.busy ? 'Confirming…' : 'Confirm'}</button>
        <button
          type="button"
          className="secondary"
          disabled={s.busy}
          onClick={() => s.run({ email: emailProblem(email) }, async () => {
            await api.resendCode({ email: email.trim() });
            setSent('A new code is on its way.');
          })}
        >
          Send a new code
        </button>
      </div>
    </AuthCard>
  );
}

export function ForgotPage() {
  const [email, setEmail] = useState('');
  const s = useSubmit();
  return (
    <AuthCard
      title="Reset your password"
      label="Forgot password"
      onSubmit={(e) => {
        e.preventDefault();
        s.run({ email: emailProblem(email) }, async () => {
          await api.forgotPassword({ email: email.trim() });
          navigate(`/reset-password?email=${encodeURIComponent(email.trim())}`);
        });
      }}
      footer={<Link to="/sign-in">Back to sign in</Link>}
    >
      <p className="muted">Enter your e-mail and we will send you a code.</p>
      <Field label="E-mail" name="email" type="email" autoComplete="username" value={email} onChange={setEmail} error={s.fieldErrors.email} autoFocus />
      <FormError message={s.formError} />
      <button type="submit" disabled={s.busy}>{s.busy ? 'Sending…' : 'Send code'}</button>
    </AuthCard>
  );
}

export function ResetPage() {
  const { query } = useLocation();
  const [email, setEmail] = useState(query.get('email') ?? '');
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const s = useSubmit();
  return (
    <AuthCard
      title="Choose a new password"
      label="Reset password"
      onSubmit={(e) => {
        e.preventDefault();
        s.run(
          { email: emailProblem(email), code: code.trim() ? undefined : 'Enter the code from the e-mail.', newPassword: passwordProblem(password) },
          async () => {
            await api.resetPassword({ email: email.trim(), code: code.trim(), newPassword: password });
            navigate(`/sign-in?email=${encodeURIComponent(email.trim())}&notice=${encodeURIComponent('Password changed. Sign in with the new one.')}`);
          },
        );
      }}
      footer={<Link to="/sign-in">Back to sign in</Link>}
    >
      <p className="muted">If an account exists for that e-mail, a code is on its way.</p>
      <Field label="E-mail" name="email" type="email" autoComplete="username" value={email} onChange={setEmail} error={s.fieldErrors.email} />
      <Field label="Code" name="code" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={setCode} error={s.fieldErrors.code} autoFocus />
      <Field
        label="New password"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={setPassword}
        error={s.fieldErrors.newPassword}
        hint="At least 8 characters, with upper and lower case, a digit and a symbol."
      />
      <FormError message={s.formError} />
      <button type="submit" disabled={s.busy}>{s.busy ? 'Saving…' : 'Set new password'}</button>
    </AuthCard>
  );
}
