/**
 * The app's screens and the moves between them: welcome, create, import, unlock (when this browser
 * holds an account), and the signed-in home. Locking closes the session; the keys leave memory.
 */
import { useEffect, useState } from 'preact/hooks';
import { WebError, plainWords } from '../errors.js';
import type { AppEnv } from '../platform/env.js';
import { PROFILE_INDEX_DB, listProfiles, type Profile } from '../session/profiles.js';
import type { Session } from '../session/session.js';
import { CreateIdentity } from './create-identity.js';
import { Home } from './home.js';
import { ImportIdentity } from './import-identity.js';
import { ErrorText } from './messages.js';
import { Unlock } from './unlock.js';
import { Welcome } from './welcome.js';

type Screen =
  | { readonly name: 'loading' }
  | { readonly name: 'broken'; readonly message: string }
  | { readonly name: 'welcome' }
  | { readonly name: 'create' }
  | { readonly name: 'import' }
  | { readonly name: 'unlock' }
  | { readonly name: 'home'; readonly session: Session };

const TITLES: Readonly<Record<Screen['name'], string>> = {
  loading: 'Parley',
  broken: 'Parley',
  welcome: 'Welcome — Parley',
  create: 'Create your identity — Parley',
  import: 'Log in with your key file — Parley',
  unlock: 'Unlock — Parley',
  home: 'Chats — Parley',
};

/** Reads the accounts this browser holds. */
async function loadProfiles(env: AppEnv): Promise<Profile[]> {
  const index = await env.openStore(PROFILE_INDEX_DB);
  try {
    return await listProfiles(index);
  } finally {
    await index.close();
  }
}

/** The whole app. */
export function App(props: { env: AppEnv; setTitle: (title: string) => void }) {
  const { env, setTitle } = props;
  const [screen, setScreen] = useState<Screen>({ name: 'loading' });
  const [profiles, setProfiles] = useState<readonly Profile[]>([]);
  const [unread, setUnread] = useState(0);

  const showStart = async () => {
    try {
      const found = await loadProfiles(env);
      setProfiles(found);
      setScreen(found.length > 0 ? { name: 'unlock' } : { name: 'welcome' });
    } catch (cause) {
      setScreen({
        name: 'broken',
        message: plainWords(new WebError('WEB_STORAGE_UNAVAILABLE', { cause })),
      });
    }
  };
  useEffect(() => {
    void showStart();
    // Runs once: the start screen depends on what the browser holds at load.
  }, []);
  useEffect(() => {
    const count = screen.name === 'home' && unread > 0 ? `(${unread}) ` : '';
    setTitle(`${count}${TITLES[screen.name]}`);
  }, [screen.name, unread, setTitle]);

  const signedIn = (session: Session) => {
    setScreen({ name: 'home', session });
  };
  const welcome = () => {
    setScreen({ name: 'welcome' });
  };

  switch (screen.name) {
    case 'loading':
      return (
        <p class="loading" role="status">
          Loading Parley…
        </p>
      );
    case 'broken':
      return (
        <main class="card onboarding">
          <h1>Parley cannot start</h1>
          <ErrorText message={screen.message} />
        </main>
      );
    case 'welcome':
      return (
        <Welcome
          hasProfiles={profiles.length > 0}
          onCreate={() => {
            setScreen({ name: 'create' });
          }}
          onImport={() => {
            setScreen({ name: 'import' });
          }}
          onUnlock={() => {
            setScreen({ name: 'unlock' });
          }}
        />
      );
    case 'create':
      return <CreateIdentity env={env} onDone={signedIn} onCancel={welcome} />;
    case 'import':
      return <ImportIdentity env={env} onDone={signedIn} onCancel={welcome} />;
    case 'unlock':
      return <Unlock env={env} profiles={profiles} onDone={signedIn} onOther={welcome} />;
    case 'home':
      return (
        <Home
          env={env}
          session={screen.session}
          onUnread={setUnread}
          onLock={() => {
            setUnread(0);
            void screen.session.close().finally(() => void showStart());
          }}
        />
      );
  }
}
