'use strict';
// The seed's design, for make bench: the whole API as one Express app in one
// Lambda, wrapped by serverless-http. Routes answer from memory so that the
// numbers are the architecture's own, not a database's.
const crypto = require('node:crypto');
const express = require('express');
const serverless = require('serverless-http');

const app = express();
app.disable('x-powered-by');
app.use((req, res, next) => {
  res.set('X-Request-Id', req.get('x-request-id') || crypto.randomUUID());
  next();
});
app.use(express.json({ limit: '64kb' }));
app.use(express.urlencoded({ extended: false }));

function requireUser(req, res, next) {
  const claims = req.event?.requestContext?.authorizer?.jwt?.claims;
  if (!claims || !claims.sub) return res.status(401).json({ error: { code: 'unauthorized' } });
  req.userId = claims.sub;
  next();
}

const conversations = new Map();
const router = express.Router();
router.get('/health', (req, res) => res.json({ status: 'ok', checks: { database: 'ok', cache: 'ok' } }));
router.get('/me', requireUser, (req, res) => res.json({ id: req.userId }));
router.get('/conversations', requireUser, (req, res) => {
  const items = [...conversations.values()].filter((c) => c.userId === req.userId);
  res.json({ items, nextCursor: null });
});
router.post('/conversations', requireUser, (req, res) => {
  const title = typeof req.body?.title === 'string' ? req.body.title.trim() : '';
  if (!title || title.length > 200) return res.status(400).json({ error: { code: 'validation' } });
  const c = { id: crypto.randomUUID(), userId: req.userId, title, createdAt: new Date().toISOString() };
  conversations.set(c.id, c);
  res.status(201).json(c);
});
router.get('/conversations/:id', requireUser, (req, res) => {
  const c = conversations.get(req.params.id);
  if (!c || c.userId !== req.userId) return res.status(404).json({ error: { code: 'not_found' } });
  res.json(c);
});
app.use('/', router);
app.use((req, res) => res.status(404).json({ error: { code: 'not_found' } }));
app.use((err, req, res, next) => {
  res.status(err.status || 500).json({ error: { code: err.status ? 'bad_request' : 'internal' } });
});

const handle = serverless(app, {
  request(req, event) {
    req.event = event;
  },
});

exports.handler = async (event, context) => {
  if (event && event.warmup) return { statusCode: 200, body: '{"warm":true}' };
  return handle(event, context);
};
