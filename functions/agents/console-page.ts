import { createHash } from 'node:crypto';
import { dispositions, notInterestedReasons } from './dispositions';

/**
 * How the console signs in: on AWS with the stack's Cognito user pool (email, password, then the TOTP code; a
 * first sign-in also sets a new password and the authenticator app), locally with a demo agent's name.
 */
export type ConsoleSignIn =
  | { kind: 'cognito'; region: string; clientId: string }
  | { kind: 'local'; path: string; agents: readonly string[] };

const optionsOf = (values: readonly string[]) =>
  values.map((value) => `<option value="${value}">${value}</option>`).join('');

const signInFields = (signIn: ConsoleSignIn) =>
  signIn.kind === 'local'
    ? `<label for="agent">Agent</label><select id="agent">${optionsOf(signIn.agents)}</select>`
    : `<label for="email">Email</label><input id="email" type="email" autocomplete="username">
  <label for="password">Password</label><input id="password" type="password" autocomplete="current-password">
  <div id="new-password-field" hidden><label for="new-password">New password</label><input id="new-password" type="password" autocomplete="new-password"></div>
  <p id="totp-secret" class="muted" hidden></p>
  <div id="code-field" hidden><label for="code">Code from your authenticator app</label><input id="code" inputmode="numeric" autocomplete="one-time-code"></div>`;

/**
 * Signing in, in the page's script: sets `token` (a bearer token for the agent API) and resolves. Cognito's
 * JSON API is called directly (USER_PASSWORD_AUTH), answering each challenge it asks: a new password for an
 * account an administrator created, setting up the authenticator app, the TOTP code.
 */
