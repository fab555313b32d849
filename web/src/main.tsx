// The console's entry: read /config.json, set up sign-in and the API client, render.
import 'nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css';
import './console.css';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { retryDelay, shouldRetry } from './api.ts';
import { AuthProvider, createUserManager } from './auth.tsx';
import { loadConfig } from './config.ts';

const root = createRoot(document.getElementById('root') as HTMLElement);

loadConfig()
  .then((config) => {
    const queryClient = new QueryClient({
      defaultOptions: {
        queries: { retry: shouldRetry, retryDelay, staleTime: 2_000, refetchOnWindowFocus: true },
        mutations: { retry: shouldRetry, retryDelay },
      },
    });
    root.render(
      <StrictMode>
        <QueryClientProvider client={queryClient}>
          <AuthProvider manager={createUserManager(config)}>
            <App config={config} />
          </AuthProvider>
        </QueryClientProvider>
      </StrictMode>,
    );
  })
  .catch((error: Error) => {
    root.render(
      <main className="nhsuk-width-container nhsuk-main-wrapper">
        <h1>Keyholder is not available</h1>
        <p>{error.message}. Reload the page in a moment; if it keeps happening, tell the Keyholder team.</p>
      </main>,
    );
  });
