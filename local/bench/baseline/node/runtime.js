'use strict';
// A minimal Lambda runtime for the Express baseline: it loads the handler
// named by _HANDLER (module.export) from LAMBDA_TASK_ROOT and serves
// invocations from the Runtime API, one at a time, as nodejs20.x's runtime does.
const http = require('node:http');
const path = require('node:path');

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const api = '/2018-06-01/runtime';

function call(method, urlPath, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path: api + urlPath, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function errorDoc(err) {
  return JSON.stringify({
    errorType: (err && err.name) || 'Error',
    errorMessage: (err && err.message) || String(err),
    stackTrace: err && err.stack ? err.stack.split('\n') : [],
  });
}

async function main() {
  let handler;
  try {
    const [mod, fn] = (process.env._HANDLER || 'app.handler').split('.');
    handler = require(path.join(process.env.LAMBDA_TASK_ROOT, mod))[fn];
  } catch (err) {
    await call('POST', '/init/error', errorDoc(err), { 'Lambda-Runtime-Function-Error-Type': 'Runtime.ImportModuleError' });
    process.exit(1);
  }
  for (;;) {
    const next = await call('GET', '/invocation/next');
    const id = next.headers['lambda-runtime-aws-request-id'];
    const deadline = Number(next.headers['lambda-runtime-deadline-ms']);
    const context = {
      awsRequestId: id,
      invokedFunctionArn: next.headers['lambda-runtime-invoked-function-arn'],
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      getRemainingTimeInMillis: () => deadline - Date.now(),
    };
    try {
      const result = await handler(JSON.parse(next.body), context);
      await call('POST', `/invocation/${id}/response`, JSON.stringify(result === undefined ? null : result));
    } catch (err) {
      await call('POST', `/invocation/${id}/error`, errorDoc(err), { 'Lambda-Runtime-Function-Error-Type': 'Unhandled' });
    }
  }
}

main();