const signInScript = (signIn: ConsoleSignIn) =>
  signIn.kind === 'local'
    ? `const signIn = async () => {
    const response = await fetch(${JSON.stringify(signIn.path)}, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agent: $('agent').value }),
    });
    token = (await response.json()).token;
  };`
    : `const cognito = async (action, body) => {
    const response = await fetch(${JSON.stringify(`https://cognito-idp.${signIn.region}.amazonaws.com/`)}, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.' + action },
      body: JSON.stringify(body),
    });
    const data = await response.json();
    if (!response.ok) throw new Error(data.message || data.__type || 'Sign-in failed');
    return data;
  };
  const clientId = ${JSON.stringify(signIn.clientId)};
  let pending = null;
  const ask = (field) => { $(field).hidden = false; $(field).querySelector('input').focus(); };
  const signIn = async () => {
    const username = $('email').value.trim();
    let step = pending || await cognito('InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId,
      AuthParameters: { USERNAME: username, PASSWORD: $('password').value },
    });
    pending = null;
    while (!step.AuthenticationResult) {
      const answer = (ChallengeName, ChallengeResponses, Session = step.Session) =>
        cognito('RespondToAuthChallenge', { ClientId: clientId, ChallengeName, Session, ChallengeResponses: { USERNAME: username, ...ChallengeResponses } });
      if (step.ChallengeName === 'NEW_PASSWORD_REQUIRED') {
        if (!$('new-password').value) { pending = step; ask('new-password-field'); throw new Error('Choose a new password, then sign in again.'); }
        step = await answer('NEW_PASSWORD_REQUIRED', { NEW_PASSWORD: $('new-password').value });
      } else if (step.ChallengeName === 'MFA_SETUP') {
        if (!$('code').value) {
          const { SecretCode, Session } = await cognito('AssociateSoftwareToken', { Session: step.Session });
          pending = { ...step, Session };
          $('totp-secret').hidden = false;
          $('totp-secret').textContent = 'Add this key to your authenticator app, then enter its code: ' + SecretCode;
          ask('code-field');
          throw new Error('Set up your authenticator app, then sign in again.');
        }
        const verified = await cognito('VerifySoftwareToken', { Session: step.Session, UserCode: $('code').value.trim() });
        step = await answer('MFA_SETUP', {}, verified.Session);
      } else if (step.ChallengeName === 'SOFTWARE_TOKEN_MFA') {
        if (!$('code').value) { pending = step; ask('code-field'); throw new Error('Enter the code from your authenticator app.'); }
        step = await answer('SOFTWARE_TOKEN_MFA', { SOFTWARE_TOKEN_MFA_CODE: $('code').value.trim() });
      } else {
        throw new Error('Sign-in needs ' + step.ChallengeName + ', which this page does not handle');
      }
    }
    token = step.AuthenticationResult.IdToken;
  };`;

/**
 * The agent console: one page, no framework, nothing loaded from elsewhere but the sign-in service. It signs
 * in, then talks to the agent API with a bearer token: take the next task of a queue, read its script, offer
 * and history, record the outcome, take the next.
 */
export const agentConsolePage = (options: { signIn: ConsoleSignIn }): string => {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Rekindle · call tasks</title>
<style>
body{font:16px/1.45 system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1b1f24}
main{max-width:760px;margin:0 auto;padding:16px}
section{background:#fff;border:1px solid #d8dce2;border-radius:8px;padding:16px;margin:12px 0}
h1{font-size:1.3em;margin:8px 0} h2{font-size:1.1em;margin:0 0 8px}
label{display:block;margin:8px 0 4px;font-weight:600}
input,select,textarea,button{font:inherit;padding:8px;border-radius:6px;border:1px solid #b9c0c9;box-sizing:border-box}
input,select,textarea{width:100%} button{background:#0b5cad;color:#fff;border:0;cursor:pointer;margin-top:12px}
.muted{color:#5b6470} .phone{font-size:1.4em;font-weight:700} .error{color:#a11} [hidden]{display:none}
ol{padding-left:20px}
</style></head>
<body><main>
<h1>Call tasks</h1>
<section id="sign-in">
  <h2>Sign in</h2>
  ${signInFields(options.signIn)}
  <button id="sign-in-button" type="button">Sign in</button>
</section>
<section id="desk" hidden>
  <label for="queue">Queue</label><input id="queue" value="onboarding" autocomplete="off">
  <button id="next" type="button">Take the next task</button>
  <p id="status" class="muted" role="status"></p>
</section>
<section id="task" hidden>
  <h2 id="task-title"></h2>
  <p class="phone"><a id="phone"></a></p>
  <p id="person" class="muted"></p>
  <h2>Script</h2><p id="script"></p>
  <p><strong>Offer:</strong> <span id="offer"></span></p>
  <h2>So far</h2><ol id="history"></ol>
  <form id="outcome">
    <label for="disposition">Outcome</label><select id="disposition">${optionsOf(dispositions)}</select>
    <div id="reason-field" hidden><label for="reason">Reason</label><select id="reason">${optionsOf(notInterestedReasons)}</select></div>
    <div id="callback-field" hidden><label for="callback">Call back at (your local time)</label><input id="callback" type="datetime-local"></div>
    <label for="note">Note</label><textarea id="note" rows="3" maxlength="1000"></textarea>
    <button id="record" type="submit">Record outcome</button>
  </form>
</section>
<p id="error" class="error" role="alert"></p>
</main>
<script>
(() => {
  const $ = (id) => document.getElementById(id);
  let token = '';
  let current = null;
  const api = async (method, path, body) => {
    const response = await fetch(path, {
      method,
      headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const data = text ? JSON.parse(text) : null;
    if (!response.ok && response.status !== 204) throw new Error(data && data.message ? data.message : response.statusText);
    return { status: response.status, data };
  };
  const show = (error) => { $('error').textContent = error ? String(error.message || error) : ''; };
  const text = (element, value) => { element.textContent = value == null ? '' : String(value); };
  const render = (task) => {
    current = task;
    $('task').hidden = !task;
    if (!task) return;
    text($('task-title'), task.campaignId + ' · priority ' + task.priority + ' · attempt ' + (task.attempts + 1));
    text($('phone'), task.person.phone);
    $('phone').href = 'tel:' + (task.person.phone || '');
    text($('person'), [task.person.locale, task.person.timeZone, 'local time ' + task.person.localTime.replace('T', ' '),
      task.person.ring && 'ring ' + task.person.ring, task.person.valueTier && 'value ' + task.person.valueTier]
      .filter(Boolean).join(' · '));
    text($('script'), task.script);
    text($('offer'), task.offer || 'none');
    $('history').replaceChildren(...task.lastTouches.map((touch) => {
      const item = document.createElement('li');
      item.textContent = touch.channel + ' ' + touch.sentAt.slice(0, 16).replace('T', ' ') + ': ' + (touch.copy || '');
      return item;
    }), ...task.calls.map((earlier) => {
      const item = document.createElement('li');
      item.textContent = 'call ' + earlier.at.slice(0, 16).replace('T', ' ') + ': ' + earlier.disposition;
      return item;
    }));
    $('outcome').reset();
    $('reason-field').hidden = true;
    $('callback-field').hidden = true;
  };
  ${signInScript(options.signIn)}
  $('sign-in-button').addEventListener('click', async () => {
    try {
      await signIn();
      $('sign-in').hidden = true;
      $('desk').hidden = false;
      show(null);
      // A link from elsewhere (an Amazon Connect task) names its task: show it.
      const linked = new URLSearchParams(location.search).get('task');
      if (linked) render((await api('GET', '/tasks/' + encodeURIComponent(linked))).data);
    } catch (error) { show(error); }
  });
  $('next').addEventListener('click', async () => {
    try {
      const { status, data } = await api('POST', '/queues/' + encodeURIComponent($('queue').value) + '/next');
      render(status === 204 ? null : data);
      text($('status'), status === 204 ? 'Nothing to call in this queue right now.' : '');
      show(null);
    } catch (error) { show(error); }
  });
  $('disposition').addEventListener('change', () => {
    $('reason-field').hidden = $('disposition').value !== 'reached-not-interested';
    $('callback-field').hidden = $('disposition').value !== 'callback-requested';
  });
  $('outcome').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!current) return;
    const disposition = $('disposition').value;
    const body = { disposition };
    if (disposition === 'reached-not-interested') body.reason = $('reason').value;
    if (disposition === 'callback-requested' && $('callback').value) body.callbackAt = new Date($('callback').value).toISOString();
    if ($('note').value.trim()) body.note = $('note').value.trim();
    try {
      const { data } = await api('POST', '/tasks/' + encodeURIComponent(current.taskId) + '/outcome', body);
      text($('status'), 'Recorded: ' + disposition + ' (' + (data.closedAs ? 'closed' : 'back in the queue') + ').');
      render(null);
      show(null);
    } catch (error) { show(error); }
  });
})();
</script>
</body></html>`;
};

/**
 * The headers the console is served with: never cached, never framed, and a Content-Security-Policy that lets
 * only its own inline script run (by hash) and only its own API and the sign-in service be called.
 */
export const consoleHeaders = (page: string, signIn: ConsoleSignIn): Record<string, string> => {
  const script = /<script>([\s\S]*)<\/script>/.exec(page)?.[1] ?? '';
  const hash = createHash('sha256').update(script).digest('base64');
  const signInService =
    signIn.kind === 'cognito' ? ` https://cognito-idp.${signIn.region}.amazonaws.com` : '';
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'content-security-policy': [
      "default-src 'none'",
      "style-src 'unsafe-inline'",
      `script-src 'sha256-${hash}'`,
      `connect-src 'self'${signInService}`,
      "form-action 'none'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
  };
};
