// The studio shell: a side navigation, the current page, and the theme (light/dark from settings).
import Box from '@mui/material/Box';
import CssBaseline from '@mui/material/CssBaseline';
import Divider from '@mui/material/Divider';
import Drawer from '@mui/material/Drawer';
import List from '@mui/material/List';
import ListItemButton from '@mui/material/ListItemButton';
import ListItemText from '@mui/material/ListItemText';
import { ThemeProvider } from '@mui/material/styles';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import LinearProgress from '@mui/material/LinearProgress';
import type { Settings } from '../../../core/api/domains/settings.ts';
import { useApi } from '../api/api-context.tsx';
import { PlaygroundPage } from '../pages/PlaygroundPage.tsx';
import { RunsPage } from '../pages/RunsPage.tsx';
import { SettingsPage } from '../pages/SettingsPage.tsx';
import { StartPage } from '../pages/StartPage.tsx';
import { WizardPage } from '../pages/wizard/WizardPage.tsx';
import { takeStarterDraft } from '../pages/wizard/draft.ts';
import { hrefOf, useRoute, type Route } from './route.ts';
import { studioTheme } from './theme.ts';

// The chart pages carry @mui/x-charts: loaded on first visit so the first paint stays small.
const RunDashboardPage = lazy(() =>
  import('../pages/RunDashboardPage.tsx').then((m) => ({ default: m.RunDashboardPage })),
);
const ComparePage = lazy(() =>
  import('../pages/compare/ComparePage.tsx').then((m) => ({ default: m.ComparePage })),
);

const navWidth = 210;

const navItems: { label: string; route: Route; matches: Route['page'][] }[] = [
  { label: 'Start', route: { page: 'start' }, matches: ['start'] },
  { label: 'New run', route: { page: 'new' }, matches: ['new'] },
  { label: 'Runs', route: { page: 'runs' }, matches: ['runs', 'run', 'compare'] },
  { label: 'Playground', route: { page: 'playground', runId: null }, matches: ['playground'] },
  { label: 'Settings', route: { page: 'settings' }, matches: ['settings'] },
];

function Page({ route, onSettings }: { route: Route; onSettings: (settings: Settings) => void }) {
  switch (route.page) {
    case 'start':
      return <StartPage />;
    case 'new':
      return <WizardPage initial={takeStarterDraft()} />;
    case 'runs':
      return <RunsPage />;
    case 'run':
      return <RunDashboardPage key={route.runId} runId={route.runId} />;
    case 'compare':
      return <ComparePage runIds={route.runIds} />;
    case 'playground':
      return <PlaygroundPage runId={route.runId} />;
    case 'settings':
      return <SettingsPage onSaved={onSettings} />;
  }
}

export function App() {
  const api = useApi();
  const route = useRoute();
  const prefersDark = useMediaQuery('(prefers-color-scheme: dark)');
  const [themeSetting, setThemeSetting] = useState<Settings['theme']>('system');

  useEffect(() => {
    api.call('settings.get', {}).then(
      ({ settings }) => setThemeSetting(settings.theme),
      () => undefined, // an unreadable settings file is reported on the Settings page itself
    );
  }, [api]);

  const mode = themeSetting === 'system' ? (prefersDark ? 'dark' : 'light') : themeSetting;
  const theme = useMemo(() => studioTheme(mode), [mode]);

  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <Box sx={{ display: 'flex', minHeight: '100vh' }}>
        <Drawer
          variant="permanent"
          sx={{ width: navWidth, '& .MuiDrawer-paper': { width: navWidth, boxSizing: 'border-box' } }}
        >
          <Box sx={{ px: 2.5, py: 2 }}>
            <Typography variant="h6" component="div" sx={{ letterSpacing: 0.2 }}>
              ZO Studio
            </Typography>
            <Typography variant="caption" color="text.secondary">
              zeroth-order fine-tuning
            </Typography>
          </Box>
          <Divider />
          <List component="nav" aria-label="main">
            {navItems.map((item) => (
              <ListItemButton
                key={item.label}
                component="a"
                href={hrefOf(item.route)}
                selected={item.matches.includes(route.page)}
                sx={{ mx: 1, borderRadius: 1 }}
              >
                <ListItemText primary={item.label} />
              </ListItemButton>
            ))}
          </List>
        </Drawer>
        <Box component="main" sx={{ flex: 1, p: 4, maxWidth: 1280, minWidth: 0 }}>
          <Suspense fallback={<LinearProgress aria-label="loading page" />}>
            <Page route={route} onSettings={(settings) => setThemeSetting(settings.theme)} />
          </Suspense>
        </Box>
      </Box>
    </ThemeProvider>
  );
}
