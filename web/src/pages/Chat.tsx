// The chat screen: the conversation list (loaded a page at a time, newest
// first) beside the open conversation, with its model picker and its Export
// control in the header. The parts are in ./chat/: Sidebar, ConversationView
// (MessageList above the Composer), useChatStream, ModelPicker and ExportMenu.
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../config';
import { humanMessage } from '../api/errors';
import { onConversationsChanged } from '../events';
import type { Conversation, Me } from '../api/types';
import { navigate, useLocation } from '../router';
import { ConversationView } from './chat/ConversationView';
import { ExportMenu } from './chat/ExportMenu';
import { type Model, ModelPicker } from './chat/ModelPicker';
import { type ListState, Sidebar } from './chat/Sidebar';

const PAGE = 20;

/** Whether `app:chat-ready` (the e2e test's time to interactive) has been marked. */
let chatReadyMarked = false;

export function ChatPage(props: { conversationId: string | null; themeButton: ReactNode }) {
  const { hash } = useLocation();
  const [convs, setConvs] = useState<Conversation[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [listState, setListState] = useState<ListState>('idle');
  const [listError, setListError] = useState<string | null>(null);
  const [navOpen, setNavOpen] = useState(false);
  const loadingRef = useRef(false);

  const loadMore = useCallback(async (reset = false) => {
    if (loadingRef.current) return;
    loadingRef.current = true;
    setListState('loading');
    setListError(null);
    try {
      const page = await api.listConversations({ limit: PAGE, cursor: reset ? undefined : cursor ?? undefined });
      setConvs((prev) => {
        const base = reset ? [] : prev;
        const seen = new Set(base.map((c) => c.id));
        return [...base, ...page.items.filter((c) => !seen.has(c.id))];
      });
      setCursor(page.nextCursor);
      setListState(page.nextCursor ? 'idle' : 'done');
      if (!chatReadyMarked) {
        chatReadyMarked = true;
        requestAnimationFrame(() => performance.mark('app:chat-ready'));
      }
    } catch (err) {
      setListError(humanMessage(err));
      setListState('idle');
    } finally {
      loadingRef.current = false;
    }
  }, [cursor]);

  useEffect(() => {
    loadMore(true);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  // Conversations added elsewhere (an import that finished while this page was open): list them anew.
  const loadMoreRef = useRef(loadMore);
  loadMoreRef.current = loadMore;
  useEffect(() => onConversationsChanged(() => loadMoreRef.current(true)), []);

  // The models to choose from and the user's default, for the model picker
  // (without them it stays hidden; the chat works all the same).
  const [models, setModels] = useState<Model[] | null>(null);
  // undefined while it loads: the picker waits for it, so that the default it marks does not change under the user.
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    api.models().then((r) => { if (live) setModels(r.items); }).catch(() => {});
    api.me().then((u) => { if (live) setMe(u); }).catch(() => { if (live) setMe(null); });
    return () => { live = false; };
  }, []);

  const upsert = useCallback((c: Conversation) => {
    setConvs((prev) => [c, ...prev.filter((x) => x.id !== c.id)].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)));
  }, []);

  const refreshConversation = useCallback(async (id: string) => {
    try {
      upsert(await api.getConversation(id));
    } catch {
      /* the list stays as it is */
    }
  }, [upsert]);

  const remove = useCallback((id: string) => {
    setConvs((prev) => prev.filter((c) => c.id !== id));
    if (props.conversationId === id) navigate('/', { replace: true });
  }, [props.conversationId]);

  // The open conversation may be older than the pages loaded so far: fetch it for its title.
  const listed = convs.find((c) => c.id === props.conversationId);
  const [fetched, setFetched] = useState<Conversation | null>(null);
  useEffect(() => {
    const id = props.conversationId;
    if (!id || listed || listState === 'loading') return;
    if (fetched?.id === id) return;
    let live = true;
    api.getConversation(id).then((c) => { if (live) setFetched(c); }).catch(() => {});
    return () => { live = false; };
  }, [props.conversationId, listed, listState, fetched?.id]);
  const current = listed ?? (fetched?.id === props.conversationId ? fetched : undefined);

  /** A conversation changed in place (its model): the list keeps its order. */
  const update = useCallback((c: Conversation) => {
    setConvs((prev) => prev.map((x) => (x.id === c.id ? c : x)));
    setFetched((f) => (f?.id === c.id ? c : f));
  }, []);
  const targetMessageId = hash.startsWith('m-') ? hash.slice(2) : null;

  return (
    <div className={`chat-layout${navOpen ? ' nav-open' : ''}`}>
      <Sidebar
        convs={convs}
        activeId={props.conversationId}
        listState={listState}
        listError={listError}
        onLoadMore={() => loadMore(false)}
        onRenamed={upsert}
        onDeleted={remove}
        onNavigate={() => setNavOpen(false)}
        themeButton={props.themeButton}
      />
      <div className="scrim" onClick={() => setNavOpen(false)} aria-hidden="true" />
      <main className="chat-main" aria-label="Conversation">
        <header className="chat-header">
          <button type="button" className="icon menu-button" aria-label="Show conversations" onClick={() => setNavOpen(true)}>☰</button>
          <h1 className="chat-title">{props.conversationId ? current?.title ?? 'Conversation' : 'New conversation'}</h1>
          {current && models && me !== undefined ? (
            <ModelPicker key={`model-${current.id}`} conversation={current} models={models} userDefault={me?.defaultModel} onChanged={update} />
          ) : null}
          {current ? <ExportMenu key={`export-${current.id}`} conversation={current} /> : null}
        </header>
        <ConversationView
          key={props.conversationId ?? 'new'}
          conversationId={props.conversationId}
          targetMessageId={targetMessageId}
          onCreated={upsert}
          onTurnFinished={refreshConversation}
        />
      </main>
    </div>
  );
}
