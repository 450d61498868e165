// The settings page's Usage section: a month's answers, tokens and estimated
// cost per model, from GET /me/usage (no query: this month so far; an earlier
// month: from its first to the next's first, UTC), with a month selector.
import { useEffect, useMemo, useState } from 'react';
import { api } from '../config';
import { humanMessage } from '../api/errors';
import type { UsageReport } from '../api/types';
import { formatCost, formatTokens, monthKey, monthLabel, monthRange, recentMonths } from '../usage';

export function UsageSection() {
  const months = useMemo(() => recentMonths(new Date()), []);
  const [key, setKey] = useState(monthKey(months[0]));
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<{ key: string; report?: UsageReport; error?: string } | null>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    const i = months.findIndex((m) => monthKey(m) === key);
    setState(null);
    api.usage(i > 0 ? monthRange(months[i]) : {}, ctrl.signal).then(
      (report) => setState({ key, report }),
      (err) => { if (!ctrl.signal.aborted) setState({ key, error: humanMessage(err) }); },
    );
    return () => ctrl.abort();
  }, [key, attempt, months]);

  const current = state?.key === key ? state : null;
  const report = current?.report;
  return (
    <section className="usage" aria-labelledby="usage-heading">
      <div className="usage-head">
        <h2 id="usage-heading">Usage</h2>
        <div className="usage-month">
          <label htmlFor="usage-month">Month</label>
          <select id="usage-month" value={key} onChange={(e) => setKey(e.target.value)}>
            {months.map((m, i) => (
              <option key={monthKey(m)} value={monthKey(m)}>{i === 0 ? `This month (${monthLabel(m)})` : monthLabel(m)}</option>
            ))}
          </select>
        </div>
      </div>
      {current?.error ? (
        <div className="form-error" role="alert">
          {current.error} <button type="button" className="link" onClick={() => setAttempt((n) => n + 1)}>Retry</button>
        </div>
      ) : !report ? (
        <div className="muted" role="status">Loading usage…</div>
      ) : report.models.length === 0 ? (
        <p className="muted">{key === monthKey(months[0]) ? 'No answers this month yet.' : `No answers in ${monthLabel(months.find((m) => monthKey(m) === key) ?? months[0])}.`}</p>
      ) : (
        <div className="usage-table-wrap">
          <table className="usage-table" aria-label="Usage per model">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col" className="num">Answers</th>
                <th scope="col" className="num">Prompt tokens</th>
                <th scope="col" className="num">Answer tokens</th>
                <th scope="col" className="num">Est. cost</th>
              </tr>
            </thead>
            <tbody>
              {report.models.map((m) => (
                <tr key={m.model} data-model={m.model}>
                  <th scope="row">{m.model}</th>
                  <td className="num" data-col="answers">{formatTokens(m.answers)}</td>
                  <td className="num">{formatTokens(m.promptTokens)}</td>
                  <td className="num">{formatTokens(m.completionTokens)}</td>
                  <td className="num" title={m.costUsd === null ? 'No price for this model' : undefined}>{formatCost(m.costUsd, m.promptTokens + m.completionTokens)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Total</th>
                <td className="num">{formatTokens(report.total.answers)}</td>
                <td className="num">{formatTokens(report.total.promptTokens)}</td>
                <td className="num">{formatTokens(report.total.completionTokens)}</td>
                <td className="num">{formatCost(report.total.costUsd, pricedTokens(report))}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      )}
      <p className="hint">The cost is an estimate from the deployment's prices; a model without a price shows “—”. Months are UTC.</p>
    </section>
  );
}

/** The tokens of the models with a price: what the total's cost is of. */
function pricedTokens(r: UsageReport): number {
  return r.models.reduce((n, m) => (m.costUsd === null ? n : n + m.promptTokens + m.completionTokens), 0);
}
