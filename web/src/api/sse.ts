/** One server-sent event. */
export interface SSEMessage {
  event: string;
  data: string;
  id?: string;
}

/**
 * An incremental text/event-stream parser (the WHATWG rules that matter
 * here): feed it chunks split anywhere — mid-line, mid-CRLF — and it returns
 * each event once its terminating blank line has arrived.
 */
export class SSEParser {
  private buf = '';
  private event = '';
  private data: string[] = [];
  private id?: string;
  private pendingCR = false;

  push(chunk: string): SSEMessage[] {
    const out: SSEMessage[] = [];
    let text = chunk;
    if (this.pendingCR) {
      // A CR ended the previous chunk: a following LF belongs to it.
      if (text.startsWith('\n')) text = text.slice(1);
      this.pendingCR = false;
    }
    this.buf += text;
    let start = 0;
    for (let i = 0; i < this.buf.length; i++) {
      const c = this.buf[i];
      if (c !== '\n' && c !== '\r') continue;
      const line = this.buf.slice(start, i);
      if (c === '\r') {
        if (i + 1 === this.buf.length) this.pendingCR = true;
        else if (this.buf[i + 1] === '\n') i++;
      }
      start = i + 1;
      const msg = this.line(line);
      if (msg) out.push(msg);
    }
    this.buf = this.buf.slice(start);
    return out;
  }

  /** Flushes an event not followed by a blank line when the stream ended. */
  end(): SSEMessage[] {
    const out: SSEMessage[] = [];
    if (this.buf) {
      const msg = this.line(this.buf);
      this.buf = '';
      if (msg) out.push(msg);
    }
    const last = this.line('');
    if (last) out.push(last);
    return out;
  }

  private line(line: string): SSEMessage | undefined {
    if (line === '') {
      if (this.data.length === 0 && !this.event) return undefined;
      const msg: SSEMessage = { event: this.event || 'message', data: this.data.join('\n') };
      if (this.id !== undefined) msg.id = this.id;
      this.event = '';
      this.data = [];
      return msg;
    }
    if (line.startsWith(':')) return undefined; // comment / keep-alive
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.event = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        this.id = value;
        break;
      default:
        break; // retry and unknown fields are ignored
    }
    return undefined;
  }
}

/** Reads a byte stream as server-sent events. */
export async function* readSSE(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<SSEMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SSEParser();
  const onAbort = () => {
    reader.cancel().catch(() => {});
  };
  signal?.addEventListener('abort', onAbort);
  try {
    for (;;) {
      if (signal?.aborted) throw new DOMException('Aborted', 'AbortError');
      const { done, value } = await reader.read();
      if (done) break;
      for (const m of parser.push(decoder.decode(value, { stream: true }))) yield m;
    }
    if (signal?.aborted) throw new DOMException('Aborted', 'AbortError');
    for (const m of parser.push(decoder.decode())) yield m;
    for (const m of parser.end()) yield m;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    try { reader.releaseLock(); } catch { /* already released */ }
  }
}
