// The settings page's Account section: change the password (POST
// /me/password, which signs out every other session and answers this one's
// new tokens), two-step sign-in (./MfaSection.tsx), and delete the account
// with all its data (POST /me/delete, after asking for the password). It does
// not depend on GET /me loading: an account whose deletion failed midway can
// no longer read /me, and must still be able to finish deleting itself.
import { useState } from 'react';
import { api } from '../config';
import { navigate } from '../router';
import { Field, FormError, Notice, passwordProblem, useSubmit } from './Auth';
import { MfaSection } from './MfaSection';

export function AccountSection() {
  return (
    <section className="account" aria-labelledby="account-heading">
      <h2 id="account-heading">Account</h2>
      <ChangePassword />
      <MfaSection />
      <DeleteAccount />
    </section>
  );
}

function ChangePassword() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const s = useSubmit();
  return (
    <form
      aria-label="Change password"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setDone(null);
        s.run(
          {
            currentPassword: current ? undefined : 'Enter your current password.',
            newPassword: passwordProblem(next) ?? (next === current ? 'Choose a password different from the current one.' : undefined),
          },
          async () => {
            const { signInAgain } = await api.changePassword({ currentPassword: current, newPassword: next });
            if (signInAgain) {
              // Two-step sign-in is on: every session ended, this one too.
              navigate(`/sign-in?notice=${encodeURIComponent('Password changed. Sign in with the new one and a code from your app.')}`, { replace: true });
              return;
            }
            setCurrent('');
            setNext('');
            setDone('Password changed. Your other devices are signed out.');
          },
        );
      }}
    >
      <h3>Change password</h3>
      <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" value={current} onChange={setCurrent} error={s.fieldErrors.currentPassword} />
      <Field
        label="New password"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        value={next}
        onChange={setNext}
        error={s.fieldErrors.newPassword}
        hint="At least 8 characters, with upper and lower case, a digit and a symbol."
      />
      <FormError message={s.formError} />
      <Notice message={done} />
      <div className="settings-actions">
        <button type="submit" disabled={s.busy}>{s.busy ? 'Changing…' : 'Change password'}</button>
      </div>
    </form>
  );
}

function DeleteAccount() {
  const [password, setPassword] = useState('');
  const s = useSubmit();
  return (
    <form
      className="danger-zone"
      aria-label="Delete account"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        s.run({ password: password ? undefined : 'Enter your password to confirm.' }, async () => {
          await api.deleteAccount({ password });
          navigate(`/sign-in?notice=${encodeURIComponent('Your account and all its data were deleted.')}`, { replace: true });
        });
      }}
    >
      <h3>Delete my account</h3>
      <p className="muted">
        Deletes your account and everything in it — conversations, messages, settings, usage — for good. It cannot be
        undone. Export what you want to keep first.
      </p>
      <Field label="Password" name="password" type="password" autoComplete="current-password" value={password} onChange={setPassword} error={s.fieldErrors.password} hint="Asked again to confirm it is you." />
      <FormError message={s.formError} />
      <div className="settings-actions">
        <button type="submit" className="danger" disabled={s.busy}>{s.busy ? 'Deleting…' : 'Delete my account'}</button>
      </div>
    </form>
  );
}
