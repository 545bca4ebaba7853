// Renderer entry: connect to the backend (preload bridge or serve WebSocket) and mount the studio.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiProvider } from './api/api-context.tsx';
import { connectApi } from './api/connect.ts';
import { App } from './app/App.tsx';

const root = createRoot(document.getElementById('root')!);
try {
  const client = connectApi();
  root.render(
    <StrictMode>
      <ApiProvider client={client}>
        <App />
      </ApiProvider>
    </StrictMode>,
  );
} catch (error) {
  root.render(<p style={{ fontFamily: 'sans-serif', padding: 24 }}>{(error as Error).message}</p>);
}
